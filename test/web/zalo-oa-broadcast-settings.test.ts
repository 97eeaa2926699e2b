// Cụm loa & nhóm sets the Official Account's bulletin settings: its monthly broadcast quota and
// which village each follower tag stands for. Only the commune's admin may; bad input gets a
// precise reason and changes nothing; another commune's OA or village is not reachable.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { oaFollowersFor, recordOaFollow, setOaFollowerTags } from '../../src/channels/oa-followers.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { form, sessionFor, type TestSession } from '../support/staff-session.ts';

let db: MigratedTestDatabase;
let app: FastifyInstance;
let admin: TestSession;
let editor: TestSession;
let oaId = '';
let otherOaId = '';
let villages: Array<{ id: string; name: string }> = [];
let otherVillageId = '';

beforeAll(async () => {
  db = await openMigratedTestDatabase('zalo_oa_settings', 4);
  const prisma = db.prisma;
  const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
  villages = await prisma.village.findMany({ where: { communeId }, orderBy: { sortOrder: 'asc' }, select: { id: true, name: true } });
  const other = await prisma.commune.create({ data: { code: 'XA-KHAC', name: 'Xã Khác' } });
  otherVillageId = (await prisma.village.create({ data: { communeId: other.id, name: 'Thôn Xa' } })).id;
  oaId = (await prisma.channelAccount.create({ data: { communeId, platform: 'zalo_oa', name: 'oa-xa', status: 'connected' } })).id;
  otherOaId = (await prisma.channelAccount.create({ data: { communeId: other.id, platform: 'zalo_oa', name: 'oa-khac', status: 'connected' } })).id;
  const a = await prisma.staff.create({ data: { communeId, username: 'oa-admin', displayName: 'Quản trị', roles: ['admin'] } });
  const e = await prisma.staff.create({ data: { communeId, username: 'oa-editor', displayName: 'Biên tập', roles: ['editor', 'approver'] } });
  admin = await sessionFor(prisma, a.id);
  editor = await sessionFor(prisma, e.id);
  for (const u of ['f1', 'f2']) await recordOaFollow(prisma, oaId, u, true, new Date());
  await setOaFollowerTags(prisma, oaId, 'f1', ['thon-1']);
  await setOaFollowerTags(prisma, oaId, 'f2', ['thon-2']);
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

const post = (s: TestSession | undefined, url: string, fields: Record<string, string>, csrf = true) =>
  app.inject({ method: 'POST', url, headers: { cookie: s?.cookie ?? '', 'content-type': 'application/x-www-form-urlencoded' }, payload: form(csrf ? s : undefined, fields) });
const quota = () => db.prisma.oaQuota.findUnique({ where: { channelAccountId: oaId } });
const tags = () => db.prisma.oaTagVillage.findMany({ where: { channelAccountId: oaId }, orderBy: { tag: 'asc' }, select: { tag: true, villageId: true } });

describe('the OA monthly broadcast quota', () => {
  it('an admin sets it as typed ("2.000"), it shows on the page, and the change is audited', async () => {
    const r = await post(admin, `/admin/cum-loa/zalo-oa/${oaId}/han-muc`, { monthlyLimit: '2.000' });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/admin/cum-loa?da=han-muc');
    expect(await quota()).toMatchObject({ monthlyLimit: 2000, perFollowerDaily: 1 });
    const page = await app.inject({ method: 'GET', url: '/admin/cum-loa?da=han-muc', headers: { cookie: admin.cookie } });
    expect(page.body).toContain('Đã lưu hạn mức tin truyền thông của Zalo OA.');
    expect(page.body).toContain('0 tin truyền thông hôm nay; tháng này đã dùng 0/2000, còn 2000');
    expect(page.body).toMatch(/name="monthlyLimit"[^>]*value="2000"/);
    expect(await db.prisma.auditLog.findFirst({ where: { action: 'zalo_oa.quota', entityId: oaId } })).toMatchObject({ data: { from: null, to: 2000 } });
  });

  it('refuses empty, negative, malformed and huge numbers with a precise reason, changing nothing', async () => {
    for (const [value, reason] of [
      ['', 'Hạn mức tháng: nhập số tin truyền thông'],
      ['  ', 'Hạn mức tháng: nhập số tin truyền thông'],
      ['-5', 'Hạn mức tháng: số nguyên từ 0 đến 10.000.000'],
      ['12a', 'Hạn mức tháng: số nguyên từ 0 đến 10.000.000'],
      ['1,5e3', 'Hạn mức tháng: số nguyên từ 0 đến 10.000.000'],
      ['9'.repeat(5000), 'Hạn mức tháng: số nguyên từ 0 đến 10.000.000'],
    ] as const) {
      const r = await post(admin, `/admin/cum-loa/zalo-oa/${oaId}/han-muc`, { monthlyLimit: value });
      expect(r.statusCode, value.slice(0, 10)).toBe(400);
      expect(r.body).toContain(reason);
    }
    expect((await quota())?.monthlyLimit).toBe(2000);
  });

  it('refuses a non-admin (403, audited), a missing CSRF field (403), another commune\u2019s OA and a malformed id (404), nobody signed in', async () => {
    const r = await post(editor, `/admin/cum-loa/zalo-oa/${oaId}/han-muc`, { monthlyLimit: '5' });
    expect(r.statusCode).toBe(403);
    expect(await db.prisma.auditLog.count({ where: { action: { contains: 'refused' }, actorStaffId: (await db.prisma.staff.findUniqueOrThrow({ where: { username: 'oa-editor' } })).id } })).toBeGreaterThan(0);
    expect((await post(admin, `/admin/cum-loa/zalo-oa/${oaId}/han-muc`, { monthlyLimit: '5' }, false)).statusCode).toBe(403);
    expect((await post(admin, `/admin/cum-loa/zalo-oa/${otherOaId}/han-muc`, { monthlyLimit: '5' })).statusCode).toBe(404);
    expect((await post(admin, '/admin/cum-loa/zalo-oa/khong-phai-ma/han-muc', { monthlyLimit: '5' })).statusCode).toBe(404);
    // Nobody signed in: off to the sign-in page.
    const anon = await post(undefined, `/admin/cum-loa/zalo-oa/${oaId}/han-muc`, { monthlyLimit: '5' });
    expect([anon.statusCode, anon.headers.location]).toEqual([302, expect.stringContaining('/admin/dang-nhap')]);
    expect((await quota())?.monthlyLimit).toBe(2000);
    expect(await db.prisma.oaQuota.findUnique({ where: { channelAccountId: otherOaId } })).toBeNull();
  });
});

describe('follower tags → villages', () => {
  it('an admin maps a tag to a village, and a village target then reaches its tagged followers', async () => {
    const [v1, v2] = [villages[0]!, villages[1]!];
    expect(await oaFollowersFor(db.prisma, oaId, v1.id)).toEqual([]);
    expect((await post(admin, `/admin/cum-loa/zalo-oa/${oaId}/nhan`, { tag: '  thon-1 ', villageId: v1.id })).statusCode).toBe(303);
    // Sent twice (a double click, a replayed form): still one mapping.
    for (let i = 0; i < 2; i++) expect((await post(admin, `/admin/cum-loa/zalo-oa/${oaId}/nhan`, { tag: 'thon-2', villageId: v2.id })).statusCode).toBe(303);
    expect(await tags()).toEqual([{ tag: 'thon-1', villageId: v1.id }, { tag: 'thon-2', villageId: v2.id }]);
    expect(await oaFollowersFor(db.prisma, oaId, v1.id)).toEqual(['f1']);
    const page = await app.inject({ method: 'GET', url: '/admin/cum-loa', headers: { cookie: editor.cookie } });
    expect(page.body).toContain(`<tr><td>thon-1</td><td>${v1.name}</td></tr>`);
    // Viewers see the mapping but get no forms.
    expect(page.body).not.toContain(`/admin/cum-loa/zalo-oa/${oaId}/nhan`);
  });

  it('two admins changing one tag at once leave one mapping', async () => {
    const [v1, v2] = [villages[0]!, villages[1]!];
    const rs = await Promise.all([v1, v2, v1, v2].map((v) => post(admin, `/admin/cum-loa/zalo-oa/${oaId}/nhan`, { tag: 'thon-3', villageId: v.id })));
    expect(rs.map((r) => r.statusCode)).toEqual([303, 303, 303, 303]);
    expect((await tags()).filter((t) => t.tag === 'thon-3')).toHaveLength(1);
  });

  it('no village chosen takes the tag off its village; taking off an unmapped tag says so', async () => {
    expect((await post(admin, `/admin/cum-loa/zalo-oa/${oaId}/nhan`, { tag: 'thon-3', villageId: '' })).statusCode).toBe(303);
    expect((await tags()).map((t) => t.tag)).toEqual(['thon-1', 'thon-2']);
    const r = await post(admin, `/admin/cum-loa/zalo-oa/${oaId}/nhan`, { tag: 'thon-3', villageId: '' });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('Nhãn &quot;thon-3&quot; chưa gắn với thôn nào để bỏ');
  });

  it('refuses an empty, huge or unprintable tag, and a village of another commune or a malformed one', async () => {
    const v1 = villages[0]!.id;
    for (const [fields, reason] of [
      [{ tag: '   ', villageId: v1 }, 'Nhãn: nhập tên nhãn'],
      [{ tag: 'x'.repeat(300), villageId: v1 }, 'Nhãn: tối đa 50 ký tự'],
      [{ tag: 'thon\u0007', villageId: v1 }, 'Nhãn: có ký tự không in được'],
      [{ tag: 'thon-9', villageId: otherVillageId }, 'Thôn: không có trong xã này'],
      [{ tag: 'thon-9', villageId: 'thon-1' }, 'Thôn: không có trong xã này'],
    ] as const) {
      const r = await post(admin, `/admin/cum-loa/zalo-oa/${oaId}/nhan`, fields);
      expect(r.statusCode, fields.tag.slice(0, 10)).toBe(400);
      expect(r.body).toContain(reason);
    }
    expect((await tags()).map((t) => t.tag)).toEqual(['thon-1', 'thon-2']);
  });

  it('refuses a non-admin and another commune\u2019s OA', async () => {
    expect((await post(editor, `/admin/cum-loa/zalo-oa/${oaId}/nhan`, { tag: 'thon-5', villageId: villages[0]!.id })).statusCode).toBe(403);
    expect((await post(admin, `/admin/cum-loa/zalo-oa/${otherOaId}/nhan`, { tag: 'thon-5', villageId: villages[0]!.id })).statusCode).toBe(404);
    expect((await tags()).map((t) => t.tag)).toEqual(['thon-1', 'thon-2']);
  });
});

describe('the OA reply windows', () => {
  it('name a follower only from this commune’s own OA, never from another commune’s identity of the same id', async () => {
    const prisma = db.prisma;
    const other = await prisma.commune.findUniqueOrThrow({ where: { code: 'XA-KHAC' } });
    const stranger = await prisma.resident.create({ data: { communeId: other.id, displayName: 'Trần Thị Xã Khác' } });
    await prisma.residentIdentity.create({ data: { residentId: stranger.id, platform: 'zalo_oa', platformUserId: 'f7', channelAccountId: otherOaId, displayName: 'Trần Thị Xã Khác' } });
    await prisma.inboundMessage.create({ data: { channel: 'zalo_oa', channelAccountId: oaId, platformChatId: 'f7', platformMessageId: 'm-f7', platformUserId: 'f7', payload: {}, status: 'processed' } });
    const page = await app.inject({ method: 'GET', url: '/admin/cum-loa', headers: { cookie: admin.cookie } });
    expect(page.body).toContain('Hạn trả lời qua Zalo OA');
    expect(page.body).toContain('người dân …f7');
    expect(page.body).not.toContain('Trần Thị Xã Khác');
  });
});
