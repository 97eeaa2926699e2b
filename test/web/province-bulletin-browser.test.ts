// The province compose page in headless Chromium at 360 px: the province editor goes Toàn tỉnh →
// Bản tin của tỉnh → Soạn, sees the reading-time estimate follow the text, is told in Vietnamese
// when "chosen communes" has none ticked (the text kept), ticks one village of one commune and
// sends it; the bulletin's page lists that commune with the village, waiting for approval. Then the
// approver approves it from the page, and the commune's approver declines it from the calendar with
// a reason. No page is wider than the phone. Screenshots go to test-output/screenshots.
import { join } from 'node:path';
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
import { weekStart } from '../../src/bulletins/broadcast-calendar.ts';
import { localDate } from '../../src/calendar/local-time.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

const PASSWORD = 'Mat-khau-Ban-tin-Tinh-2026';
let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let browser: Browser;
let base = '';
let secondCommune = '';

beforeAll(async () => {
  db = await openMigratedTestDatabase('province_bulletin_browser', 4);
  prisma = db.prisma;
  const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
  const provinceId = (await prisma.commune.findUniqueOrThrow({ where: { id: communeId } })).provinceId!;
  secondCommune = (await prisma.commune.create({ data: { code: 'XA-AN-LAC', name: 'Xã An Lạc', provinceId } })).id;
  await prisma.village.createMany({ data: [{ communeId: secondCommune, name: 'Thôn Đông', sortOrder: 1 }, { communeId: secondCommune, name: 'Thôn Tây', sortOrder: 2 }] });
  const passwordHash = await hashPassword(PASSWORD);
  await prisma.staff.create({ data: { username: 'tinh_soan', displayName: 'Biên tập tỉnh', roles: [], provinceId, provinceRoles: ['editor'], passwordHash, mustChangePassword: false } });
  await prisma.staff.create({ data: { username: 'tinh_duyet', displayName: 'Duyệt tỉnh', roles: [], provinceId, provinceRoles: ['approver'], passwordHash, mustChangePassword: false } });
  await prisma.staff.create({ data: { username: 'anlac_duyet', displayName: 'Chủ tịch An Lạc', roles: ['approver'], communeId: secondCommune, passwordHash, mustChangePassword: false } });
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

async function signedIn(username: string, landing: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'vi-VN' });
  const page = await ctx.newPage();
  await page.goto(`${base}/admin/dang-nhap`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(`**${landing}`);
  return page;
}
const width = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe('province bulletin compose page in the browser', () => {
  it('the editor writes one for a village of one commune; the approver approves; the commune declines from its calendar', async () => {
    const page = await signedIn('tinh_soan', '/admin/tinh');
    await page.getByRole('link', { name: 'Bản tin của tỉnh' }).click();
    await page.waitForURL('**/admin/tinh/ban-tin');
    // A link drawn as a button (role="button").
    await page.getByRole('button', { name: 'Soạn bản tin của tỉnh' }).click();
    await page.waitForURL('**/admin/tinh/ban-tin/moi');
    await page.getByLabel('Tiêu đề').fill('Phòng chống bão số 5');
    await page.getByLabel(/^Nội dung/).fill('Bà con chằng chống nhà cửa. Không ra khơi từ chiều nay.');
    // The estimate follows the text as it is typed (our own script).
    await expect.poll(() => page.locator('#text-estimate [data-words]').textContent()).toBe('12');
    await page.getByLabel('Loại bản tin').selectOption('normal');
    await page.getByLabel('Chỉ các xã, thôn được chọn:').check();
    await page.getByRole('button', { name: 'Gửi duyệt' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Chọn ít nhất một xã (hoặc một thôn)');
    expect(await page.getByLabel('Tiêu đề').inputValue()).toBe('Phòng chống bão số 5');
    await page.screenshot({ path: join(SCREENSHOTS, 'tinh-ban-tin-moi-loi-360.png'), fullPage: true });
    expect(await width(page)).toBeLessThanOrEqual(360);

    await page.getByText('Chỉ một số thôn của Xã An Lạc').click();
    await page.getByLabel('Thôn Tây').check();
    await page.getByRole('button', { name: 'Gửi duyệt' }).click();
    await page.waitForURL(/\/admin\/tinh\/ban-tin\/[0-9a-f-]{36}\?da=moi/);
    expect(await page.locator('p.ok[role=status]').textContent()).toContain('Đã gửi bản tin để người duyệt cấp tỉnh duyệt.');
    expect(await page.locator('#trang-thai').textContent()).toBe('Chờ duyệt');
    const rows = await page.locator('#cac-xa tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children).map((c) => (c.textContent ?? '').trim())));
    expect(rows).toEqual([['Xã An Lạc', 'Thôn Tây', '—', '—', '—']]);
    await page.screenshot({ path: join(SCREENSHOTS, 'tinh-ban-tin-360.png'), fullPage: true });
    expect(await width(page)).toBeLessThanOrEqual(360);
    const url = page.url().replace(/\?.*$/, '');

    const approver = await signedIn('tinh_duyet', '/admin/tinh');
    await approver.goto(url);
    await approver.getByRole('button', { name: 'Duyệt và gửi các xã' }).click();
    await approver.waitForURL(/\?da=duyet$/);
    expect(await approver.locator('#cac-xa tbody tr td').nth(1).textContent()).toContain('Chờ xã xem');

    const id = /ban-tin\/([0-9a-f-]{36})/.exec(url)![1]!;
    const deadline = (await prisma.provinceBulletin.findUniqueOrThrow({ where: { id } })).declineDeadline!;
    const commune = await signedIn('anlac_duyet', '/admin/tong-quan');
    await commune.goto(`${base}/admin/lich-phat?tuan=${weekStart(localDate(deadline, 'Asia/Ho_Chi_Minh').date)}`);
    const item = commune.locator('article.item', { hasText: 'Phòng chống bão số 5' });
    await item.getByText('Từ chối', { exact: true }).click();
    await item.getByLabel('Lý do xã từ chối (tỉnh sẽ đọc)').fill('Xã đã phát nội dung này sáng nay');
    await commune.screenshot({ path: join(SCREENSHOTS, 'lich-phat-tu-choi-tinh-360.png'), fullPage: true });
    expect(await width(commune)).toBeLessThanOrEqual(360);
    await item.getByRole('button', { name: 'Từ chối bản tin này' }).click();
    await commune.waitForURL(/da=tu-choi-tinh/);
    expect(await commune.getByRole('status').textContent()).toContain('Đã từ chối bản tin của tỉnh cho xã');

    await page.reload();
    expect(await page.locator('#cac-xa tbody tr td').nth(1).textContent()).toContain('Xã đã từ chối');
    expect(await page.locator('#cac-xa tbody tr td').nth(1).textContent()).toContain('Xã đã phát nội dung này sáng nay');
  }, 180_000);
});
