// A province approver sends a province bulletin back to its author with a reason; no commune saw it.
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { provinceStaffFor } from './province-staff-role.ts';
import { NOT_FOUND_TEXT, provinceBulletinStatusLabel } from './province-bulletin-status.ts';

export async function rejectProvinceBulletin(prisma: PrismaClient, input: { actor: { staffId: string; ip?: string }; provinceBulletinId: string; comment: string }) {
  if (!input.comment?.trim()) throw new AppError('VALIDATION', 'Cần ghi lý do trả lại bản tin.', { field: 'comment' });
  return prisma.$transaction(async (tx) => {
    const staff = await provinceStaffFor(tx, input.actor.staffId, 'approver', 'duyệt bản tin của tỉnh');
    await tx.$queryRaw`SELECT id FROM "ProvinceBulletin" WHERE id = ${input.provinceBulletinId}::uuid FOR UPDATE`;
    const pb = await tx.provinceBulletin.findUnique({ where: { id: input.provinceBulletinId } });
    if (!pb || pb.provinceId !== staff.provinceId) throw new AppError('NOT_FOUND', NOT_FOUND_TEXT);
    if (pb.status !== 'submitted') throw new AppError('CONFLICT', `Bản tin của tỉnh đang "${provinceBulletinStatusLabel[pb.status]}", không trả lại được.`);
    const updated = await tx.provinceBulletin.update({ where: { id: pb.id }, data: { status: 'rejected', rejectComment: input.comment.trim().slice(0, 1000) } });
    await tx.auditLog.create({ data: { actorKind: 'staff', actorStaffId: staff.id, action: 'province_bulletin.reject', entityType: 'ProvinceBulletin', entityId: pb.id, ip: input.actor.ip ?? null } });
    return updated;
  });
}
