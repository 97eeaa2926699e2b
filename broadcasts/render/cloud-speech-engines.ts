// Vietnamese cloud text-to-speech services behind the SpeechEngine interface, for communes that
// want a natural voice and have internet. Long bulletins are cut at sentence boundaries under each
// service's limit and the MP3 parts joined (MP3 frames concatenate; the pipeline re-encodes).
// Errors are SpeechEngineError: permanent for a refused key or text, transient otherwise.
import { splitText } from '../../src/text/split-text.ts';
import { SpeechEngineError, type SpeechEngine } from './speech-engine.ts';

export interface CloudSpeechOptions {
  apiKey: string;
  /** Override of the service address (a private deployment, or a test server). */
  apiUrl?: string;
  voice?: string;
  /** 1 = normal. */
  speed?: number;
  timeoutMs?: number;
  /** FPT.AI prepares audio asynchronously: how long to wait for it, and how often to look. */
  pollTimeoutMs?: number;
  pollIntervalMs?: number;
}

async function call(url: string, init: RequestInit, timeoutMs: number, service: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new SpeechEngineError(`${service} không phản hồi: ${(e as Error).message}`);
  }
  if (res.status === 401 || res.status === 403) throw new SpeechEngineError(`${service} từ chối khóa API (${res.status}): kiểm tra TTS_API_KEY.`, true);
  if (res.status === 429 || res.status >= 500) throw new SpeechEngineError(`${service} đang bận hoặc lỗi (${res.status}), sẽ thử lại.`);
  return res;
}

async function errorText(res: Response): Promise<string> {
  const body = await res.text().catch(() => '');
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    return String(j.vi_message ?? j.message ?? j.msg ?? j.error ?? body).slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}

const isAudio = (res: Response) => /^audio\/|octet-stream/.test(res.headers.get('content-type') ?? '');

/** Viettel AI (viettelai.vn): one POST returns the audio; voices carry the region (hn-, hue-, hcm-). */
export function createViettelSpeechEngine(opts: CloudSpeechOptions): SpeechEngine {
  const url = opts.apiUrl ?? 'https://viettelai.vn/tts/speech_synthesis';
  return {
    name: 'viettel',
    async synthesize(text, so = {}) {
      const parts: Buffer[] = [];
      for (const chunk of splitText(text, 1800)) {
        const res = await call(
          url,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: '*/*' },
            body: JSON.stringify({ text: chunk, voice: so.voice ?? opts.voice ?? 'hn-quynhanh', speed: so.speed ?? opts.speed ?? 1, tts_return_option: 3, token: opts.apiKey, without_filter: false }),
          },
          opts.timeoutMs ?? 30_000,
          'Viettel AI',
        );
        if (!res.ok || !isAudio(res)) throw new SpeechEngineError(`Viettel AI không đọc được đoạn văn bản (${res.status}): ${await errorText(res)}`, true);
        parts.push(Buffer.from(await res.arrayBuffer()));
      }
      return Buffer.concat(parts);
    },
  };
}

/** FPT.AI (api.fpt.ai/hmi/tts/v5): the POST answers with a link where the MP3 appears shortly. */
export function createFptSpeechEngine(opts: CloudSpeechOptions): SpeechEngine {
  const url = opts.apiUrl ?? 'https://api.fpt.ai/hmi/tts/v5';
  const timeout = opts.timeoutMs ?? 30_000;
  // FPT's speed is a step from -3 (slow) to +3 (fast).
  const step = (speed: number) => String(Math.max(-3, Math.min(3, Math.round((speed - 1) * 6))));

  async function fetchWhenReady(link: string): Promise<Buffer> {
    const deadline = Date.now() + (opts.pollTimeoutMs ?? 60_000);
    for (;;) {
      const res = await call(link, { method: 'GET' }, timeout, 'FPT.AI');
      if (res.ok && isAudio(res)) return Buffer.from(await res.arrayBuffer());
      await res.body?.cancel();
      if (res.status !== 404 && res.status !== 202 && !res.ok) throw new SpeechEngineError(`FPT.AI không trả được âm thanh (${res.status}).`);
      if (Date.now() > deadline) throw new SpeechEngineError('FPT.AI chưa dựng xong âm thanh sau thời gian chờ.');
      await new Promise((r) => setTimeout(r, opts.pollIntervalMs ?? 1000));
    }
  }

  return {
    name: 'fpt',
    async synthesize(text, so = {}) {
      const parts: Buffer[] = [];
      for (const chunk of splitText(text, 4500)) {
        const res = await call(
          url,
          { method: 'POST', headers: { 'api-key': opts.apiKey, voice: so.voice ?? opts.voice ?? 'banmai', speed: step(so.speed ?? opts.speed ?? 1), 'content-type': 'text/plain; charset=utf-8' }, body: chunk },
          timeout,
          'FPT.AI',
        );
        if (!res.ok) throw new SpeechEngineError(`FPT.AI từ chối yêu cầu (${res.status}): ${await errorText(res)}`, true);
        const j = (await res.json().catch(() => ({}))) as { async?: string; error?: number; message?: string };
        if (j.error !== 0 || !j.async) throw new SpeechEngineError(`FPT.AI không đọc được đoạn văn bản: ${j.message ?? 'không rõ lý do'}`, true);
        parts.push(await fetchWhenReady(j.async));
      }
      return Buffer.concat(parts);
    },
  };
}
