// Which commune a bot or account serves, and where each commune's admin chats are. A
// ChannelAccount row per bot/account (platform + name) carries the commune and, in its settings,
// the admin chat id for that platform.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import type { Platform } from '../../bots/channel.ts';
import { DEMO_COMMUNE_CODE } from '../demo/demo-communes.ts';
import { OperatorError } from '../processes/operator-error.ts';
import { notRemovedAccount } from '../channels/removed-account.ts';

export interface AccountInfo {
  id: string;
  name: string;
  communeId: string | null;
}

export interface AdminChat {
  platform: Platform;
  accountName: string;
  chatId: string;
  /** A group with topics: the topic (Telegram message_thread_id) where ticket posts go. */
  threadId?: string;
}

interface AccountSettings {
  adminChatId?: string;
  adminThreadId?: string;
}

/**
 * The commune the installation's own channels belong to (the web chat and the bots of
 * TELEGRAM_BOT_TOKEN / ZALO_BOT_TOKEN): the one COMMUNE_CODE names, else the only commune, else
 * the demo commune when the demo province is seeded; null when nothing tells.
 */
export async function homeCommuneId(tx: Prisma.TransactionClient, communeCode?: string): Promise<string | null> {
  if (communeCode) {
    const named = await tx.commune.findUnique({ where: { code: communeCode }, select: { id: true } });
    if (!named) throw new OperatorError(`Không có xã mã "${communeCode}" (COMMUNE_CODE): sửa cài đặt theo mã xã ghi trên trang Toàn tỉnh, hoặc bỏ trống khi cài đặt chỉ có một xã.`);
    return named.id;
  }
  const communes = await tx.commune.findMany({ select: { id: true, code: true }, take: 2 });
  if (communes.length === 1) return communes[0]!.id;
  const demo = await tx.commune.findUnique({ where: { code: DEMO_COMMUNE_CODE }, select: { id: true } });
  return demo?.id ?? null;
}

/**
 * The commune whose residents write through this account. One attached to no commune (a Zalo
 * account logged in without --commune) serves the installation's only commune; among several
 * nothing tells which, so it serves none (null), never the demo commune by default. The
 * installation's own channels are attached when they start (ensureChannelAccount).
 */
export async function communeOfAccount(tx: Prisma.TransactionClient, account: AccountInfo): Promise<{ communeId: string | null; communes: number }> {
  if (account.communeId) return { communeId: account.communeId, communes: 1 };
  const communes = await tx.commune.findMany({ select: { id: true }, take: 2 });
  return { communeId: communes.length === 1 ? communes[0]!.id : null, communes: communes.length };
}

/** Creates or updates the account row of a configured bot, attached to the installation's home commune. */
export async function ensureChannelAccount(
  prisma: PrismaClient,
  p: { platform: Platform; name: string; adminChatId?: string | undefined; adminThreadId?: string | undefined; communeCode?: string | undefined },
): Promise<AccountInfo> {
  const existing = await prisma.channelAccount.findUnique({ where: { platform_name: { platform: p.platform, name: p.name } } });
  // COMMUNE_CODE moves the account; without it an account keeps the commune it has.
  const communeId = p.communeCode || !existing?.communeId ? await homeCommuneId(prisma, p.communeCode) : existing.communeId;
  const settings: AccountSettings = { ...((existing?.settings as AccountSettings | null) ?? {}) };
  if (p.adminChatId) settings.adminChatId = p.adminChatId;
  if (p.adminThreadId) settings.adminThreadId = p.adminThreadId;
  else if (p.adminChatId) delete settings.adminThreadId;
  const row = await prisma.channelAccount.upsert({
    where: { platform_name: { platform: p.platform, name: p.name } },
    create: { platform: p.platform, name: p.name, communeId, settings: settings as Prisma.InputJsonValue, status: 'connected' },
    update: { communeId, settings: settings as Prisma.InputJsonValue, status: 'connected', lastSeenAt: new Date() },
  });
  return { id: row.id, name: row.name, communeId: row.communeId };
}

export async function findAccount(tx: Prisma.TransactionClient, platform: Platform, name: string): Promise<AccountInfo | null> {
  const row = await tx.channelAccount.findUnique({ where: { platform_name: { platform, name } } });
  return row ? { id: row.id, name: row.name, communeId: row.communeId } : null;
}

export async function adminChatsOf(tx: Prisma.TransactionClient, communeId: string): Promise<AdminChat[]> {
  // A removed bot (inactive, token forgotten) keeps its row for the tickets that point at it, not its admin chat.
  const rows = await tx.channelAccount.findMany({ where: { communeId, ...notRemovedAccount }, orderBy: { createdAt: 'asc' } });
  return rows.flatMap((r) => {
    const s = r.settings as AccountSettings | null;
    const chatId = s?.adminChatId;
    return chatId ? [{ platform: r.platform, accountName: r.name, chatId, ...(s.adminThreadId ? { threadId: s.adminThreadId } : {}) }] : [];
  });
}

export async function isAdminChat(tx: Prisma.TransactionClient, platform: Platform, chatId: string): Promise<AccountInfo | null> {
  const rows = await tx.channelAccount.findMany({ where: { platform } });
  const row = rows.find((r) => (r.settings as AccountSettings | null)?.adminChatId === chatId);
  return row ? { id: row.id, name: row.name, communeId: row.communeId } : null;
}

/**
 * The web chat account of a commune (one per commune): the one already attached to it — the
 * installation's own "webchat" for its home commune — else a new "webchat-<commune code>". Its
 * sessions and tickets belong to that commune alone.
 */
export async function webChatAccountOf(prisma: PrismaClient, commune: { id: string; code: string }): Promise<AccountInfo> {
  const own = await prisma.channelAccount.findFirst({ where: { platform: 'webchat', communeId: commune.id }, orderBy: { createdAt: 'asc' } });
  if (own) return { id: own.id, name: own.name, communeId: own.communeId };
  const name = `webchat-${commune.code}`;
  const row = await prisma.channelAccount.upsert({
    where: { platform_name: { platform: 'webchat', name } },
    create: { platform: 'webchat', name, communeId: commune.id, status: 'connected' },
    update: {},
  });
  return { id: row.id, name: row.name, communeId: row.communeId };
}
