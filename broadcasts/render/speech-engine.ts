// Text-only bulletins become speech through a SpeechEngine. The default is offline (Debian's
// espeak-ng, Vietnamese voice), so a commune without internet still broadcasts; HTTP engines for
// Vietnamese cloud text-to-speech services implement the same interface.
import { spawn } from 'node:child_process';
import { findOnPath } from '../../src/system/find-executable.ts';

export interface SpeechOptions {
  /** Engine-specific voice name, e.g. espeak-ng "vi" (northern) or "vi-vn-x-central". */
  voice?: string;
  /** 1 = normal speed. */
  speed?: number;
}

export interface SpeechEngine {
  readonly name: string;
  /** Audio of the text (already normalized for speech): WAV or MP3, the pipeline probes it. */
  synthesize(text: string, opts?: SpeechOptions): Promise<Buffer>;
}

export class SpeechEngineError extends Error {
  override name = 'SpeechEngineError';
  constructor(
    message: string,
    /** A refusal (bad key, text refused) will not change on retry; a timeout or 5xx may. */
    readonly permanent = false,
  ) {
    super(message);
  }
}

export function createEspeakEngine(bin = 'espeak-ng'): SpeechEngine {
  return {
    name: 'espeak-ng',
    synthesize(text, opts = {}) {
      const path = bin.includes('/') ? bin : findOnPath(bin);
      if (!path) return Promise.reject(new SpeechEngineError('Không có espeak-ng: cài bằng "apt-get install espeak-ng" để đọc bản tin chỉ có chữ.', true));
      // espeak-ng's speed is words per minute; 160 is a calm announcer.
      const wpm = Math.round(160 * (opts.speed ?? 1));
      return new Promise((resolve, reject) => {
        const child = spawn(path, ['-v', opts.voice ?? 'vi', '-s', String(wpm), '--stdout'], { stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        let err = '';
        child.stdout!.on('data', (b: Buffer) => out.push(b));
        child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
        child.once('error', (e) => reject(new SpeechEngineError(`espeak-ng không chạy được: ${e.message}`)));
        child.once('close', (code) => {
          const wav = Buffer.concat(out);
          if (code !== 0 || wav.length < 100) reject(new SpeechEngineError(`espeak-ng lỗi (${code}): ${err.trim().slice(0, 200)}`));
          else resolve(wav);
        });
        // The text goes through stdin, never through a shell or an argument list.
        child.stdin!.end(text);
      });
    },
  };
}
