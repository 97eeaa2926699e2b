// A small client for the Zalo Bot Platform on fetch (no npm SDK exists). `call` is the one place
// that owns the platform's failure policy, as grammY's withRetries does for Telegram: 429 waits
// retry_after, 5xx and network errors back off and try again, anything else is classified once
// into a ChannelError (401 → the token is wrong: the channel is down; 403 → the user blocked the
// bot: permanent). Handlers never retry by themselves; what is left over goes to the job queue.
import { setTimeout as sleep } from 'node:timers/promises';
import { ChannelError } from '../channel.ts';
import type { ZaloBotMethod, ZaloBotParams, ZaloBotResponse, ZaloBotResult } from './zalo-bot-types.ts';

export const DEFAULT_ZALO_BOT_API_ROOT = 'https://bot-api.zaloplatforms.com';

export interface ZaloBotClientOptions {
  token: string;
  apiRoot?: string;
  /** Retries after the first attempt, for 429 / 5xx / network; tests set 0 to see raw failures. */
  retries?: number;
  baseBackoffMs?: number;
  /** A 429 asking to wait longer than this is handed to the caller (the queue waits instead). */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  /** Called when Zalo refuses the token (401), so the channel can report itself down. */
  onUnauthorized?(description: string): void;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Long polling holds the request open; everything else should answer quickly. */
  timeoutMs?: number;
}

export interface ZaloBotClient {
  call<M extends ZaloBotMethod>(method: M, params: ZaloBotParams<M>, opts?: CallOptions): Promise<ZaloBotResult<M>>;
}

/** Turns a Zalo Bot failure reply into the domain's error kinds. */
export function mapZaloBotFailure(status: number, body: Partial<{ error_code: number; description: string; parameters: { retry_after?: number } }>, retryAfterHeader?: string | null): ChannelError {
  const code = body.error_code ?? status;
  const d = body.description ?? `HTTP ${status}`;
  if (code === 429) {
    const seconds = body.parameters?.retry_after ?? (retryAfterHeader ? Number(retryAfterHeader) : NaN);
    return new ChannelError('rate_limited', d, { retryAfterMs: Number.isFinite(seconds) ? Math.max(1, seconds) * 1000 : 2000, platformCode: code });
  }
  if (code === 401) return new ChannelError('bad_request', `${d} (mã bot Zalo sai hoặc đã bị thu hồi)`, { platformCode: code });
  if (code === 403) return new ChannelError('blocked', d, { platformCode: code });
  if (code === 404) return new ChannelError('not_found', d, { platformCode: code });
  if (code === 408) return new ChannelError('network', d, { platformCode: code });
  if (code >= 400 && code < 500) return new ChannelError('bad_request', d, { platformCode: code });
  if (code >= 500) return new ChannelError('network', d, { platformCode: code });
  return new ChannelError('unknown', d, { platformCode: code });
}

function networkError(e: unknown): ChannelError {
  const err = e as Error;
  if (err.name === 'TimeoutError') return new ChannelError('network', 'Zalo Bot không phản hồi kịp');
  return new ChannelError('network', `không gọi được Zalo Bot (${err.message})`);
}

export function createZaloBotClient(opts: ZaloBotClientOptions): ZaloBotClient {
  const root = (opts.apiRoot ?? DEFAULT_ZALO_BOT_API_ROOT).replace(/\/$/, '');
  const doFetch = opts.fetch ?? fetch;
  const retries = opts.retries ?? 3;
  const base = opts.baseBackoffMs ?? 500;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 5000;

  async function once<M extends ZaloBotMethod>(method: M, params: ZaloBotParams<M>, o: CallOptions): Promise<ZaloBotResult<M>> {
    const timeout = AbortSignal.timeout(o.timeoutMs ?? 30_000);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await doFetch(`${root}/bot${opts.token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params), signal });
    } catch (e) {
      if (o.signal?.aborted) throw new ChannelError('network', 'aborted');
      throw networkError(e);
    }
    const body = (await res.json().catch(() => ({}))) as Partial<ZaloBotResponse<ZaloBotResult<M>>>;
    if (res.ok && body.ok === true && 'result' in body) return body.result as ZaloBotResult<M>;
    const failure = body as Partial<{ error_code: number; description: string; parameters: { retry_after?: number } }>;
    const err = mapZaloBotFailure(res.ok ? (failure.error_code ?? 500) : res.status, failure, res.headers.get('retry-after'));
    if (err.opts.platformCode === 401) opts.onUnauthorized?.(err.message);
    throw err;
  }

  return {
    async call(method, params, o = {}) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await once(method, params, o);
        } catch (e) {
          const err = e as ChannelError;
          const transient = err.kind === 'network' || err.kind === 'rate_limited';
          // A long-poll timeout (408) is the normal "nothing new", never worth a retry here.
          if (!transient || err.opts.platformCode === 408 || attempt >= retries || o.signal?.aborted) throw err;
          const wait = err.kind === 'rate_limited' ? (err.retryAfterMs ?? base) : Math.min(10_000, base * 2 ** attempt);
          if (wait > maxRetryAfter) throw err;
          await sleep(wait, undefined, o.signal ? { signal: o.signal } : undefined).catch(() => undefined);
        }
      }
    },
  };
}
