// A Telegram or Zalo group joins the commune's bulletin targets from inside the group: the IT
// officer adds the bot, then a registered staff member (editor, approver or admin) types
// `/dangkynhom Thôn 1` — the name, and the village when it names one. `/huynhom` takes it off.
// Anyone else is told no, and the refusal is audited.
import type { Prisma } from '../db/generated/client.ts';
import type { InboundMessage } from '../../bots/channel.ts';
import { foldVietnamese } from '../text/fold-vietnamese.ts';
import type { AccountInfo } from '../tickets/channel-accounts.ts';
import { communeStaff, groupReply } from '../tickets/admin-conversation.ts';
import type { Outcome } from '../tickets/resident-conversation.ts';

type Tx = Prisma.TransactionClient;
const ROLES = ['admin', 'editor', 'approver'];

export const groupRegistrationTexts = {
  registered: (name: string, village: string | undefined) => `✅ Nhóm "${name}" đã được đăng ký nhận bản tin của xã${village ? ` (${village})` : ''}. Gõ /huynhom để thôi nhận.`,
  unregistered: (name: string) => `Nhóm "${name}" sẽ không nhận bản tin của xã nữa.`,
  notRegistered: 'Nhóm này chưa đăng ký nhận bản tin.',
  refused: 'Chỉ cán bộ phụ trách bản tin của xã (đã liên kết tài khoản) mới đăng ký được nhóm nhận bản tin.',
};

export const isGroupRegistrationCommand = (m: InboundMessage) => m.command?.name === 'dangkynhom' || m.command?.name === 'huynhom';

export async function handleGroupRegistration(tx: Tx, m: InboundMessage, account: AccountInfo, communeId: string, inboundId: string): Promise<Outcome> {
  const key = `direct-${inboundId}`;
  const staff = await communeStaff(tx, m.platform, m.userId, communeId);
  if (!staff || !staff.roles.some((r) => ROLES.includes(r))) {
    await tx.auditLog.create({ data: { communeId, actorKind: 'system', action: 'target.register_refused', entityType: 'Target', data: { platform: m.platform, userId: m.userId, chatId: m.chatId } } });
    return { status: 'ignored', note: 'refused', effects: [groupReply(m, groupRegistrationTexts.refused, key, m.platformMessageId)] };
  }
  const kind = m.platform === 'telegram' ? 'telegram_chat' : 'zalo_group';
  const where = { communeId_kind_platformChatId: { communeId, kind, platformChatId: m.chatId } } as const;
  if (m.command!.name === 'huynhom') {
    const existing = await tx.target.findUnique({ where });
    if (!existing || existing.status === 'inactive') return { status: 'processed', note: 'target_not_registered', effects: [groupReply(m, groupRegistrationTexts.notRegistered, key, m.platformMessageId)] };
    await tx.target.update({ where: { id: existing.id }, data: { status: 'inactive', statusReason: `${staff.displayName} hủy đăng ký` } });
    await tx.auditLog.create({ data: { communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'target.unregister', entityType: 'Target', entityId: existing.id, data: { via: m.platform } } });
    return { status: 'processed', note: 'target_unregistered', effects: [groupReply(m, groupRegistrationTexts.unregistered(existing.name), key, m.platformMessageId)] };
  }
  const given = (m.command!.args ?? '').trim().slice(0, 100);
  const villages = await tx.village.findMany({ where: { communeId } });
  const village = given ? villages.find((v) => foldVietnamese(v.name) === foldVietnamese(given)) : undefined;
  const existing = await tx.target.findUnique({ where });
  const name = given || existing?.name || `Nhóm ${m.platform === 'telegram' ? 'Telegram' : 'Zalo'} ${m.chatId}`;
  const target = await tx.target.upsert({
    where,
    create: { communeId, kind, platformChatId: m.chatId, name, villageId: village?.id ?? null, channelAccountId: account.id, status: 'active' },
    update: { name, ...(village ? { villageId: village.id } : {}), channelAccountId: account.id, status: 'active', statusReason: null },
  });
  await tx.auditLog.create({ data: { communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'target.register', entityType: 'Target', entityId: target.id, data: { via: m.platform, name, villageId: village?.id ?? null } } });
  return { status: 'processed', note: 'target_registered', effects: [groupReply(m, groupRegistrationTexts.registered(name, village?.name), key, m.platformMessageId)] };
}
