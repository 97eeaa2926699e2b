// A province approver withdraws ("Thu hồi") an approved province bulletin: every commune copy not
// yet finished is cancelled as a commune's own cancel would (cancel-bulletin.ts: pending deliveries
// and runs cancelled, nothing not yet sent goes out) and that commune's side is marked withdrawn;
// copies already played, and communes that declined, keep their state. Audited for the province and
// in each commune whose copy it cancelled. The row lock makes two withdrawals one and a refusal.
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { cancelBulletins } from '../bulletins/cancel-bulletin.ts';
import { finalBulletinStatuses } from '../bulletins/bulletin-workflow.ts';
import type { Enqueue } from '../tickets/ticket-deps.ts';
import { provinceStaffFor } from './province-staff-role.ts';
import { NOT_FOUND_TEXT, provinceBulletinStatusLabel } from './province-bulletin-status.ts';
import { removeDeclineButtons } from './province-decline-admin-chat.ts';

export async function withdrawProvinceBulletin(deps: { prisma: PrismaClient; enqueue: Enqueue }, input: { actor: { staffId: string; ip?: string }; provinceBulletinId: string; now?: Date }) {
  const now = input.now ?? new Date();
  const id = input.provinceBulletinId;
  const done = await deps.prisma.$transaction(
    async (tx) => {
      const staff = await provinceStaffFor(tx, input.actor.staffId, 'approver', 'thu hồi bản tin của tỉnh');
      await tx.$queryRaw`SELECT id FROM "ProvinceBulletin" WHERE id = ${id}::uuid FOR UPDATE`;
      const pb = await tx.provinceBulletin.findUnique({ where: { id }, include: { communes: { include: { bulletin: { select: { id: true, status: true } } } } } });
      // Another province's bulletin answers like a missing one.
      if (!pb || pb.provinceId !== staff.provinceId) throw new AppError('NOT_FOUND', NOT_FOUND_TEXT);
      if (pb.status === 'withdrawn') throw new AppError('CONFLICT', 'Bản tin của tỉnh đã được thu hồi rồi.');
      if (pb.status !== 'approved') throw new AppError('CONFLICT', `Bản tin của tỉnh đang "${provinceBulletinStatusLabel[pb.status]}", chưa tới xã nào nên không có gì để thu hồi.`);
      const open = pb.communes.filter((c) => c.status !== 'declined' && c.bulletin && !finalBulletinStatuses.includes(c.bulletin.status));
      if (!open.length) throw new AppError('CONFLICT', 'Mọi xã nhận đã phát xong (hoặc đã từ chối) bản tin này, không còn gì để thu hồi.');
      const copyIds = open.map((c) => c.bulletin!.id);
      // Locked in id order, as a commune's own actions lock them one at a time.
      await tx.$queryRaw`SELECT id FROM "Bulletin" WHERE id = ANY(${[...copyIds].sort()}::uuid[]) ORDER BY id FOR UPDATE`;
      await cancelBulletins(tx, copyIds, now);
      await tx.provinceBulletinCommune.updateMany({ where: { id: { in: open.map((c) => c.id) } }, data: { status: 'withdrawn' } });
      const updated = await tx.provinceBulletin.update({ where: { id }, data: { status: 'withdrawn', withdrawnById: staff.id, withdrawnAt: now } });
      await tx.auditLog.createMany({
        data: open.map((c) => ({ communeId: c.communeId, actorKind: 'staff' as const, actorStaffId: staff.id, action: 'bulletin.withdrawn_by_province', entityType: 'Bulletin', entityId: c.bulletin!.id, data: { provinceBulletinId: id, from: c.bulletin!.status } })),
      });
      await tx.auditLog.create({ data: { actorKind: 'staff', actorStaffId: staff.id, action: 'province_bulletin.withdraw', entityType: 'ProvinceBulletin', entityId: id, data: { communes: open.length }, ip: input.actor.ip ?? null } });
      return { provinceBulletin: updated, copyIds, normal: pb.class === 'normal' };
    },
    { timeout: 60_000 },
  );
  // A normal one's "Từ chối" buttons go from the communes' admin chats: there is nothing left to decline.
  if (done.normal) for (const b of done.copyIds) for (const e of await removeDeclineButtons(deps.prisma, b)) await deps.enqueue(e.def, e.data as never, e.jobId ? { jobId: e.jobId } : undefined);
  return { provinceBulletin: done.provinceBulletin, withdrawn: done.copyIds.length };
}
