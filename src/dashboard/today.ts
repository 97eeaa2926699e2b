// "Tổng quan": what a commune's staff should see first each day — today's broadcast slots and
// where each run's deliveries stand, new and overdue tickets, loudspeakers off the air, and
// messaging accounts that need someone (a Zalo QR login, a broken bot).
import type { PrismaClient } from '../db/generated/client.ts';
import { localDate, localInstant } from '../calendar/local-time.ts';
import { projectSummaries, type Viewer } from '../tickets/ticket-visibility.ts';
import { awaitingAnswerStatuses } from '../tickets/ticket-status.ts';

export interface TodayOverview {
  date: string;
  slots: Array<{ name: string; timeOfDay: string }>;
  runs: Array<{ bulletinId: string; title: string; class: string; scheduledFor: Date; status: string; sent: number; failed: number; open: number; total: number }>;
  upcoming: Array<{ bulletinId: string; title: string; at: Date }>;
  tickets: { new: number; overdue: number; overdueList: Array<{ id: string; code: string; subject: string | null; dueAt: Date | null; masked: boolean }> };
  awaitingApproval: number;
  endpointsDown: Array<{ id: string; name: string; status: string; lastHeartbeatAt: Date | null; reason: string | null }>;
  accountsNeedingCare: Array<{ id: string; platform: string; name: string; status: string; reason: string | null }>;
}


/** The day for one viewer: ticket texts go through the visibility rule (a denunciation shows a placeholder). */
export async function todayOverview(prisma: PrismaClient, communeId: string, now: Date, viewer: Viewer): Promise<TodayOverview> {
  const commune = await prisma.commune.findUniqueOrThrow({ where: { id: communeId } });
  const tz = commune.timezone;
  const { date, isoWeekday } = localDate(now, tz);
  const start = localInstant(date, '00:00', tz);
  const end = new Date(start.getTime() + 86_400_000);

  const [slots, runs, schedules, newTickets, overdue, overdueList, awaitingApproval, endpointsDown, accounts] = await Promise.all([
    prisma.broadcastSlot.findMany({ where: { communeId, active: true }, orderBy: { timeOfDay: 'asc' } }),
    prisma.broadcastRun.findMany({ where: { bulletin: { communeId }, scheduledFor: { gte: start, lt: end } }, orderBy: { scheduledFor: 'asc' }, include: { bulletin: { select: { title: true, class: true } } } }),
    prisma.schedule.findMany({ where: { active: true, bulletin: { communeId, status: { in: ['scheduled', 'sending', 'done', 'partly_failed'] } } }, include: { slot: true, bulletin: { select: { id: true, title: true, expiresAt: true } } } }),
    prisma.ticket.count({ where: { communeId, status: 'new' } }),
    prisma.ticket.count({ where: { communeId, status: { in: awaitingAnswerStatuses }, dueAt: { lt: now } } }),
    prisma.ticket.findMany({ where: { communeId, status: { in: awaitingAnswerStatuses }, dueAt: { lt: now } }, orderBy: { dueAt: 'asc' }, take: 10, select: { id: true, code: true, subject: true, dueAt: true, communeId: true, confidential: true, categoryId: true, assigneeId: true } }),
    prisma.bulletin.count({ where: { communeId, status: 'submitted' } }),
    prisma.endpoint.findMany({ where: { communeId, status: { in: ['offline', 'broken'] } }, orderBy: { name: 'asc' }, select: { id: true, name: true, status: true, lastHeartbeatAt: true, statusReason: true } }),
    prisma.channelAccount.findMany({ where: { communeId, status: { in: ['logged_out', 'kicked', 'suspected_ban', 'error', 'reconnecting'] } }, orderBy: { name: 'asc' } }),
  ]);

  const counts = await prisma.delivery.groupBy({ by: ['runId', 'status'], where: { runId: { in: runs.map((r) => r.id) } }, _count: { _all: true } });
  const of = (runId: string, statuses: string[]) => counts.filter((c) => c.runId === runId && statuses.includes(c.status)).reduce((n, c) => n + c._count._all, 0);

  // Firings still ahead today (one-off times and recurring slots) that have no run yet.
  const upcoming: TodayOverview['upcoming'] = [];
  for (const s of schedules) {
    let at: Date | undefined;
    if (s.kind === 'once' && s.runAt && s.runAt >= now && s.runAt < end) at = s.runAt;
    const time = s.timeOfDay ?? s.slot?.timeOfDay;
    const days = s.daysOfWeek.length ? s.daysOfWeek : (s.slot?.daysOfWeek ?? []);
    if (s.kind === 'recurring' && time && days.includes(isoWeekday)) {
      const t = localInstant(date, time, s.timezone);
      const inRange = (!s.startsOn || date >= s.startsOn.toISOString().slice(0, 10)) && (!s.endsOn || date <= s.endsOn.toISOString().slice(0, 10));
      if (t >= now && inRange) at = t;
    }
    if (at && !(s.bulletin.expiresAt && s.bulletin.expiresAt < at) && !runs.some((r) => r.bulletinId === s.bulletinId && r.scheduledFor.getTime() === at.getTime())) {
      upcoming.push({ bulletinId: s.bulletin.id, title: s.bulletin.title, at });
    }
  }
  upcoming.sort((a, b) => a.at.getTime() - b.at.getTime());

  return {
    date,
    slots: slots.map((s) => ({ name: s.name, timeOfDay: s.timeOfDay })),
    runs: runs.map((r) => ({
      bulletinId: r.bulletinId,
      title: r.bulletin.title,
      class: r.bulletin.class,
      scheduledFor: r.scheduledFor,
      status: r.status,
      sent: of(r.id, ['sent']),
      failed: of(r.id, ['failed']),
      open: of(r.id, ['pending', 'sending']),
      total: of(r.id, ['sent', 'failed', 'pending', 'sending', 'cancelled', 'skipped']),
    })),
    upcoming,
    tickets: { new: newTickets, overdue, overdueList: (await projectSummaries(prisma, viewer, overdueList)).map((t) => ({ id: t.id, code: t.code, subject: t.subject, dueAt: t.dueAt, masked: t.masked })) },
    awaitingApproval,
    endpointsDown: endpointsDown.map((e) => ({ id: e.id, name: e.name, status: e.status, lastHeartbeatAt: e.lastHeartbeatAt, reason: e.statusReason })),
    accountsNeedingCare: accounts.map((a) => ({ id: a.id, platform: a.platform, name: a.name, status: a.status, reason: a.statusReason })),
  };
}
