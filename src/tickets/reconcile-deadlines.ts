// A ticket's deadline checks are delayed jobs, and delayed jobs live only in Redis. This rebuilds
// them from what PostgreSQL says: for every ticket still waiting for an answer, the checks still
// ahead are queued again at their time, and the checks already due that left no trace in the
// ticket's history fire once now. Job ids are the ones intake uses, so a check whose job still
// exists is not doubled.
import type { TicketStatus } from '../db/generated/enums.ts';
import type { RestoreJob, TicketDeps } from './ticket-deps.ts';
import { deadlineEffects, planTicketDeadlines } from './ticket-intake.ts';
import { awaitingAnswerStatuses } from './ticket-status.ts';
import { BACKLOG_PRIORITY, type Effect } from './ticket-jobs.ts';

interface Check {
  effect: Effect;
  kind: 'receive' | 'remind' | 'escalate';
  at: Date;
}

interface TicketRow {
  id: string;
  status: TicketStatus;
  receiveDueAt: Date | null;
  dueAt: Date | null;
}

/**
 * Which checks of a ticket to queue now: those ahead, and of those already due without a trace
 * the one that still means something (an overdue escalation makes earlier reminders moot; of
 * several missed reminders the latest is enough; "not received" only while nobody took it).
 */
export function checksToRestore(t: TicketRow, checks: Check[], done: Array<{ type: string; kind: string | undefined; createdAt: Date }>, now: Date): Effect[] {
  const ran = (c: Check) =>
    done.some((e) => (c.kind === 'escalate' ? e.type === 'escalated' : e.type === 'reminder_sent' && e.kind === c.kind) && e.createdAt.getTime() >= c.at.getTime());
  const out = checks.filter((c) => c.at > now).map((c) => c.effect);
  const past = checks.filter((c) => c.at <= now);
  // Only the latest step that came due counts, whether or not it ran: an escalation that ran
  // must not bring back the reminders before it.
  const escalate = past.find((c) => c.kind === 'escalate');
  const latest = escalate
    ? [escalate]
    : [past.find((c) => c.kind === 'receive' && t.status === 'new'), past.filter((c) => c.kind === 'remind').sort((a, b) => b.at.getTime() - a.at.getTime())[0]];
  for (const c of latest) if (c && !ran(c)) out.push(c.effect);
  return out;
}

/** Counts what was missing and is queued again: `timers` ahead, `overdue` checks firing now. */
export async function reconcileDeadlines(deps: Pick<TicketDeps, 'prisma' | 'now' | 'deadlines' | 'policy'> & { restore: RestoreJob }, opts: { batch?: number } = {}): Promise<{ timers: number; overdue: number }> {
  const now = deps.now();
  const batch = opts.batch ?? 500;
  let timers = 0;
  let overdue = 0;
  let cursor: string | undefined;
  for (;;) {
    const tickets = await deps.prisma.ticket.findMany({
      where: { status: { in: awaitingAnswerStatuses }, dueAt: { not: null } },
      select: { id: true, status: true, priority: true, createdAt: true, receiveDueAt: true, dueAt: true, commune: { select: { timezone: true } }, category: { select: { receiveWorkingHours: true, answerWorkingDays: true } } },
      orderBy: { id: 'asc' },
      take: batch,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (tickets.length === 0) break;
    cursor = tickets.at(-1)!.id;
    const events = await deps.prisma.ticketEvent.findMany({
      where: { ticketId: { in: tickets.map((t) => t.id) }, type: { in: ['reminder_sent', 'escalated'] } },
      select: { ticketId: true, type: true, data: true, createdAt: true },
    });
    for (const t of tickets) {
      // Reminders are not stored: they follow from the same plan intake made. When the ticket's
      // due date no longer matches that plan (re-planned), only the stored dates are trusted.
      const plan = planTicketDeadlines(deps, { receivedAt: t.createdAt, timezone: t.commune.timezone, priority: t.priority, category: t.category });
      const remindAt = plan.dueAt.getTime() === t.dueAt!.getTime() ? plan.remindAt : [];
      const due = { receiveDueAt: t.receiveDueAt ?? t.dueAt!, dueAt: t.dueAt!, remindAt };
      const effects = deadlineEffects(t.id, due);
      const checks: Check[] = effects.map((e) => {
        const kind = (e.data as { kind: Check['kind'] }).kind;
        return { effect: e, kind, at: e.runAt! };
      });
      const done = events.filter((e) => e.ticketId === t.id).map((e) => ({ type: e.type, kind: (e.data as { kind?: string } | null)?.kind, createdAt: e.createdAt }));
      for (const e of checksToRestore(t, checks, done, now)) {
        const delay = Math.max(0, e.runAt!.getTime() - now.getTime());
        // An overdue check is backlog: it runs now, and its notices wait behind new tickets' posts.
        const data = delay ? e.data : { ...(e.data as object), backlog: true };
        if (!(await deps.restore(e.def, data, { jobId: e.jobId!, ...(delay ? { delay } : { priority: BACKLOG_PRIORITY }) }))) continue;
        if (delay) timers += 1;
        else overdue += 1;
      }
    }
    if (tickets.length < batch) break;
  }
  return { timers, overdue };
}
