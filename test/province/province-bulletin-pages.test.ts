// The web admin pages of province bulletins, through the real app and database. Province side: the
// editor writes one for chosen villages (their commune comes along), the author cannot approve it
// where a commune needs a second person (told so, no button), the approver approves, and the page
// shows each commune's side — declined with its reason, waiting with the deadline, an emergency's
// deliveries. Commune side: an approver sees incoming normal ones in Bản tin and in the calendar
// (while still inside the decline window) with "Từ chối"; an editor sees no button; the ugly cases
// are refused precisely (no reason, not an approver, another commune, twice, after the window).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { Database } from '../../src/db/database.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { weekStart } from '../../src/bulletins/broadcast-calendar.ts';
import { localDate } from '../../src/calendar/local-time.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { form, sessionFor, type TestSession } from '../support/staff-session.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
const staff: Record<string, string> = {};
const sessions: Record<string, TestSession> = {};
let hoaBinh = '';
let anLac = '';
let anLacVillage = { id: '', name: '' };

beforeAll(async () => {
  db = await openMigratedTestDatabase('province_bulletin_pages', 4);
  prisma = db.prisma;
  hoaBinh = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
  const provinceId = (await prisma.commune.findUniqueOrThrow({ where: { id: hoaBinh } })).provinceId!;
  anLac = (await prisma.commune.create({ data: { code: 'XA-AN-LAC', name: 'Xã An Lạc', provinceId } })).id;
  anLacVillage = await prisma.village.create({ data: { communeId: anLac, name: 'Thôn Đông An Lạc', sortOrder: 1 }, select: { id: true, name: true } });
  const other = await prisma.province.create({ data: { code: 'TINH-KHAC', name: 'Tỉnh Khác' } });
  const otherCommune = await prisma.commune.create({ data: { code: 'XA-KHAC', name: 'Xã Khác', provinceId: other.id } });
  const mk = async (username: string, data: object) => (staff[username] = (await prisma.staff.create({ data: { username, displayName: `Cán bộ ${username}`, roles: [], ...data } })).id);
  await mk('tinh_soan', { provinceId, provinceRoles: ['editor'] });
  await mk('tinh_duyet', { provinceId, provinceRoles: ['approver'] });
  await mk('tinh_ca_hai', { provinceId, provinceRoles: ['editor', 'approver'] });
  await mk('anlac_duyet', { communeId: anLac, roles: ['approver'] });
  await mk('xakhac_duyet', { communeId: otherCommune.id, roles: ['approver'] });
  for (const u of ['tinh_soan', 'tinh_duyet', 'tinh_ca_hai', 'anlac_duyet', 'xakhac_duyet', 'chutich', 'vanhoa']) sessions[u] = await sessionFor(prisma, staff[u]!);
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    admin: { prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true },
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

const get = (who: string, url: string) => app.inject({ method: 'GET', url, headers: { cookie: sessions[who]!.cookie } });
const post = (who: string, url: string, fields: Record<string, string | string[]>) =>
  app.inject({ method: 'POST', url, headers: { cookie: sessions[who]!.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(sessions[who], fields) });
const idFrom = (location: string | undefined) => /\/admin\/tinh\/ban-tin\/([0-9a-f-]{36})/.exec(location ?? '')![1]!;
/** The visible text of a page, tags dropped and spaces joined, for reading as a person would. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');

describe('province bulletins in the web admin', () => {
  let id = '';

  it('the editor writes one for a village of a chosen commune; an empty choice is refused in Vietnamese', async () => {
    const none = await post('tinh_soan', '/admin/tinh/ban-tin/moi', { title: 'Tin thử', text: 'Nội dung.', class: 'normal', reach: 'chosen' });
    expect(none.statusCode).toBe(400);
    expect(text(none.body)).toContain('Chọn ít nhất một xã (hoặc một thôn)');
    const noText = await post('tinh_soan', '/admin/tinh/ban-tin/moi', { title: 'Tin thử', text: '  ', class: 'normal', reach: 'all' });
    expect(noText.statusCode).toBe(400);
    expect(text(noText.body)).toContain('Nội dung bản tin không có chữ để đọc.');

    const r = await post('tinh_soan', '/admin/tinh/ban-tin/moi', { title: 'Phòng chống bão số 5', text: 'Bà con chằng chống nhà cửa.', class: 'normal', reach: 'chosen', communeIds: [hoaBinh], villageIds: [anLacVillage.id] });
    expect(r.statusCode).toBe(303);
    id = idFrom(r.headers.location as string);
    const sides = await prisma.provinceBulletinCommune.findMany({ where: { provinceBulletinId: id } });
    expect(Object.fromEntries(sides.map((s) => [s.communeId, s.villageIds]))).toEqual({ [hoaBinh]: [], [anLac]: [anLacVillage.id] });
    const page = text((await get('tinh_soan', `/admin/tinh/ban-tin/${id}?da=moi`)).body);
    expect(page).toContain('Chờ duyệt');
    expect(page).toContain(anLacVillage.name);
    // The editor has no approve button, but may upload recordings while it waits; the list shows it.
    expect(page).not.toContain('Duyệt và gửi các xã');
    expect((await get('tinh_soan', `/admin/tinh/ban-tin/${id}`)).body).toContain(`data-upload="/api/v1/province-bulletins/${id}/recordings/:language"`);
    expect((await get('tinh_duyet', `/admin/tinh/ban-tin/${id}`)).body).not.toContain('data-upload=');
    expect(text((await get('tinh_soan', '/admin/tinh/ban-tin')).body)).toContain('Phòng chống bão số 5');
  });

  it('its own author may not approve where a commune needs a second person; the approver does', async () => {
    const own = await post('tinh_ca_hai', '/admin/tinh/ban-tin/moi', { title: 'Tin tự duyệt', text: 'Thông báo.', class: 'normal', reach: 'all' });
    const ownId = idFrom(own.headers.location as string);
    const page = text((await get('tinh_ca_hai', `/admin/tinh/ban-tin/${ownId}`)).body);
    expect(page).toContain('cần một người duyệt cấp tỉnh khác');
    expect(page).not.toContain('Duyệt và gửi các xã');
    const forced = await post('tinh_ca_hai', `/admin/tinh/ban-tin/${ownId}/duyet`, {});
    expect(forced.statusCode).toBe(403);
    expect(text(forced.body)).toContain('người thứ hai duyệt');
    // A commune approver is refused the province pages outright.
    const commune = await get('chutich', `/admin/tinh/ban-tin/${id}`);
    expect(commune.statusCode).toBe(403);
    expect(text(commune.body)).toContain('Bản tin của tỉnh do cán bộ cấp tỉnh soạn và duyệt');

    expect(text((await get('tinh_duyet', `/admin/tinh/ban-tin/${id}`)).body)).toContain('Duyệt và gửi các xã');
    const ok = await post('tinh_duyet', `/admin/tinh/ban-tin/${id}/duyet`, {});
    expect(ok.statusCode).toBe(303);
    const after = text((await get('tinh_duyet', `/admin/tinh/ban-tin/${id}?da=duyet`)).body);
    expect(after).toContain('Chờ xã xem (có thể từ chối)');
    expect(after).toContain('Xã từ chối được đến');
    // Approved: frozen, no more recordings.
    expect((await get('tinh_soan', `/admin/tinh/ban-tin/${id}`)).body).not.toContain('data-upload=');
    const again = await post('tinh_duyet', `/admin/tinh/ban-tin/${id}/duyet`, {});
    expect(again.statusCode).toBe(409);
    expect(text(again.body)).toContain('không duyệt được');
  });

  it('the commune sees it in Bản tin and in the calendar inside the window; only an approver gets "Từ chối"', async () => {
    const list = (await get('chutich', '/admin/ban-tin')).body;
    expect(text(list)).toContain('Phòng chống bão số 5');
    expect(list).toContain(`/admin/ban-tin/cua-tinh/${id}/tu-choi`);
    expect((await get('vanhoa', '/admin/ban-tin')).body).not.toContain(`/admin/ban-tin/cua-tinh/${id}/tu-choi`);
    const deadline = (await prisma.provinceBulletin.findUniqueOrThrow({ where: { id } })).declineDeadline!;
    const week = weekStart(localDate(deadline, 'Asia/Ho_Chi_Minh').date);
    const calendar = (await get('chutich', `/admin/lich-phat?tuan=${week}`)).body;
    expect(text(calendar)).toContain('Phòng chống bão số 5');
    expect(text(calendar)).toContain('chờ xã xem: từ chối được đến giờ này');
    expect(calendar).toContain(`/admin/ban-tin/cua-tinh/${id}/tu-choi`);
    expect((await get('vanhoa', `/admin/lich-phat?tuan=${week}`)).body).not.toContain(`/admin/ban-tin/cua-tinh/${id}/tu-choi`);
  });

  it('declines with a reason; refuses no reason, a non-approver, another commune, twice and after the window', async () => {
    const url = `/admin/ban-tin/cua-tinh/${id}/tu-choi`;
    for (const reason of ['', '   ']) {
      const r = await post('chutich', url, { reason, back: 'ban-tin' });
      expect(r.statusCode).toBe(400);
      expect(text(r.body)).toContain('Cần ghi lý do từ chối bản tin của tỉnh');
    }
    const editor = await post('vanhoa', url, { reason: 'Không muốn phát' });
    expect(editor.statusCode).toBe(403);
    expect(text(editor.body)).toContain('Chỉ người duyệt của xã mới từ chối được bản tin của tỉnh.');
    const foreign = await post('xakhac_duyet', url, { reason: 'Không phải của xã' });
    expect(foreign.statusCode).toBe(404);
    const province = await post('tinh_duyet', url, { reason: 'Tỉnh từ chối hộ' });
    expect(province.statusCode).toBe(403);
    expect((await prisma.provinceBulletinCommune.findFirstOrThrow({ where: { provinceBulletinId: id, communeId: hoaBinh } })).status).toBe('waiting');

    const deadline = (await prisma.provinceBulletin.findUniqueOrThrow({ where: { id } })).declineDeadline!;
    const week = weekStart(localDate(deadline, 'Asia/Ho_Chi_Minh').date);
    const ok = await post('chutich', url, { reason: 'Xã đã phát nội dung này', back: 'lich-phat', tuan: week });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/admin/lich-phat?tuan=${week}&da=tu-choi-tinh`);
    expect(text((await get('chutich', ok.headers.location as string)).body)).toContain('Đã từ chối bản tin của tỉnh cho xã');
    const twice = await post('chutich', url, { reason: 'Lần nữa' });
    expect(twice.statusCode).toBe(409);
    expect(text(twice.body)).toContain('Xã đã từ chối bản tin này lúc');

    // An Lạc's window closes: too late, with the deadline.
    await prisma.provinceBulletin.update({ where: { id }, data: { declineDeadline: new Date(Date.now() - 60_000) } });
    const late = await post('anlac_duyet', url, { reason: 'Muộn rồi' });
    expect(late.statusCode).toBe(409);
    expect(text(late.body)).toContain('Đã quá hạn từ chối');
    expect((await get('anlac_duyet', '/admin/ban-tin')).body).not.toContain(url);

    // The province reads each commune's side.
    const page = text((await get('tinh_soan', `/admin/tinh/ban-tin/${id}`)).body);
    expect(page).toContain('Xã đã từ chối');
    expect(page).toContain('Xã đã phát nội dung này');
    expect(page).toContain('Chờ xã xem (có thể từ chối)');
  });

  it('an emergency goes at once; the page shows each commune\u2019s run and what reached its places; another province finds nothing', async () => {
    const r = await post('tinh_soan', '/admin/tinh/ban-tin/moi', { title: 'Khẩn: lũ quét', text: 'Bà con di dời ngay.', class: 'emergency', reach: 'all' });
    const eid = idFrom(r.headers.location as string);
    expect((await post('tinh_duyet', `/admin/tinh/ban-tin/${eid}/duyet`, {})).statusCode).toBe(303);
    const copy = await prisma.bulletin.findFirstOrThrow({ where: { provinceBulletinId: eid, communeId: hoaBinh } });
    const deliveries = await prisma.delivery.count({ where: { run: { bulletinId: copy.id } } });
    expect(deliveries).toBeGreaterThan(0);
    const page = (await get('tinh_duyet', `/admin/tinh/ban-tin/${eid}`)).body;
    const code = (await prisma.commune.findUniqueOrThrow({ where: { id: hoaBinh } })).code;
    const row = text(new RegExp(`<tr data-commune="${code}">[\\s\\S]*?</tr>`).exec(page)![0]);
    expect(row).toContain('Đã phát ngay');
    expect(row).toContain(`0/${deliveries} nơi`);
    const outsider = await prisma.staff.create({ data: { username: 'tinh_khac_xem', displayName: 'Tỉnh khác', roles: [], provinceId: (await prisma.province.findUniqueOrThrow({ where: { code: 'TINH-KHAC' } })).id, provinceRoles: ['viewer', 'approver'] } });
    sessions.outsider = await sessionFor(prisma, outsider.id);
    expect((await get('outsider', `/admin/tinh/ban-tin/${eid}`)).statusCode).toBe(404);
    expect((await post('outsider', `/admin/tinh/ban-tin/${id}/tra-lai`, { comment: 'Không' })).statusCode).toBe(404);
    expect(text((await get('outsider', '/admin/tinh/ban-tin')).body)).not.toContain('Khẩn: lũ quét');
  });
});
