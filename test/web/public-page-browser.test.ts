// The public page in headless Chromium on a 360 px phone: the demo commune's figures render, a
// search typed without diacritics finds the published answer, the archive plays from its own
// address, a ticket is looked up by its code, an empty quarter says so, survey results show as
// bars by question and by village (a small village held back), also with the largest survey the
// builder allows, and no page is wider than the screen (scrollWidth ≤ 360), heavier than 100 KB or
// written smaller than 18 px. Screenshots go to test-output/screenshots.
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { faqSearchText } from '../../src/tickets/faq-search.ts';
import { publicPagePlugin } from '../../src/web/plugins/public-page.ts';
import { SURVEY_LIMITS } from '../../src/surveys/survey-status.ts';
import { WITHHELD_TEXT } from '../../src/surveys/survey-public.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { many, surveyWithAnswers } from '../support/survey-fixtures.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let browser: Browser;
let page: Page;
let base = '';
let code = '';
let communeId = '';
let authorId = '';
let now = new Date('2026-12-03T03:00:00Z');

beforeAll(async () => {
  db = await openMigratedTestDatabase('public_page_browser');
  prisma = db.prisma;
  ({ communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' }));
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
  // A closed survey: 6, 5 and 2 answers in three villages; the 2 are held back, and so are the 5
  // (else the total less the two shown villages would give the 2 away).
  authorId = (await prisma.staff.findFirstOrThrow({ where: { communeId } })).id;
  const [v1, v2, v3] = await prisma.village.findMany({ where: { communeId }, orderBy: { sortOrder: 'asc' }, take: 3 });
  await surveyWithAnswers(prisma, {
    communeId, authorId, title: 'Khảo sát hài lòng về bộ phận một cửa', status: 'closed', opensAt: new Date('2026-11-01T01:00:00Z'), closesAt: new Date('2026-11-25T10:00:00Z'),
    questions: [{ kind: 'choice', text: 'Hồ sơ được trả đúng hẹn?', choices: ['Đúng hẹn', 'Trễ hẹn'] }, { kind: 'scale', text: 'Thái độ của công chức' }, { kind: 'text', text: 'Góp ý', optional: true }],
    answers: [...many(4, v1!.id, [1, 5, 'Ý KIẾN RIÊNG KHÔNG CÔNG BỐ']), ...many(2, v1!.id, [2, 3, null]), ...many(5, v2!.id, [1, 4, null]), ...many(2, v3!.id, [2, 1, null])],
  });

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
  // Every piece of text on the page, not only the body's default, is 18 px or more.
  const smallest = await page.evaluate(() => Math.min(...Array.from(document.body.querySelectorAll('*')).filter((el) => Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent!.trim())).map((el) => parseFloat(getComputedStyle(el).fontSize))));
  expect(smallest).toBeGreaterThanOrEqual(18);
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

  it('shows survey results as bars by question and by village, holding back a small village', async () => {
    await page.goto(`${base}/cong-khai/${code}#khao-sat`);
    const s = page.locator('section[aria-labelledby="khao-sat"]');
    await expect.poll(() => s.locator('h3').first().textContent()).toBe('Khảo sát hài lòng về bộ phận một cửa');
    // 13 answers: 9 on time; the bar's drawn width follows the share.
    const onTime = s.locator('.cau').first().locator('li').first();
    expect(await onTime.textContent()).toContain('9 (69,2%)');
    const [bar, track] = await Promise.all([onTime.locator('.vach span').boundingBox(), onTime.locator('.vach').boundingBox()]);
    expect(bar!.width / track!.width).toBeGreaterThan(0.66);
    expect(bar!.width / track!.width).toBeLessThan(0.72);
    expect(await s.locator('.vach').first().getAttribute('aria-hidden')).toBe('true');
    const villages = await s.locator('h4:text("Theo thôn") + ul li').allTextContents();
    expect(villages).toHaveLength(3);
    expect(villages.filter((t) => t.includes(WITHHELD_TEXT))).toHaveLength(2);
    expect(villages.some((t) => t.includes('hài lòng 66,7% (6 người'))).toBe(true);
    expect(await page.content()).not.toContain('Ý KIẾN RIÊNG KHÔNG CÔNG BỐ');
    await fitsTheScreen('surveys');
  });

  it('the largest survey the builder allows still fits the screen and the budget', async () => {
    const villages = await prisma.village.findMany({ where: { communeId } });
    const long = (n: number) => 'Ýkiếnngườidânvềviệcgiảiquyếtthủtụchànhchính '.repeat(12).slice(0, n);
    const questions = Array.from({ length: SURVEY_LIMITS.questions }, (_, i) =>
      i % 2 ? { kind: 'scale' as const, text: long(SURVEY_LIMITS.question) } : { kind: 'choice' as const, text: long(SURVEY_LIMITS.question), choices: Array.from({ length: SURVEY_LIMITS.choices }, () => long(SURVEY_LIMITS.choice)) });
    await surveyWithAnswers(prisma, {
      communeId, authorId, title: long(SURVEY_LIMITS.title), status: 'closed', opensAt: new Date('2026-11-26T01:00:00Z'), closesAt: new Date('2026-11-30T10:00:00Z'), questions,
      answers: villages.flatMap((vl, i) => many(5, vl.id, questions.map((q, k) => 1 + ((i + k) % (q.kind === 'scale' ? 5 : SURVEY_LIMITS.choices))))),
    });
    await page.goto(`${base}/cong-khai/${code}`);
    expect(await page.locator('section[aria-labelledby="khao-sat"] .cau').count()).toBe(SURVEY_LIMITS.questions);
    expect(await page.locator('section[aria-labelledby="khao-sat"] a', { hasText: 'Khảo sát hài lòng về bộ phận một cửa' }).count()).toBe(1);
    await fitsTheScreen('largest-survey');
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
