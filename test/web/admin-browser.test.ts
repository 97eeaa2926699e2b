// The web admin in headless Chromium: first login forces a new password, the dashboard shows the
// day's broadcasts, tickets, loudspeakers and accounts at 360 px and on a desktop, hostile text in
// a title stays text, and logging out ends the session. Screenshots go to test-output/screenshots.
import { join } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { installErrorHandler } from '../../src/web/error-handler.ts';
import { adminPlugin } from '../../src/web/admin/admin-plugin.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { startRun } from '../../broadcasts/fanout/start-run.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

const FIRST_PASSWORD = 'MatKhauMau2026';
const NEW_PASSWORD = 'Loa-xa-Thon-5-an-toan';
let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let browser: Browser;
let base = '';
const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">Họp dân thôn 3';

beforeAll(async () => {
  db = await openMigratedTestDatabase('admin_browser');
  prisma = db.prisma;
  const { communeId } = await seedDemo(prisma, { password: FIRST_PASSWORD });
  const staff = Object.fromEntries((await prisma.staff.findMany()).map((s) => [s.username, s.id]));
  // The day as staff will find it: a bulletin with a hostile title gone out, a loudspeaker silent,
  // a Zalo account logged in elsewhere.
  const wf = createBulletinWorkflow(prisma);
  const b = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId, title: HOSTILE, text: 'Mời bà con thôn 3 họp lúc 19 giờ.' });
  await wf.submit({ staffId: staff.vanhoa! }, b.id);
  await wf.approve({ staffId: staff.chutich! }, b.id);
  await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
  await prisma.endpoint.updateMany({ where: { communeId, name: { contains: 'Thôn 4' } }, data: { status: 'offline', lastHeartbeatAt: new Date(Date.now() - 3600_000) } });
  await prisma.channelAccount.create({ data: { communeId, platform: 'zalo', name: 'zalo-xa', status: 'kicked', statusReason: 'đăng nhập ở nơi khác' } });

  app = Fastify({ loggerInstance: silentLogger as unknown as FastifyBaseLogger });
  installErrorHandler(app);
  await app.register(adminPlugin, { prisma, secureCookies: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

describe('web admin', () => {
  it('first login forces a new password, then shows the day, safely, on a 360-px phone', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'vi-VN' });
    const page = await ctx.newPage();
    await page.goto(`${base}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/dang-nhap');
    await page.screenshot({ path: join(SCREENSHOTS, 'dang-nhap-360.png'), fullPage: true });

    await page.getByLabel('Tên đăng nhập').fill('vanhoa');
    await page.getByLabel('Mật khẩu').fill('sai-mat-khau');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('không đúng');

    await page.getByLabel('Mật khẩu').fill(FIRST_PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL('**/admin/doi-mat-khau');
    await expect(page.getByText('lần đăng nhập đầu tiên').isVisible()).resolves.toBe(true);
    // Until the password is changed, other pages send the user back here.
    await page.goto(`${base}/admin/tong-quan`);
    expect(new URL(page.url()).pathname).toBe('/admin/doi-mat-khau');

    await page.getByLabel('Mật khẩu hiện tại').fill(FIRST_PASSWORD);
    await page.getByLabel(/^Mật khẩu mới/).fill(NEW_PASSWORD);
    await page.getByLabel('Nhập lại mật khẩu mới').fill('khac-han');
    await page.getByRole('button', { name: 'Lưu mật khẩu mới' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('không khớp');
    await page.screenshot({ path: join(SCREENSHOTS, 'doi-mat-khau-360.png'), fullPage: true });

    await page.getByLabel('Mật khẩu hiện tại').fill(FIRST_PASSWORD);
    await page.getByLabel(/^Mật khẩu mới/).fill(NEW_PASSWORD);
    await page.getByLabel('Nhập lại mật khẩu mới').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Lưu mật khẩu mới' }).click();
    await page.waitForURL('**/admin/tong-quan');
    expect((await prisma.staff.findUniqueOrThrow({ where: { username: 'vanhoa' } })).mustChangePassword).toBe(false);

    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(/Tổng quan ngày \d\d\/\d\d\/20\d\d/);
    const body = (await page.locator('main').textContent()) ?? '';
    expect(body).toContain('<script>window.__pwned = 1</script>');
    expect(body).toContain('Cụm loa Thôn 4: mất kết nối');
    expect(body).toContain('Zalo "zalo-xa": bị đăng nhập ở nơi khác');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.screenshot({ path: join(SCREENSHOTS, 'tong-quan-360.png'), fullPage: true });
    // Nothing wider than the phone.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(SCREENSHOTS, 'tong-quan-360.png'), fullPage: true });

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(SCREENSHOTS, 'tong-quan-1280.png'), fullPage: true });

    await page.getByRole('button', { name: /Đăng xuất/ }).click();
    await page.waitForURL('**/admin/dang-nhap');
    await page.goto(`${base}/admin/tong-quan`);
    expect(new URL(page.url()).pathname).toBe('/admin/dang-nhap');
    await ctx.close();
  });

  it('refuses a login form posted from elsewhere, and forms without their token', async () => {
    const forged = await fetch(`${base}/admin/dang-nhap`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `username=vanhoa&password=${NEW_PASSWORD}&csrf=doan-bua`, redirect: 'manual' });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie') ?? '').not.toContain('lx_session=');
    expect(forged.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
