// One place that creates BullMQ queues and workers: shared connection handling, a prefix per
// installation, retries from the job definitions, a job id in every log line, and a graceful
// shutdown that finishes running jobs or hands them back.
import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker, type Job, type JobsOptions } from 'bullmq';
import { HandBackJob, PermanentJobError, RetryJobLater } from './job-errors.ts';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { silentLogger } from '../logger.ts';
import { createRedisConnection, redisConnectionOptions } from '../redis/connection.ts';
import { queueNames, type JobDefinition, type QueueName } from './job-definition.ts';

export interface JobContext {
  job: Pick<Job, 'id' | 'name' | 'attemptsMade' | 'opts'>;
  log: Logger;
  /**
   * Aborted when the worker starts shutting down: a handler checks it before each platform call
   * and throws HandBackJob instead of starting one, so no send is left half-recorded at exit.
   */
  signal: AbortSignal;
}

export type EnqueueOptions = Pick<JobsOptions, 'jobId' | 'delay' | 'priority' | 'attempts'>;

export type JobHandler<Data = unknown> = (data: Data, ctx: JobContext) => Promise<unknown>;

export interface WorkerOptions {
  concurrency?: number;
  /** How long a job's lock lasts without renewal; after it lapses another worker may take the job. */
  lockDuration?: number;
  /** How often stalled jobs (their worker died) are moved back to waiting. */
  stalledInterval?: number;
}

/** How a worker's shutdown went: jobs still running when the budget ran out were handed back. */
export interface DrainOutcome {
  handedBack: number;
}

export interface WorkerHandle {
  /**
   * Stops taking jobs, waits for the running ones up to `timeoutMs` (the kit's shutdown budget
   * unless given), then hands those still running back to the queue for another worker.
   */
  close(timeoutMs?: number): Promise<DrainOutcome>;
}

export type QueueCounts = Record<'waiting' | 'active' | 'delayed' | 'failed' | 'completed' | 'paused' | 'prioritized', number>;

export interface QueueKit {
  enqueue<Data>(def: JobDefinition<Data>, data: Data, opts?: EnqueueOptions): Promise<string>;
  queue(name: QueueName): Queue;
  startWorker(name: QueueName, handlers: Record<string, JobHandler<never>>, opts?: WorkerOptions): WorkerHandle;
  /**
   * Adds the job unless one with its id is still waiting, delayed or running (PostgreSQL says the
   * work is pending; Redis may have lost it). A finished job under that id (completed or failed
   * while the database still says pending) is replaced when `replaceFinished`. True when added.
   */
  restore<Data>(def: JobDefinition<Data>, data: Data, opts: EnqueueOptions & { jobId: string }, replaceFinished?: boolean): Promise<boolean>;
  /** Removes a waiting or delayed job (e.g. a deadline reminder of a closed ticket); no-op if gone. */
  cancel<Data>(def: JobDefinition<Data>, jobId: string): Promise<boolean>;
  /** Declares a repeating job; every process may call it, one schedule results. */
  upsertRepeatable<Data>(def: JobDefinition<Data>, every: number | string, data: Data): Promise<void>;
  /** Removes a repeating job's schedule (one this version no longer declares). */
  removeRepeatable<Data>(def: JobDefinition<Data>): Promise<void>;
  depths(): Promise<Record<QueueName, QueueCounts>>;
  close(timeoutMs: number): Promise<void>;
}

export interface QueueKitOptions {
  redisUrl: string;
  prefix: string;
  log?: Logger;
  /** How long a closing worker waits for its running jobs before handing them back (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs?: number;
}

interface RunningWorker {
  name: QueueName;
  worker: Worker;
  /** Running jobs with their lock tokens, to hand them back at shutdown. */
  running: Map<Job, string | undefined>;
  stopping: AbortController;
}

export function createQueueKit(opts: QueueKitOptions): QueueKit {
  const log = opts.log ?? silentLogger;
  let shared: Redis | undefined;
  const queues = new Map<QueueName, Queue>();
  const workers = new Set<RunningWorker>();
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 15_000;

  /**
   * Stops fetching at once, lets running jobs finish for up to timeoutMs, then moves the ones
   * still running back to waiting (their locks released), so another worker starts them now
   * instead of after the stalled-job check. A handler still running here keeps going until the
   * process exits; handlers are idempotent and record each side effect.
   */
  async function drain(list: RunningWorker[], timeoutMs: number): Promise<DrainOutcome> {
    for (const w of list) w.stopping.abort();
    await Promise.all(list.map((w) => w.worker.pause(true).catch(() => undefined)));
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && list.some((w) => w.running.size > 0)) await new Promise((r) => setTimeout(r, 20));
    const still = list.flatMap((w) => [...w.running].map(([job, token]) => ({ w, job, token })));
    if (still.length) {
      log.warn({ jobs: still.map(({ w, job }) => ({ queue: w.name, job: job.name, jobId: job.id })) }, 'hết thời gian chờ; trả lại các việc đang chạy cho worker khác');
      await Promise.all(
        still.map(async ({ w, job, token }) => {
          w.running.delete(job);
          // Fails only when the job finished or its lock was lost meanwhile: nothing to hand back.
          await job.moveToWait(token).catch((e: Error) => log.debug({ jobId: job.id, err: e.message }, 'không trả lại được việc'));
        }),
      );
    }
    await Promise.all(list.map((w) => w.worker.close(still.length > 0).catch(() => undefined)));
    for (const w of list) workers.delete(w);
    return { handedBack: still.length };
  }
  let closing: Promise<void> | undefined;

  const connection = (): Redis => (shared ??= createRedisConnection(opts.redisUrl, 'queues', { log }));

  const queue = (name: QueueName): Queue => {
    if (closing) throw new Error('queue kit is closed');
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: connection(), prefix: opts.prefix });
      q.on('error', (e) => log.warn({ queue: name, err: e.message }, 'lỗi hàng đợi'));
      queues.set(name, q);
    }
    return q;
  };

  const startWorker: QueueKit['startWorker'] = (name, handlers, wopts = {}) => {
    if (closing) throw new Error('queue kit is closed');
    const running = new Map<Job, string | undefined>();
    const stopping = new AbortController();
    const worker = new Worker(
      name,
      async (job: Job, token?: string) => {
        const handler = handlers[job.name] as JobHandler | undefined;
        // A job nobody can run would only fail again: no retries.
        if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${name}"`);
        running.set(job, token);
        try {
          return await handler(job.data, { job, log: log.child({ queue: name, job: job.name, jobId: job.id }), signal: stopping.signal });
        } catch (e) {
          // Handlers speak in job-errors terms; BullMQ's own mechanisms do the rest.
          if (e instanceof RetryJobLater && token) {
            await job.moveToDelayed(Date.now() + e.delayMs, token);
            throw new DelayedError();
          }
          if (e instanceof HandBackJob && token) {
            // Back to waiting with its lock released: another worker takes it now.
            await job.moveToWait(token);
            throw new WaitingError();
          }
          if (e instanceof PermanentJobError) throw new UnrecoverableError(e.message);
          throw e;
        } finally {
          running.delete(job);
        }
      },
      {
        // Workers block on Redis and need their own connections (maxRetriesPerRequest null).
        connection: redisConnectionOptions(opts.redisUrl, `worker:${name}`, true),
        prefix: opts.prefix,
        concurrency: wopts.concurrency ?? 1,
        ...(wopts.lockDuration ? { lockDuration: wopts.lockDuration } : {}),
        ...(wopts.stalledInterval ? { stalledInterval: wopts.stalledInterval } : {}),
      },
    );
    worker.on('failed', (job, err) => {
      if (!job) return;
      const attempts = job.opts.attempts ?? 1;
      const willRetry = !(err instanceof UnrecoverableError) && job.attemptsMade < attempts;
      log.warn({ queue: name, job: job.name, jobId: job.id, attempt: job.attemptsMade, attempts, willRetry, err: err.message }, 'việc lỗi');
    });
    worker.on('completed', (job) => log.debug({ queue: name, job: job.name, jobId: job.id }, 'việc xong'));
    worker.on('error', (e) => log.warn({ queue: name, err: e.message }, 'lỗi worker'));
    const entry: RunningWorker = { name, worker, running, stopping };
    workers.add(entry);
    let closed: Promise<DrainOutcome> | undefined;
    return {
      close: (timeoutMs = shutdownTimeoutMs) => (closed ??= drain([entry], timeoutMs)),
    };
  };

  return {
    queue,
    startWorker,
    async enqueue(def, data, jobOpts) {
      const job = await queue(def.queue).add(def.name, data, { ...def.options, ...jobOpts });
      return job.id!;
    },
    async restore(def, data, jobOpts, replaceFinished = false) {
      const q = queue(def.queue);
      const existing = await q.getJob(jobOpts.jobId);
      if (existing) {
        const state = await existing.getState();
        const finished = state === 'completed' || state === 'failed';
        if (!finished && state !== 'unknown') return false;
        if (finished && !replaceFinished) return false;
        // A finished job's id would make add() a no-op; a job being removed by its worker is gone too.
        await existing.remove().catch(() => undefined);
      }
      await q.add(def.name, data, { ...def.options, ...jobOpts });
      return true;
    },
    async cancel(def, jobId) {
      const job = await queue(def.queue).getJob(jobId);
      if (!job) return false;
      // A running job cannot be removed; it checks the ticket itself and does nothing.
      if (await job.isActive()) return false;
      await job.remove();
      return true;
    },
    async upsertRepeatable(def, every, data) {
      const repeat = typeof every === 'number' ? { every } : { pattern: every };
      await queue(def.queue).upsertJobScheduler(def.name, repeat, { name: def.name, data, opts: def.options });
    },
    async removeRepeatable(def) {
      await queue(def.queue).removeJobScheduler(def.name);
    },
    async depths() {
      const out = {} as Record<QueueName, QueueCounts>;
      for (const name of queueNames) {
        const c = await queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'paused', 'prioritized');
        out[name] = { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, paused: 0, prioritized: 0, ...c };
      }
      return out;
    },
    close(timeoutMs) {
      closing ??= (async () => {
        await drain([...workers], timeoutMs);
        workers.clear();
        await Promise.all([...queues.values()].map((q) => q.close().catch(() => undefined)));
        queues.clear();
        if (shared) await shared.quit().catch(() => shared?.disconnect());
      })();
      return closing;
    },
  };
}
