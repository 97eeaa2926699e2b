// The web admin in headless Chromium: first login forces a new password, the dashboard shows the
// day's broadcasts, tickets, loudspeakers and accounts at 360 px and on a desktop, hostile text in
// a title stays text, logging out ends the session; a resident asks in the web chat, a cadre finds
// the ticket in the inbox by typing without diacritics, answers it, and the answer appears in the
// resident's chat. Screenshots go to test-output/screenshots.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import type { Database } from '../../src/db/database.ts';
import { silentLogger } from '../../src/logger.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createAudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';
import { createEspeakEngine } from '../../broadcasts/render/speech-engine.ts';
import { renderBulletinVersion, type AudioVariant } from '../../broadcasts/render/render-bulletin.ts';
import { deliverJobHandler } from '../../broadcasts/fanout/deliver.ts';
import { deliverJob, startRun } from '../../broadcasts/fanout/start-run.ts';
import { fire, fireJob } from '../../broadcasts/schedule/scheduler.ts';
import { RadioSimulator } from '../../broadcasts/radio/radio-simulator.ts';
import { TEST_REDIS_URL } from '../support/services.ts';
import { startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';

const FIRST_PASSWORD = 'MatKhauMau2026';
const NEW_PASSWORD = 'Loa-xa-Thon-5-an-toan';
let h: ListeningHarness;
let prisma: PrismaClient;
let app: FastifyInstance;
let browser: Browser;
let sim: RadioSimulator;
let dataDir = '';
let base = '';
const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">Họp dân thôn 3';

beforeAll(async () => {
  h = await startListeningHarness();
  prisma = h.prisma;
  const communeId = h.communeId;
  // The harness seeds the demo with its own password; the browser signs in with a known one.
  await prisma.staff.updateMany({ data: { passwordHash: await hashPassword(FIRST_PASSWORD), mustChangePassword: true } });
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

  // Loudspeakers that really play: the simulator fetches the rendered audio over the signed link.
  dataDir = mkdtempSync(join(tmpdir(), 'loaxa-admin-'));
  const signer = createMediaLinkSigner(randomBytes(32));
  const ffmpeg = resolveFfmpeg(process.env.FFMPEG_PATH)!;
  const pipeline = createAudioPipeline({ ffmpegPath: ffmpeg.path, cacheDir: join(dataDir, 'render-cache') });
  const speech = createEspeakEngine();

  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma, sql: undefined as never, ping: async () => undefined, close: async () => undefined } as Database,
    health: new HealthRegistry(),
    queueDepths: () => h.queues.depths(),
    webchat: { channel: h.webchat, subscriber: new Redis(TEST_REDIS_URL), communeName: async () => 'Xã Hòa Bình' },
    admin: { prisma, secureCookies: false, enqueue: h.queues.enqueue.bind(h.queues), cancelJob: h.queues.cancel.bind(h.queues) },
    media: { dataDir, prisma, signer },
    radio: { prisma },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const endpoints = await prisma.endpoint.findMany({ where: { communeId } });
  sim = new RadioSimulator(endpoints.map((e) => ({ id: e.id, secret: e.id, callbackUrl: `${base}/radio/callback/${e.id}` })), { speed: 50 });
  await sim.start();
  for (const e of endpoints) await prisma.endpoint.update({ where: { id: e.id }, data: { baseUrl: sim.urlOf(e.id) } });
  const deliverDeps = { prisma, channels: new ChannelDirectory().register(h.telegram), signer, publicBaseUrl: base, dataDir, render: (id: string, variant?: AudioVariant) => renderBulletinVersion({ prisma, pipeline, speech, dataDir }, id, variant), now: () => new Date() };
  h.queues.startWorker('broadcast', { [deliverJob.name]: deliverJobHandler(deliverDeps) as never, [fireJob.name]: (async (d: Parameters<typeof fire>[1]) => fire({ prisma, enqueue: h.queues.enqueue.bind(h.queues), log: silentLogger }, d)) as never }, { concurrency: 4 });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await sim?.close();
  await app?.close();
  await h?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Signs in someone who already set their own password. */
async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(`${base}/admin/dang-nhap`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL('**/admin/tong-quan');
}

async function signInFirstTime(page: Page, username: string): Promise<void> {
  await page.goto(`${base}/admin`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(FIRST_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL('**/admin/doi-mat-khau');
  await page.getByLabel('Mật khẩu hiện tại').fill(FIRST_PASSWORD);
  await page.getByLabel(/^Mật khẩu mới/).fill(NEW_PASSWORD);
  await page.getByLabel('Nhập lại mật khẩu mới').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Lưu mật khẩu mới' }).click();
  await page.waitForURL('**/admin/tong-quan');
}

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

  it('a cadre finds the resident\u2019s question without typing diacritics, answers it, and the answer reaches the web chat', async () => {
    const resident = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'vi-VN' });
    const chat = await resident.newPage();
    await chat.goto(`${base}/chat`);
    await chat.getByLabel('Nội dung').fill('Cho hỏi lịch tiêm chủng sởi cho trẻ ở trạm y tế xã tháng này?');
    await chat.getByRole('button', { name: 'Gửi', exact: true }).click();
    await chat.getByRole('button', { name: 'Tôi đồng ý' }).click({ timeout: 15_000 });
    await chat.getByText(/PA-20\d\d-\d{5}/).first().waitFor({ timeout: 15_000 });
    await h.settle();
    const ticket = await prisma.ticket.findFirstOrThrow({ where: { channel: 'webchat' }, orderBy: { createdAt: 'desc' } });

    const admin = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await admin.newPage();
    await signInFirstTime(page, 'yte');
    await page.getByRole('link', { name: 'Phản ánh, kiến nghị' }).click();
    await page.getByLabel(/^Tìm/).fill('tiem chung');
    await page.getByRole('button', { name: 'Lọc' }).click();
    await page.getByRole('link', { name: ticket.code }).click();
    await page.screenshot({ path: join(SCREENSHOTS, 'phieu-1280.png'), fullPage: true });
    await page.getByLabel(/^Nội dung trả lời/).fill('Trạm Y tế xã tiêm sởi vào sáng thứ Năm, 10/12/2026, mang theo sổ tiêm chủng.');
    await page.getByRole('button', { name: 'Gửi trả lời' }).click();
    await page.getByRole('status').waitFor();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Đã gửi trả lời');

    // The resident sees it in the chat, pushed live.
    await chat.getByText('mang theo sổ tiêm chủng').waitFor({ timeout: 15_000 });
    await chat.screenshot({ path: join(SCREENSHOTS, 'web-chat-tra-loi-360.png'), fullPage: true });
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('answered');
    expect(await prisma.auditLog.count({ where: { action: 'ticket.answer', entityId: ticket.id } })).toBe(1);

    // A search that matches nothing lists nothing; the list screenshot for the record.
    await page.goto(`${base}/admin/phan-anh?q=${encodeURIComponent('khong co gi nhu vay')}`);
    await expect(page.getByText('0 phiếu').isVisible()).resolves.toBe(true);
    await page.goto(`${base}/admin/phan-anh`);
    await page.screenshot({ path: join(SCREENSHOTS, 'phan-anh-1280.png'), fullPage: true });
    await resident.close();
    await admin.close();
  });

  it('a staff member without the right cannot answer, and another commune\u2019s ticket is not found', async () => {
    const ticket = await prisma.ticket.findFirstOrThrow({ where: { channel: 'webchat' } });
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    // vanhoa (culture officer) changed the first password in the first test.
    await signIn(page, 'vanhoa');
    await page.goto(`${base}/admin/phan-anh/${ticket.code}`);
    expect(await page.getByRole('button', { name: 'Gửi trả lời' }).count()).toBe(0);
    // Posting anyway (with the form's token) is refused and audited.
    const csrf = await page.locator('input[name=csrf]').first().inputValue();
    const res = await page.request.post(`${base}/admin/phan-anh/${ticket.code}/tra-loi`, { form: { csrf, answer: 'Tôi trả lời thay' } });
    expect(res.status()).toBe(403);
    expect(await prisma.auditLog.count({ where: { action: 'admin_web.refused' } })).toBe(1);
    const other = await prisma.commune.create({ data: { name: 'Xã khác', code: '99931' } });
    const resident = await prisma.resident.findFirstOrThrow();
    await prisma.ticket.create({ data: { code: 'PA-2026-99999', communeId: other.id, year: 2026, seq: 99999, residentId: resident.id, channel: 'webchat', subject: 'Của xã khác' } });
    const foreign = await page.goto(`${base}/admin/phan-anh/PA-2026-99999`);
    expect(foreign?.status()).toBe(404);
    await ctx.close();
  });

  it('shows loudspeakers, groups and accounts with their health, and the audit log to admins only', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await ctx.newPage();
    await signInFirstTime(page, 'quantri');
    await page.getByRole('link', { name: 'Cụm loa & nhóm' }).click();
    const body = (await page.locator('main').textContent()) ?? '';
    expect(body).toContain('Cụm loa Thôn 4');
    expect(body).toContain('mất kết nối');
    expect(body).toContain('đăng nhập ở nơi khác');
    await page.screenshot({ path: join(SCREENSHOTS, 'cum-loa-1280.png'), fullPage: true });

    await page.getByRole('link', { name: 'Nhật ký' }).click();
    const log = (await page.locator('main').textContent()) ?? '';
    expect(log).toContain('Đăng nhập');
    expect(log).toContain('Trả lời phản ánh');
    await page.getByLabel('Việc').selectOption({ label: 'Phản ánh' });
    await page.getByRole('button', { name: 'Lọc' }).click();
    const rows = await page.locator('main tbody tr').allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.includes('phản ánh'))).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'nhat-ky-1280.png'), fullPage: true });
    await ctx.close();

    // An editor is not shown the log.
    const editor = await browser.newContext();
    const p2 = await editor.newPage();
    await signIn(p2, 'vanhoa');
    expect((await p2.goto(`${base}/admin/nhat-ky`))?.status()).toBe(403);
    await editor.close();
  });

  it('downloads the quarter\u2019s XLSX and PDF reports, whose figures match the database', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', acceptDownloads: true });
    const page = await ctx.newPage();
    await signIn(page, 'quantri');
    await page.getByRole('link', { name: 'Báo cáo' }).click();
    await page.screenshot({ path: join(SCREENSHOTS, 'bao-cao-1280.png'), fullPage: true });

    // What the database says for this quarter.
    const q = Math.ceil(Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', month: 'numeric' }).format(new Date())) / 3);
    const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(new Date()));
    const from = new Date(`${year}-${String((q - 1) * 3 + 1).padStart(2, '0')}-01T00:00:00+07:00`);
    const received = await prisma.ticket.count({ where: { communeId: h.communeId, createdAt: { gte: from } } });
    const answered = await prisma.ticket.count({ where: { communeId: h.communeId, createdAt: { gte: from }, answeredAt: { not: null } } });
    expect(received).toBeGreaterThan(0);

    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /XLSX/ }).click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(await xlsx.path());
    const summary = wb.getWorksheet('Tổng hợp')!;
    const value = (label: string) => summary.getColumn(1).values.findIndex((v) => v === label);
    expect(summary.getRow(value('Tiếp nhận')).getCell(2).value).toBe(received);
    expect(summary.getRow(value('Đã trả lời')).getCell(2).value).toBe(answered);
    const tickets = wb.getWorksheet('Phiếu')!;
    expect(tickets.rowCount - 1).toBe(received);
    // Every status change has its time.
    expect(String(tickets.getRow(2).getCell(10).value)).toMatch(/\d\d\/\d\d\/\d{4}.*→/);

    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /PDF/ }).click()]);
    const text = execFileSync('pdftotext', ['-layout', await pdf.path(), '-'], { encoding: 'utf8' });
    expect(text).toContain('Kết quả tiếp nhận, giải quyết phản ánh, kiến nghị của Nhân dân');
    expect(text).toContain(`Tổng số phản ánh, kiến nghị tiếp nhận: ${received}`);
    expect(text).toContain(`Đã trả lời: ${answered}`);
    await ctx.close();
  });

  it('create → submit → approve → schedule a bulletin, and see it played by a simulated loudspeaker', async () => {
    const editorCtx = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'vi-VN' });
    const editor = await editorCtx.newPage();
    await signIn(editor, 'vanhoa');
    await editor.goto(`${base}/admin/ban-tin`);
    await editor.getByRole('button', { name: 'Soạn bản tin mới' }).click();
    await editor.getByLabel('Tiêu đề').fill('Lịch thu gom rác tháng 12');
    await editor.getByLabel(/^Nội dung/).fill('Tổ vệ sinh môi trường thu gom rác vào 6 giờ sáng thứ Hai và thứ Năm hằng tuần. Bà con để rác đúng nơi quy định.');
    await editor.getByLabel('Chỉ các thôn được chọn:').check();
    await editor.getByLabel('Thôn 4').check();
    await editor.screenshot({ path: join(SCREENSHOTS, 'soan-ban-tin-360.png'), fullPage: true });
    await editor.getByRole('button', { name: 'Lưu bản nháp' }).click();
    await editor.waitForURL(/\/admin\/ban-tin\/[0-9a-f-]{36}$/);
    const id = editor.url().split('/').at(-1)!;
    await editor.getByRole('button', { name: 'Gửi duyệt' }).click();
    await expect(editor.getByRole('status').textContent()).resolves.toContain('Đã gửi duyệt');
    // The author may not approve (the commune requires a second person); the button is not there.
    expect(await editor.getByRole('button', { name: 'Duyệt' }).count()).toBe(0);

    const approverCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const approver = await approverCtx.newPage();
    await signInFirstTime(approver, 'chutich');
    await approver.getByRole('link', { name: 'Bản tin' }).click();
    await approver.getByRole('link', { name: 'Lịch thu gom rác tháng 12' }).first().click();
    await approver.getByRole('button', { name: 'Duyệt', exact: true }).click();
    await expect(approver.getByRole('status').textContent()).resolves.toContain('Đã duyệt');
    // Scheduled for the current minute: it goes out at once.
    await approver.getByRole('button', { name: 'Lên lịch phát' }).click();
    await expect(approver.getByRole('status').textContent()).resolves.toContain('Đã lên lịch');

    // Only the Thôn 4 cluster is in the audience; it fetches, checks and plays the audio.
    await expect.poll(async () => (await prisma.delivery.findMany({ where: { run: { bulletinId: id } } })).map((d) => Boolean(d.playedAt)), { timeout: 60_000 }).toEqual([true]);
    await approver.reload();
    const report = (await approver.locator('section[aria-label="Kết quả phát"]').textContent()) ?? '';
    expect(report).toContain('Cụm loa Thôn 4');
    expect(report).toContain('đã tới');
    await approver.screenshot({ path: join(SCREENSHOTS, 'ban-tin-ket-qua-1280.png'), fullPage: true });
    await editorCtx.close();
    await approverCtx.close();
  });
});
