// When bulletins go out. Every worker runs a node-cron tick each minute (in the default time zone; each schedule row keeps its own) that
// finds what is due — one-off times, recurring slots on their weekdays within their dates — and
// queues a firing with a deterministic job id (bulletin, time): several workers ticking at once
// queue it once, and the BroadcastRun's unique (bulletin, time) stops a second run anyway. A
// firing missed while everything was down goes out if it is within the grace window, otherwise it
// is recorded as missed for the staff report. One-off times are also queued as delayed jobs when
// scheduled, for on-the-second timing; the tick is the safety net (it survives a Redis loss).
import cron, { type ScheduledTask } from 'node-cron';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { BulletinStatus } from '../../src/db/generated/enums.ts';
import { localDate, localInstant } from '../../src/calendar/local-time.ts';
import { DEFAULT_TIME_ZONE } from '../../src/calendar/time-zone.ts';
import { defineJob } from '../../src/queues/job-definition.ts';
import type { Logger } from '../../src/logger.ts';
import { queueRun, startRun } from '../fanout/start-run.ts';
import type { EnqueueOptions } from '../../src/queues/queue-kit.ts';
import type { JobDefinition } from '../../src/queues/job-definition.ts';

export const fireJob = defineJob<{ bulletinId: string; scheduleId: string | null; scheduledFor: string; missed?: boolean }>()('broadcast', 'fire', { attempts: 5 });

type Enqueue = <D>(def: JobDefinition<D>, data: D, opts?: EnqueueOptions) => Promise<string>;

export interface Firing {
  bulletinId: string;
  scheduleId: string;
  scheduledFor: Date;
  missed: boolean;
}

const LIVE: BulletinStatus[] = ['scheduled', 'sending', 'done', 'partly_failed'];

/** What should have fired by `now` and has no run yet (within `lookbackMs`), each marked missed or not. */
export async function dueFirings(prisma: PrismaClient, now: Date, opts: { graceMs: number; lookbackMs?: number }): Promise<Firing[]> {
  const lookback = opts.lookbackMs ?? 2 * 24 * 3600_000;
  const schedules = await prisma.schedule.findMany({ where: { active: true, bulletin: { status: { in: LIVE } } }, include: { slot: true, bulletin: { select: { expiresAt: true } } } });
  const out: Firing[] = [];
  for (const s of schedules) {
    const candidates: Date[] = [];
    if (s.kind === 'once' && s.runAt) candidates.push(s.runAt);
    if (s.kind === 'recurring') {
      const time = s.timeOfDay ?? s.slot?.timeOfDay;
      const days = s.daysOfWeek.length ? s.daysOfWeek : (s.slot?.daysOfWeek ?? []);
      if (!time) continue;
      for (let back = 0; back * 86_400_000 <= lookback; back++) {
        const day = localDate(new Date(now.getTime() - back * 86_400_000), s.timezone);
        if (!days.includes(day.isoWeekday)) continue;
        if (s.startsOn && day.date < s.startsOn.toISOString().slice(0, 10)) continue;
        if (s.endsOn && day.date > s.endsOn.toISOString().slice(0, 10)) continue;
        candidates.push(localInstant(day.date, time, s.timezone));
      }
    }
    for (const at of candidates) {
      if (at > now || now.getTime() - at.getTime() > lookback) continue;
      if (s.bulletin.expiresAt && s.bulletin.expiresAt < at) continue;
      const run = await prisma.broadcastRun.findUnique({ where: { bulletinId_scheduledFor: { bulletinId: s.bulletinId, scheduledFor: at } }, select: { id: true } });
      if (run) continue;
      out.push({ bulletinId: s.bulletinId, scheduleId: s.id, scheduledFor: at, missed: now.getTime() - at.getTime() > opts.graceMs });
    }
  }
  return out;
}

export function fireJobId(bulletinId: string, at: Date): string {
  return `fire-${bulletinId}-${at.getTime()}`;
}

/** A one-off time as a delayed job, for on-the-second timing; same id as the tick would use. */
export async function queueOneOff(enqueue: Enqueue, s: { id: string; bulletinId: string; kind: string; runAt: Date | null }, now = new Date()): Promise<void> {
  if (s.kind !== 'once' || !s.runAt) return;
  await enqueue(fireJob, { bulletinId: s.bulletinId, scheduleId: s.id, scheduledFor: s.runAt.toISOString() }, { jobId: fireJobId(s.bulletinId, s.runAt), delay: Math.max(0, s.runAt.getTime() - now.getTime()) });
}

export async function tick(deps: { prisma: PrismaClient; enqueue: Enqueue; log: Logger; graceMs: number }, now = new Date()): Promise<number> {
  const due = await dueFirings(deps.prisma, now, { graceMs: deps.graceMs });
  for (const f of due) {
    await deps.enqueue(fireJob, { bulletinId: f.bulletinId, scheduleId: f.scheduleId, scheduledFor: f.scheduledFor.toISOString(), ...(f.missed ? { missed: true } : {}) }, { jobId: fireJobId(f.bulletinId, f.scheduledFor) });
  }
  if (due.length) deps.log.info({ due: due.length, missed: due.filter((f) => f.missed).length }, 'đến giờ phát bản tin');
  return due.length;
}

/** The fire job: start the run (its outbox of deliveries) and queue the deliveries, or record a miss. */
export async function fire(deps: { prisma: PrismaClient; enqueue: Enqueue; log: Logger; graceMs?: number }, data: { bulletinId: string; scheduleId: string | null; scheduledFor: string; missed?: boolean }): Promise<{ runId: string | null; deliveries: number }> {
  const at = new Date(data.scheduledFor);
  // A one-off moved to another time (or switched off) since this job was queued: its new job fires.
  if (data.scheduleId) {
    const s = await deps.prisma.schedule.findUnique({ where: { id: data.scheduleId }, select: { active: true, kind: true, runAt: true } });
    if (s && (!s.active || (s.kind === 'once' && s.runAt?.getTime() !== at.getTime()))) {
      deps.log.info({ bulletinId: data.bulletinId, scheduledFor: data.scheduledFor }, 'bỏ lượt phát cũ: lịch đã dời hoặc đã tắt');
      return { runId: null, deliveries: 0 };
    }
  }
  // A delayed job run long after its time (every worker was down) is a miss, as the tick would say.
  const late = deps.graceMs !== undefined && Date.now() - at.getTime() > deps.graceMs;
  if (data.missed || late) {
    const b = await deps.prisma.bulletin.findUniqueOrThrow({ where: { id: data.bulletinId } });
    const run = await deps.prisma.broadcastRun.upsert({
      where: { bulletinId_scheduledFor: { bulletinId: b.id, scheduledFor: at } },
      create: { bulletinId: b.id, revision: b.approvedRevision ?? b.revision, scheduleId: data.scheduleId, scheduledFor: at, status: 'missed', finishedAt: new Date() },
      update: {},
    });
    await deps.prisma.auditLog.create({ data: { communeId: b.communeId, actorKind: 'system', action: 'bulletin.run_missed', entityType: 'Bulletin', entityId: b.id, data: { scheduledFor: data.scheduledFor } } });
    deps.log.warn({ bulletinId: b.id, scheduledFor: data.scheduledFor }, 'lỡ giờ phát bản tin (quá thời gian chờ)');
    return { runId: run.id, deliveries: 0 };
  }
  const run = await startRun(deps.prisma, { bulletinId: data.bulletinId, scheduledFor: at, scheduleId: data.scheduleId });
  await queueRun(deps.enqueue, run);
  return { runId: run.runId, deliveries: run.deliveryIds.length };
}

/**
 * Starts the minute tick (and one at once, to catch up after a restart). `onTick` runs after the
 * firings on the same tick: the process's recovery pass, which must not depend on Redis either.
 */
export function startScheduler(deps: { prisma: PrismaClient; enqueue: Enqueue; log: Logger; graceMs: number; timezone?: string; onTick?: () => Promise<unknown> }): { stop(): Promise<void> } {
  const run = async () => {
    const n = await tick(deps).catch((e: Error) => {
      deps.log.warn({ err: e.message }, 'bộ hẹn giờ phát bản tin lỗi; thử lại ở phút sau');
      return 0;
    });
    await deps.onTick?.().catch((e: Error) => deps.log.warn({ err: e.message }, 'khôi phục việc lỗi; thử lại ở phút sau'));
    return n;
  };
  void run();
  const task: ScheduledTask = cron.schedule('* * * * *', run, { timezone: deps.timezone ?? DEFAULT_TIME_ZONE, noOverlap: true, name: 'loaxa-bulletin-tick' });
  return {
    stop: async () => {
      await task.stop();
    },
  };
}
