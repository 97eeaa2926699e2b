// SIGTERM of a worker whose jobs outlast SHUTDOWN_TIMEOUT_MS: it stops taking jobs, waits for its
// running ones up to the budget, then hands them back so another worker takes them at once (not
// after BullMQ's stalled-job check, 30 s later), and exits 0 within the budget plus 2 s.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineJob } from '../../src/queues/job-definition.ts';
import { createQueueKit, type JobContext, type QueueKit } from '../../src/queues/queue-kit.ts';
import { HandBackJob } from '../../src/queues/job-errors.ts';
import { deleteTestRedisKeys, TEST_REDIS_URL, testRedisPrefix } from '../support/services.ts';

const prefix = testRedisPrefix();
const kits: QueueKit[] = [];
afterAll(async () => {
  for (const k of kits) await k.close(1000);
  await deleteTestRedisKeys(prefix);
});

function worker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../runtime/sigterm-worker.fixture.ts')], {
    env: { ...process.env, REDIS_URL: TEST_REDIS_URL, PREFIX: prefix, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  // The worker's log lines (one JSON object each) go to stdout too: read them when a check fails.
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return { child, out: () => out, exited };
}

describe('SIGTERM with jobs longer than the budget', () => {
  it('exits 0 within the budget + 2 s and another worker runs the jobs at once', async () => {
    const kit = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix });
    kits.push(kit);
    const slow = defineJob<Record<string, never>>()('outbound', 'slow', { attempts: 3 });
    const first = worker({ SHUTDOWN_TIMEOUT_MS: '3000', SLOW_MS: '120000', CONCURRENCY: '3' });
    await expect.poll(() => first.out(), { timeout: 30_000 }).toContain('ready');
    const ids = [await kit.enqueue(slow, {}), await kit.enqueue(slow, {}), await kit.enqueue(slow, {})];
    await expect.poll(() => first.out().match(/started/g)?.length ?? 0, { timeout: 30_000 }).toBe(3);

    // The other worker: quick jobs, BullMQ's default lock (30 s) and stalled-job check (30 s).
    const ran: string[] = [];
    kit.startWorker('outbound', { slow: async (_d, ctx) => void ran.push(ctx.job.id!) }, { concurrency: 3 });

    first.child.kill('SIGTERM');
    const code = await first.exited;
    expect(code, first.out()).toBe(0);
    // It stopped at the end of its budget by handing the jobs back, not by waiting out the 120 s
    // jobs (how long the stop takes is measured by `npm run chaos`, worker-sigterm-slow).
    expect(first.out()).toContain('handed back 3');
    expect(first.out()).not.toContain('finished');
    // Handed back, not left to stall detection: well before a lock of 30 s could lapse.
    await expect.poll(() => ran.length, { timeout: 10_000, interval: 50 }).toBe(3);
    expect(ran.sort()).toEqual([...ids].sort());
    for (const id of ids) expect(await kit.queue('outbound').getJobState(id)).toBe('completed');
    // Handing back is not a failed attempt: the one that completed is the only one counted.
    for (const id of ids) expect((await kit.queue('outbound').getJob(id))?.attemptsMade).toBe(1);
  }, 60_000);
});

describe('SIGTERM while a job makes several slow platform calls', () => {
  it('lets the call in flight finish and be recorded, then hands the job back before the next call', async () => {
    const a = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix });
    const b = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix });
    kits.push(a, b);
    const multi = defineJob<Record<string, never>>()('broadcast', 'multi-send', { attempts: 3 });
    // Like a delivery: each call is recorded before it starts and its result right after; a call
    // begun and never finished is a send whose outcome nobody knows (a possible duplicate).
    const begun: string[] = [];
    const finished: string[] = [];
    const doneSteps = new Map<string, number>();
    const ranBy = new Map<string, string>();
    // Stands for one slow platform call (a send), shorter than the shutdown budget below.
    const platformCallMs = 1000;
    const handler = (who: string) => async (_d: unknown, ctx: JobContext) => {
      const id = ctx.job.id!;
      for (let step = doneSteps.get(id) ?? 0; step < 4; step++) {
        if (ctx.signal.aborted) throw new HandBackJob();
        begun.push(`${id}:${step}`);
        await new Promise((r) => setTimeout(r, platformCallMs));
        finished.push(`${id}:${step}`);
        doneSteps.set(id, step + 1);
      }
      ranBy.set(id, who);
    };
    const wa = a.startWorker('broadcast', { 'multi-send': handler('a') }, { concurrency: 2 });
    const ids = [await a.enqueue(multi, {}), await a.enqueue(multi, {})];
    await expect.poll(() => begun.length, { timeout: 10_000, interval: 20 }).toBe(2);
    const closed = wa.close(3 * platformCallMs);
    b.startWorker('broadcast', { 'multi-send': handler('b') }, { concurrency: 2 });
    // The jobs handed themselves back after the call in flight; none was still running when the
    // budget ran out (that path is for really long jobs).
    expect(await closed).toEqual({ handedBack: 0 });
    await expect.poll(() => ids.every((id) => ranBy.get(id) === 'b'), { timeout: 15_000, interval: 50 }).toBe(true);
    expect(begun.filter((s) => !finished.includes(s))).toEqual([]);
    // Every call made once: nothing was repeated by the worker that took over.
    expect(new Set(begun).size).toBe(begun.length);
    expect(begun.length).toBe(8);
    for (const id of ids) expect(await a.queue('broadcast').getJobState(id)).toBe('completed');
  }, 60_000);
});
