// Finding 3 of issue 14, at the door: sign-in requests per client address and per network are
// limited in Redis, across two web replicas and across the admin form and the API login, so an
// attacker trying many usernames from one place is stopped whichever replica he reaches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/logger.ts';
import { bulletinApiPlugin } from '../../src/web/plugins/bulletin-api.ts';
import { adminPlugin } from '../../src/web/admin/admin-plugin.ts';
import { installErrorHandler } from '../../src/web/error-handler.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
const prefix = testRedisPrefix();
const redis = new Redis(TEST_REDIS_URL);
const replicas: FastifyInstance[] = [];

beforeAll(async () => {
  db = await openMigratedTestDatabase('loginlim');
  for (let i = 0; i < 2; i++) {
    const app = Fastify({ loggerInstance: silentLogger as unknown as FastifyBaseLogger });
    installErrorHandler(app);
    const limits = { redis, prefix };
    await app.register(bulletinApiPlugin, { prisma: db.prisma, enqueue: async () => 'job', secureCookies: false, limits });
    await app.register(adminPlugin, { prisma: db.prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true, limits });
    replicas.push(app);
  }
});
afterAll(async () => {
  for (const app of replicas) await app.close();
  await deleteTestRedisKeys(prefix);
  redis.disconnect();
  await db?.close();
});

const apiLogin = (i: number, ip: string) =>
  replicas[i % 2]!.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: { username: `nguoi-${i}`, password: 'doan-bua-1234' } });

async function formLogin(ip: string) {
  const app = replicas[1]!;
  const page = await app.inject({ method: 'GET', url: '/admin/dang-nhap', remoteAddress: ip });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return app.inject({ method: 'POST', url: '/admin/dang-nhap', remoteAddress: ip, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `username=ai-do&password=x&csrf=${csrf}` });
}

describe('sign-in limits per address and network', () => {
  it('stops one address after 30 attempts on any replica, on the form and the API alike', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 30; i++) codes.push((await apiLogin(i, '203.0.113.10')).statusCode);
    expect(codes.every((c) => c === 401)).toBe(true);
    const api = await apiLogin(31, '203.0.113.10');
    expect(api.statusCode).toBe(429);
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(0);
    expect((api.json() as { error: { message: string } }).error.message).toContain('thử lại sau');
    const form = await formLogin('203.0.113.10');
    expect(form.statusCode).toBe(429);
    expect(form.headers['content-type']).toContain('text/html');
    expect(form.body).toContain('Có quá nhiều lần đăng nhập');
    // Another address of the same network still gets in.
    expect((await apiLogin(40, '203.0.113.11')).statusCode).toBe(401);
  });

  it('stops a /24 network after 100 attempts, not the network next door', async () => {
    let last = 0;
    // The network counted 31 in the first test (refused requests count toward the first limit
    // they hit only); spread the rest over many addresses of the network.
    for (let i = 0; i < 69; i++) last = (await apiLogin(100 + i, `203.0.113.${20 + (i % 60)}`)).statusCode;
    expect(last).toBe(401);
    expect((await apiLogin(200, '203.0.113.99')).statusCode).toBe(429);
    expect((await apiLogin(201, '203.0.114.99')).statusCode).toBe(401);
  });

  it('treats an IPv6 /64 as one network', async () => {
    for (let i = 0; i < 100; i++) await apiLogin(300 + i, `2001:db8:1:2::${(i + 1).toString(16)}`);
    expect((await apiLogin(400, '2001:db8:1:2:ffff::1')).statusCode).toBe(429);
    expect((await apiLogin(401, '2001:db8:1:3::1')).statusCode).toBe(401);
  });
});
