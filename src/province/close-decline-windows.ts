// Normal province bulletins whose decline window has closed take each commune's next free slot.
// Driven by PostgreSQL state on the workers' recovery tick (recovery.ts), not by a Redis timer: a
// waiting row past its deadline is scheduled whenever a tick sees it, so nothing Redis loses, and
// no restart, leaves one waiting. Each row is locked and re-read, so two ticks schedule it once.
import type { PrismaClient } from '../db/generated/client.ts';
import { scheduleAtNextSlotIn } from '../bulletins/bulletin-schedule.ts';
import { queueOneOff } from '../../broadcasts/schedule/scheduler.ts';
import type { Enqueue } from '../tickets/ticket-deps.ts';
import { removeDeclineButtons } from './province-decline-admin-chat.ts';

export async function closeDeclineWindows(deps: { prisma: PrismaClient; enqueue: Enqueue }, now = new Date()): Promise<number> {
  const due = await deps.prisma.provinceBulletinCommune.findMany({
    where: { status: 'waiting', bulletinId: { not: null }, provinceBulletin: { status: 'approved', class: 'normal', declineDeadline: { lte: now } } },
    select: { id: true },
    orderBy: { createdAt: 'asc' },
    take: 1000,
  });
  let scheduled = 0;
  for (const { id } of due) {
    const s = await deps.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "ProvinceBulletinCommune" WHERE id = ${id}::uuid FOR UPDATE`;
      const d = await tx.provinceBulletinCommune.findUniqueOrThrow({ where: { id }, include: { bulletin: true, commune: true } });
      if (d.status !== 'waiting' || !d.bulletin) return undefined;
      // The copy left 'approved' another way (expired, or edited back to a draft): not scheduled as the province's.
      if (d.bulletin.status !== 'approved') {
        await tx.provinceBulletinCommune.update({ where: { id }, data: { status: 'declined', declineReason: 'Xã đã hủy bản tin' } });
        return undefined;
      }
      let schedule = await scheduleAtNextSlotIn(tx, d.bulletin.id, now, { free: true });
      // A commune without slots has no queue to wait in: it goes out now.
      if (!schedule) {
        schedule = await tx.schedule.create({ data: { bulletinId: d.bulletin.id, kind: 'once', runAt: now, timezone: d.commune.timezone } });
        await tx.bulletin.update({ where: { id: d.bulletin.id }, data: { status: 'scheduled' } });
      }
      await tx.provinceBulletinCommune.update({ where: { id }, data: { status: 'scheduled', scheduledAt: schedule.runAt } });
      return schedule;
    });
    if (!s) continue;
    scheduled++;
    // On-the-second timing; the scheduler's own tick fires it anyway if this job is lost.
    await queueOneOff(deps.enqueue, s, now);
    // The window closed: "Từ chối" goes from the commune's admin-chat notices.
    for (const e of await removeDeclineButtons(deps.prisma, s.bulletinId)) await deps.enqueue(e.def, e.data as never, e.jobId ? { jobId: e.jobId } : undefined);
  }
  return scheduled;
}
