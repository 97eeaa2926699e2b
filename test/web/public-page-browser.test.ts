// The public page in headless Chromium on a 360 px phone: the demo commune's figures render, a
// search typed without diacritics finds the published answer, the archive plays from its own
// address, a ticket is looked up by its code, an empty quarter says so, and no page is wider than
// the screen (scrollWidth ≤ 360) or heavier than 100 KB. Screenshots go to test-output/screenshots.
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { faqSearchText } from '../../src/tickets/faq-search.ts';
import { publicPagePlugin } from '../../src/web/plugins/public-page.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let browser: Browser;
let page: Page;
let base = '';
let code = '';
let now = new Date('2026-12-03T03:00:00Z');

beforeAll(async () => {
  db = await openMigratedTestDatabase('public_page_browser');
  prisma = db.prisma;
  const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
  code = (await prisma.commune.findUniqueOrThrow({ where: { id: communeId } })).code;
  const resident = await prisma.resident.create({ data: { communeId } });
  const village = await prisma.village.findFirstOrThrow({ where: { communeId } });
  const field = await prisma.category.findFirstOrThrow({ where: { code: { not: 'KHIEU_NAI_TO_CAO' } } });
  // This quarter: one ticket answered on time, one still open (whatever history the seed adds).
  await prisma.ticket.create({ data: { code: 'PA-2026-80001', communeId, year: 2026, seq: 80001, residentId: resident.id, channel: 'webchat', villageId: village.id, categoryId: field.id, status: 'answered', createdAt: new Date('2026-11-02T01:00:00Z'), dueAt: new Date('2026-11-09T10:00:00Z'), answeredAt: new Date('2026-11-03T01:00:00Z') } });
  await prisma.ticket.create({ data: { code: 'PA-2026-80002', communeId, year: 2026, seq: 80002, residentId: resident.id, channel: 'webchat', villageId: village.id, categoryId: field.id, status: 'in_progress', createdAt: new Date('2026-11-20T01:00:00Z'), subject: 'Đèn đường thôn tắt' } });
  const entry = (question: string, answer: string) => ({ communeId, categoryId: field.id, question, answer, searchText: faqSearchText(question, answer), publishedAt: new Date('2026-11-05T02:00:00Z') });
  await prisma.faqEntry.create({ data: entry('Làm căn cước cho con ở đâu?', 'Bà con mang giấy khai sinh của cháu đến công an xã, sáng thứ Hai đến thứ Sáu.') });
  await prisma.faqEntry.createMany({ data: Array.from({ length: 40 }, (_, i) => entry(`Đăng ký tạm trú số ${i} thế nào?`, `Khai báo qua ứng dụng VNeID hoặc tại công an xã ${'https://dichvucong.gov.vn/p/home/dvc-trang-chu.html'}`)) });
  await prisma.bulletin.create({ data: { communeId, title: 'Lịch tiêm phòng vắc-xin cho trẻ dưới 5 tuổi tại trạm y tế xã', status: 'done', approvedRevision: 1, versions: { create: { revision: 1, text: 'Trạm y tế xã thông báo lịch tiêm phòng cho trẻ em vào sáng thứ Bảy tuần này.' } }, runs: { create: { revision: 1, scheduledFor: new Date('2026-11-28T23:00:00Z'), status: 'done' } } } });

  app = Fastify();
  await app.register(publicPagePlugin, { prisma, ttlMs: 0, now: () => now });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 1 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

async function fitsTheScreen(name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `public-${name}.png`), fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  const size = await page.evaluate(() => new TextEncoder().encode(document.documentElement.outerHTML).length);
  expect(size).toBeLessThan(100_000);
}

describe('public page at 360 px', () => {
  it('shows the demo commune’s figures, answers, bulletins and the lookup form', async () => {
    const loaded: string[] = [];
    page.on('request', (r) => loaded.push(r.url()));
    const res = await page.goto(`${base}/cong-khai/${code}`);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.locator('h2', { hasText: 'Quý IV năm 2026' }).count()).toBe(1);
    const received = page.locator('section[aria-labelledby="q-2026-10-01"] .so div', { hasText: 'Tiếp nhận' }).locator('dd');
    expect(Number(await received.textContent())).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#hoi-dap ~ article, section[aria-labelledby="hoi-dap"] article').count()).toBe(5);
    expect(await page.locator('section[aria-labelledby="ban-tin"] article h3').first().textContent()).toContain('Lịch tiêm phòng');
    // Every field has its label; nothing comes from anywhere else.
    for (const id of ['q', 'ma']) expect(await page.locator(`label[for="${id}"]`).count()).toBe(1);
    expect(loaded.every((u) => u.startsWith(base))).toBe(true);
    // Large type for elderly readers.
    expect(await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize))).toBeGreaterThanOrEqual(18);
    expect(await page.content()).not.toContain('Đèn đường thôn tắt');
    await fitsTheScreen('home');
  });

  it('finds "Làm căn cước" typed without diacritics', async () => {
    await page.goto(`${base}/cong-khai/${code}`);
    await page.getByLabel('Tìm câu hỏi đã được trả lời').fill('lam can cuoc');
    await page.getByRole('button', { name: 'Tìm' }).click();
    await page.waitForURL(/\/hoi-dap\?q=lam\+can\+cuoc/);
    expect(await page.locator('article h3').allTextContents()).toEqual(['Làm căn cước cho con ở đâu?']);
    await fitsTheScreen('search');
    // A long page of answers with long links still fits, and pages on.
    await page.goto(`${base}/cong-khai/${code}/hoi-dap?q=tam+tru`);
    expect(await page.locator('article').count()).toBe(10);
    await page.getByRole('link', { name: 'Trang sau →' }).click();
    await page.waitForURL(/trang=2/);
    await fitsTheScreen('faq-page-2');
  });

  it('looks a ticket up by its code: status and dates only', async () => {
    await page.goto(`${base}/cong-khai/${code}`);
    await page.getByLabel(/Mã phiếu/).fill('pa-2026-80002');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await page.waitForURL(/\/tra-cuu\?ma=/);
    expect(await page.locator('dl').textContent()).toContain('Đang xử lý');
    expect(await page.content()).not.toContain('Đèn đường thôn tắt');
    await fitsTheScreen('lookup');
    await page.getByLabel(/Mã phiếu/).fill('PA-2026-99999');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent()).toContain('Không tìm thấy phiếu PA-2026-99999');
  });

  it('an empty quarter says so and still fits', async () => {
    now = new Date('2031-01-02T03:00:00Z');
    await page.goto(`${base}/cong-khai/${code}`);
    expect(await page.locator('text=Chưa có phản ánh, kiến nghị nào trong quý này.').count()).toBe(2);
    await fitsTheScreen('empty-quarter');
  });
});
