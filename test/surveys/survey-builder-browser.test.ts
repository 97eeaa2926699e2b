// The survey builder in headless Chromium, as an editor uses it at 360 px: create a survey, add
// three questions (a scale, a choice, an optional short text), move the last one up, choose the
// audience, see the preview, send it for approval; the database holds the order shown.
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import type { Database } from '../../src/db/database.ts';
import { silentLogger } from '../../src/logger.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { sessionFor } from '../support/staff-session.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { join } from 'node:path';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let browser: Browser;
let base = '';
let editorId = '';

beforeAll(async () => {
  db = await openMigratedTestDatabase('survey-builder', 6);
  prisma = db.prisma;
  await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
  editorId = (await prisma.staff.findUniqueOrThrow({ where: { username: 'vanhoa' } })).id;
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    admin: { prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

describe('the survey builder', () => {
  it('creates a survey, adds three questions, reorders them and sends it for approval', async () => {
    const s = await sessionFor(prisma, editorId);
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    await context.addCookies([{ name: 'lx_session', value: s.cookie.split('=')[1]!, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/admin/khao-sat`);
    await page.fill('#title', 'Hài lòng với bộ phận một cửa năm 2026');
    await page.fill('#intro', 'Xin ông/bà dành một phút trả lời.');
    await Promise.all([page.waitForURL(/\/admin\/khao-sat\/[0-9a-f-]{36}$/), page.click('button:has-text("Tạo khảo sát")')]);

    const add = async (text: string, kind: string, extra: { choices?: string; optional?: boolean } = {}) => {
      await page.fill('#q-text', text);
      await page.selectOption('#q-kind', kind);
      if (extra.choices) await page.fill('#q-choices', extra.choices);
      if (extra.optional) await page.check('input[name="optional"]');
      await Promise.all([page.waitForURL(/da=them-cau/), page.click('button:has-text("Thêm câu hỏi")')]);
    };
    await add('Thái độ của công chức', 'scale');
    await add('Thủ tục có đúng hẹn?', 'choice', { choices: 'Đúng hẹn\nTrễ hẹn' });
    await add('Góp ý thêm', 'text', { optional: true });
    const order = () => page.locator('#questions .q-text').allTextContents();
    expect(await order()).toEqual(['Thái độ của công chức', 'Thủ tục có đúng hẹn?', 'Góp ý thêm']);

    await Promise.all([page.waitForURL(/da=len/), page.click('button[aria-label="Lên: Góp ý thêm"]')]);
    expect(await order()).toEqual(['Thái độ của công chức', 'Góp ý thêm', 'Thủ tục có đúng hẹn?']);
    // The preview shows what residents will read, numbered in the new order.
    await expect(page.locator('.preview').nth(1).textContent()).resolves.toContain('Câu 2/3 (không bắt buộc): Góp ý thêm');

    await page.check('input[value="consented"]');
    await Promise.all([page.waitForURL(/da=nguoi-nhan/), page.click('button:has-text("Lưu người nhận")')]);
    await Promise.all([page.waitForURL(/da=gui-duyet/), page.click('button:has-text("Gửi duyệt")')]);
    expect(await page.locator('#survey-status').textContent()).toBe('Chờ duyệt');
    // The page fits the phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(SCREENSHOTS, 'survey-builder-360.png'), fullPage: true });

    const survey = await prisma.survey.findFirstOrThrow({ include: { questions: { orderBy: { position: 'asc' } }, audiences: true } });
    expect(survey.status).toBe('submitted');
    expect(survey.questions.map((q) => [q.position, q.kind, q.optional])).toEqual([[1, 'scale', false], [2, 'text', true], [3, 'choice', false]]);
    expect(survey.audiences.map((a) => a.kind)).toEqual(['consented']);
    await context.close();
  }, 60_000);
});
