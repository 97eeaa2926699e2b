// The queue kit against the real Redis: retries with backoff, no retries for unknown jobs,
// dedupe by job id, depths for /metrics, and shutdown that finishes or hands back running jobs.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { defineJob, queueNames } from '../../src/queues/job-definition.ts';
import { createQueueKit, type QueueKit } from '../../src/queues/queue-kit.ts';
import { deleteTestRedisKeys, TEST_REDIS_URL, testRedisPrefix } from '../support/services.ts';

const prefix = testRedisPrefix();
const kits: QueueKit[] = [];
function kit(): QueueKit {
  const k = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix });
  kits.push(k);
  return k;
}

afterAll(async () => {
  for (const k of kits) await k.close(1000);
  await deleteTestRedisKeys(prefix);
});

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(25);
  }
}

const fast = { backoff: { type: 'fixed' as const, delay: 10 } };

describe('queue kit', () => {
  it('runs a job with its data and gives each handler a job-scoped logger', async () => {
    const k = kit();
    const job = defineJob<{ n: number }>()('housekeeping', 'double');
    const seen: number[] = [];
    k.startWorker('housekeeping', { double: async (d: { n: number }, ctx) => { expect(ctx.job.id).toBeTruthy(); seen.push(d.n * 2); } });
    await k.enqueue(job, { n: 21 });
    await until(() => seen.length === 1);
    expect(seen).toEqual([42]);
  });

  it('retries a failing job and succeeds on the third attempt', async () => {
    const k = kit();
    const job = defineJob<Record<string, never>>()('inbound', 'flaky', fast);
    let calls = 0;
    k.startWorker('inbound', { flaky: async () => { calls += 1; if (calls < 3) throw new Error('transient'); } });
    const id = await k.enqueue(job, {});
    const state = await until(async () => { const s = await k.queue('inbound').getJobState(id); return s === 'completed' ? s : undefined; });
    expect(state).toBe('completed');
    expect(calls).toBe(3);
  });

  it('a job that always fails ends failed after its attempts and shows in depths()', async () => {
    const k = kit();
    const job = defineJob<Record<string, never>>()('outbound', 'doomed', { ...fast, attempts: 3 });
    let calls = 0;
    k.startWorker('outbound', { doomed: async () => { calls += 1; throw new Error('permanent'); } });
    const id = await k.enqueue(job, {});
    await until(async () => (await k.queue('outbound').getJobState(id)) === 'failed');
    expect(calls).toBe(3);
    const depths = await k.depths();
    expect(Object.keys(depths).sort()).toEqual([...queueNames].sort());
    expect(depths.outbound.failed).toBeGreaterThanOrEqual(1);
  });

  it('an unknown job name fails at once, without retries', async () => {
    const k = kit();
    k.startWorker('render', { known: async () => undefined });
    const id = await k.enqueue(defineJob<Record<string, never>>()('render', 'unknown', fast), {});
    await until(async () => (await k.queue('render').getJobState(id)) === 'failed');
    const job = await k.queue('render').getJob(id);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toContain('no handler');
  });

  it('the same job id enqueued twice runs once', async () => {
    const k = kit();
    const job = defineJob<{ v: string }>()('reminders', 'once');
    let calls = 0;
    const id1 = await k.enqueue(job, { v: 'a' }, { jobId: 'ticket-1-reminder' });
    const id2 = await k.enqueue(job, { v: 'b' }, { jobId: 'ticket-1-reminder' });
    expect(id1).toBe(id2);
    k.startWorker('reminders', { once: async () => { calls += 1; } });
    await until(async () => (await k.queue('reminders').getJobState(id1)) === 'completed');
    await sleep(200);
    expect(calls).toBe(1);
  });

  it('a repeatable job declared by several processes has one schedule', async () => {
    const a = kit();
    const b = kit();
    const job = defineJob<Record<string, never>>()('broadcast', 'tick');
    await a.upsertRepeatable(job, 60_000, {});
    await b.upsertRepeatable(job, 60_000, {});
    expect(await a.queue('broadcast').getJobSchedulersCount()).toBe(1);
  });
});

describe('queue kit shutdown', () => {
  // Workers of the tests above are still running on the shared prefix: use a prefix of its own.
  const own = `${prefix}:shutdown`;
  it('close() waits for a running job to finish', async () => {
    const k = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix: own });
    const job = defineJob<Record<string, never>>()('housekeeping', 'slow-ok');
    let finished = false;
    let started = false;
    k.startWorker('housekeeping', { 'slow-ok': async () => { started = true; await sleep(400); finished = true; } });
    const id = await k.enqueue(job, {});
    await until(() => started);
    await k.close(5000);
    expect(finished).toBe(true);
    const check = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix: own });
    kits.push(check);
    expect(await check.queue('housekeeping').getJobState(id)).toBe('completed');
  });

  it('a job still running at the timeout is handed back and completed by another worker', async () => {
    const first = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix: own });
    const job = defineJob<Record<string, never>>()('render', 'very-slow', { attempts: 3 });
    let started = false;
    first.startWorker('render', { 'very-slow': async () => { started = true; await sleep(60_000); } }, { lockDuration: 1000, stalledInterval: 500 });
    const id = await first.enqueue(job, {});
    await until(() => started);
    const t0 = Date.now();
    await first.close(200);
    expect(Date.now() - t0).toBeLessThan(5000);

    const second = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix: own });
    kits.push(second);
    let ranAgain = false;
    second.startWorker('render', { 'very-slow': async () => { ranAgain = true; } }, { lockDuration: 1000, stalledInterval: 500 });
    await until(async () => (await second.queue('render').getJobState(id)) === 'completed', 20_000);
    expect(ranAgain).toBe(true);
  }, 30_000);
});
