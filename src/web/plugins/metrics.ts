// GET /metrics — Prometheus text format. One prom-client Registry per app (not the global one),
// so several apps in one process (tests, `start`) never clash over metric names.
//
// Domain figures are computed on scrape from PostgreSQL, the source of truth, rather than kept as
// counters in memory: several processes serve the same data and each would count only its share.
// A scrape always answers: a source that fails (database down, Redis slow) leaves its series out
// and counts a scrape error, because a 500 would also hide the metrics that say what is wrong.
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Database } from '../../db/database.ts';
import { DeliveryStatus, TicketStatus } from '../../db/generated/client.ts';
import type { HealthRegistry } from '../../health/health-registry.ts';
import { readLease } from '../../db/process-lease.ts';

/** Job counts per queue and BullMQ state (Queue.getJobCounts()). */
export type QueueDepths = () => Promise<Record<string, Record<string, number>>>;

export interface MetricsPluginOptions {
  db: Pick<Database, 'prisma'>;
  health: HealthRegistry;
  queueDepths: QueueDepths;
  /** Give up on one source of a scrape after this long (Prometheus' own timeout is 10 s). */
  sourceTimeoutMs?: number;
}

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused', 'prioritized'] as const;
const SOURCES = ['queues', 'database', 'health'] as const;
type Source = (typeof SOURCES)[number];

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function createAppMetrics(opts: MetricsPluginOptions) {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const sourceTimeoutMs = opts.sourceTimeoutMs ?? 3000;

  const queueJobs = new Gauge({ name: 'loaxa_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'], registers: [register] });
  const queueFailed = new Gauge({ name: 'loaxa_queue_jobs_failed', help: 'Failed jobs kept per queue', labelNames: ['queue'], registers: [register] });
  const tickets = new Gauge({ name: 'loaxa_tickets', help: 'Tickets per status', labelNames: ['status'], registers: [register] });
  const deliveries = new Gauge({ name: 'loaxa_deliveries', help: 'Bulletin deliveries per status', labelNames: ['status'], registers: [register] });
  const reconcileLast = new Gauge({
    name: 'loaxa_reconcile_last_run_timestamp_seconds',
    help: 'When a worker last ran the recovery pass (re-queueing what Redis lost), Unix time; 0 = never',
    registers: [register],
  });
  const reconcileRestored = new Gauge({
    name: 'loaxa_reconcile_restored',
    help: 'What the last recovery pass queued again, by kind (deliveries, inbound, messages, posts, followUps, timers, overdue…)',
    labelNames: ['kind'],
    registers: [register],
  });
  const dependencyUp = new Gauge({
    name: 'loaxa_dependency_up',
    help: '1 when a dependency answers (ok or degraded), 0 when down; dependencies not configured are left out',
    labelNames: ['name'],
    registers: [register],
  });
  const scrapeErrors = new Counter({
    name: 'loaxa_scrape_errors_total',
    help: 'Scrapes in which a source of metrics could not be read (its series are left out)',
    labelNames: ['source'],
    registers: [register],
  });
  // Present from the first scrape, so rate() and alerts work before the first failure.
  for (const source of SOURCES) scrapeErrors.inc({ source }, 0);

  const readers: Record<Source, { read: () => Promise<() => void>; clear: () => void }> = {
    queues: {
      read: async () => {
        const depths = await opts.queueDepths();
        return () => {
          queueJobs.reset();
          queueFailed.reset();
          for (const [queue, counts] of Object.entries(depths)) {
            const states = new Set<string>([...QUEUE_STATES, ...Object.keys(counts)]);
            for (const state of states) queueJobs.set({ queue, state }, counts[state] ?? 0);
            queueFailed.set({ queue }, counts['failed'] ?? 0);
          }
        };
      },
      clear: () => {
        queueJobs.reset();
        queueFailed.reset();
      },
    },
    database: {
      read: async () => {
        const [t, d, lease] = await Promise.all([
          opts.db.prisma.ticket.groupBy({ by: ['status'], _count: { _all: true } }),
          opts.db.prisma.delivery.groupBy({ by: ['status'], _count: { _all: true } }),
          readLease(opts.db.prisma, 'reconcile'),
        ]);
        return () => {
          reconcileLast.reset();
          reconcileRestored.reset();
          if (lease?.lastRunAt) reconcileLast.set(lease.lastRunAt.getTime() / 1000);
          for (const [kind, n] of Object.entries(lease?.lastResult ?? {})) reconcileRestored.set({ kind }, n);
          // Every enum value, 0 when none: a status that disappears reads as "no data", not 0.
          for (const status of Object.values(TicketStatus)) tickets.set({ status }, t.find((r) => r.status === status)?._count._all ?? 0);
          for (const status of Object.values(DeliveryStatus)) deliveries.set({ status }, d.find((r) => r.status === status)?._count._all ?? 0);
        };
      },
      clear: () => {
        tickets.reset();
        deliveries.reset();
        reconcileLast.reset();
        reconcileRestored.reset();
      },
    },
    health: {
      read: async () => {
        const report = await opts.health.run();
        return () => {
          dependencyUp.reset();
          for (const [name, dep] of Object.entries(report.dependencies)) {
            if (dep.status !== 'off') dependencyUp.set({ name }, dep.status === 'down' ? 0 : 1);
          }
        };
      },
      clear: () => dependencyUp.reset(),
    },
  };

  /** Reads every source, then renders. Values are applied synchronously after all reads. */
  async function scrape(log: FastifyBaseLogger): Promise<string> {
    const applies = await Promise.all(
      SOURCES.map(async (source) => {
        try {
          return await withTimeout(readers[source].read(), sourceTimeoutMs);
        } catch (e) {
          log.warn({ err: e, source }, 'không đọc được số liệu');
          scrapeErrors.inc({ source });
          return readers[source].clear;
        }
      }),
    );
    for (const apply of applies) apply();
    return register.metrics();
  }

  return { register, scrape };
}

export const metricsPlugin: FastifyPluginAsync<MetricsPluginOptions> = async (app, opts) => {
  const metrics = createAppMetrics(opts);
  app.addHook('onClose', async () => metrics.register.clear());

  app.get(
    '/metrics',
    {
      schema: { response: { 200: { type: 'string' } } },
      config: { quietLog: true },
    },
    async (request, reply) => {
      const text = await metrics.scrape(request.log);
      return reply.header('cache-control', 'no-store').type(metrics.register.contentType).send(text);
    },
  );
};
