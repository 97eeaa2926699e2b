// SIGTERM of a worker whose jobs outlast SHUTDOWN_TIMEOUT_MS: it stops taking jobs, waits for its
// running ones up to the budget, then hands them back so another worker takes them at once (not
// after BullMQ's stalled-job check, 30 s later), and exits 0 within the budget plus 2 s.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineJob } from '../../src/queues/job-definition.ts';
import { createQueueKit, type QueueKit } from '../../src/queues/queue-kit.ts';
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

    const t0 = Date.now();
    first.child.kill('SIGTERM');
    const code = await first.exited;
    expect(code, first.out()).toBe(0);
    const stopMs = Date.now() - t0;
    expect(stopMs).toBeLessThan(3000 + 2000);
    expect(first.out()).not.toContain('finished');
    // Handed back, not left to stall detection: well before a lock of 30 s could lapse.
    await expect.poll(() => ran.length, { timeout: 10_000, interval: 50 }).toBe(3);
    expect(ran.sort()).toEqual([...ids].sort());
    for (const id of ids) expect(await kit.queue('outbound').getJobState(id)).toBe('completed');
    // Handing back is not a failed attempt: the one that completed is the only one counted.
    for (const id of ids) expect((await kit.queue('outbound').getJob(id))?.attemptsMade).toBe(1);
  }, 60_000);
});
