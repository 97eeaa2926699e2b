// Telegram bots and Zalo Bots of each commune, as ChannelAccount rows: the token sealed with
// ENCRYPTION_KEY, checked with getMe before it is saved, a Telegram bot with its admin chat. The
// bot's public id (not its secret) is kept in the row's settings, so one bot cannot be added
// twice under two names or for two communes. Removing a bot disables its row and forgets the
// token; the row stays because tickets and residents point at it. The bots role reads these rows.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import type { Platform } from '../db/generated/enums.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import { decryptSecret, encryptSecret } from '../crypto/secret-box.ts';

export type BotPlatform = 'telegram' | 'zalo-bot';

export interface BotIdentity {
  botId: string;
  username: string;
}

/** Error of the platform's getMe: `refused` when the platform says the token is wrong (401/404). */
export class TokenCheckFailed extends Error {
  constructor(
    readonly refused: boolean,
    message: string,
  ) {
    super(message);
  }
}

export interface BotAccountDeps {
  prisma: PrismaClient;
  key: Buffer | undefined;
  /** getMe on the platform; throws TokenCheckFailed. */
  checkToken(platform: BotPlatform, token: string): Promise<BotIdentity>;
}

export type BotAccountFailure = 'no_key' | 'unknown_commune' | 'bad_token' | 'bad_admin_chat' | 'token_refused' | 'get_me_failed' | 'duplicate' | 'not_found' | 'admin_chat_taken';

/** What went wrong, precisely enough for a form to say it next to the right field. */
export class BotAccountError extends AppError {
  constructor(
    readonly reason: BotAccountFailure,
    code: ErrorCode,
    message: string,
  ) {
    super(code, message, { reason });
    this.name = 'BotAccountError';
  }
}

export interface BotAccountSettings {
  botId: string;
  username: string;
  adminChatId?: string;
  adminThreadId?: string;
}

export interface BotAccount {
  id: string;
  communeId: string;
  platform: BotPlatform;
  name: string;
  username: string;
  adminChatId?: string;
  active: boolean;
}

const dbPlatform = { telegram: 'telegram', 'zalo-bot': 'zalo_bot' } as const satisfies Record<BotPlatform, Platform>;
const platformLabel: Record<BotPlatform, string> = { telegram: 'Telegram', 'zalo-bot': 'Zalo Bot' };

// Both platforms issue "<numeric id>:<secret>".
const TOKEN_RE = /^\d{3,20}:[A-Za-z0-9_-]{10,100}$/;
// A private chat, group or supergroup id, optionally "<chat>/<topic>" for a group with topics.
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ADMIN_CHAT_RE = /^-?\d{1,20}(\/\d{1,10})?$/;

/** An admin chat as staff type it ("-100…" or "-100…/<topic>", empty for none) → the settings' fields. */
function parseAdminChat(input: string | undefined): Pick<BotAccountSettings, 'adminChatId' | 'adminThreadId'> {
  const text = input?.trim() ?? '';
  if (text === '') return {};
  if (!ADMIN_CHAT_RE.test(text)) throw new BotAccountError('bad_admin_chat', 'VALIDATION', `Mã nhóm quản trị "${text.slice(0, 40)}" không hợp lệ: dùng số, ví dụ -1001234567890 (hoặc -1001234567890/5 cho một chủ đề)`);
  const [adminChatId, adminThreadId] = text.split('/');
  return { adminChatId: adminChatId!, ...(adminThreadId ? { adminThreadId } : {}) };
}

/** A row's admin chat the way staff type it back (the inverse of parseAdminChat). */
export function adminChatText(settings: unknown): string | undefined {
  const s = (settings ?? {}) as { adminChatId?: unknown; adminThreadId?: unknown };
  if (typeof s.adminChatId !== 'string' || !s.adminChatId) return undefined;
  return typeof s.adminThreadId === 'string' && s.adminThreadId ? `${s.adminChatId}/${s.adminThreadId}` : s.adminChatId;
}

export function botAccountName(platform: BotPlatform, botId: string): string {
  return `${platform}-${botId}`;
}

export function sealBotToken(key: Buffer | undefined, token: string): string {
  if (!key) throw new BotAccountError('no_key', 'VALIDATION', 'Cần ENCRYPTION_KEY để lưu mã bot (đã mã hóa): đặt ENCRYPTION_KEY (openssl rand -base64 32) rồi thử lại');
  return encryptSecret(key, JSON.stringify({ token }));
}

export function openBotToken(key: Buffer | undefined, row: { name: string; credentialsEnc: string | null }): string {
  if (!row.credentialsEnc) throw new BotAccountError('not_found', 'NOT_FOUND', `Bot "${row.name}" đã bị gỡ hoặc chưa có mã`);
  if (!key) throw new BotAccountError('no_key', 'VALIDATION', `Cần ENCRYPTION_KEY để mở mã của bot "${row.name}"`);
  return (JSON.parse(decryptSecret(key, row.credentialsEnc)) as { token: string }).token;
}

function toAccount(row: { id: string; communeId: string | null; platform: Platform; name: string; settings: unknown; status: string; credentialsEnc: string | null }): BotAccount {
  const s = (row.settings ?? {}) as Partial<BotAccountSettings>;
  return {
    id: row.id,
    communeId: row.communeId ?? '',
    platform: row.platform === 'zalo_bot' ? 'zalo-bot' : 'telegram',
    name: row.name,
    username: s.username ?? '',
    ...(adminChatText(s) ? { adminChatId: adminChatText(s)! } : {}),
    active: row.status !== 'inactive' && row.credentialsEnc !== null,
  };
}

/** Who adds or removes a bot: a staff member from the web admin, or the operator (CLI) when absent. */
export interface ChannelActor {
  staffId: string;
  ip?: string | undefined;
}

function auditActor(communeId: string | null, actor: ChannelActor | undefined) {
  return actor ? { communeId, actorKind: 'staff' as const, actorStaffId: actor.staffId, ip: actor.ip ?? null } : { communeId, actorKind: 'system' as const };
}

/** A group that is another commune's admin chat is refused: its cadres would read this commune's tickets. */
async function refuseAdminChatOfAnotherCommune(tx: Prisma.TransactionClient, communeId: string | null, chatId: string): Promise<void> {
  const taken = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "ChannelAccount" WHERE platform = 'telegram'::"Platform"
      AND "communeId" IS DISTINCT FROM ${communeId}::uuid AND settings->>'adminChatId' = ${chatId} AND NOT (status = 'inactive' AND "credentialsEnc" IS NULL) LIMIT 1`;
  if (taken.length) throw new BotAccountError('admin_chat_taken', 'CONFLICT', `Nhóm ${chatId} đang là nhóm quản trị của một xã khác: cán bộ nhóm đó sẽ đọc được phản ánh của xã này. Tạo nhóm riêng cho xã`);
}

/**
 * Adds a commune's bot: checks the token's shape, asks the platform (getMe), refuses a bot that is
 * already active anywhere in the installation, and saves the sealed token. A bot removed earlier
 * comes back on its old row (its tickets and residents stay attached).
 */
export async function addChannelAccount(
  deps: BotAccountDeps,
  p: { communeId: string; platform: BotPlatform; token: string; adminChatId?: string | undefined; actor?: ChannelActor },
): Promise<BotAccount> {
  const token = p.token.trim();
  const label = platformLabel[p.platform];
  if (!TOKEN_RE.test(token)) throw new BotAccountError('bad_token', 'VALIDATION', `Mã bot ${label} không đúng dạng "123456789:ABC…" (sao chép lại nguyên mã từ ${p.platform === 'telegram' ? '@BotFather' : 'Zalo Bot Manager'})`);
  const adminChat = parseAdminChat(p.adminChatId);
  const sealed = sealBotToken(deps.key, token);
  const commune = await deps.prisma.commune.findUnique({ where: { id: p.communeId }, select: { id: true } });
  if (!commune) throw new BotAccountError('unknown_commune', 'NOT_FOUND', 'Không tìm thấy xã này');

  let me: BotIdentity;
  try {
    me = await deps.checkToken(p.platform, token);
  } catch (e) {
    if (e instanceof TokenCheckFailed && e.refused) throw new BotAccountError('token_refused', 'VALIDATION', `${label} từ chối mã bot này (sai hoặc đã bị thu hồi): ${e.message}`);
    throw new BotAccountError('get_me_failed', 'DEPENDENCY_DOWN', `Không hỏi được ${label} để kiểm tra mã bot (getMe): ${(e as Error).message}. Thử lại sau ít phút`);
  }

  const platform = dbPlatform[p.platform];
  const name = botAccountName(p.platform, me.botId);
  const settings: BotAccountSettings = { botId: me.botId, username: me.username, ...adminChat };
  return deps.prisma.$transaction(async (tx) => {
    // Two admins adding one bot at once: the second waits here and then sees the first's row
    // (FOR UPDATE alone locks nothing while no row exists yet).
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${name}))`;
    const same = await tx.$queryRaw<Array<{ id: string; communeId: string | null; status: string; hasToken: boolean }>>`
      SELECT id, "communeId", status::text AS status, "credentialsEnc" IS NOT NULL AS "hasToken" FROM "ChannelAccount"
      WHERE platform = ${platform}::"Platform" AND (name = ${name} OR settings->>'botId' = ${me.botId}) FOR UPDATE`;
    const active = same.find((r) => r.status !== 'inactive' && r.hasToken);
    if (active) {
      const where = active.communeId === p.communeId ? 'của xã này' : 'của một xã khác';
      throw new BotAccountError('duplicate', 'CONFLICT', `Bot @${me.username} đã được thêm ${where}; gỡ nó trước nếu muốn thêm lại`);
    }
    if (adminChat.adminChatId) await refuseAdminChatOfAnotherCommune(tx, p.communeId, adminChat.adminChatId);
    const row = await tx.channelAccount.upsert({
      where: { platform_name: { platform, name } },
      create: { platform, name, communeId: p.communeId, credentialsEnc: sealed, status: 'connected', settings: settings as unknown as Prisma.InputJsonValue, lastSeenAt: new Date() },
      update: { communeId: p.communeId, credentialsEnc: sealed, status: 'connected', statusReason: null, settings: settings as unknown as Prisma.InputJsonValue, lastSeenAt: new Date() },
    });
    // In the same transaction: a bot is never running without the line saying who added it.
    await tx.auditLog.create({ data: { ...auditActor(p.communeId, p.actor), action: 'channel_account.add', entityType: 'ChannelAccount', entityId: row.id, data: { platform: p.platform, name, username: me.username } } });
    return toAccount(row);
  });
}

/** The bots of one commune, or of the whole installation; removed ones only when asked. */
export async function listChannelAccounts(prisma: PrismaClient, p: { communeId?: string; includeRemoved?: boolean } = {}): Promise<BotAccount[]> {
  const rows = await prisma.channelAccount.findMany({
    where: { platform: { in: ['telegram', 'zalo_bot'] }, credentialsEnc: p.includeRemoved ? undefined : { not: null }, ...(p.communeId ? { communeId: p.communeId } : {}) },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map(toAccount).filter((a) => p.includeRemoved || a.active);
}

/**
 * Disables a bot and forgets its token; with `communeId`, only that commune's bot (what the
 * commune's web admin may do). The bots role stops it at its next look at the database.
 */
export async function removeChannelAccount(prisma: PrismaClient, p: { accountId: string; communeId?: string; actor?: ChannelActor }): Promise<BotAccount> {
  if (!UUID_RE.test(p.accountId)) throw new BotAccountError('not_found', 'NOT_FOUND', `Không có bot mã "${p.accountId}"`);
  const row = await prisma.channelAccount.findFirst({ where: { id: p.accountId, platform: { in: ['telegram', 'zalo_bot'] }, ...(p.communeId ? { communeId: p.communeId } : {}) } });
  if (!row) throw new BotAccountError('not_found', 'NOT_FOUND', 'Không tìm thấy bot này');
  const [updated] = await prisma.$transaction([
    prisma.channelAccount.update({ where: { id: row.id }, data: { status: 'inactive', statusReason: 'đã gỡ', credentialsEnc: null } }),
    prisma.auditLog.create({ data: { ...auditActor(row.communeId, p.actor), action: 'channel_account.remove', entityType: 'ChannelAccount', entityId: row.id, data: { platform: row.platform, name: row.name } } }),
  ]);
  return toAccount(updated);
}

/**
 * Sets the admin chat of a commune's active Telegram bot, or clears it with an empty id; with
 * `communeId`, only that commune's bot. Posts and cadres' replies read it from the database each
 * time, so the bots role needs no restart. A chat that is another commune's admin chat is refused:
 * its cadres would read this commune's tickets.
 */
export async function setBotAdminChat(prisma: PrismaClient, p: { accountId: string; communeId?: string; adminChatId: string; actor?: ChannelActor }): Promise<BotAccount> {
  if (!UUID_RE.test(p.accountId)) throw new BotAccountError('not_found', 'NOT_FOUND', `Không có bot mã "${p.accountId}"`);
  const adminChat = parseAdminChat(p.adminChatId);
  return prisma.$transaction(async (tx) => {
    const row = await tx.channelAccount.findFirst({ where: { id: p.accountId, platform: 'telegram', credentialsEnc: { not: null }, status: { not: 'inactive' }, ...(p.communeId ? { communeId: p.communeId } : {}) } });
    if (!row) throw new BotAccountError('not_found', 'NOT_FOUND', 'Không tìm thấy bot Telegram này (hoặc bot đã bị gỡ)');
    if (adminChat.adminChatId) await refuseAdminChatOfAnotherCommune(tx, row.communeId, adminChat.adminChatId);
    const { adminChatId: from, adminThreadId: _thread, ...rest } = (row.settings ?? {}) as Partial<BotAccountSettings>;
    const settings = { ...rest, ...adminChat };
    const updated = await tx.channelAccount.update({ where: { id: row.id }, data: { settings: settings as unknown as Prisma.InputJsonValue } });
    await tx.auditLog.create({ data: { ...auditActor(row.communeId, p.actor), action: 'channel_account.admin_chat', entityType: 'ChannelAccount', entityId: row.id, data: { from: from ?? null, to: adminChat.adminChatId ?? null } } });
    return toAccount(updated);
  });
}
