// Finding 15 of issue 14: every response — chat, API, media, health, errors and 404s — carries
// nosniff and a referrer policy, HSTS when the site is https, and a CSP; /chat may be framed only
// by the websites the commune allows, and runs only its own inline script (by hash).
// Finding 14: the embed script is built from PUBLIC_BASE_URL only, never from the Host header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createWebChatChannel } from '../../bots/webchat/webchat-channel.ts';
import type { Database } from '../../src/db/database.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { buildApp } from '../../src/web/app.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
const prefix = testRedisPrefix();
const redis = new Redis(TEST_REDIS_URL);
const apps: FastifyInstance[] = [];

async function build(publicBaseUrl: string | undefined) {
  const channel = createWebChatChannel({ redis, prefix });
  const app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma: db.prisma, sql: undefined as never, ping: async () => undefined, close: async () => undefined } as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    hsts: publicBaseUrl?.startsWith('https://') ?? false,
    webchat: { channel, subscriber: new Redis(TEST_REDIS_URL), communeName: async () => 'Xã Mẫu', publicBaseUrl, frameAncestors: ['https://xa-mau.gov.vn'] },
    media: { dataDir: '/tmp/loaxa-unused', prisma: db.prisma, signer: createMediaLinkSigner(Buffer.alloc(32, 7)) },
    api: { prisma: db.prisma, enqueue: async () => 'job', secureCookies: false },
    admin: { prisma: db.prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true },
  });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  db = await openMigratedTestDatabase('headers');
});
afterAll(async () => {
  for (const a of apps) await a.close();
  await deleteTestRedisKeys(prefix);
  redis.disconnect();
  await db?.close();
});

describe('security headers', () => {
  it('are on every response, HSTS included over https', async () => {
    const app = await build('https://loa.xa-mau.gov.vn');
    for (const url of ['/', '/healthz', '/chat', '/chat/embed.js', '/chat/api/history', '/api/v1/bulletins', '/media/khong-co.mp3', '/admin/dang-nhap', '/khong-co-trang-nay']) {
      const res = await app.inject({ method: 'GET', url });
      expect([url, res.headers['x-content-type-options']]).toEqual([url, 'nosniff']);
      expect([url, res.headers['referrer-policy']]).toEqual([url, 'same-origin']);
      expect([url, res.headers['strict-transport-security']]).toEqual([url, 'max-age=31536000; includeSubDomains']);
      expect([url, typeof res.headers['content-security-policy']]).toEqual([url, 'string']);
    }
    const api = await app.inject({ method: 'GET', url: '/api/v1/bulletins' });
    expect(api.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(api.headers['x-frame-options']).toBe('DENY');
  });

  it('let /chat be framed by the commune website only, and run only its own inline script', async () => {
    const app = await build('https://loa.xa-mau.gov.vn');
    const res = await app.inject({ method: 'GET', url: '/chat' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'self' https://xa-mau.gov.vn");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBeUndefined();
  });

  it('send no HSTS over plain http', async () => {
    const app = await build('http://192.168.1.10:3000');
    expect((await app.inject({ method: 'GET', url: '/chat' })).headers['strict-transport-security']).toBeUndefined();
  });

  it('build the embed script only from PUBLIC_BASE_URL, and cache it briefly', async () => {
    const none = await build(undefined);
    const forged = await none.inject({ method: 'GET', url: '/chat/embed.js', headers: { host: 'ke-gian.example' } });
    expect(forged.statusCode).toBe(404);
    expect(forged.body).not.toContain('ke-gian');
    const app = await build('https://loa.xa-mau.gov.vn');
    const res = await app.inject({ method: 'GET', url: '/chat/embed.js', headers: { host: 'ke-gian.example' } });
    expect(res.body).toContain('"https://loa.xa-mau.gov.vn/chat"');
    expect(res.headers['cache-control']).not.toMatch(/max-age=3600/);
  });
});
