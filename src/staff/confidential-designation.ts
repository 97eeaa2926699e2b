// Someone newly able to read every denunciation of the commune — designated for the confidential
// complaints field, or made the leader — is a change a second person must know of, or an admin
// could quietly make himself a reader. In the same transaction as the change: the audit entry, a
// notice on the Tổng quan of the leader (of the replaced leader, when the leader changes; of the
// other admins when the leader made the change), and a line in the admin chat. Names of staff
// only; nothing of any ticket.
import type { Prisma } from '../db/generated/client.ts';
import { adminChatsOf } from '../tickets/channel-accounts.ts';
import { effect, sendDirectJob, type Effect } from '../tickets/ticket-jobs.ts';

type Tx = Prisma.TransactionClient;

export const designationTexts = {
  field: (actor: string, who: string, field: string, village: string | null) =>
    `🔐 ${actor} đã phân công ${who} phụ trách lĩnh vực ${field}${village ? ` (${village})` : ''}: người này được đọc các đơn khiếu nại, tố cáo của xã. Nếu không đúng, xin báo ngay quản trị và lãnh đạo xã.`,
  leader: (actor: string, who: string) =>
    `🔐 ${actor} đã đặt ${who} làm lãnh đạo xã: người này được đọc mọi đơn khiếu nại, tố cáo và nhận phiếu quá hạn. Nếu không đúng, xin báo ngay quản trị và lãnh đạo xã.`,
};

export interface NewConfidentialReader {
  communeId: string;
  actorId: string;
  staffId: string;
  as: 'field' | 'leader';
  categoryId?: string;
  villageId?: string | null;
  /** The leader replaced (as: 'leader'): the one who must hear of it. */
  previousLeaderId?: string | null;
  ip: string | null;
  now: Date;
}

export async function tellOfConfidentialReader(tx: Tx, p: NewConfidentialReader): Promise<Effect[]> {
  const [actor, who, category, village] = await Promise.all([
    tx.staff.findUniqueOrThrow({ where: { id: p.actorId } }),
    tx.staff.findUniqueOrThrow({ where: { id: p.staffId } }),
    p.categoryId ? tx.category.findUnique({ where: { id: p.categoryId } }) : null,
    p.villageId ? tx.village.findUnique({ where: { id: p.villageId } }) : null,
  ]);
  const text = p.as === 'leader' ? designationTexts.leader(actor.displayName, who.displayName) : designationTexts.field(actor.displayName, who.displayName, category?.name ?? '', village?.name ?? null);

  // The second person: the leader (or the one replaced); when that is the actor, the other admins.
  const second = p.as === 'leader' ? p.previousLeaderId : (await tx.staff.findFirst({ where: { communeId: p.communeId, isLeader: true, active: true } }))?.id;
  const recipients =
    second && second !== p.actorId
      ? [second]
      : (await tx.staff.findMany({ where: { communeId: p.communeId, active: true, roles: { has: 'admin' }, id: { notIn: [p.actorId, p.staffId] } }, select: { id: true } })).map((s) => s.id);
  if (recipients.length) {
    await tx.staffNotice.createMany({ data: recipients.map((staffId) => ({ communeId: p.communeId, staffId, kind: `confidential_${p.as}`, text, data: { actorId: p.actorId, staffId: p.staffId }, createdAt: p.now })) });
  }
  const entry = await tx.auditLog.create({
    data: {
      communeId: p.communeId,
      actorKind: 'staff',
      actorStaffId: p.actorId,
      action: 'staff.confidential_designation',
      entityType: 'Staff',
      entityId: p.staffId,
      data: { as: p.as, categoryId: p.categoryId ?? null, villageId: p.villageId ?? null, told: recipients },
      ip: p.ip,
      createdAt: p.now,
    },
  });
  const chats = await adminChatsOf(tx, p.communeId);
  return chats.map((chat) => effect(sendDirectJob, { platform: chat.platform, accountId: chat.accountName, chatId: chat.chatId, text }, `designation-${entry.id}-${chat.platform}-${chat.chatId}`));
}
