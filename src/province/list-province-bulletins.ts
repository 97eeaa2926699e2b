// What a staff member sees of province bulletins: province staff, their province's, with each
// commune's side; commune staff, those approved for their commune, with the time left to decline.
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { dispatchStatusLabel, provinceBulletinStatusLabel } from './province-bulletin-status.ts';

export async function listProvinceBulletins(prisma: PrismaClient, p: { staffId: string; now?: Date }) {
  const now = p.now ?? new Date();
  const staff = await prisma.staff.findUnique({ where: { id: p.staffId } });
  if (!staff || !staff.active) throw new AppError('UNAUTHENTICATED');
  if (staff.provinceId && staff.provinceRoles.length) {
    const rows = await prisma.provinceBulletin.findMany({
      where: { provinceId: staff.provinceId },
      orderBy: { createdAt: 'desc' },
      take: 100,
      include: { author: { select: { displayName: true } }, communes: { include: { commune: { select: { name: true } } }, orderBy: { commune: { name: 'asc' } } } },
    });
    return {
      scope: 'province' as const,
      bulletins: rows.map((b) => ({
        id: b.id,
        title: b.title,
        class: b.class,
        status: b.status,
        statusLabel: provinceBulletinStatusLabel[b.status],
        author: b.author.displayName,
        createdAt: b.createdAt,
        approvedAt: b.approvedAt,
        declineDeadline: b.declineDeadline,
        rejectComment: b.rejectComment,
        communes: b.communes.map((c) => ({ communeId: c.communeId, name: c.commune.name, status: c.status, statusLabel: dispatchStatusLabel[c.status], bulletinId: c.bulletinId, declineReason: c.declineReason, scheduledAt: c.scheduledAt })),
      })),
    };
  }
  if (!staff.communeId) return { scope: 'commune' as const, bulletins: [] };
  const rows = await prisma.provinceBulletinCommune.findMany({
    // Withdrawn ones stay listed, marked so: the commune saw them arrive.
    where: { communeId: staff.communeId, provinceBulletin: { status: { in: ['approved', 'withdrawn'] } } },
    orderBy: { createdAt: 'desc' },
    take: 100,
    include: { provinceBulletin: { include: { province: { select: { name: true } } } } },
  });
  const mayDecline = staff.roles.some((r) => r === 'approver' || r === 'admin');
  return {
    scope: 'commune' as const,
    bulletins: rows.map((d) => ({
      id: d.provinceBulletinId,
      from: d.provinceBulletin.province.name,
      title: d.provinceBulletin.title,
      class: d.provinceBulletin.class,
      text: d.provinceBulletin.text,
      bulletinId: d.bulletinId,
      status: d.status,
      statusLabel: dispatchStatusLabel[d.status],
      declineDeadline: d.provinceBulletin.declineDeadline,
      scheduledAt: d.scheduledAt,
      canDecline: mayDecline && d.status === 'waiting' && d.provinceBulletin.class === 'normal' && !!d.provinceBulletin.declineDeadline && d.provinceBulletin.declineDeadline >= now,
    })),
  };
}
