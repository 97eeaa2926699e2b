// Zalo accounts as the rest of the system sees them: credentials sealed with ENCRYPTION_KEY on the
// ChannelAccount row (never stored or logged in the clear), the account's health kept on the same
// row, and staff told in the admin chats when an account needs a new QR login.
import { AppError } from '../errors.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import type { ChannelAccountStatus } from '../db/generated/enums.ts';
import { decryptSecret, encryptSecret } from '../crypto/secret-box.ts';
import { adminChatsOf } from '../tickets/channel-accounts.ts';
import { sendDirectJob } from '../tickets/ticket-jobs.ts';
import type { Enqueue } from '../tickets/ticket-deps.ts';
import { OperatorError } from '../processes/operator-error.ts';

export interface ZaloPacingSettings {
  minSpacingMs?: number;
  jitterMs?: number;
  perHour?: number;
  perDay?: number;
}

export function requireZaloKey(key: Buffer | undefined): Buffer {
  if (!key) throw new OperatorError('Zalo cần ENCRYPTION_KEY để mã hóa thông tin đăng nhập: đặt ENCRYPTION_KEY (openssl rand -base64 32) rồi đăng nhập lại');
  return key;
}

export async function saveZaloCredentials(prisma: PrismaClient, key: Buffer, name: string, credentials: unknown, communeId?: string | null): Promise<string> {
  const credentialsEnc = encryptSecret(requireZaloKey(key), JSON.stringify(credentials));
  // An account name belongs to one commune: an admin of another commune logging in under it would
  // take over its groups and its residents' chats.
  await assertZaloNameFree(prisma, name, communeId);
  const row = await prisma.channelAccount.upsert({
    where: { platform_name: { platform: 'zalo', name } },
    create: { platform: 'zalo', name, credentialsEnc, status: 'connected', communeId: communeId ?? null, lastSeenAt: new Date() },
    update: { credentialsEnc, status: 'connected', statusReason: null, lastSeenAt: new Date(), ...(communeId ? { communeId } : {}) },
  });
  return row.id;
}

/** Refuses a Zalo account name already used by another commune (the CLI, with no commune, may). */
export async function assertZaloNameFree(prisma: PrismaClient, name: string, communeId: string | null | undefined): Promise<void> {
  if (!communeId) return;
  const existing = await prisma.channelAccount.findUnique({ where: { platform_name: { platform: 'zalo', name } }, select: { communeId: true } });
  if (existing?.communeId && existing.communeId !== communeId) throw new AppError('CONFLICT', `Tên tài khoản Zalo "${name}" đã được xã khác dùng; hãy đặt một tên khác.`, { field: 'account' });
}

export function openZaloCredentials<T>(key: Buffer | undefined, row: { name: string; credentialsEnc: string | null }): T {
  if (!row.credentialsEnc) throw new OperatorError(`Tài khoản Zalo "${row.name}" chưa đăng nhập: chạy "loaxa zalo login --account ${row.name}"`);
  try {
    return JSON.parse(decryptSecret(requireZaloKey(key), row.credentialsEnc)) as T;
  } catch (e) {
    if (e instanceof OperatorError) throw e;
    throw new OperatorError(`Không giải mã được thông tin đăng nhập Zalo "${row.name}": ENCRYPTION_KEY khác với lúc đăng nhập (đặt lại đúng khóa, hoặc đăng nhập lại bằng mã QR)`);
  }
}

/** Statuses from which only a person (a new QR login) brings the account back. */
export const NEEDS_QR: ChannelAccountStatus[] = ['logged_out', 'kicked', 'suspected_ban'];

export const zaloHealthText = (name: string, detail: string) =>
  `⚠️ Tài khoản Zalo "${name}" đã ngừng hoạt động: ${detail}. Quản trị cần đăng nhập lại bằng mã QR (loaxa zalo login --account ${name}, hoặc trang quản trị). Trong lúc đó tin nhắn Zalo của người dân chưa được nhận.`;

/**
 * Records an account's health. When it newly needs a QR login, staff hear of it in the commune's
 * admin chats other than this account's own (which cannot send any more), and the audit log keeps it.
 */
export async function recordZaloHealth(prisma: PrismaClient, enqueue: Enqueue | undefined, name: string, status: ChannelAccountStatus, detail: string): Promise<void> {
  const before = await prisma.channelAccount.findUnique({ where: { platform_name: { platform: 'zalo', name } } });
  if (!before) return;
  await prisma.channelAccount.update({ where: { id: before.id }, data: { status, statusReason: detail.slice(0, 300), ...(status === 'connected' ? { lastSeenAt: new Date() } : {}) } });
  if (!NEEDS_QR.includes(status) || before.status === status || !before.communeId) return;
  await prisma.auditLog.create({ data: { communeId: before.communeId, actorKind: 'system', action: `channel_account.${status}`, entityType: 'ChannelAccount', entityId: before.id, data: { name, detail } } });
  if (!enqueue) return;
  for (const chat of await adminChatsOf(prisma, before.communeId)) {
    if (chat.platform === 'zalo' && chat.accountName === name) continue;
    await enqueue(sendDirectJob, { platform: chat.platform, accountId: chat.accountName, chatId: chat.chatId, text: zaloHealthText(name, detail) }, { jobId: `zalo-health-${before.id}-${Date.now()}` });
  }
}
