// Province pages (Toàn tỉnh, a commune read-only, the ranking XLSX, onboarding and its checklist)
// by who asks: a province's staff read every commune of their province and nothing of another
// (404, as for a code that does not exist), commune staff are refused (403), a viewer cannot
// onboard; the onboarding form answers malformed, duplicated, huge and taken input precisely.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { Database } from '../../src/db/database.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { placeholderTexts } from '../../src/tickets/ticket-visibility.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { form, sessionFor, type TestSession } from '../support/staff-session.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
const as: Record<string, TestSession> = {};
const SECRET = 'Tố cáo trưởng thôn nhận tiền XYZ';

beforeAll(async () => {
  db = await openMigratedTestDatabase('province_access', 4);
  prisma = db.prisma;
  const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
  const a = await prisma.province.findUniqueOrThrow({ where: { code: 'demo-tinh' } });
  const b = await prisma.province.create({ data: { code: 'tinh-b', name: 'Tỉnh Bên Kia' } });
  const bCommune = await prisma.commune.create({ data: { code: 'xa-ben-kia', name: 'Xã Bên Kia', provinceId: b.id } });
  const staff = async (username: string, data: Record<string, unknown>) => (as[username] = await sessionFor(prisma, (await prisma.staff.create({ data: { username, displayName: username, roles: [], ...data } })).id));
  await staff('a-admin', { provinceId: a.id, provinceRoles: ['admin'] });
  await staff('b-viewer', { provinceId: b.id, provinceRoles: ['viewer'] });
  await staff('b-admin', { provinceId: b.id, provinceRoles: ['admin'] });
  as['a-viewer'] = await sessionFor(prisma, (await prisma.staff.findUniqueOrThrow({ where: { username: 'giamsat' } })).id);
  as['xa-admin'] = await sessionFor(prisma, (await prisma.staff.findUniqueOrThrow({ where: { username: 'quantri' } })).id);
  const resident = await prisma.resident.create({ data: { communeId } });
  const secret = await prisma.category.findUniqueOrThrow({ where: { code: 'KHIEU_NAI_TO_CAO' } });
  await prisma.ticket.create({ data: { code: 'PA-2026-90001', communeId, year: 2026, seq: 90001, residentId: resident.id, channel: 'telegram', confidential: true, categoryId: secret.id, subject: SECRET } });
  await prisma.ticket.create({ data: { code: 'XB-2026-00001', communeId: bCommune.id, year: 2026, seq: 1, residentId: (await prisma.resident.create({ data: { communeId: bCommune.id } })).id, channel: 'telegram', subject: 'Đèn đường' } });
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    admin: { prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true, encryptionKey: randomBytes(32) },
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const get = (who: string, url: string) => app.inject({ method: 'GET', url, headers: { cookie: as[who]!.cookie } });
const post = (who: string, fields: Record<string, string>, csrf = true) =>
  app.inject({ method: 'POST', url: '/admin/tinh/xa-moi', headers: { cookie: as[who]!.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(csrf ? as[who] : undefined, fields) });

/** Signs in through the login form; where it sends the person. */
async function signInTo(username: string, password = 'MatKhauKiemThu2026'): Promise<string | undefined> {
  const login = await app.inject({ method: 'GET', url: '/admin/dang-nhap' });
  const csrf = /name="csrf" value="([^"]+)"/.exec(login.body)?.[1] ?? '';
  const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const r = await app.inject({ method: 'POST', url: '/admin/dang-nhap', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ username, password, csrf }).toString() });
  expect(r.statusCode, username).toBe(303);
  return r.headers.location as string | undefined;
}

/** The main menu's links of a page: href → label. */
const menuOf = (html: string) => Object.fromEntries([...(/<ul class="menu">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]));

describe('where each lands', () => {
  it('province staff land on Toàn tỉnh after signing in, commune staff on Tổng quan', async () => {
    expect(await signInTo('giamsat')).toBe('/admin/tinh');
    expect(await signInTo('quantri')).toBe('/admin/tong-quan');
    // A page asked for before signing in still wins.
    const login = await app.inject({ method: 'GET', url: '/admin/dang-nhap?tiep=%2Fadmin%2Fban-tin' });
    const csrf = /name="csrf" value="([^"]+)"/.exec(login.body)?.[1] ?? '';
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const r = await app.inject({ method: 'POST', url: '/admin/dang-nhap', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ username: 'giamsat', password: 'MatKhauKiemThu2026', csrf, next: '/admin/ban-tin' }).toString() });
    expect(r.headers.location).toBe('/admin/ban-tin');
  });

  it('/admin, the login page when signed in and the brand link follow the role', async () => {
    expect((await get('a-viewer', '/admin')).headers.location).toBe('/admin/tinh');
    expect((await get('a-admin', '/admin/dang-nhap')).headers.location).toBe('/admin/tinh');
    expect((await get('xa-admin', '/admin')).headers.location).toBe('/admin/tong-quan');
    expect((await app.inject({ method: 'GET', url: '/admin' })).headers.location).toBe('/admin/dang-nhap');
    const page = (await get('a-viewer', '/admin/ban-tin')).body;
    expect(page).toContain('<a href="/admin/tinh" class="brand">');
    expect((await get('xa-admin', '/admin/ban-tin')).body).toContain('<a href="/admin/tong-quan" class="brand">');
  });

  it('the menu shows province staff what they can use: Toàn tỉnh first, Thêm xã for the province admin only', async () => {
    const viewer = menuOf((await get('a-viewer', '/admin/tinh')).body);
    const admin = menuOf((await get('a-admin', '/admin/tinh')).body);
    const commune = menuOf((await get('xa-admin', '/admin/tong-quan')).body);
    expect(Object.keys(viewer)[0]).toBe('/admin/tinh');
    expect(viewer['/admin/tinh/xa-moi']).toBeUndefined();
    expect(admin['/admin/tinh/xa-moi']).toBe('Thêm xã');
    expect(commune['/admin/tinh']).toBeUndefined();
    expect(commune['/admin/tinh/xa-moi']).toBeUndefined();
    // Each link of the menu opens for the person it is shown to.
    for (const [who, menu] of [['a-viewer', viewer], ['a-admin', admin], ['xa-admin', commune]] as const) {
      for (const href of Object.keys(menu)) expect((await get(who, href)).statusCode, `${who} ${href}`).toBe(200);
    }
  });
});

describe('province pages by who asks', () => {
  it('a province viewer ranks and reads every commune of their province, nothing of another', async () => {
    const a = await get('a-viewer', '/admin/tinh');
    expect(a.statusCode).toBe(200);
    expect(a.body).toContain('Xã Hòa Bình');
    expect(a.body).not.toContain('Xã Bên Kia');
    const b = await get('b-viewer', '/admin/tinh');
    expect(b.body).toContain('Xã Bên Kia');
    expect(b.body).not.toContain('Xã Hòa Bình');
    for (const url of ['/admin/tinh/xa/demo', '/admin/tinh/xa/demo/kiem-tra']) {
      expect((await get('b-viewer', url)).statusCode, url).toBe(404);
      expect((await get('b-admin', url)).statusCode, url).toBe(404);
      expect((await get('a-viewer', url)).statusCode, url).toBe(200);
    }
    expect((await get('a-viewer', '/admin/tinh/xa/xa-ben-kia')).statusCode).toBe(404);
    expect((await get('a-viewer', '/admin/tinh/xa/khong-co')).statusCode).toBe(404);
    const xlsx = await get('b-viewer', '/admin/tinh/xep-hang.xlsx?ky=thang-nay');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
  });

  it('a confidential ticket shows in the drill-down as its placeholder only, and the page has no action', async () => {
    const page = (await get('a-viewer', '/admin/tinh/xa/demo')).body;
    expect(page).toContain('PA-2026-90001');
    expect(page).not.toContain(SECRET);
    expect(page).toContain(placeholderTexts.text);
    expect(page.match(/<form method="post"/g) ?? []).toHaveLength(1); // sign-out only
  });

  it('commune staff are refused every province page', async () => {
    for (const url of ['/admin/tinh', '/admin/tinh/xep-hang.xlsx', '/admin/tinh/xa/demo', '/admin/tinh/xa/demo/kiem-tra', '/admin/tinh/xa-moi']) {
      expect((await get('xa-admin', url)).statusCode, url).toBe(403);
    }
    expect((await post('xa-admin', { code: 'xa-moi-1', name: 'Xã Mới', villages: 'Thôn 1' })).statusCode).toBe(403);
    expect(await prisma.commune.count({ where: { code: 'xa-moi-1' } })).toBe(0);
  });

  it('a province viewer cannot onboard; a forged form is refused', async () => {
    expect((await get('a-viewer', '/admin/tinh/xa-moi')).statusCode).toBe(403);
    expect((await post('a-viewer', { code: 'xa-moi-2', name: 'Xã Mới', villages: 'Thôn 1' })).statusCode).toBe(403);
    expect((await post('a-admin', { code: 'xa-moi-2', name: 'Xã Mới', villages: 'Thôn 1' }, false)).statusCode).toBe(403);
    expect(await prisma.commune.count({ where: { code: 'xa-moi-2' } })).toBe(0);
  });

  it('the province admin onboards into their own province; the other province never sees it', async () => {
    const r = await post('a-admin', { code: 'xa-moi-3', name: 'Xã Mới Ba', villages: 'Thôn Đông, xóm Đông\nThôn Tây', staff: 'tên đăng nhập,họ tên,vai trò,trưởng\nqt.moiba,Nguyễn Văn A,admin,\nct.moiba,Lê Văn B,approver,x' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Đã tạo xã Xã Mới Ba');
    expect(r.body).toContain('qt.moiba');
    const c = await prisma.commune.findUniqueOrThrow({ where: { code: 'xa-moi-3' }, include: { villages: true, province: true } });
    expect(c.province?.code).toBe('demo-tinh');
    expect(c.villages.find((v) => v.name === 'Thôn Đông')?.aliases).toEqual(['xóm Đông']);
    expect((await get('b-viewer', '/admin/tinh/xa/xa-moi-3/kiem-tra')).statusCode).toBe(404);
    const checklist = await get('a-admin', '/admin/tinh/xa/xa-moi-3/kiem-tra');
    expect(checklist.body).toMatch(/data-key="bot" data-done="0"/);
    expect(checklist.body).toMatch(/data-key="admin" data-done="1"/);
  });

  it('names the line of a malformed list, a duplicate, a huge paste and a taken code; nothing is created', async () => {
    const cases: Array<[Record<string, string>, number, RegExp]> = [
      [{ code: 'xa-loi-1', name: 'Xã Lỗi', villages: 'Thôn 1\n"Thôn 2\n' }, 400, /Danh sách thôn, dòng 2: dấu ngoặc kép chưa đóng/],
      [{ code: 'xa-loi-2', name: 'Xã Lỗi', villages: 'Thôn Bãi\nThon Bai' }, 400, /dòng 2: "Thon Bai" trùng với "Thôn Bãi" ở dòng 1/],
      [{ code: 'xa-loi-3', name: 'Xã Lỗi', villages: 'Thôn 1', staff: 'tên đăng nhập,họ tên,vai trò\nab.cd,A,admin\nab.cd,B,editor' }, 400, /Danh sách cán bộ, dòng 3: tên đăng nhập "ab.cd" đã có ở dòng 2/],
      [{ code: 'xa-loi-4', name: 'Xã Lỗi', villages: 'Thôn Một Hai Ba\n'.repeat(15_000) }, 400, /Danh sách thôn: quá lớn \(tối đa 200 KB\)/],
      [{ code: 'demo', name: 'Xã Trùng Mã', villages: 'Thôn 1' }, 409, /Mã xã "demo" đã có/],
      [{ code: 'xa-loi-5', name: 'Xã Lỗi', villages: '' }, 400, /Danh sách thôn: chưa có thôn nào/],
    ];
    for (const [fields, status, message] of cases) {
      const r = await post('a-admin', fields);
      expect(r.statusCode, fields.code).toBe(status);
      expect(r.body.replace(/&quot;|&#34;/g, '"'), fields.code).toMatch(message);
      expect(r.body).toContain(`value="${fields.name}"`);
    }
    expect(await prisma.commune.count({ where: { code: { startsWith: 'xa-loi' } } })).toBe(0);
    // Beyond any list's size, the form's own page in Vietnamese.
    const huge = await post('a-admin', { code: 'xa-loi-6', name: 'Xã Lỗi', villages: 'x'.repeat(5 * 1024 * 1024) });
    expect(huge.statusCode).toBe(413);
    expect(huge.body).toContain('quá lớn');
  });
});
