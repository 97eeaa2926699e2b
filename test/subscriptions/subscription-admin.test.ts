// Staff side of subscriptions in the web admin and the API: the compose form offers "người đăng
// ký" with topics and stores that audience; the API takes {"subscribers":{…}} and refuses a
// malformed or unknown one with a precise error; the bulletin page names the audience; the report
// page shows subscribers per village and channel.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { Database } from '../../src/db/database.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { form, sessionFor, type TestSession } from '../support/staff-session.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let communeId = '';
let editor: TestSession;
const village: Record<string, string> = {};

beforeAll(async () => {
  db = await openMigratedTestDatabase('subadmin');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const v of await prisma.village.findMany({ where: { communeId } })) village[v.name] = v.id;
  const enqueue = async () => 'job';
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    admin: { prisma, secureCookies: false, enqueue, cancelJob: async () => true, encryptionKey: randomBytes(32) },
    api: { prisma, enqueue, secureCookies: false, encryptionKey: randomBytes(32) },
  } as Parameters<typeof buildApp>[0]);
  editor = await sessionFor(prisma, (await prisma.staff.findUniqueOrThrow({ where: { username: 'vanhoa' } })).id);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('subscriptions in the web admin and the API', () => {
  it('the compose form offers subscribers and topics, and stores that audience', async () => {
    const page = await app.inject({ method: 'GET', url: '/admin/ban-tin/moi', headers: { cookie: editor.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Người đăng ký nhận tin (tin nhắn riêng)');
    expect(page.body).toContain('value="Y_TE"');
    const res = await app.inject({
      method: 'POST',
      url: '/admin/ban-tin/moi',
      headers: { cookie: editor.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form(editor, { title: 'Tiêm chủng Thôn 3', text: 'Trạm Y tế xã thông báo lịch tiêm chủng Thôn 3.', class: 'normal', reach: 'villages', villageIds: [village['Thôn 3']!], subscribers: '1', topics: ['Y_TE'] }),
    });
    expect(res.statusCode).toBe(303);
    const id = String(res.headers.location).split('/').at(-1)!;
    const rows = await prisma.bulletinAudience.findMany({ where: { bulletinId: id }, orderBy: { kind: 'asc' } });
    expect(rows.map((r) => [r.kind, r.villageId, r.topicCode])).toEqual([
      ['village', village['Thôn 3'], null],
      ['subscribers', village['Thôn 3'], 'Y_TE'],
    ]);
    const shown = await app.inject({ method: 'GET', url: `/admin/ban-tin/${id}`, headers: { cookie: editor.cookie } });
    expect(shown.body).toContain('Người đăng ký — Thôn 3 — Y tế, bảo hiểm y tế');
  });

  it('the API takes subscribers and refuses a bad one precisely', async () => {
    const auth = { authorization: `Bearer ${editor.token}` };
    const created = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: auth, payload: { communeId, title: 'Cảnh báo mưa lớn', text: 'Ban Chỉ huy phòng chống thiên tai xã cảnh báo mưa lớn.' } });
    expect(created.statusCode).toBeLessThan(300);
    const id = (created.json() as { id?: string; bulletin?: { id: string } }).id ?? (created.json() as { bulletin: { id: string } }).bulletin.id;
    const put = (payload: unknown) => app.inject({ method: 'PUT', url: `/api/v1/bulletins/${id}/audience`, headers: auth, payload: payload as object });
    expect((await put({ subscribers: { topics: ['THIEN_TAI'] } })).json()).toEqual({ audience: 1 });
    const read = await app.inject({ method: 'GET', url: `/api/v1/bulletins/${id}`, headers: auth });
    expect(JSON.stringify(read.json())).toContain('Người đăng ký — mọi thôn — Thời tiết, thiên tai');
    const unknown = await put({ subscribers: { topics: ['BONG_DA'] } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'subscribers.topics', message: expect.stringContaining('Chủ đề "BONG_DA" không có') } });
    const malformed = await put({ subscribers: { villageIds: ['thon-3'] } });
    expect(malformed.statusCode).toBe(400);
    expect((malformed.json() as { error: { field: string } }).error.field).toBe('subscribers.villageIds.0');
    const huge = await put({ subscribers: { topics: Array.from({ length: 51 }, () => 'Y_TE') } });
    expect(huge.statusCode).toBe(400);
    const extra = await put({ subscribers: { villages: [] } });
    expect(extra.statusCode).toBe(400);
  });

  it('the report page shows subscribers per village and channel', async () => {
    const r = await prisma.resident.create({ data: { communeId, consentGivenAt: new Date() } });
    const i = await prisma.residentIdentity.create({ data: { residentId: r.id, platform: 'zalo_bot', platformUserId: 'zb-1', platformChatId: 'zb-1' } });
    await prisma.subscription.create({ data: { communeId, residentId: r.id, residentIdentityId: i.id, villageId: village['Thôn 2']! } });
    const page = await app.inject({ method: 'GET', url: '/admin/bao-cao', headers: { cookie: editor.cookie } });
    expect(page.statusCode).toBe(200);
    const table = page.body.slice(page.body.indexOf('id="subscribers"'));
    expect(table).toMatch(/<td>Thôn 2<\/td><td>1<\/td><td>0<\/td><td>1<\/td><td>0<\/td>/);
  });
});
