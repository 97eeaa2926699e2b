// One ffmpeg pipeline for every bulletin: probe the input (refuse what is not audio), measure its
// loudness (first loudnorm pass), then mono, resample, normalize to the target loudness (second,
// linear pass), optional chime before and after, and encode — MP3 for loudspeakers and Zalo,
// OGG/Opus for Telegram voice notes. Results are cached by a hash of the input and the settings,
// so the same bulletin renders once however many targets it goes to.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class AudioRenderError extends Error {
  override name = 'AudioRenderError';
  constructor(
    readonly reason: 'not_audio' | 'too_large' | 'silent' | 'too_long' | 'ffmpeg_failed',
    message: string,
  ) {
    super(message);
  }
}

/** MP3 for loudspeakers, OGG/Opus for Telegram voice notes, M4A (AAC) for Zalo voice messages. */
export type AudioFormat = 'mp3' | 'opus' | 'm4a';

const CODEC: Record<AudioFormat, (kbps: number) => string[]> = {
  mp3: (k) => ['-c:a', 'libmp3lame', '-b:a', `${k}k`, '-f', 'mp3'],
  opus: (k) => ['-c:a', 'libopus', '-b:a', `${k}k`, '-application', 'voip', '-f', 'ogg'],
  m4a: (k) => ['-c:a', 'aac', '-b:a', `${k}k`, '-movflags', '+faststart', '-f', 'ipod'],
};
const EXT: Record<AudioFormat, string> = { mp3: 'mp3', opus: 'ogg', m4a: 'm4a' };

export interface RenderOptions {
  format: AudioFormat;
  /** Integrated loudness target (LUFS) and true-peak ceiling (dBTP). */
  loudnessI?: number;
  truePeak?: number;
  bitrateKbps?: number;
  sampleRate?: number;
  /** Played before and after the bulletin (the commune's jingle), already audio files. */
  introPath?: string;
  outroPath?: string;
}

export interface RenderedAudio {
  path: string;
  sha256: string;
  durationMs: number;
  bytes: number;
  format: AudioFormat;
  /** Loudness of the input as measured by the first pass. */
  measured: { inputI: number; inputTp: number };
}

export interface AudioPipelineOptions {
  ffmpegPath: string;
  cacheDir: string;
  maxInputBytes?: number;
  maxDurationMs?: number;
}

interface Probe {
  durationMs: number;
  hasAudio: boolean;
}

function run(bin: string, args: string[], stdin?: Buffer): Promise<{ code: number | null; stderr: string; stdout: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => {
      // Keep the tail only: loudnorm's JSON and errors are at the end.
      err = (err + b.toString()).slice(-64_000);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr: err, stdout: Buffer.concat(out) }));
    if (stdin) child.stdin!.end(stdin);
  });
}

export function createAudioPipeline(opts: AudioPipelineOptions) {
  const maxBytes = opts.maxInputBytes ?? 50 * 1024 * 1024;
  const maxDuration = opts.maxDurationMs ?? 30 * 60_000;

  async function probe(input: string): Promise<Probe> {
    const r = await run(opts.ffmpegPath, ['-hide_banner', '-nostdin', '-i', input, '-map', '0:a:0?', '-f', 'null', '-']);
    const hasAudio = /Stream #\d+:\d+(?:\[\w+\])?(?:\(\w+\))?: Audio:/.test(r.stderr);
    const m = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(r.stderr);
    // Streams without a header duration (raw, piped): the decoded length from the last time= stamp.
    const t = [...r.stderr.matchAll(/time=(\d+):(\d+):(\d+(?:\.\d+)?)/g)].at(-1);
    const hms = m ?? t;
    const durationMs = hms ? Math.round((Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3])) * 1000) : 0;
    return { hasAudio, durationMs };
  }

  async function measure(input: string, target: { i: number; tp: number }) {
    const r = await run(opts.ffmpegPath, ['-hide_banner', '-nostdin', '-i', input, '-ac', '1', '-af', `loudnorm=I=${target.i}:TP=${target.tp}:LRA=11:print_format=json`, '-f', 'null', '-']);
    const json = /\{[^{}]*"input_i"[^{}]*\}/.exec(r.stderr)?.[0];
    if (r.code !== 0 || !json) throw new AudioRenderError('ffmpeg_failed', `Không đo được độ lớn âm thanh: ${r.stderr.split('\n').filter(Boolean).at(-1) ?? ''}`);
    const m = JSON.parse(json) as Record<string, string>;
    return { inputI: Number(m.input_i), inputTp: Number(m.input_tp), inputLra: Number(m.input_lra), inputThresh: Number(m.input_thresh), offset: Number(m.target_offset) };
  }

  /** Size, kind and length: refuses what is not a usable recording before any real work. */
  async function checkInput(input: string): Promise<Probe> {
    const size = (await stat(input)).size;
    if (size > maxBytes) throw new AudioRenderError('too_large', `Tệp âm thanh quá lớn (${Math.round(size / 1048576)} MB, tối đa ${Math.round(maxBytes / 1048576)} MB).`);
    const p = await probe(input);
    if (!p.hasAudio) throw new AudioRenderError('not_audio', 'Tệp tải lên không phải âm thanh (cần MP3, WAV, M4A, OGG…).');
    if (p.durationMs > maxDuration) throw new AudioRenderError('too_long', `Bản tin dài quá (${Math.round(p.durationMs / 60000)} phút, tối đa ${Math.round(maxDuration / 60000)} phút).`);
    return p;
  }

  async function measureAudible(input: string, target: { i: number; tp: number }) {
    const measured = await measure(input, target);
    // A recording of silence (or a microphone left off) must not go out as a bulletin.
    if (!Number.isFinite(measured.inputI) || measured.inputI < -60) throw new AudioRenderError('silent', 'Tệp âm thanh gần như im lặng, xin kiểm tra lại bản ghi.');
    return measured;
  }

  /**
   * Checks an uploaded recording the way the render will (size, audio, length, silence) and says
   * what staff should know about it; clipping is repaired by the render, but worth re-recording.
   */
  async function inspect(input: string): Promise<{ durationMs: number; inputI: number; inputTp: number; warnings: string[] }> {
    const p = await checkInput(input);
    const m = await measureAudible(input, { i: -16, tp: -1.5 });
    const warnings: string[] = [];
    if (m.inputTp >= -0.1) warnings.push('Bản ghi bị méo tiếng (đỉnh chạm 0 dBFS): hệ thống đã hạ âm lượng khi dựng, nhưng nên ghi lại nếu có thể.');
    if (m.inputI < -35) warnings.push('Bản ghi rất nhỏ tiếng: hệ thống sẽ khuếch đại, tiếng ồn nền có thể to lên.');
    return { durationMs: p.durationMs, inputI: m.inputI, inputTp: m.inputTp, warnings };
  }

  /** Renders an audio file (a recording, or speech produced by a SpeechEngine). */
  async function render(input: string, ro: RenderOptions): Promise<RenderedAudio> {
    await checkInput(input);
    const target = { i: ro.loudnessI ?? -16, tp: ro.truePeak ?? -1.5 };
    const bitrate = ro.bitrateKbps ?? (ro.format === 'opus' ? 32 : 64);
    const rate = ro.format === 'opus' ? 48_000 : (ro.sampleRate ?? 44_100);
    const inputHash = createHash('sha256').update(await readFile(input)).digest('hex');
    const introHash = ro.introPath ? createHash('sha256').update(await readFile(ro.introPath)).digest('hex') : '';
    const outroHash = ro.outroPath ? createHash('sha256').update(await readFile(ro.outroPath)).digest('hex') : '';
    const key = createHash('sha256').update(JSON.stringify([inputHash, introHash, outroHash, ro.format, target, bitrate, rate])).digest('hex');
    const ext = EXT[ro.format];
    const out = join(opts.cacheDir, key.slice(0, 2), `${key}.${ext}`);
    const meta = `${out}.json`;
    const cached = await readFile(meta, 'utf8').then((s) => JSON.parse(s) as RenderedAudio, () => undefined);
    if (cached && (await stat(out).then(() => true, () => false))) return cached;

    const measured = await measureAudible(input, target);
    const loudnorm = `loudnorm=I=${target.i}:TP=${target.tp}:LRA=11:measured_I=${measured.inputI}:measured_TP=${measured.inputTp}:measured_LRA=${measured.inputLra}:measured_thresh=${measured.inputThresh}:offset=${measured.offset}:linear=true`;
    const inputs = ['-i', input];
    let filter = `[0:a]aformat=channel_layouts=mono,aresample=${rate},${loudnorm},aresample=${rate}[main]`;
    const chain: string[] = [];
    // The chimes are only resampled: they are the commune's own, already at a sensible level.
    for (const [label, extra] of [['intro', ro.introPath], ['outro', ro.outroPath]] as const) {
      if (!extra) continue;
      inputs.push('-i', extra);
      filter += `;[${inputs.length / 2 - 1}:a]aformat=channel_layouts=mono,aresample=${rate}[${label}]`;
    }
    if (ro.introPath) chain.push('[intro]');
    chain.push('[main]');
    if (ro.outroPath) chain.push('[outro]');
    let last = '[main]';
    if (chain.length > 1) {
      filter += `;${chain.join('')}concat=n=${chain.length}:v=0:a=1[out]`;
      last = '[out]';
    }
    const codec = CODEC[ro.format](bitrate);
    await mkdir(join(opts.cacheDir, key.slice(0, 2)), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    const r = await run(opts.ffmpegPath, ['-hide_banner', '-nostdin', '-y', ...inputs, '-filter_complex', filter, '-map', last, '-ac', '1', '-ar', String(rate), ...codec, tmp]);
    if (r.code !== 0) {
      await rm(tmp, { force: true });
      throw new AudioRenderError('ffmpeg_failed', `ffmpeg lỗi khi dựng âm thanh: ${r.stderr.split('\n').filter(Boolean).slice(-2).join(' | ')}`);
    }
    await rename(tmp, out);
    const buf = await readFile(out);
    const done = await probe(out);
    const result: RenderedAudio = {
      path: out,
      sha256: createHash('sha256').update(buf).digest('hex'),
      durationMs: done.durationMs,
      bytes: buf.length,
      format: ro.format,
      measured: { inputI: measured.inputI, inputTp: measured.inputTp },
    };
    await writeFile(meta, JSON.stringify(result));
    return result;
  }

  /** Measures the integrated loudness of a rendered file (for tests and reports). */
  async function loudness(path: string): Promise<{ i: number; tp: number }> {
    const m = await measure(path, { i: -16, tp: -1.5 });
    return { i: m.inputI, tp: m.inputTp };
  }

  return { probe, inspect, render, loudness };
}

export type AudioPipeline = ReturnType<typeof createAudioPipeline>;
