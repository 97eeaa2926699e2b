// GET /healthz against the real PostgreSQL and Redis of this machine.
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { databaseCheck, redisCheck } from '../../src/health/checks.ts';
import { HealthRegistry, TIMEOUT_DETAIL } from '../../src/health/health-registry.ts';
import { createStandardHealthRegistry } from '../../src/health/standard-checks.ts';
import { silentLogger } from '../../src/logger.ts';
import { buildApp } from '../../src/web/app.ts';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '../support/services.ts';
import { migrateForTest } from './web-fixtures.ts';

let testDb: TestDatabase;
let db: Database;
let redis: Redis;
const apps: FastifyInstance[] = [];

async function appWith(health: HealthRegistry, database: Database = db): Promise<FastifyInstance> {
  const app = await buildApp({ log: silentLogger, db: database, health, queueDepths: async () => ({}) });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  testDb = await createTestDatabase('web_health');
  db = await openDatabase({ databaseUrl: testDb.url, dataDir: '/nonexistent' });
  await migrateForTest(db.sql);
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  for (const app of apps) await app.close();
  redis?.disconnect();
  await db?.close();
  await testDb?.drop();
});

describe('GET /healthz', () => {
  it('is 200 with database and redis ok and unconfigured channels off', async () => {
    // No Telegram token and no Zalo account in the database: both "off", which is healthy.
    const health = createStandardHealthRegistry({ db, redis, telegram: { token: undefined, apiRoot: 'https://api.telegram.org' } });
    const app = await appWith(health);
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.status).toBe('ok');
    expect(Number.isNaN(Date.parse(body.checkedAt))).toBe(false);
    expect(body.database).toMatchObject({ status: 'ok', kind: 'postgres', critical: true });
    expect(body.redis).toMatchObject({ status: 'ok', critical: true });
    expect(body.telegram).toMatchObject({ status: 'off', critical: false });
    expect(body.zalo).toMatchObject({ status: 'off', critical: false });
    expect(typeof body.database.latencyMs).toBe('number');
    // Nothing that says where the database is.
    expect(res.body).not.toContain('127.0.0.1');
    expect(res.body).not.toContain(testDb.name);
  });

  it('is 503 when the database connection is gone', async () => {
    const lost = await openDatabase({ databaseUrl: testDb.url, dataDir: '/nonexistent' });
    await lost.close();
    const health = createStandardHealthRegistry({ db: lost, redis, telegram: { token: undefined, apiRoot: 'https://api.telegram.org' } });
    const app = await appWith(health, lost);
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe('down');
    expect(body.database).toMatchObject({ status: 'down', kind: 'postgres', detail: 'kết nối đã đóng' });
    expect(body.redis.status).toBe('ok');
  });

  it('is 503 when Redis is gone', async () => {
    const closed = new Redis(TEST_REDIS_URL, { lazyConnect: true });
    closed.disconnect();
    const health = new HealthRegistry()
      .register('database', databaseCheck(db), { critical: true })
      .register('redis', redisCheck(closed), { critical: true });
    const res = await (await appWith(health)).inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().redis.status).toBe('down');
  });

  it('reports a check that does not answer in time as down', async () => {
    const hang = () => new Promise<never>(() => undefined);
    const critical = new HealthRegistry().register('database', databaseCheck(db), { critical: true }).register('redis', hang, { critical: true, timeoutMs: 100 });
    const res = await (await appWith(critical)).inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().redis).toMatchObject({ status: 'down', detail: TIMEOUT_DETAIL });

    // A slow optional channel only degrades: the process still takes traffic.
    const optional = new HealthRegistry().register('database', databaseCheck(db), { critical: true }).register('zalo', hang, { critical: false, timeoutMs: 100 });
    const res2 = await (await appWith(optional)).inject({ method: 'GET', url: '/healthz' });
    expect(res2.statusCode).toBe(200);
    expect(res2.json()).toMatchObject({ status: 'degraded', zalo: { status: 'down', detail: TIMEOUT_DETAIL } });
  });
});
