// Telegram's error replies, turned into the domain's ChannelError kinds.
import { TelegramError } from 'telegraf';
import { ChannelError } from '../channel.ts';

export function mapTelegramError(e: unknown): ChannelError {
  if (e instanceof ChannelError) return e;
  if (e instanceof TelegramError) {
    const code = e.code;
    const d = e.description ?? '';
    if (code === 429) return new ChannelError('rate_limited', d, { retryAfterMs: (e.parameters?.retry_after ?? 1) * 1000, platformCode: code });
    if (code === 403) {
      // "bot was blocked by the user", "user is deactivated": the person is out of reach.
      // "bot was kicked from the group chat", "bot is not a member": the chat is gone for us.
      const kind = /kicked|not a member|chat not found/i.test(d) ? 'not_found' : 'blocked';
      return new ChannelError(kind, d, { platformCode: code });
    }
    if (code === 400 && /chat not found|user not found|group chat was upgraded|PEER_ID_INVALID/i.test(d)) return new ChannelError('not_found', d, { platformCode: code });
    if (code === 400) return new ChannelError('bad_request', d, { platformCode: code });
    if (code === 401 || code === 404) return new ChannelError('bad_request', `${d} (mã bot sai?)`, { platformCode: code });
    if (code >= 500) return new ChannelError('network', d, { platformCode: code });
    return new ChannelError('unknown', d, { platformCode: code });
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.name === 'AbortError') return new ChannelError('network', 'aborted');
  if (err?.code || err?.name === 'FetchError' || /ECONN|ETIMEDOUT|socket|network/i.test(err?.message ?? '')) {
    return new ChannelError('network', err.message ?? String(e));
  }
  return new ChannelError('unknown', err?.message ?? String(e));
}
