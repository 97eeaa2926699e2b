// Recovery driven by PostgreSQL, on the workers' own minute tick (not a job that Redis could lose):
// one worker at a time, under a lease in the database, re-declares every repeating job and queues
// again whatever the database says is pending but Redis no longer has — deliveries, inbound
// messages, messages to residents, admin-chat posts, and the deadline checks of open tickets —
// schedules the province bulletins whose decline window has closed, tells the askers of a moved or
// cancelled Q&A bulletin again, and moves surveys along
// (open, invite, close): the same kind of database-driven work.
// What it restored is kept with the lease, for /metrics and `loaxa doctor`.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { PrismaClient } from '../db/generated/client.ts';
import type { Logger } from '../logger.ts';
import type { QueueKit } from '../queues/queue-kit.ts';
import type { JobDefinition } from '../queues/job-definition.ts';
import type { TicketDeps } from '../tickets/ticket-deps.ts';
import { acquireLease, recordLeaseRun, releaseLease } from '../db/process-lease.ts';
import { reconcileListening } from '../tickets/reconcile.ts';
import { reconcileDeadlines } from '../tickets/reconcile-deadlines.ts';
import { reconcileDeliveries } from '../../broadcasts/fanout/reconcile-deliveries.ts';
import { closeDeclineWindows } from '../province/close-decline-windows.ts';
import { retellQaSchedules } from '../bulletins/qa-retell.ts';
import { surveyTick, type SurveyTickDeps } from '../surveys/survey-tick.ts';

export const RECONCILE_LEASE = 'reconcile';

export interface RecoveryResult {
  deliveries: number;
  inbound: number;
  messages: number;
  posts: number;
  followUps: number;
  timers: number;
  overdue: number;
  offline: number;
  unpulled: number;
  /** Normal province bulletins scheduled because their decline window closed. */
  provinceBulletins: number;
  /** Askers of a moved or cancelled Q&A bulletin told again (src/bulletins/qa-retell.ts). */
  qaRetold: number;
  repeatables: number;
  surveysOpened: number;
  surveysClosed: number;
  invitationsQueued: number;
}

export interface Repeatable {
  def: JobDefinition<never>;
  every: number | string;
  data: unknown;
}

export interface RecoveryOptions {
  prisma: PrismaClient;
  queues: Pick<QueueKit, 'enqueue' | 'restore' | 'upsertRepeatable'>;
  tickets: Pick<TicketDeps, 'deadlines' | 'policy'>;
  log: Logger;
  repeatables: Repeatable[];
  /** Surveys opened, closed and their invitations queued on the same tick (src/surveys/survey-tick.ts). */
  surveys?: Pick<SurveyTickDeps, 'link' | 'batch' | 'paceMs'>;
  /** Work younger than this may still be on its way into Redis (commit, then enqueue). */
  settleMs?: number;
  /** A holder that stops ticking loses the lease after this long. */
  leaseTtlMs?: number;
  now?: () => Date;
}

export interface Recovery {
  readonly holder: string;
  /** One pass, if this process holds (or takes) the lease; null when another one does. */
  run(): Promise<RecoveryResult | null>;
  /** Hands the lease over at once (shutdown). */
  release(): Promise<void>;
}

export function createRecovery(opts: RecoveryOptions): Recovery {
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const now = opts.now ?? (() => new Date());
  const settleMs = opts.settleMs ?? 10_000;
  const ttl = opts.leaseTtlMs ?? 3 * 60_000;
  const restore = opts.queues.restore.bind(opts.queues);
  const enqueue = opts.queues.enqueue.bind(opts.queues);
  let running: Promise<RecoveryResult | null> | undefined;

  async function pass(): Promise<RecoveryResult | null> {
    if (!(await acquireLease(opts.prisma, RECONCILE_LEASE, holder, ttl))) return null;
    // Declaring is idempotent, so doing it every minute costs little and survives any Redis loss.
    for (const r of opts.repeatables) await opts.queues.upsertRepeatable(r.def, r.every, r.data as never);
    const listening = await reconcileListening({ prisma: opts.prisma, enqueue, restore, now }, { olderThanMs: settleMs });
    const speaking = await reconcileDeliveries({ prisma: opts.prisma, enqueue, restore, now }, { olderThanMs: settleMs, sendingOlderThanMs: Math.max(settleMs, 60_000) });
    const deadlines = await reconcileDeadlines({ prisma: opts.prisma, restore, now, ...opts.tickets });
    const provinceBulletins = await closeDeclineWindows({ prisma: opts.prisma, enqueue }, now());
    const qaRetold = await retellQaSchedules({ prisma: opts.prisma, enqueue }, now());
    const surveys = opts.surveys ? await surveyTick({ prisma: opts.prisma, restore, now, ...opts.surveys }) : { surveysOpened: 0, surveysClosed: 0, invitationsQueued: 0 };
    const result: RecoveryResult = { ...listening, ...speaking, ...deadlines, provinceBulletins, qaRetold, ...surveys, repeatables: opts.repeatables.length };
    await recordLeaseRun(opts.prisma, RECONCILE_LEASE, holder, { ...result });
    const restored = result.deliveries + result.inbound + result.messages + result.posts + result.followUps + result.timers + result.overdue;
    if (restored > 0) opts.log.warn({ ...result }, 'đã khôi phục việc mà Redis không còn giữ');
    return result;
  }

  return {
    holder,
    run() {
      // A slow pass (thousands of tickets) is not started twice by the next tick.
      running ??= pass().finally(() => (running = undefined));
      return running;
    },
    async release() {
      await running?.catch(() => undefined);
      await releaseLease(opts.prisma, RECONCILE_LEASE, holder).catch(() => undefined);
    },
  };
}
