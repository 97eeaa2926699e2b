// A Q&A bulletin ("Dân hỏi – Lãnh đạo trả lời") whose airing changes after the residents who asked
// were told the time — moved in the calendar, given an earlier schedule, cancelled — tells them
// again, once. The change only marks the items (markQaRetell, inside the change's transaction);
// the telling waits QA_RETELL_SETTLE_MS so that several moves in quick succession make one
// message with the latest time, and a move back to the time told makes none. It runs on the
// workers' recovery tick from PostgreSQL state (processes/recovery.ts): nothing Redis loses.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import { upcomingSlotTimes } from '../calendar/local-time.ts';
import { tellResident } from '../tickets/ticket-actions.ts';
import { formatDue, residentTextsOf } from '../tickets/resident-texts.ts';
import type { Effect } from '../tickets/ticket-jobs.ts';
import type { Enqueue } from '../tickets/ticket-deps.ts';

export const QA_RETELL_SETTLE_MS = 2 * 60_000;

/** When a schedule next plays (a once time still ahead, or a recurring one's next occurrence). */
export function firstAiring(s: { kind: string; runAt: Date | null; timeOfDay: string | null; daysOfWeek: number[] }, now: Date, timeZone: string): Date | undefined {
  if (s.kind === 'once') return s.runAt ?? undefined;
  return s.timeOfDay ? upcomingSlotTimes([{ timeOfDay: s.timeOfDay, daysOfWeek: s.daysOfWeek }], now, timeZone, 8)[0] : undefined;
}

/**
 * The bulletin's airing changed: its askers told a time still ahead get told again once the
 * change settles. A mark already waiting stays (the window does not slide, so a resident is not
 * left untold by an editor who keeps moving it). Does nothing for a bulletin without Q&A items.
 */
export async function markQaRetell(tx: Prisma.TransactionClient, bulletinId: string, now: Date): Promise<void> {
  await tx.qaItem.updateMany({
    where: { bulletinId, notifiedAt: { not: null }, toldCancelledAt: null, retellAt: null, toldAirAt: { gt: now } },
    data: { retellAt: new Date(now.getTime() + QA_RETELL_SETTLE_MS) },
  });
}

/** The next time the bulletin plays, after `now`, over its active schedules. */
async function nextAiring(tx: Prisma.TransactionClient, bulletinId: string, now: Date, timeZone: string): Promise<Date | undefined> {
  const schedules = await tx.schedule.findMany({ where: { bulletinId, active: true } });
  const times = schedules.map((s) => firstAiring(s, now, timeZone)).filter((t): t is Date => t !== undefined && t.getTime() > now.getTime());
  return times.sort((a, b) => a.getTime() - b.getTime())[0];
}

/** Tells the askers of every Q&A bulletin whose mark has settled; returns how many were told. */
export async function retellQaSchedules(deps: { prisma: PrismaClient; enqueue: Enqueue }, now = new Date()): Promise<number> {
  const due = await deps.prisma.qaItem.findMany({ where: { retellAt: { lte: now } }, select: { bulletinId: true }, distinct: ['bulletinId'], take: 200 });
  let told = 0;
  for (const { bulletinId } of due) {
    const effects = await deps.prisma.$transaction(async (tx) => {
      // Row lock, then read again: two ticks (or a tick and a new change) tell each resident once.
      await tx.$queryRaw`SELECT id FROM "Bulletin" WHERE id = ${bulletinId}::uuid FOR UPDATE`;
      const b = await tx.bulletin.findUniqueOrThrow({ where: { id: bulletinId }, select: { status: true, commune: { select: { timezone: true } } } });
      const items = await tx.qaItem.findMany({ where: { bulletinId, retellAt: { lte: now } }, include: { ticket: { select: { id: true, code: true, communeId: true, channel: true } } } });
      const cancelled = b.status === 'cancelled';
      const airAt = cancelled ? undefined : await nextAiring(tx, bulletinId, now, b.commune.timezone);
      const out: Effect[] = [];
      for (const item of items) {
        const texts = await residentTextsOf(tx, item.ticket.communeId, item.ticket.channel);
        if (cancelled) {
          out.push(...(await tellResident(tx, item.ticket.id, texts.qaCancelled(item.ticket.code), { now })));
          await tx.qaItem.update({ where: { id: item.id }, data: { retellAt: null, toldCancelledAt: now } });
          told++;
        } else if (airAt && airAt.getTime() !== item.toldAirAt?.getTime()) {
          out.push(...(await tellResident(tx, item.ticket.id, texts.qaRescheduled(item.ticket.code, formatDue(airAt, b.commune.timezone)), { now })));
          await tx.qaItem.update({ where: { id: item.id }, data: { retellAt: null, toldAirAt: airAt } });
          told++;
        } else {
          // Back at the time told, or nothing ahead any more (it played): nothing new to say.
          await tx.qaItem.update({ where: { id: item.id }, data: { retellAt: null } });
        }
      }
      return out;
    });
    // The messages are pending on their tickets already: the reconciler re-queues any lost here.
    for (const e of effects) await deps.enqueue(e.def, e.data as never, e.jobId ? { jobId: e.jobId } : undefined);
  }
  return told;
}
