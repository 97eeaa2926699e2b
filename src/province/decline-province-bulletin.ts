// A commune's approver declines a normal province bulletin for their commune, before the province's
// window closes, with a reason: the commune's copy is cancelled and never scheduled. The row lock
// makes two declines at once one decline and one precise refusal. `declinableBy` is the same check
// without the reason, for the admin chat's "Từ chối" button (which asks for the reason after).
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { localTimeText, NOT_FOUND_TEXT } from './province-bulletin-status.ts';

type Tx = Prisma.TransactionClient;

export interface DeclineProvinceBulletinInput {
  actor: { staffId: string; ip?: string };
  provinceBulletinId: string;
  reason?: string;
  now?: Date;
}

export const REASON_REQUIRED_TEXT = 'Cần ghi lý do từ chối bản tin của tỉnh (tỉnh sẽ đọc lý do này).';

/** The commune's side of the bulletin, locked, if this staff member may decline it now; else the precise refusal. */
export async function declinableBy(tx: Tx, staffId: string, provinceBulletinId: string, now: Date) {
  const staff = await tx.staff.findUnique({ where: { id: staffId } });
  if (!staff || !staff.active) throw new AppError('UNAUTHENTICATED');
  if (!staff.communeId) throw new AppError('FORBIDDEN', 'Chỉ người duyệt của xã nhận bản tin mới từ chối được.');
  const communeId = staff.communeId;
  await tx.$queryRaw`SELECT id FROM "ProvinceBulletinCommune" WHERE "provinceBulletinId" = ${provinceBulletinId}::uuid AND "communeId" = ${communeId}::uuid FOR UPDATE`;
  const d = await tx.provinceBulletinCommune.findUnique({
    where: { provinceBulletinId_communeId: { provinceBulletinId, communeId } },
    include: { provinceBulletin: true, commune: true, declinedBy: { select: { displayName: true } } },
  });
  // Not addressed to this commune, or not approved yet: the commune has nothing to decline.
  if (!d || !['approved', 'withdrawn'].includes(d.provinceBulletin.status) || !d.bulletinId) throw new AppError('NOT_FOUND', NOT_FOUND_TEXT);
  if (!staff.roles.some((r) => r === 'approver' || r === 'admin')) throw new AppError('FORBIDDEN', 'Chỉ người duyệt của xã mới từ chối được bản tin của tỉnh.');
  if (d.provinceBulletin.class !== 'normal') throw new AppError('CONFLICT', 'Bản tin ưu tiên hoặc khẩn cấp của tỉnh không từ chối được.');
  const tz = d.commune.timezone;
  if (d.status === 'declined') {
    const who = d.declinedBy?.displayName ? ` (${d.declinedBy.displayName})` : '';
    throw new AppError('CONFLICT', `Xã đã từ chối bản tin này lúc ${d.declinedAt ? localTimeText(d.declinedAt, tz) : '?'}${who}.`);
  }
  if (d.status === 'withdrawn' || d.provinceBulletin.status === 'withdrawn') throw new AppError('CONFLICT', 'Tỉnh đã thu hồi bản tin này, xã không cần từ chối nữa.');
  const deadline = d.provinceBulletin.declineDeadline!;
  if (d.status !== 'waiting' || now > deadline) {
    throw new AppError('CONFLICT', `Đã quá hạn từ chối (hạn ${localTimeText(deadline, tz)}); bản tin đã vào lịch phát của xã.`);
  }
  return { staff, communeId, d: { ...d, bulletinId: d.bulletinId } };
}

export async function declineProvinceBulletin(prisma: PrismaClient | Tx, input: DeclineProvinceBulletinInput) {
  const now = input.now ?? new Date();
  const run = async (tx: Tx) => {
    const { staff, communeId, d } = await declinableBy(tx, input.actor.staffId, input.provinceBulletinId, now);
    // The province reads why: a decline without one is refused (after the checks above, so a
    // person who may not decline at all hears that first).
    const reason = input.reason?.trim().slice(0, 1000);
    if (!reason) throw new AppError('VALIDATION', REASON_REQUIRED_TEXT, { field: 'reason' });
    const updated = await tx.provinceBulletinCommune.update({ where: { id: d.id }, data: { status: 'declined', declinedById: staff.id, declinedAt: now, declineReason: reason } });
    await tx.bulletin.update({ where: { id: d.bulletinId }, data: { status: 'cancelled' } });
    await tx.auditLog.create({
      data: { communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'province_bulletin.decline', entityType: 'ProvinceBulletin', entityId: d.provinceBulletinId, data: { bulletinId: d.bulletinId }, ip: input.actor.ip ?? null },
    });
    return { ...updated, bulletinId: d.bulletinId, title: d.provinceBulletin.title };
  };
  // Inside the admin chat's transaction, or its own.
  return '$transaction' in prisma ? (prisma as PrismaClient).$transaction(run) : run(prisma);
}
