// GET /metrics against real PostgreSQL (tickets, deliveries) and a real BullMQ queue on Redis.
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { databaseCheck, redisCheck } from '../../src/health/checks.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { buildApp } from '../../src/web/app.ts';
import { QUEUE_STATES } from '../../src/web/plugins/metrics.ts';
import { createTestDatabase, TEST_REDIS_URL, uniqueName, type TestDatabase } from '../support/services.ts';
import { migrateForTest, seedMinimal } from './web-fixtures.ts';

let testDb: TestDatabase;
let db: Database;
let redis: Redis;
let queue: Queue;
const apps: FastifyInstance[] = [];

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

function value(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

function healthFor(database: Database): HealthRegistry {
  return new HealthRegistry()
    .register('database', databaseCheck(database), { critical: true })
    .register('redis', redisCheck(redis), { critical: true })
    .register('telegram', async () => ({ status: 'off' }), { critical: false });
}

async function appWith(database: Database): Promise<FastifyInstance> {
  const queueDepths = async () => ({ [queue.name]: await queue.getJobCounts(...QUEUE_STATES) });
  const app = await buildApp({ log: silentLogger, db: database, health: healthFor(database), queueDepths });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  testDb = await createTestDatabase('web_metrics');
  db = await openDatabase({ databaseUrl: testDb.url, dataDir: '/nonexistent' });
  await migrateForTest(db.sql);
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  // A fresh, randomly named queue under its own prefix, removed afterwards.
  queue = new Queue(uniqueName('broadcast'), { connection: redis, prefix: uniqueName('loaxa_t') });
  await queue.add('send', { n: 1 });
  await queue.add('send', { n: 2 });
  await queue.add('send', { n: 3 }, { delay: 3_600_000 });

  const { commune, resident, version, run, targets } = await seedMinimal(db.prisma);
  const year = new Date().getFullYear();
  const statuses = ['new', 'new', 'answered'] as const;
  for (const [i, status] of statuses.entries()) {
    await db.prisma.ticket.create({
      data: { code: `PA-${year}-${i + 1}`, communeId: commune.id, year, seq: i + 1, residentId: resident.id, channel: 'telegram', status },
    });
  }
  const deliveryStatuses = ['sent', 'sent', 'failed'] as const;
  for (const [i, status] of deliveryStatuses.entries()) {
    await db.prisma.delivery.create({ data: { runId: run.id, bulletinVersionId: version.id, targetId: targets[i]!.id, status } });
  }
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await queue?.obliterate({ force: true });
  await queue?.close();
  redis?.disconnect();
  await db?.close();
  await testDb?.drop();
});

describe('GET /metrics', () => {
  it('answers Prometheus text with queue, ticket, delivery and dependency series', async () => {
    const app = await appWith(db);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = parse(res.body);

    expect(value(s, 'loaxa_queue_jobs', { queue: queue.name, state: 'waiting' })).toBe(2);
    expect(value(s, 'loaxa_queue_jobs', { queue: queue.name, state: 'delayed' })).toBe(1);
    for (const state of QUEUE_STATES) expect(value(s, 'loaxa_queue_jobs', { queue: queue.name, state })).toBeTypeOf('number');
    expect(value(s, 'loaxa_queue_jobs_failed', { queue: queue.name })).toBe(0);

    expect(value(s, 'loaxa_tickets', { status: 'new' })).toBe(2);
    expect(value(s, 'loaxa_tickets', { status: 'answered' })).toBe(1);
    // Every status is present, 0 when there is none.
    for (const status of ['received', 'in_progress', 'closed', 'rejected', 'transferred', 'duplicate']) {
      expect(value(s, 'loaxa_tickets', { status })).toBe(0);
    }
    expect(value(s, 'loaxa_deliveries', { status: 'sent' })).toBe(2);
    expect(value(s, 'loaxa_deliveries', { status: 'failed' })).toBe(1);
    for (const status of ['pending', 'sending', 'cancelled']) expect(value(s, 'loaxa_deliveries', { status })).toBe(0);

    expect(value(s, 'loaxa_dependency_up', { name: 'database' })).toBe(1);
    expect(value(s, 'loaxa_dependency_up', { name: 'redis' })).toBe(1);
    // A channel nobody configured is not "down": it is left out.
    expect(value(s, 'loaxa_dependency_up', { name: 'telegram' })).toBeUndefined();
    expect(value(s, 'loaxa_scrape_errors_total', { source: 'database' })).toBe(0);
    // Default process metrics come from this app's own registry.
    expect(s.some((x) => x.name === 'process_cpu_user_seconds_total')).toBe(true);
  });

  it('follows the database between scrapes', async () => {
    const app = await appWith(db);
    const before = parse((await app.inject({ method: 'GET', url: '/metrics' })).body);
    await db.prisma.ticket.updateMany({ where: { status: 'answered' }, data: { status: 'closed' } });
    const after = parse((await app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(value(before, 'loaxa_tickets', { status: 'closed' })).toBe(0);
    expect(value(after, 'loaxa_tickets', { status: 'closed' })).toBe(1);
    expect(value(after, 'loaxa_tickets', { status: 'answered' })).toBe(0);
    await db.prisma.ticket.updateMany({ where: { status: 'closed' }, data: { status: 'answered' } });
  });

  it('shows the last recovery pass and what it queued again', async () => {
    const app = await appWith(db);
    const none = parse((await app.inject({ method: 'GET', url: '/metrics' })).body);
    // 0 until a worker ran it once.
    expect(value(none, 'loaxa_reconcile_last_run_timestamp_seconds', {})).toBe(0);
    const at = new Date('2026-12-02T08:00:00Z');
    await db.prisma.processLease.create({ data: { name: 'reconcile', holder: 'host:1:ab', expiresAt: at, lastRunAt: at, lastResult: { deliveries: 82, timers: 1200, inbound: 0 } } });
    const s = parse((await app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(value(s, 'loaxa_reconcile_last_run_timestamp_seconds', {})).toBe(at.getTime() / 1000);
    expect(value(s, 'loaxa_reconcile_restored', { kind: 'deliveries' })).toBe(82);
    expect(value(s, 'loaxa_reconcile_restored', { kind: 'timers' })).toBe(1200);
    expect(value(s, 'loaxa_reconcile_restored', { kind: 'inbound' })).toBe(0);
    await db.prisma.processLease.deleteMany();
  });

  it('two apps in one process keep separate registries', async () => {
    const a = await appWith(db);
    const b = await appWith(db);
    const [ra, rb] = await Promise.all([a.inject({ method: 'GET', url: '/metrics' }), b.inject({ method: 'GET', url: '/metrics' })]);
    // With one global registry the second app would have failed to register its metrics.
    for (const res of [ra, rb]) {
      expect(res.statusCode).toBe(200);
      expect(value(parse(res.body), 'loaxa_tickets', { status: 'new' })).toBe(2);
    }
  });

  it('still answers when the database is down, leaving its series out and counting the error', async () => {
    const lost = await openDatabase({ databaseUrl: testDb.url, dataDir: '/nonexistent' });
    await lost.close();
    const app = await appWith(lost);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    const s = parse(res.body);
    expect(s.filter((x) => x.name === 'loaxa_tickets' || x.name === 'loaxa_deliveries')).toEqual([]);
    expect(value(s, 'loaxa_scrape_errors_total', { source: 'database' })).toBe(1);
    expect(value(s, 'loaxa_dependency_up', { name: 'database' })).toBe(0);
    // What does not depend on the database is still there.
    expect(value(s, 'loaxa_queue_jobs', { queue: queue.name, state: 'waiting' })).toBe(2);

    const again = parse((await app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(value(again, 'loaxa_scrape_errors_total', { source: 'database' })).toBe(2);
  });

  it('still answers when the queues cannot be read', async () => {
    const app = await buildApp({
      log: silentLogger,
      db,
      health: healthFor(db),
      queueDepths: async () => Promise.reject(new Error('redis gone')),
    });
    apps.push(app);
    const s = parse((await app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(s.filter((x) => x.name === 'loaxa_queue_jobs')).toEqual([]);
    expect(value(s, 'loaxa_scrape_errors_total', { source: 'queues' })).toBe(1);
    expect(value(s, 'loaxa_tickets', { status: 'new' })).toBe(2);
  });
});
