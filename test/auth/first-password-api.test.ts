// Finding 5 of issue 14: the first-password change holds on every entry point. A token signed in
// with the printed demo password may change its password and sign out, nothing else — not even
// an emergency bulletin, the most harmful thing an API caller can do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { createQueueKit, type QueueKit } from '../../src/queues/queue-kit.ts';
import { bulletinApiPlugin } from '../../src/web/plugins/bulletin-api.ts';
import { installErrorHandler } from '../../src/web/error-handler.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let queues: QueueKit;
let app: FastifyInstance;
const prefix = testRedisPrefix();
const DEMO = 'MatKhauInSan2026';

beforeAll(async () => {
  db = await openMigratedTestDatabase('firstpw');
  await seedDemo(db.prisma, { password: DEMO });
  queues = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix, log: silentLogger });
  app = Fastify({ loggerInstance: silentLogger as unknown as FastifyBaseLogger });
  installErrorHandler(app);
  await app.register(bulletinApiPlugin, { prisma: db.prisma, enqueue: queues.enqueue.bind(queues), secureCookies: false });
});
afterAll(async () => {
  await app?.close();
  await queues?.close(1000);
  await deleteTestRedisKeys(prefix);
  await db?.close();
});

const emergency = { title: 'Khẩn: vỡ đê', class: 'emergency', text: 'Sơ tán ngay khỏi bãi sông.' };

describe('first password over the API', () => {
  it('lets a must-change token change its password and sign out only', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'chutich', password: DEMO } });
    expect(login.statusCode).toBe(200);
    const { token, staff } = login.json() as { token: string; staff: { mustChangePassword: boolean } };
    expect(staff.mustChangePassword).toBe(true);
    const auth = { authorization: `Bearer ${token}` };

    const created = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: auth, payload: emergency });
    expect(created.statusCode).toBe(403);
    expect((created.json() as { error: { message: string } }).error.message).toContain('đổi mật khẩu');
    expect((await app.inject({ method: 'GET', url: '/api/v1/bulletins', headers: auth })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/targets', headers: auth })).statusCode).toBe(403);
    expect(await db.prisma.bulletin.count({ where: { title: emergency.title } })).toBe(0);

    const wrongCurrent = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: auth, payload: { current: 'sai', next: 'Tre-xanh-xanh-tan-tre-44' } });
    expect(wrongCurrent.statusCode).toBe(400);
    const changed = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: auth, payload: { current: DEMO, next: 'Tre-xanh-xanh-tan-tre-44' } });
    expect(changed.statusCode).toBe(204);
    // The same token works now: the account has a password only its owner knows.
    expect((await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: auth, payload: emergency })).statusCode).toBe(201);
  });

  it('lets a must-change token sign out', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'vanhoa', password: DEMO } });
    const auth = { authorization: `Bearer ${(login.json() as { token: string }).token}` };
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/bulletins', headers: auth })).statusCode).toBe(401);
  });
});
