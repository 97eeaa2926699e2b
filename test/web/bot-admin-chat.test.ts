// Cụm loa & nhóm: a commune admin gives a stored Telegram bot its admin chat, changes or clears it,
// without re-adding the bot or a restart; bad ids and another commune's chat are refused precisely.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { form, sessionFor, type TestSession } from '../support/staff-session.ts';

let db: MigratedTestDatabase;
let app: FastifyInstance;
let admin: TestSession;
let editor: TestSession;
let botId = '';

beforeAll(async () => {
  db = await openMigratedTestDatabase('bot_admin_chat', 4);
  const prisma = db.prisma;
  const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
  const other = await prisma.commune.create({ data: { code: 'XA-KHAC-NHOM', name: 'Xã Khác' } });
  botId = (await prisma.channelAccount.create({ data: { communeId, platform: 'telegram', name: 'tg-xa-nha', status: 'connected', credentialsEnc: 'v1:khong-mo', settings: { botId: '1', username: 'xa_nha_bot' } } })).id;
  await prisma.channelAccount.create({ data: { communeId: other.id, platform: 'telegram', name: 'tg-xa-khac', status: 'connected', credentialsEnc: 'v1:khong-mo', settings: { adminChatId: '-1004440001' } } });
  admin = await sessionFor(prisma, (await prisma.staff.create({ data: { communeId, username: 'nhom-admin', displayName: 'Quản trị', roles: ['admin'] } })).id);
  editor = await sessionFor(prisma, (await prisma.staff.create({ data: { communeId, username: 'nhom-editor', displayName: 'Biên tập', roles: ['editor'] } })).id);
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    admin: { prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true, encryptionKey: randomBytes(32) },
  });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const post = (s: TestSession, adminChatId: string) =>
  app.inject({ method: 'POST', url: `/admin/cum-loa/tai-khoan/${botId}/nhom-quan-tri`, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(s, { adminChatId }) });
const settings = async () => (await db.prisma.channelAccount.findUniqueOrThrow({ where: { id: botId } })).settings as Record<string, string>;

describe('the admin chat of a stored bot', () => {
  it('an admin sets it from the page, sees it there, then clears it', async () => {
    const page = await app.inject({ method: 'GET', url: '/admin/cum-loa', headers: { cookie: admin.cookie } });
    expect(page.body).toContain(`action="/admin/cum-loa/tai-khoan/${botId}/nhom-quan-tri"`);
    const r = await post(admin, '-1001112223334/5');
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/admin/cum-loa?da=nhom-qt');
    expect(await settings()).toMatchObject({ username: 'xa_nha_bot', adminChatId: '-1001112223334', adminThreadId: '5' });
    const after = await app.inject({ method: 'GET', url: '/admin/cum-loa?da=nhom-qt', headers: { cookie: admin.cookie } });
    expect(after.body).toContain('Đã lưu nhóm quản trị của bot.');
    expect(after.body).toContain('value="-1001112223334/5"');
    expect((await post(admin, '')).statusCode).toBe(303);
    expect(await settings()).not.toHaveProperty('adminChatId');
  });

  it('refuses a malformed id, another commune’s admin chat and a non-admin, changing nothing', async () => {
    const bad = await post(admin, 'nhom-cua-toi');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Mã nhóm quản trị &quot;nhom-cua-toi&quot; không hợp lệ');
    const taken = await post(admin, '-1004440001');
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('đang là nhóm quản trị của một xã khác');
    expect((await post(editor, '-1009990009')).statusCode).toBe(403);
    expect(await settings()).not.toHaveProperty('adminChatId');
  });
});
