// The province dashboard in headless Chromium, on the demo province as `npm start` seeds it: the
// province viewer signs in, sees the three demo communes ranked with the chart, sorts by a column,
// downloads the ranking (read back with exceljs: the page's numbers), and drills into one commune
// read-only (figures, tickets with confidential ones as placeholders, bulletins; no answer or edit
// control). The province admin onboards a fourth commune from the web page — a malformed list
// refused with its line, a file too large stopped in the page, then CSV files read into the
// boxes — and its checklist shows what is still missing. Screenshots go to test-output/screenshots.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { Database } from '../../src/db/database.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { placeholderTexts } from '../../src/tickets/ticket-visibility.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

const PASSWORD = 'Mat-khau-Tinh-Mau-2026';
let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let browser: Browser;
let base = '';

beforeAll(async () => {
  db = await openMigratedTestDatabase('province_browser', 4);
  prisma = db.prisma;
  await seedDemo(prisma, { password: 'MatKhauKiemThu2026', province: true });
  await prisma.staff.updateMany({ where: { username: { in: ['giamsat', 'quantritinh'] } }, data: { passwordHash: await hashPassword(PASSWORD), mustChangePassword: false } });
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    admin: { prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true },
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

async function signIn(page: Page, username: string) {
  await page.goto(`${base}/admin/dang-nhap`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  // Province staff start from the ranking.
  await page.waitForURL('**/admin/tinh');
}

/** The ranking table as text: commune name → its cells. */
async function rankingRows(page: Page) {
  return page.locator('#xep-hang tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children).map((c) => (c.textContent ?? '').trim())));
}
const num = (s: string) => Number(s.replace(/\./g, '').replace(',', '.'));

describe('province dashboard in the browser', () => {
  it('a province viewer ranks the three demo communes, sorts, downloads the XLSX and drills into one read-only', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', acceptDownloads: true });
    const page = await ctx.newPage();
    await signIn(page, 'giamsat');
    await page.waitForURL('**/admin/tinh');
    await page.locator('canvas[data-drawn="1"]').waitFor();
    const ranked = await rankingRows(page);
    expect(ranked.map((r) => r[1])).toEqual(['Xã Hòa Bình (dữ liệu mẫu)', 'Xã Tân Lập (dữ liệu mẫu)', 'Xã An Phú (dữ liệu mẫu)']);
    expect(ranked.map((r) => r[0])).toEqual(['1', '2', '3']);
    for (const r of ranked) expect(num(r[2]!)).toBeGreaterThan(0);
    expect(await page.locator('main').textContent()).toContain('số phiếu đã đến hạn');
    await page.screenshot({ path: join(SCREENSHOTS, 'toan-tinh-1280.png'), fullPage: true });

    // Sorting by "Tiếp nhận": most first, then, clicked again, fewest first.
    await page.locator('#xep-hang thead').getByRole('link', { name: /Tiếp nhận/ }).click();
    await page.waitForURL(/sap=tiep-nhan&chieu=giam/);
    const desc = (await rankingRows(page)).map((r) => num(r[2]!));
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    expect(await page.locator('#xep-hang th[aria-sort="descending"]').textContent()).toContain('Tiếp nhận');
    await page.locator('#xep-hang thead').getByRole('link', { name: /Tiếp nhận/ }).click();
    await page.waitForURL(/sap=tiep-nhan&chieu=tang/);
    const asc = (await rankingRows(page)).map((r) => num(r[2]!));
    expect(asc).toEqual([...desc].reverse());

    // The spreadsheet carries the page's numbers.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /XLSX/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^xep-hang-xa-\d{4}-\d{2}-01\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync((await download.path())!) as never);
    const ws = wb.getWorksheet('Xếp hạng')!;
    const sheet = [5, 6, 7].map((i) => ws.getRow(i)).map((r) => ({ rank: r.getCell(1).value, name: r.getCell(3).value, received: r.getCell(4).value }));
    expect(sheet).toEqual(ranked.map((r) => ({ rank: Number(r[0]), name: r[1], received: num(r[2]!) })));

    // One commune, read-only.
    await page.getByRole('link', { name: 'Xã Tân Lập (dữ liệu mẫu)' }).click();
    await page.waitForURL('**/admin/tinh/xa/demo-tan-lap?ky=quy-nay');
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('chỉ xem');
    expect(await page.locator('#phieu tbody tr').count()).toBeGreaterThan(10);
    expect(await page.locator('#ban-tin tbody tr').count()).toBeGreaterThan(5);
    expect(await page.locator('#so-lieu').textContent()).toContain(ranked.find((r) => r[1] === 'Xã Tân Lập (dữ liệu mẫu)')![2]);
    const communeId = (await prisma.commune.findUniqueOrThrow({ where: { code: 'demo-tan-lap' } })).id;
    const secrets = await prisma.ticket.findMany({ where: { communeId, confidential: true }, select: { code: true, subject: true } });
    const shown = secrets.filter((t) => main.includes(t.code));
    for (const t of shown) expect(main).not.toContain(t.subject!);
    if (shown.length) expect(main).toContain(placeholderTexts.text);
    expect(await page.locator('main form[method="post"], main textarea, main input[type="file"]').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Trả lời|Giao|Đóng|Sửa|Duyệt|Phát/ }).count()).toBe(0);
    await page.setViewportSize({ width: 360, height: 800 });
    await page.screenshot({ path: join(SCREENSHOTS, 'toan-tinh-xa-360.png'), fullPage: true });
    await ctx.close();
  }, 120_000);

  it('the province admin onboards a fourth commune from the web page, and its checklist shows what is missing', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await ctx.newPage();
    await signIn(page, 'quantritinh');
    await page.getByRole('link', { name: 'Thêm xã mới' }).click();
    await page.waitForURL('**/admin/tinh/xa-moi');

    // A file too large for a list is stopped in the page, before anything is sent.
    const villageFile = page.getByLabel('Tệp CSV danh sách thôn');
    await villageFile.setInputFiles({ name: 'nham-tep.csv', mimeType: 'text/csv', buffer: Buffer.alloc(250_000, 65) });
    await expect.poll(() => page.locator('#upload-status').textContent()).toContain('quá lớn');

    // A malformed list is refused with its line; what was typed stays.
    await page.getByLabel('Mã xã').fill('xa-thu-tu');
    await page.getByLabel('Tên xã', { exact: true }).fill('Xã Thứ Tư');
    await page.locator('#villages').fill('Thôn Trên\nThôn Dưới, "xóm Dưới\n');
    await page.getByRole('button', { name: 'Tạo xã' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Danh sách thôn, dòng 2');
    expect(await page.getByLabel('Tên xã', { exact: true }).inputValue()).toBe('Xã Thứ Tư');

    // CSV files read into the boxes, then the commune is created.
    await villageFile.setInputFiles({ name: 'thon.csv', mimeType: 'text/csv', buffer: Buffer.from('tên thôn,tên khác\nThôn Trên,xóm Trên\nThôn Dưới,"xóm Dưới; đội 2"\nThôn Giữa,\n') });
    await expect.poll(() => page.locator('#villages').inputValue()).toContain('Thôn Giữa');
    await page.getByLabel('Tệp CSV danh sách cán bộ').setInputFiles({ name: 'can-bo.csv', mimeType: 'text/csv', buffer: Buffer.from('\uFEFFtên đăng nhập,họ tên,vai trò,chức vụ,điện thoại,trưởng\nqt.thutu,Phan Văn Quý,admin,Quản trị,,\nct.thutu,Võ Thị Hạnh,approver;responder,Chủ tịch UBND xã,0912 345 678,x\n') });
    await expect.poll(() => page.locator('#staff').inputValue()).toContain('ct.thutu');
    await page.getByRole('button', { name: 'Tạo xã' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Đã tạo xã Xã Thứ Tư (xa-thu-tu): 3 thôn, 2 cán bộ');
    expect(await page.locator('#mat-khau tbody tr').count()).toBe(2);
    await page.screenshot({ path: join(SCREENSHOTS, 'them-xa-1280.png'), fullPage: true });

    await page.getByRole('button', { name: 'Xem những gì xã còn thiếu' }).click();
    await page.waitForURL('**/admin/tinh/xa/xa-thu-tu/kiem-tra');
    const state = await page.locator('#kiem-tra tbody tr').evaluateAll((trs) => Object.fromEntries(trs.map((tr) => [tr.getAttribute('data-key'), tr.getAttribute('data-done')])));
    expect(state).toEqual({ villages: '1', staff: '1', admin: '1', leader: '1', bot: '0', admin_chat: '0', loudspeakers: '0', zalo: '0' });
    expect(await page.locator('#kiem-tra tr[data-key="bot"] a').getAttribute('href')).toBe('/admin/cum-loa');
    expect(await page.locator('#kiem-tra tr[data-key="loudspeakers"] a').getAttribute('href')).toBe('/admin/cum-loa/loa/moi');
    await page.screenshot({ path: join(SCREENSHOTS, 'kiem-tra-xa-1280.png'), fullPage: true });

    // The fourth commune joins the ranking, unranked until something is due.
    await page.goto(`${base}/admin/tinh`);
    const rows = await rankingRows(page);
    expect(rows).toHaveLength(4);
    expect(rows.at(-1)!.slice(0, 2)).toEqual(['chưa xếp hạng', 'Xã Thứ Tư']);
    const c = await prisma.commune.findUniqueOrThrow({ where: { code: 'xa-thu-tu' }, include: { province: true, villages: { orderBy: { sortOrder: 'asc' } } } });
    expect(c.province?.code).toBe('demo-tinh');
    expect(c.villages.map((v) => [v.name, v.aliases])).toEqual([['Thôn Trên', ['xóm Trên']], ['Thôn Dưới', ['xóm Dưới', 'đội 2']], ['Thôn Giữa', []]]);
    await ctx.close();
  }, 120_000);
});
