// The Cụm loa & nhóm page tells the kinds of Zalo accounts apart (personal zca-js account, Zalo
// Bot, Zalo OA) and shows an OA that needs to be connected again, with its reason.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { sessionFor } from '../support/staff-session.ts';

let db: MigratedTestDatabase;
let app: FastifyInstance;
let cookie = '';

beforeAll(async () => {
  db = await openMigratedTestDatabase('zalo-page', 4);
  const { communeId } = await seedDemo(db.prisma, { password: 'MatKhauKiemThu2026' });
  const admin = await db.prisma.staff.create({ data: { communeId, username: 'zp-admin', displayName: 'Quản trị', roles: ['admin'] } });
  for (const [platform, name, status, statusReason] of [
    ['zalo', 'zalo-xa', 'connected', null],
    ['zalo_bot', 'zalo-bot', 'connected', null],
    ['zalo_oa', 'oa-xa', 'logged_out', 'Zalo OA cần kết nối lại: mã làm mới đã hết hạn'],
  ] as const) {
    await db.prisma.channelAccount.create({ data: { communeId, platform, name, status, statusReason } });
  }
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma: db.prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    admin: { prisma: db.prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true, encryptionKey: randomBytes(32) },
  });
  cookie = (await sessionFor(db.prisma, admin.id)).cookie;
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('Cụm loa & nhóm: messaging accounts', () => {
  it('names each kind of Zalo account and shows an OA that needs reconnecting', async () => {
    const res = await app.inject({ method: 'GET', url: '/admin/cum-loa', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    // One table row per account: its name with the kind of account under it, then its state.
    expect(res.body).toContain('<td>zalo-xa<br><small>Zalo (tài khoản cá nhân, zca-js)</small></td>');
    expect(res.body).toContain('<td>zalo-bot<br><small>Zalo Bot</small></td>');
    expect(res.body).toMatch(/<td>oa-xa<br><small>Zalo OA<\/small><\/td>\s*<td class="error">cần kết nối lại/);
  });
});
