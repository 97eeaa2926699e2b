// The platform baseline: what BullMQ on this Redis plus one PostgreSQL INSERT per job costs, with
// no domain logic. Domain benchmarks (fan-out, inbound tickets) run `measureQueue` with their
// own handler in the same run and report their figures as a ratio of this one.
import { performance } from 'node:perf_hooks';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { summarize, round, whenAborted, withinLimit, type BenchContext, type BenchResult, type Figure, type Scenario, type Summary } from '../harness.ts';
import { deleteRedisPrefix, randomRedisPrefix, withBenchDatabase } from '../services.ts';

interface MeasuredJob {
  seq: number;
  phase: 'warmup' | 'burst' | 'paced';
  /** performance.now() in this process just before queue.add: producer and worker share a clock. */
  addedAt: number;
  payload: unknown;
}

export interface MeasureQueueOptions {
  redisUrl: string;
  /** Jobs in the burst phase, all offered at once: gives throughput. */
  jobs: number;
  /** Worker concurrency (jobs processed at the same time by one worker). */
  concurrency: number;
  /** The work per job: the baseline does one INSERT; a domain benchmark its use case. */
  handler: (payload: unknown, seq: number) => Promise<void>;
  /** The job payload (kept in Redis like a real job's). Default: a small object of ids. */
  payload?: (seq: number) => unknown;
  /** Jobs processed before measuring (JIT, connection pools). */
  warmupJobs?: number;
  /** The paced phase runs at this fraction of the measured throughput, for latency without a backlog. */
  pacedLoad?: number;
  /** Upper bound of the paced phase, so a slow machine does not stretch the run. */
  pacedMaxMs?: number;
  /** Producer calls to queue.add in flight at once (like concurrent API requests). */
  producerInFlight?: number;
  signal: AbortSignal;
  log: (message: string) => void;
}

export interface QueueMeasurement {
  jobs: number;
  concurrency: number;
  throughputJobsPerS: number;
  /** add→processed while the whole burst is queued: mostly time spent waiting in the backlog. */
  burstLatencyMs: Summary;
  /** add→processed at `pacedRateJobsPerS`: the latency a job sees when the system keeps up. */
  pacedLatencyMs: Summary;
  pacedRateJobsPerS: number;
}

const QUEUE_NAME = 'bench';

/** Runs warm-up, burst and paced phases through a fresh queue under a random prefix, then removes it. */
export async function measureQueue(opts: MeasureQueueOptions): Promise<QueueMeasurement> {
  const payload = opts.payload ?? ((seq: number) => ({ targetId: `t-${seq}`, bulletinId: 'b-1' }));
  const prefix = randomRedisPrefix();
  const producerConn = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const workerConn = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue<MeasuredJob>(QUEUE_NAME, { connection: producerConn, prefix });

  const latencies: Record<MeasuredJob['phase'], number[]> = { warmup: [], burst: [], paced: [] };
  let lastProcessedAt = 0;
  let waiter: { phase: MeasuredJob['phase']; count: number; resolve: () => void } | undefined;
  let failure: (e: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (failure = reject));
  failed.catch(() => undefined);

  const worker = new Worker<MeasuredJob>(
    QUEUE_NAME,
    async (job: Job<MeasuredJob>) => {
      await opts.handler(job.data.payload, job.data.seq);
      // "Processed" = the handler's side effect is done; BullMQ's completion write follows.
      const now = performance.now();
      lastProcessedAt = now;
      const list = latencies[job.data.phase];
      list.push(now - job.data.addedAt);
      if (waiter && waiter.phase === job.data.phase && list.length >= waiter.count) waiter.resolve();
    },
    { connection: workerConn, prefix, concurrency: opts.concurrency, autorun: true },
  );
  worker.on('failed', (job, err) => failure(new Error(`job ${job?.id ?? '?'} failed: ${err.message}`)));
  worker.on('error', (err) => opts.log(`worker error: ${err.message}`));

  const processedAll = (phase: MeasuredJob['phase'], count: number) =>
    new Promise<void>((resolve) => {
      if (latencies[phase].length >= count) return resolve();
      waiter = { phase, count, resolve };
    });
  const wait = (p: Promise<void>) => Promise.race([p, failed, whenAborted(opts.signal)]);

  let seq = 0;
  const add = (phase: MeasuredJob['phase']) => {
    const s = seq++;
    return queue.add(
      'job',
      { seq: s, phase, addedAt: performance.now(), payload: payload(s) },
      { removeOnComplete: true, removeOnFail: 100, attempts: 1 },
    );
  };
  const addMany = async (phase: MeasuredJob['phase'], n: number) => {
    const inFlight = opts.producerInFlight ?? 32;
    let next = 0;
    const lane = async () => {
      while (next < n && !opts.signal.aborted) {
        next++;
        await add(phase);
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, n) }, lane));
  };

  try {
    await worker.waitUntilReady();
    const warmup = opts.warmupJobs ?? 200;
    if (warmup > 0) {
      opts.log(`warm-up: ${warmup} jobs`);
      const done = processedAll('warmup', warmup);
      await addMany('warmup', warmup);
      await wait(done);
    }

    opts.log(`burst: ${opts.jobs} jobs, concurrency ${opts.concurrency}`);
    const t0 = performance.now();
    const burstDone = processedAll('burst', opts.jobs);
    await Promise.race([addMany('burst', opts.jobs), failed]);
    await wait(burstDone);
    const throughput = (opts.jobs / (lastProcessedAt - t0)) * 1000;

    const rate = Math.max(1, throughput * (opts.pacedLoad ?? 0.5));
    const pacedJobs = Math.max(1, Math.min(opts.jobs, Math.floor((rate * (opts.pacedMaxMs ?? 10_000)) / 1000)));
    opts.log(`paced: ${pacedJobs} jobs at ${Math.round(rate)} jobs/s`);
    const pacedDone = processedAll('paced', pacedJobs);
    const tp = performance.now();
    const adds: Promise<unknown>[] = [];
    for (let i = 0; i < pacedJobs && !opts.signal.aborted; ) {
      // Add every job whose scheduled time has come, then sleep to the next tick.
      const due = Math.min(pacedJobs, Math.floor(((performance.now() - tp) * rate) / 1000) + 1);
      for (; i < due; i++) adds.push(add('paced'));
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.race([Promise.all(adds), failed]);
    await wait(pacedDone);

    return {
      jobs: opts.jobs,
      concurrency: opts.concurrency,
      throughputJobsPerS: throughput,
      burstLatencyMs: summarize(latencies.burst),
      pacedLatencyMs: summarize(latencies.paced),
      pacedRateJobsPerS: rate,
    };
  } finally {
    await worker.close(true).catch(() => undefined);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close().catch(() => undefined);
    producerConn.disconnect();
    workerConn.disconnect();
    await deleteRedisPrefix(opts.redisUrl, prefix).catch((e: Error) => opts.log(`could not clean Redis prefix ${prefix}: ${e.message}`));
  }
}

/** The figures of one measurement, named the same for the baseline and for domain benchmarks. */
export function queueFigures(m: QueueMeasurement): Record<string, Figure> {
  const ms = (value: number): Figure => ({ value: round(value), unit: 'ms' });
  return {
    throughput: { value: round(m.throughputJobsPerS, 1), unit: 'jobs/s' },
    latency_p50: ms(m.pacedLatencyMs.p50),
    latency_p95: ms(m.pacedLatencyMs.p95),
    latency_p99: ms(m.pacedLatencyMs.p99),
    burst_latency_p50: ms(m.burstLatencyMs.p50),
    burst_latency_p99: ms(m.burstLatencyMs.p99),
  };
}

/** Runs the baseline measurement (BullMQ + one INSERT per job) on a fresh database. */
export async function measureBaseline(ctx: BenchContext, sizes: { jobs: number; concurrency: number }): Promise<QueueMeasurement> {
  return withBenchDatabase(ctx.services.pgAdminUrl, 'queue', async (db) => {
    // One connection per concurrent job, as a worker process's pool would give it.
    const pool = new pg.Pool({ connectionString: db.url, max: sizes.concurrency });
    // An idle connection dropped under us must fail the scenario, not crash the process. After
    // pool.end() the sockets close in the background and DROP DATABASE … FORCE may beat them: quiet.
    let ending = false;
    pool.on('error', (e) => {
      if (!ending) ctx.log(`PostgreSQL connection lost: ${e.message}`);
    });
    const warmupJobs = ctx.quick ? 50 : 200;
    try {
      await pool.query(`CREATE TABLE bench_job (seq integer PRIMARY KEY, payload jsonb NOT NULL, processed_at timestamptz NOT NULL DEFAULT now())`);
      const m = await measureQueue({
        redisUrl: ctx.services.redisUrl,
        jobs: sizes.jobs,
        concurrency: sizes.concurrency,
        warmupJobs,
        pacedMaxMs: ctx.quick ? 2_000 : 10_000,
        handler: async (payload, seq) => {
          await pool.query('INSERT INTO bench_job (seq, payload) VALUES ($1, $2)', [seq, JSON.stringify(payload)]);
        },
        signal: ctx.signal,
        log: ctx.log,
      });
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM bench_job');
      const expected = warmupJobs + m.jobs + m.pacedLatencyMs.count;
      if (Number(rows[0]?.n) !== expected) throw new Error(`expected ${expected} rows, found ${rows[0]?.n}`);
      return m;
    } finally {
      ending = true;
      await pool.end();
    }
  });
}

// A floor, not a target: a province bulletin fanning out to ~5,000 groups and loudspeakers should
// clear the queue in under half a minute even before domain work is added.
const THROUGHPUT_FLOOR = 200;

const scenario: Scenario = {
  name: 'queue-baseline',
  description: 'BullMQ add → process → one PostgreSQL INSERT per job, no domain logic (the baseline)',
  async run(ctx): Promise<BenchResult> {
    const sizes = { jobs: ctx.quick ? 1000 : 5000, concurrency: 8 };
    const m = await measureBaseline(ctx, sizes);
    const figures = queueFigures(m);
    return {
      figures,
      comparisons: [withinLimit(figures, 'throughput', THROUGHPUT_FLOOR, 'higher')],
      meta: {
        jobs: m.jobs,
        concurrency: m.concurrency,
        paced_jobs: m.pacedLatencyMs.count,
        paced_rate_jobs_per_s: Math.round(m.pacedRateJobsPerS),
        latency: 'add→handler done; latency_* at half the measured throughput, burst_* with all jobs queued at once',
      },
    };
  },
};

export default scenario;
