// Adding a commune's Telegram bot or Zalo Bot by its token, from the web admin: the token is checked
// with the platform's getMe before anything is stored (a typo is told at once, not at the first
// resident), then sealed with ENCRYPTION_KEY like the other channel secrets. Minimal until the bots
// runtime's own addChannelAccount lands; the sealed JSON `{ token }` is the shape it reads.
import type { PrismaClient } from '../db/generated/client.ts';
import { encryptSecret } from '../crypto/secret-box.ts';
import { AppError } from '../errors.ts';

export type TokenPlatform = 'telegram' | 'zalo_bot';

export interface AddChannelAccountInput {
  communeId: string;
  staffId: string;
  platform: TokenPlatform;
  /** Name inside Loa Xã: lower-case ASCII (e.g. tg-xa, zalobot-xa). */
  name: string;
  token: string;
  ip?: string;
}

export interface AddChannelAccountDeps {
  prisma: PrismaClient;
  encryptionKey: Buffer | undefined;
  /** TELEGRAM_API_ROOT and ZALO_BOT_API_ROOT (the test fakes in tests). */
  apiRoots?: { telegram?: string | undefined; zaloBot?: string | undefined };
  timeoutMs?: number;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
// Telegram: 123456:AA…; Zalo Bot: id:secret. Both digits, a colon, then URL-safe characters.
const TOKEN = /^\d{3,20}:[A-Za-z0-9_-]{10,100}$/;

/** Who the platform says the bot is, or why it refused. */
async function whoIs(platform: TokenPlatform, token: string, deps: AddChannelAccountDeps): Promise<string> {
  const root = (platform === 'telegram' ? (deps.apiRoots?.telegram ?? 'https://api.telegram.org') : (deps.apiRoots?.zaloBot ?? 'https://bot-api.zaloplatforms.com')).replace(/\/$/, '');
  const label = platform === 'telegram' ? 'Telegram' : 'Zalo Bot';
  let res: Response;
  try {
    // The Zalo Bot Platform takes POST for every method; Telegram takes either.
    res = await fetch(`${root}/bot${token}/getMe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(deps.timeoutMs ?? 5000) });
  } catch {
    throw new AppError('CONFLICT', `Không gọi được ${label} để kiểm tra mã bot; thử lại sau.`);
  }
  const body = (await res.json().catch(() => ({}))) as { ok?: boolean; result?: { username?: string; account_name?: string; display_name?: string } };
  if (res.status === 401 || res.status === 404) throw new AppError('VALIDATION', `${label} không nhận mã bot này: chép lại mã từ ${platform === 'telegram' ? '@BotFather' : 'Zalo Bot Manager'}.`, { field: 'token' });
  if (!res.ok || !body.ok) throw new AppError('CONFLICT', `${label} trả lời ${res.status} khi kiểm tra mã bot; thử lại sau.`);
  const r = body.result ?? {};
  return platform === 'telegram' ? `@${r.username ?? '?'}` : (r.account_name ?? r.display_name ?? '?');
}

export async function addChannelAccount(deps: AddChannelAccountDeps, input: AddChannelAccountInput): Promise<{ id: string; name: string; botName: string }> {
  const name = input.name.trim();
  const token = input.token.trim();
  if (!NAME.test(name)) throw new AppError('VALIDATION', 'Tên trong hệ thống: chữ thường không dấu, số, - hoặc _ (ví dụ tg-xa).', { field: 'name' });
  if (!TOKEN.test(token)) throw new AppError('VALIDATION', 'Mã bot có dạng số:chuỗi ký tự (ví dụ 123456:ABC…).', { field: 'token' });
  if (!deps.encryptionKey) throw new AppError('CONFLICT', 'Cần đặt ENCRYPTION_KEY (openssl rand -base64 32) để cất mã bot an toàn.');
  const { prisma } = deps;
  const taken = await prisma.channelAccount.findUnique({ where: { platform_name: { platform: input.platform, name } } });
  // An account removed by this commune may be added again; another commune's name is never reused.
  if (taken && (taken.communeId !== input.communeId || taken.status !== 'inactive')) throw new AppError('CONFLICT', `Tên "${name}" đã có tài khoản khác dùng; chọn tên khác.`, { field: 'name' });
  const botName = await whoIs(input.platform, token, deps);
  const credentialsEnc = encryptSecret(deps.encryptionKey, JSON.stringify({ token }));
  const data = { credentialsEnc, status: 'connected' as const, statusReason: null, lastSeenAt: new Date() };
  const row = taken
    ? await prisma.channelAccount.update({ where: { id: taken.id }, data, select: { id: true } })
    : await prisma.channelAccount.create({ data: { communeId: input.communeId, platform: input.platform, name, ...data }, select: { id: true } });
  await prisma.auditLog.create({ data: { communeId: input.communeId, actorKind: 'staff', actorStaffId: input.staffId, action: 'channel_account.add', entityType: 'ChannelAccount', entityId: row.id, data: { platform: input.platform, name, botName }, ip: input.ip ?? null } });
  return { id: row.id, name, botName };
}

/** Removing keeps the row (tickets and messages point to it) but drops the sealed secret. */
export async function removeChannelAccount(prisma: PrismaClient, input: { communeId: string; staffId: string; id: string; ip?: string }): Promise<void> {
  const a = await prisma.channelAccount.findFirst({ where: { id: input.id, communeId: input.communeId } });
  if (!a) throw new AppError('NOT_FOUND', 'Không tìm thấy tài khoản.');
  await prisma.channelAccount.update({ where: { id: a.id }, data: { status: 'inactive', statusReason: 'đã gỡ khỏi xã', credentialsEnc: null } });
  await prisma.auditLog.create({ data: { communeId: input.communeId, actorKind: 'staff', actorStaffId: input.staffId, action: 'channel_account.remove', entityType: 'ChannelAccount', entityId: a.id, data: { platform: a.platform, name: a.name }, ip: input.ip ?? null } });
}
