// A commune cannot cancel its copy of a province bulletin, of any class, by any path (workflow,
// web, API): it is told it may decline a normal one with a reason within the window, and that the
// province withdraws it otherwise; the page shows no "Hủy bản tin" for it. The province approver
// withdraws ("Thu hồi") an approved one instead: every copy not yet finished is cancelled (pending
// deliveries and runs too), the communes' sides marked withdrawn, audited; declined communes keep
// their state. Ugly cases: twice, by a viewer or editor, by another province, not yet approved,
// after every copy finished, a commune declining after it.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { BulletinClass } from '../../src/db/generated/enums.ts';
import type { Database } from '../../src/db/database.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { createProvinceBulletin } from '../../src/province/create-province-bulletin.ts';
import { approveProvinceBulletin } from '../../src/province/approve-province-bulletin.ts';
import { declineProvinceBulletin } from '../../src/province/decline-province-bulletin.ts';
import { closeDeclineWindows } from '../../src/province/close-decline-windows.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { form, sessionFor, type TestSession } from '../support/staff-session.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
const staff: Record<string, string> = {};
const sessions: Record<string, TestSession> = {};
let hoaBinh = '';
let anLac = '';
const enqueue = async () => 'job';

beforeAll(async () => {
  db = await openMigratedTestDatabase('province_bulletin_withdraw', 4);
  prisma = db.prisma;
  hoaBinh = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
  const provinceId = (await prisma.commune.findUniqueOrThrow({ where: { id: hoaBinh } })).provinceId!;
  anLac = (await prisma.commune.create({ data: { code: 'XA-AN-LAC', name: 'Xã An Lạc', provinceId } })).id;
  const other = await prisma.province.create({ data: { code: 'TINH-KHAC', name: 'Tỉnh Khác' } });
  const mk = async (username: string, data: object) => (staff[username] = (await prisma.staff.create({ data: { username, displayName: `Cán bộ ${username}`, roles: [], ...data } })).id);
  await mk('tinh_soan', { provinceId, provinceRoles: ['editor'] });
  await mk('tinh_duyet', { provinceId, provinceRoles: ['approver'] });
  await mk('tinh_xem', { provinceId, provinceRoles: ['viewer'] });
  await mk('anlac_duyet', { communeId: anLac, roles: ['approver'] });
  await mk('tinhkhac_duyet', { provinceId: other.id, provinceRoles: ['approver'] });
  for (const u of Object.keys(staff)) sessions[u] = await sessionFor(prisma, staff[u]!);
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    admin: { prisma, secureCookies: false, enqueue, cancelJob: async () => true },
    api: { prisma, enqueue, secureCookies: false },
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

const get = (who: string, url: string) => app.inject({ method: 'GET', url, headers: { cookie: sessions[who]!.cookie } });
const post = (who: string, url: string, fields: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { cookie: sessions[who]!.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(sessions[who], fields) });
const api = (who: string, url: string) => app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${sessions[who]!.token}` }, payload: {} });
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');

async function approved(cls: BulletinClass) {
  const pb = await createProvinceBulletin(prisma, { actor: { staffId: staff.tinh_soan! }, title: `Tin tỉnh ${cls}`, text: 'Bà con chằng chống nhà cửa trước bão.', class: cls });
  await approveProvinceBulletin({ prisma, enqueue }, { actor: { staffId: staff.tinh_duyet! }, provinceBulletinId: pb.id });
  return pb.id;
}
const copyIn = async (provinceBulletinId: string, communeId: string) => (await prisma.provinceBulletinCommune.findUniqueOrThrow({ where: { provinceBulletinId_communeId: { provinceBulletinId, communeId } } })).bulletinId!;
const sideIn = (provinceBulletinId: string, communeId: string) => prisma.provinceBulletinCommune.findUniqueOrThrow({ where: { provinceBulletinId_communeId: { provinceBulletinId, communeId } } });

describe('a commune cannot cancel a province copy', () => {
  it.each(['normal', 'priority', 'emergency'] as const)('%s: refused in the workflow, on the web and over the API, with no button', async (cls) => {
    const id = await approved(cls);
    const copy = await copyIn(id, hoaBinh);
    const wf = createBulletinWorkflow(prisma);
    for (const who of ['vanhoa', 'chutich']) {
      const e = await wf.cancel({ staffId: staff[who]! }, copy).then(() => undefined, (x: unknown) => x as { code: string; message: string });
      expect(e?.code).toBe('FORBIDDEN');
      expect(e?.message).toContain('Bản tin này do tỉnh gửi, xã không hủy được.');
      expect(e?.message).toContain('từ chối kèm lý do trong thời hạn từ chối');
      expect(e?.message).toContain('chỉ tỉnh mới thu hồi được');
    }
    const web = await post('chutich', `/admin/ban-tin/${copy}/huy`);
    expect(web.statusCode).toBe(403);
    expect(text(web.body)).toContain('Bản tin này do tỉnh gửi, xã không hủy được.');
    const viaApi = await api('vanhoa', `/api/v1/bulletins/${copy}/cancel`);
    expect(viaApi.statusCode).toBe(403);
    expect(viaApi.json().error.message).toContain('chỉ tỉnh mới thu hồi được');
    const page = await get('chutich', `/admin/ban-tin/${copy}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(`/admin/ban-tin/${copy}/huy`);
    const b = await prisma.bulletin.findUniqueOrThrow({ where: { id: copy } });
    expect(b.status).not.toBe('cancelled');
    expect(await prisma.auditLog.count({ where: { action: 'bulletin.cancel', entityId: copy } })).toBe(0);
  });

  it.each(['normal', 'priority', 'emergency'] as const)('%s: its words, recordings and reach are not the commune’s to change, and the page offers no form', async (cls) => {
    const id = await approved(cls);
    const copy = await copyIn(id, hoaBinh);
    const before = await prisma.bulletin.findUniqueOrThrow({ where: { id: copy }, include: { versions: true, audiences: true } });
    const wf = createBulletinWorkflow(prisma);
    const refused = (p: Promise<unknown>) => p.then(() => undefined, (x: unknown) => x as { code: string; message: string });
    for (const e of [
      await refused(wf.edit({ staffId: staff.vanhoa! }, copy, { title: 'Sửa tiêu đề', text: 'Nội dung khác hẳn của xã.' })),
      await refused(wf.checkEditable({ staffId: staff.vanhoa! }, copy)),
      await refused(wf.setAudience({ staffId: staff.chutich! }, copy, { all: true })),
    ]) {
      expect(e?.code).toBe('FORBIDDEN');
      expect(e?.message).toContain('Bản tin này do tỉnh gửi, xã không sửa nội dung hay nơi nhận được.');
    }
    const web = await post('vanhoa', `/admin/ban-tin/${copy}/sua`, { title: 'Sửa tiêu đề', text: 'Nội dung khác hẳn của xã.' });
    expect(web.statusCode).toBe(403);
    expect((await get('vanhoa', `/admin/ban-tin/${copy}`)).body).not.toContain(`/admin/ban-tin/${copy}/sua`);
    const after = await prisma.bulletin.findUniqueOrThrow({ where: { id: copy }, include: { versions: true, audiences: true } });
    expect({ status: after.status, revision: after.revision, title: after.title, versions: after.versions.length, audiences: after.audiences.length })
      .toEqual({ status: before.status, revision: before.revision, title: before.title, versions: before.versions.length, audiences: before.audiences.length });
  });

  it("the commune's own bulletin still has its button and cancels", async () => {
    const wf = createBulletinWorkflow(prisma);
    const own = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId: hoaBinh, title: 'Họp thôn', text: 'Mời bà con họp thôn lúc 19 giờ.' });
    expect((await get('chutich', `/admin/ban-tin/${own.id}`)).body).toContain(`/admin/ban-tin/${own.id}/huy`);
    expect((await post('chutich', `/admin/ban-tin/${own.id}/huy`)).statusCode).toBe(303);
    expect((await prisma.bulletin.findUniqueOrThrow({ where: { id: own.id } })).status).toBe('cancelled');
  });
});

describe('the province withdraws an approved bulletin', () => {
  it('an emergency: refused to a viewer, an editor, another province; the approver withdraws it once; nothing pending goes out', async () => {
    const id = await approved('emergency');
    const copies = [await copyIn(id, hoaBinh), await copyIn(id, anLac)];
    // The demo commune's loudspeakers and groups: the run is out, its deliveries pending.
    expect(await prisma.delivery.count({ where: { run: { bulletinId: { in: copies } }, status: 'pending' } })).toBeGreaterThan(0);

    for (const who of ['tinh_xem', 'tinh_soan', 'chutich']) {
      const r = await api(who, `/api/v1/province-bulletins/${id}/withdraw`);
      expect(r.statusCode, who).toBe(403);
    }
    const elsewhere = await api('tinhkhac_duyet', `/api/v1/province-bulletins/${id}/withdraw`);
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.json().error.message).toBe('Không tìm thấy bản tin của tỉnh.');
    expect((await prisma.provinceBulletin.findUniqueOrThrow({ where: { id } })).status).toBe('approved');

    // The web form: shown to the approver only, and the confirmation box is required.
    expect((await get('tinh_xem', `/admin/tinh/ban-tin/${id}`)).body).not.toContain('/thu-hoi');
    expect((await get('tinh_duyet', `/admin/tinh/ban-tin/${id}`)).body).toContain(`/admin/tinh/ban-tin/${id}/thu-hoi`);
    const unconfirmed = await post('tinh_duyet', `/admin/tinh/ban-tin/${id}/thu-hoi`);
    expect(unconfirmed.statusCode).toBe(400);
    expect(text(unconfirmed.body)).toContain('Đánh dấu ô xác nhận để thu hồi bản tin.');
    const done = await post('tinh_duyet', `/admin/tinh/ban-tin/${id}/thu-hoi`, { confirm: '1' });
    expect(done.statusCode).toBe(303);

    const pb = await prisma.provinceBulletin.findUniqueOrThrow({ where: { id }, include: { communes: true } });
    expect(pb).toMatchObject({ status: 'withdrawn', withdrawnById: staff.tinh_duyet });
    expect(pb.communes.map((c) => c.status)).toEqual(['withdrawn', 'withdrawn']);
    expect((await prisma.bulletin.findMany({ where: { id: { in: copies } } })).map((b) => b.status)).toEqual(['cancelled', 'cancelled']);
    expect(await prisma.delivery.count({ where: { run: { bulletinId: { in: copies } }, status: 'pending' } })).toBe(0);
    expect(await prisma.broadcastRun.count({ where: { bulletinId: { in: copies }, status: { in: ['due', 'sending'] } } })).toBe(0);
    expect(await prisma.auditLog.count({ where: { action: 'province_bulletin.withdraw', entityId: id, actorStaffId: staff.tinh_duyet } })).toBe(1);
    expect(await prisma.auditLog.count({ where: { action: 'bulletin.withdrawn_by_province', entityId: { in: copies } } })).toBe(2);
    const page = text((await get('tinh_duyet', `/admin/tinh/ban-tin/${id}?da=thu-hoi`)).body);
    expect(page).toContain('Đã thu hồi: bản tin không phát thêm ở xã nào nữa.');
    expect(page).toContain('Tỉnh đã thu hồi');

    const twice = await api('tinh_duyet', `/api/v1/province-bulletins/${id}/withdraw`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toBe('Bản tin của tỉnh đã được thu hồi rồi.');
    expect(await prisma.auditLog.count({ where: { action: 'province_bulletin.withdraw', entityId: id } })).toBe(1);
  });

  it('a normal one over the API: a declined commune stays declined, the window closing schedules nothing, a late decline is told why', async () => {
    const id = await approved('normal');
    await declineProvinceBulletin(prisma, { actor: { staffId: staff.anlac_duyet! }, provinceBulletinId: id, reason: 'Trùng lịch họp' });
    const r = await api('tinh_duyet', `/api/v1/province-bulletins/${id}/withdraw`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ provinceBulletin: { status: 'withdrawn' }, withdrawn: 1 });
    expect((await sideIn(id, hoaBinh)).status).toBe('withdrawn');
    expect(await sideIn(id, anLac)).toMatchObject({ status: 'declined', declineReason: 'Trùng lịch họp' });
    await closeDeclineWindows({ prisma, enqueue }, new Date(Date.now() + 7 * 86_400_000));
    expect((await sideIn(id, hoaBinh)).status).toBe('withdrawn');
    const copy = await copyIn(id, hoaBinh);
    expect(await prisma.schedule.count({ where: { bulletinId: copy } })).toBe(0);
    expect((await prisma.bulletin.findUniqueOrThrow({ where: { id: copy } })).status).toBe('cancelled');
    const late = await api('chutich', `/api/v1/province-bulletins/${id}/decline`);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toBe('Tỉnh đã thu hồi bản tin này, xã không cần từ chối nữa.');
    const list = (await app.inject({ method: 'GET', url: '/api/v1/province-bulletins', headers: { authorization: `Bearer ${sessions.chutich!.token}` } })).json();
    expect(list.bulletins.find((b: { id: string }) => b.id === id)).toMatchObject({ status: 'withdrawn', statusLabel: 'Tỉnh đã thu hồi', canDecline: false });
  });

  it('nothing to withdraw: not approved yet, or every copy finished or declined', async () => {
    const pb = await createProvinceBulletin(prisma, { actor: { staffId: staff.tinh_soan! }, title: 'Chưa duyệt', text: 'Nội dung chờ duyệt.' });
    const early = await api('tinh_duyet', `/api/v1/province-bulletins/${pb.id}/withdraw`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toContain('chưa tới xã nào');

    const id = await approved('priority');
    await prisma.bulletin.updateMany({ where: { provinceBulletinId: id }, data: { status: 'done' } });
    expect((await get('tinh_duyet', `/admin/tinh/ban-tin/${id}`)).body).not.toContain('/thu-hoi');
    const finished = await api('tinh_duyet', `/api/v1/province-bulletins/${id}/withdraw`);
    expect(finished.statusCode).toBe(409);
    expect(finished.json().error.message).toBe('Mọi xã nhận đã phát xong (hoặc đã từ chối) bản tin này, không còn gì để thu hồi.');
    expect((await prisma.provinceBulletin.findUniqueOrThrow({ where: { id } })).status).toBe('approved');
    expect((await prisma.bulletin.findMany({ where: { provinceBulletinId: id } })).map((b) => b.status)).toEqual(['done', 'done']);
  });
});
