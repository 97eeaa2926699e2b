// What a failed send does to its delivery job, decided here and nowhere else: an account at its own
// sending cap → another account of the commune in the same group sends instead; rate limited →
// pending, retried after the platform's wait; permanent → failed (a gone chat or a blocked bot also
// marks the target broken, staff are told); transient → pending and retried. A send that began and
// never recorded its result is flagged "có thể trùng" when the job starts again (deliver.ts).
import { ChannelError, type Platform } from '../../bots/channel.ts';
import { channelName } from '../../src/channels/platform-names.ts';
import { PermanentJobError, RetryJobLater } from '../../src/queues/job-errors.ts';
import { EndpointError } from '../radio/endpoint.ts';
import { SpeechEngineError } from '../render/speech-engine.ts';
import { AudioRenderError } from '../render/audio-pipeline.ts';

export type SendFailure =
  | { kind: 'retry_after'; retryAfterMs: number; error: string; nothingSent: true; rethrow: Error }
  | { kind: 'failed'; error: string; brokenReason?: string; rethrow: Error }
  | { kind: 'retry'; error: string; nothingSent: boolean; rethrow: unknown };

/** platform: whose refusal it is, named in the target's broken notice (e.g. "Telegram: chat not found"). */
export function classifySendFailure(e: unknown, platform?: Platform): SendFailure {
  if (e instanceof ChannelError) {
    if (e.kind === 'rate_limited') {
      // Refused before anything was sent: the next attempt is not a repeat.
      return { kind: 'retry_after', retryAfterMs: e.retryAfterMs ?? 1000, error: 'chờ giới hạn tốc độ', nothingSent: true, rethrow: new RetryJobLater(e.retryAfterMs ?? 1000, e.message) };
    }
    if (e.permanent) {
      // Some adapters' messages already name their platform; others are the API's own words.
      const name = platform ? channelName(platform) : '';
      const reason = !name || e.message.startsWith(name) ? e.message : `${name}: ${e.message}`;
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

/** The account reached its own sending cap (a Zalo account's daily limit): another account may send instead. */
export function handsToAnotherAccount(e: unknown): boolean {
  return e instanceof ChannelError && e.kind === 'rate_limited' && Boolean(e.opts.quota);
}

/** While handing over: that account is not in the group, or at its cap too, so the next one tries. */
export function nextAccountMayTry(e: unknown): boolean {
  return e instanceof ChannelError && (e.permanent || Boolean(e.opts.quota));
}
