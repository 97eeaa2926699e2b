// The Zalo OA OpenAPI client on fetch, and the one place of its failure policy: an access token
// Zalo refuses (-216, -220) is refreshed once (under the account's lock, see OaTokenSource) and
// the call repeated; -32 (too many calls) and quota codes wait; 5xx and network errors back off
// and retry; the answer-window codes (-230, -232) and unreachable users are permanent.
import { setTimeout as sleep } from 'node:timers/promises';
import { ChannelError } from '../channel.ts';
import { ZALO_OA_ERRORS as E, type ZaloOaReply } from './zalo-oa-types.ts';

export const DEFAULT_ZALO_OA_API_ROOT = 'https://openapi.zalo.me';

/** Where access tokens come from; the implementation holds a lock across processes while refreshing. */
export interface OaTokenSource {
  /** A valid access token (refreshed first when it is about to expire). */
  accessToken(): Promise<string>;
  /** Zalo refused `stale`: refresh (unless another process already did) and return the new one. */
  refreshAfterRejection(stale: string): Promise<string>;
}

/** Thrown when no valid token can be had: a person must connect the OA again. */
export class OaNeedsReconnect extends ChannelError {
  constructor(detail: string) {
    super('bad_request', `Zalo OA cần kết nối lại: ${detail}`, { platformCode: E.invalidToken });
  }
}

export function mapOaError(code: number, message: string): ChannelError {
  const o = { platformCode: code };
  if (code === E.rateLimited) return new ChannelError('rate_limited', message, { ...o, retryAfterMs: 60_000 });
  // The OA's message quota (or this user's receiving quota) is spent: another channel may send.
  if (code === E.outOfQuota || code === E.receiveQuota) return new ChannelError('rate_limited', message, { ...o, retryAfterMs: 3600_000, quota: true });
  if (code === E.nightBroadcast) return new ChannelError('rate_limited', message, { ...o, retryAfterMs: 3600_000 });
  if (code === E.noInteraction7Days || code === E.noInteraction) return new ChannelError('window_closed', message, o);
  if (code === E.notFollower || code === E.userInactive || code === E.restricted) return new ChannelError('blocked', message, o);
  if (code === E.invalidParam || code === E.overLimit || code === E.unsupportedType) return new ChannelError('bad_request', message, o);
  return new ChannelError('unknown', message, o);
}

export interface ZaloOaClientOptions {
  apiRoot?: string;
  tokens: OaTokenSource;
  retries?: number;
  baseBackoffMs?: number;
  fetch?: typeof fetch;
}

export interface ZaloOaClient {
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown, query?: Record<string, string>): Promise<T>;
}

export function createZaloOaClient(opts: ZaloOaClientOptions): ZaloOaClient {
  const root = (opts.apiRoot ?? DEFAULT_ZALO_OA_API_ROOT).replace(/\/$/, '');
  const doFetch = opts.fetch ?? fetch;
  const retries = opts.retries ?? 3;
  const base = opts.baseBackoffMs ?? 500;

  async function once<T>(token: string, method: 'GET' | 'POST', path: string, body: unknown, query: Record<string, string> | undefined): Promise<ZaloOaReply<T>> {
    const qs = query ? `?${new URLSearchParams(query)}` : '';
    let res: Response;
    try {
      res = await doFetch(`${root}${path}${qs}`, {
        method,
        // Uploads are multipart (fetch sets the boundary); everything else is JSON.
        headers: { access_token: token, ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: body instanceof FormData ? body : JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(20_000),
      });
    } catch (e) {
      throw new ChannelError('network', `không gọi được Zalo OA (${(e as Error).message})`);
    }
    if (res.status >= 500) throw new ChannelError('network', `Zalo OA trả lời ${res.status}`, { platformCode: res.status });
    const reply = (await res.json().catch(() => undefined)) as ZaloOaReply<T> | undefined;
    if (!reply || typeof reply.error !== 'number') throw new ChannelError('network', `Zalo OA trả lời không đọc được (${res.status})`);
    return reply;
  }

  return {
    async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, query?: Record<string, string>): Promise<T> {
      let token = await opts.tokens.accessToken();
      let refreshed = false;
      for (let attempt = 0; ; attempt++) {
        try {
          const reply = await once<T>(token, method, path, body, query);
          if (reply.error === 0) return reply.data as T;
          if ((reply.error === E.invalidToken || reply.error === E.expiredToken) && !refreshed) {
            refreshed = true;
            token = await opts.tokens.refreshAfterRejection(token);
            continue;
          }
          if (reply.error === E.invalidToken || reply.error === E.expiredToken) throw new OaNeedsReconnect(reply.message);
          throw mapOaError(reply.error, reply.message);
        } catch (e) {
          const err = e as ChannelError;
          if (err.kind !== 'network' || attempt >= retries) throw err;
          await sleep(Math.min(10_000, base * 2 ** attempt));
        }
      }
    },
  };
}
