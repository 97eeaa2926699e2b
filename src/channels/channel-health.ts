// Health of the messaging channels, for /healthz and `loaxa doctor`. A channel nobody configured
// is "off", not "down": a commune may use only some of them.
import type { PrismaClient } from '../db/generated/client.ts';

export interface ChannelHealth {
  status: 'ok' | 'degraded' | 'down' | 'off';
  detail: string;
}

/** Asks Telegram (or TELEGRAM_API_ROOT) who the bot is; the token is never printed. */
export async function telegramHealth(token: string | undefined, apiRoot: string, timeoutMs = 3000): Promise<ChannelHealth> {
  if (!token) return { status: 'off', detail: 'chưa cấu hình TELEGRAM_BOT_TOKEN' };
  try {
    const res = await fetch(`${apiRoot.replace(/\/$/, '')}/bot${token}/getMe`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => ({}))) as { ok?: boolean; result?: { username?: string }; description?: string };
    if (res.ok && body.ok) return { status: 'ok', detail: `bot @${body.result?.username ?? '?'}` };
    if (res.status === 401) return { status: 'down', detail: 'Telegram từ chối mã bot (401): kiểm tra TELEGRAM_BOT_TOKEN' };
    return { status: 'down', detail: `Telegram trả lời ${res.status}` };
  } catch (e) {
    const name = (e as Error).name;
    return { status: 'down', detail: name === 'TimeoutError' ? 'Telegram không phản hồi' : `không gọi được Telegram (${(e as Error).message})` };
  }
}

/** Zalo accounts live in the database (they log in by QR code, not by a setting). */
export async function zaloHealth(prisma: PrismaClient): Promise<ChannelHealth> {
  const accounts = await prisma.channelAccount.findMany({ where: { platform: 'zalo' }, select: { status: true } });
  const configured = accounts.filter((a) => a.status !== 'inactive');
  if (configured.length === 0) return { status: 'off', detail: 'chưa kết nối tài khoản Zalo nào' };
  const connected = configured.filter((a) => a.status === 'connected').length;
  if (connected === configured.length) return { status: 'ok', detail: `${connected} tài khoản đang kết nối` };
  if (connected > 0) return { status: 'degraded', detail: `${connected}/${configured.length} tài khoản đang kết nối` };
  return { status: 'down', detail: 'không tài khoản Zalo nào đang kết nối; cần đăng nhập lại bằng mã QR' };
}

/** Asks the Zalo Bot Platform (or ZALO_BOT_API_ROOT) who the bot is; the token is never printed. */
export async function zaloBotHealth(token: string | undefined, apiRoot: string, timeoutMs = 3000): Promise<ChannelHealth> {
  if (!token) return { status: 'off', detail: 'chưa cấu hình ZALO_BOT_TOKEN' };
  try {
    const res = await fetch(`${apiRoot.replace(/\/$/, '')}/bot${token}/getMe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => ({}))) as { ok?: boolean; result?: { account_name?: string } };
    if (res.ok && body.ok) return { status: 'ok', detail: `bot ${body.result?.account_name ?? '?'}` };
    if (res.status === 401) return { status: 'down', detail: 'Zalo từ chối mã bot (401): kiểm tra ZALO_BOT_TOKEN' };
    return { status: 'down', detail: `Zalo Bot trả lời ${res.status}` };
  } catch (e) {
    const name = (e as Error).name;
    return { status: 'down', detail: name === 'TimeoutError' ? 'Zalo Bot không phản hồi' : `không gọi được Zalo Bot (${(e as Error).message})` };
  }
}

/** Official Accounts live in the database; one whose refresh Zalo refused needs a person. */
export async function zaloOaHealth(prisma: PrismaClient): Promise<ChannelHealth> {
  const accounts = await prisma.channelAccount.findMany({ where: { platform: 'zalo_oa', credentialsEnc: { not: null } }, select: { name: true, status: true } });
  if (accounts.length === 0) return { status: 'off', detail: 'chưa kết nối Zalo OA nào' };
  const reconnect = accounts.filter((a) => a.status === 'logged_out').map((a) => a.name);
  if (reconnect.length === 0) return { status: 'ok', detail: `${accounts.length} OA đang kết nối` };
  const detail = `cần kết nối lại: ${reconnect.join(', ')}`;
  return { status: reconnect.length === accounts.length ? 'down' : 'degraded', detail };
}

/**
 * The communes' bots from the database: a bot whose token the platform refused (401) is down
 * (the bots role stopped it; re-adding it with a new token brings it back), the others go on.
 */
export async function communeBotsHealth(prisma: PrismaClient): Promise<ChannelHealth> {
  const bots = await prisma.channelAccount.findMany({ where: { platform: { in: ['telegram', 'zalo_bot'] }, credentialsEnc: { not: null }, status: { not: 'inactive' } }, select: { name: true, status: true } });
  if (bots.length === 0) return { status: 'off', detail: 'chưa thêm bot nào của xã (loaxa channels add)' };
  const refused = bots.filter((b) => b.status === 'logged_out').map((b) => b.name);
  if (refused.length === 0) return { status: 'ok', detail: `${bots.length} bot đang chạy` };
  const detail = `nền tảng từ chối mã bot (401), cần thêm lại mã mới: ${refused.slice(0, 10).join(', ')}${refused.length > 10 ? ` và ${refused.length - 10} bot khác` : ''}`;
  return { status: refused.length === bots.length ? 'down' : 'degraded', detail };
}
