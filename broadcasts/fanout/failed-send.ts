// What a failed send does to its delivery job, decided here and nowhere else: rate limited →
// pending, retried after the platform's wait; permanent → failed (a gone chat or a blocked bot also
// marks the target broken, staff are told); transient → pending and retried. A send that began and
// never recorded its result is flagged "có thể trùng" when the job starts again (deliver.ts).
import { ChannelError } from '../../bots/channel.ts';
import { PermanentJobError, RetryJobLater } from '../../src/queues/job-errors.ts';
import { EndpointError } from '../radio/endpoint.ts';
import { SpeechEngineError } from '../render/speech-engine.ts';
import { AudioRenderError } from '../render/audio-pipeline.ts';

export type SendFailure =
  | { kind: 'retry_after'; retryAfterMs: number; error: string; nothingSent: true; rethrow: Error }
  | { kind: 'failed'; error: string; brokenReason?: string; rethrow: Error }
  | { kind: 'retry'; error: string; nothingSent: boolean; rethrow: unknown };

export function classifySendFailure(e: unknown): SendFailure {
  if (e instanceof ChannelError) {
    if (e.kind === 'rate_limited') {
      // Refused before anything was sent: the next attempt is not a repeat.
      return { kind: 'retry_after', retryAfterMs: e.retryAfterMs ?? 1000, error: 'chờ giới hạn tốc độ', nothingSent: true, rethrow: new RetryJobLater(e.retryAfterMs ?? 1000, e.message) };
    }
    if (e.permanent) {
      // Zalo's messages already name it; Telegram's are the Bot API's own words.
      const reason = /^Zalo\b/.test(e.message) ? e.message : `Telegram: ${e.message}`;
      return { kind: 'failed', error: `${e.kind}: ${e.message}`, ...(e.kind === 'not_found' || e.kind === 'blocked' ? { brokenReason: reason } : {}), rethrow: new PermanentJobError(e.message) };
    }
  }
  if (e instanceof EndpointError && e.permanent) {
    return { kind: 'failed', error: `${e.kind}: ${e.message}`, ...(e.kind === 'unknown_endpoint' ? { brokenReason: e.message } : {}), rethrow: new PermanentJobError(e.message) };
  }
  // Audio that cannot be made (no voice, a refused key, a silent recording) fails every target alike.
  if ((e instanceof SpeechEngineError && e.permanent) || (e instanceof AudioRenderError && e.reason !== 'ffmpeg_failed')) {
    return { kind: 'failed', error: `không dựng được âm thanh: ${e.message}`, rethrow: new PermanentJobError(e.message) };
  }
  if (e instanceof PermanentJobError) return { kind: 'failed', error: e.message, rethrow: e };
  // Transient: not a repeat next time when nothing reached the platform.
  return { kind: 'retry', error: (e as Error).message, nothingSent: e instanceof ChannelError && Boolean(e.opts.unsent), rethrow: e };
}
