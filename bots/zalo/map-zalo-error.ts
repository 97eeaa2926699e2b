// zca-js failures → ChannelError, so the domain decides retries the same way for every platform.
// Zalo answers "sending too fast" with codes such as 221 and -69: those back off for a while.
import { ZaloApiError } from 'zca-js';
import { ChannelError } from '../channel.ts';

const RATE_CODES = new Set([221, -69, -8, 429]);
export const ZALO_RATE_BACKOFF_MS = 5 * 60_000;

export function mapZaloError(e: unknown): ChannelError {
  if (e instanceof ChannelError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = e instanceof ZaloApiError ? (e.code ?? undefined) : undefined;
  const opts = code !== undefined ? { platformCode: code } : {};
  if ((code !== undefined && RATE_CODES.has(code)) || /quá nhanh|too (many|fast)|spam|thử lại sau/i.test(message)) {
    return new ChannelError('rate_limited', `Zalo báo gửi quá nhanh (${code ?? '?'}): ${message}`, { ...opts, retryAfterMs: ZALO_RATE_BACKOFF_MS });
  }
  if (/chặn|blocked/i.test(message)) return new ChannelError('blocked', `Zalo: ${message}`, opts);
  if (/không tồn tại|not exist|not found|không phải (là )?thành viên|not a member|đã rời|bị xóa khỏi/i.test(message)) return new ChannelError('not_found', `Zalo: ${message}`, opts);
  if (/ECONN|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|fetch failed|socket|network|timeout/i.test(message)) return new ChannelError('network', `Zalo không kết nối được: ${message}`, opts);
  return new ChannelError('unknown', `Zalo: ${message}`, opts);
}
