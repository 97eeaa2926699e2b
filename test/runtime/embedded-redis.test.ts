// The private redis-server of the single-box mode: persistence across restarts, a clear line when
// it is not installed, taking over an orphan of a crashed run, and workers that carry on after
// Redis went away and came back.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from '../../src/redis/connection.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/runtime/embedded-redis.ts';
import { createQueueKit } from '../../src/queues/queue-kit.ts';
import { defineJob } from '../../src/queues/job-definition.ts';

const dirs: string[] = [];
const servers: EmbeddedRedis[] = [];
async function dataDir(name = 'loaxa-redis-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), name));
  dirs.push(d);
  return d;
}
async function start(dir: string): Promise<EmbeddedRedis> {
  const r = await startEmbeddedRedis({ dataDir: dir });
  servers.push(r);
  return r;
}

afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('embedded redis-server', () => {
  it('answers on a unix socket in DATA_DIR and keeps data across a restart (append-only file)', async () => {
    const dir = await dataDir();
    const first = await start(dir);
    expect(first.url).toBe(`unix://${join(dir, 'redis', 'redis.sock')}`);
    const c1 = createRedisConnection(first.url, 'test');
    await c1.set('ticket:queued', 'PA-2026-00001');
    await c1.quit();
    await first.stop();
    await first.stop(); // idempotent

    const second = await start(dir);
    const c2 = createRedisConnection(second.url, 'test');
    expect(await c2.get('ticket:queued')).toBe('PA-2026-00001');
    expect(await c2.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    await c2.quit();
    await second.stop();
  });

  it('says in one line how to install redis-server when it is missing', async () => {
    const dir = await dataDir();
    const err = await startEmbeddedRedis({ dataDir: dir, bin: 'redis-server-khong-co' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('EmbeddedRedisError');
    expect((err as Error).message).not.toContain('\n');
    expect((err as Error).message).toContain('apt-get install redis-server');
    expect((err as Error).message).toContain('REDIS_URL');
  });

  it('takes over a redis-server left running by a crashed process, keeping its data', async () => {
    const dir = await dataDir();
    const orphan = await start(dir);
    const c = createRedisConnection(orphan.url, 'test');
    await c.set('k', 'v');
    await c.quit();
    // The crashed process never called stop(): the server is still running.
    const next = await start(dir);
    expect(next.pid).not.toBe(orphan.pid);
    expect(() => process.kill(orphan.pid, 0)).toThrow();
    const c2 = createRedisConnection(next.url, 'test');
    expect(await c2.get('k')).toBe('v');
    await c2.quit();
    await next.stop();
  });

  it('works when DATA_DIR is too deep for a unix socket path', async () => {
    const base = await dataDir();
    const deep = join(base, 'a'.repeat(60), 'b'.repeat(60));
    const r = await start(deep);
    expect(Buffer.byteLength(r.socketPath)).toBeLessThan(108);
    const c = createRedisConnection(r.url, 'test');
    expect(await c.ping()).toBe('PONG');
    await c.quit();
    await r.stop();
  });

  it('a worker pauses while Redis is gone and resumes when it is back', async () => {
    const dir = await dataDir();
    const r1 = await start(dir);
    const kit = createQueueKit({ redisUrl: r1.url, prefix: 'loaxa' });
    const job = defineJob<{ n: number }>()('inbound', 'count');
    const seen: number[] = [];
    kit.startWorker('inbound', { count: async (d: { n: number }) => { seen.push(d.n); } });
    await kit.enqueue(job, { n: 1 });
    for (let i = 0; i < 200 && seen.length < 1; i++) await sleep(25);
    expect(seen).toEqual([1]);

    // Redis dies hard (SIGKILL), and comes back on the same socket.
    process.kill(r1.pid, 'SIGKILL');
    await sleep(300);
    const r2 = await start(dir);
    const producer = createRedisConnection(r2.url, 'test');
    await producer.ping();
    await kit.enqueue(job, { n: 2 });
    for (let i = 0; i < 400 && seen.length < 2; i++) await sleep(25);
    expect(seen).toEqual([1, 2]);
    await producer.quit();
    await kit.close(2000);
    await r2.stop();
  }, 30_000);
});

describe('graceful shutdown of a worker process', () => {
  it('SIGTERM lets the running job finish and the process exits 0', async () => {
    const dir = await dataDir();
    const r = await start(dir);
    const kit = createQueueKit({ redisUrl: r.url, prefix: 'loaxa' });
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'sigterm-worker.fixture.ts')], {
      env: { ...process.env, REDIS_URL: r.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    for (let i = 0; i < 400 && !out.includes('ready'); i++) await sleep(25);
    const id = await kit.enqueue(defineJob<Record<string, never>>()('outbound', 'slow'), {});
    for (let i = 0; i < 400 && !out.includes('started'); i++) await sleep(25);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('finished');
    expect(await kit.queue('outbound').getJobState(id)).toBe('completed');
    await kit.close(1000);
    await r.stop();
  }, 30_000);
});
