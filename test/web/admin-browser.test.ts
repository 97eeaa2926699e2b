// The web admin in headless Chromium: first login forces a new password, the dashboard shows the
// day's broadcasts, tickets, loudspeakers and accounts at 360 px and on a desktop, hostile text in
// a title stays text, logging out ends the session; a resident asks in the web chat, a cadre finds
// the ticket in the inbox by typing without diacritics, answers it, and the answer appears in the
// resident's chat. Screenshots go to test-output/screenshots.
import { simulatorSecret } from '../../broadcasts/radio/endpoint-secret.ts';
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
import { fire, fireJob, queueOneOff } from '../../broadcasts/schedule/scheduler.ts';
import { scheduleBulletin } from '../../src/bulletins/bulletin-schedule.ts';
import { decryptSecret } from '../../src/crypto/secret-box.ts';
import { RadioSimulator } from '../../broadcasts/radio/radio-simulator.ts';
import { TEST_REDIS_URL } from '../support/services.ts';
import { startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
// The demo loudspeakers' secrets derive from the installation key (endpoint-secret.ts).
const DEMO_KEY = Buffer.alloc(32, 9);

const FIRST_PASSWORD = 'MatKhauMau2026';
const NEW_PASSWORD = 'Loa-xa-Thon-5-an-toan';
let h: ListeningHarness;
let prisma: PrismaClient;
let app: FastifyInstance;
let browser: Browser;
let sim: RadioSimulator;
let dataDir = '';
let base = '';
const ENCRYPTION_KEY = randomBytes(32);
// A 1×1 PNG: what zca-js hands over is a base64 image like this one.
const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
let zaloScan: () => void = () => undefined;
const MAX_UPLOAD = 2 * 1024 * 1024;
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
    admin: { prisma, secureCookies: false, enqueue: h.queues.enqueue.bind(h.queues), cancelJob: h.queues.cancel.bind(h.queues), encryptionKey: ENCRYPTION_KEY, maxAudioUploadBytes: MAX_UPLOAD },
    api: {
      prisma,
      enqueue: h.queues.enqueue.bind(h.queues),
      secureCookies: false,
      encryptionKey: ENCRYPTION_KEY,
      audio: { pipeline, render: (id: string) => renderBulletinVersion({ prisma, pipeline, speech, dataDir }, id), signer, dataDir, maxUploadBytes: MAX_UPLOAD },
      // Zalo's QR login as zca-js drives it: a QR image, then "scanned", then the credentials.
      zaloQrLogin: (events) =>
        new Promise((resolve) => {
          events.qr(TINY_PNG);
          zaloScan = () => {
            events.scanned?.('Cán bộ xã');
            setTimeout(() => resolve({ api: { getOwnId: () => '8800000000000000002' }, credentials: { imei: 'imei-web', userAgent: 'UA', cookie: [] } }), 300);
          };
        }),
    },
    media: { dataDir, prisma, signer },
    radio: { prisma, demoKey: DEMO_KEY },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const endpoints = await prisma.endpoint.findMany({ where: { communeId } });
  sim = new RadioSimulator(endpoints.map((e) => ({ id: e.id, secret: simulatorSecret(DEMO_KEY, e.id), callbackUrl: `${base}/radio/callback/${e.id}` })), { speed: 50 });
  await sim.start();
  for (const e of endpoints) await prisma.endpoint.update({ where: { id: e.id }, data: { baseUrl: sim.urlOf(e.id) } });
  // A cluster that went silent an hour ago and is not in the simulator, so no heartbeat revives
  // it however long the tests before the one looking at it take.
  const thon3 = await prisma.village.findFirstOrThrow({ where: { communeId, name: 'Thôn 3' } });
  await prisma.endpoint.create({ data: { communeId, name: 'Cụm loa Thôn 3', protocol: 'simulator', baseUrl: 'http://127.0.0.1:9/thon-3', villageId: thon3.id, status: 'offline', lastHeartbeatAt: new Date(Date.now() - 3600_000) } });
  const deliverDeps = { prisma, demoKey: DEMO_KEY, channels: new ChannelDirectory().register(h.telegram), signer, publicBaseUrl: base, dataDir, render: (id: string, variant?: AudioVariant) => renderBulletinVersion({ prisma, pipeline, speech, dataDir }, id, variant), now: () => new Date() };
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

/** The page's notice after an action (other status regions, e.g. the audio preview's, stay empty). */
const notice = (page: Page) => page.locator('p.ok[role=status]');

/** Signs in someone who already set their own password. */
async function signIn(page: Page, username: string, landing = '**/admin/tong-quan'): Promise<void> {
  await page.goto(`${base}/admin/dang-nhap`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(landing);
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

describe('web admin', { timeout: 120_000 }, () => {
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
    expect(body).toContain('Cụm loa Thôn 3: mất kết nối');
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
    // Two cores shared with the suite's crash tests: the first reply may take a while. If it never
    // comes, say where the message stopped instead of only timing out.
    await chat.getByRole('button', { name: 'Tôi đồng ý' }).waitFor({ timeout: 45_000 }).catch(async (e: unknown) => {
      const inbound = await prisma.inboundMessage.findMany({ where: { channel: 'webchat' }, select: { status: true, error: true, receivedAt: true } });
      throw new Error(`no consent prompt in the web chat: page says ${JSON.stringify(await chat.locator('body').innerText())}; inbound ${JSON.stringify(inbound)}; queues ${JSON.stringify(await h.queues.depths())}; ${String(e)}`);
    });
    await chat.getByRole('button', { name: 'Tôi đồng ý' }).click();
    await chat.getByText(/PA-20\d\d-\d{5}/).first().waitFor({ timeout: 45_000 });
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
    await notice(page).waitFor();
    await expect(notice(page).textContent()).resolves.toContain('đang được gửi tới người dân');

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
    expect(body).toContain('Cụm loa Thôn 3');
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
    await expect(notice(editor).textContent()).resolves.toContain('Đã gửi duyệt');
    // The author may not approve (the commune requires a second person); the button is not there.
    expect(await editor.getByRole('button', { name: 'Duyệt' }).count()).toBe(0);

    const approverCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const approver = await approverCtx.newPage();
    await signInFirstTime(approver, 'chutich');
    await approver.getByRole('link', { name: 'Bản tin' }).click();
    await approver.getByRole('link', { name: 'Lịch thu gom rác tháng 12' }).first().click();
    await approver.getByRole('button', { name: 'Duyệt', exact: true }).click();
    await expect(notice(approver).textContent()).resolves.toContain('Đã duyệt');
    // Scheduled for the current minute: it goes out at once.
    await approver.getByRole('button', { name: 'Lên lịch phát' }).click();
    await expect(notice(approver).textContent()).resolves.toContain('Đã lên lịch');

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
  it('assigns, transfers, merges, closes and publishes to the FAQ from a ticket page, each audited', async () => {
    const communeId = h.communeId;
    const resident = await prisma.resident.create({ data: { communeId, consentGivenAt: new Date(), displayName: 'Nguyễn Thị Mơ' } });
    const health = await prisma.category.findFirstOrThrow({ where: { code: 'Y_TE' } });
    const roads = await prisma.category.findFirstOrThrow({ where: { code: 'HA_TANG' } });
    const mk = async (seq: number, subject: string) =>
      prisma.ticket.create({
        data: { code: `PA-2026-${String(90000 + seq)}`, communeId, year: 2026, seq: 90000 + seq, residentId: resident.id, channel: 'webchat', subject, status: 'new', categoryId: health.id, dueAt: new Date(Date.now() + 86_400_000), messages: { create: { direction: 'inbound', channel: 'webchat', text: subject } } },
      });
    const original = await mk(1, 'Đường vào thôn 2 bị sạt lở sau mưa, nguy hiểm cho học sinh');
    const copy = await mk(2, 'Đường thôn 2 sạt lở rồi, xin xã xem giúp');

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await ctx.newPage();
    await signIn(page, 'chutich');
    await page.goto(`${base}/admin/phan-anh/${original.code}`);
    // Assign to the roads cadre, then move it to the roads field (its routing picks the assignee).
    await page.getByLabel('Giao cho cán bộ').selectOption({ label: 'Đỗ Văn Cầu' });
    await page.getByRole('button', { name: 'Giao phiếu' }).click();
    await expect(notice(page).textContent()).resolves.toContain('Đã giao phiếu');
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: original.id }, include: { assignee: true } })).assignee?.username).toBe('giaothong');
    await page.getByLabel('Chuyển sang lĩnh vực').selectOption({ label: roads.name });
    await page.getByRole('button', { name: 'Chuyển phiếu' }).click();
    await expect(notice(page).textContent()).resolves.toContain('Đã chuyển phiếu');
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: original.id } })).categoryId).toBe(roads.id);

    // Merging needs a real code; a made-up one is refused in words, and nothing changes.
    await page.goto(`${base}/admin/phan-anh/${copy.code}`);
    await page.getByLabel('Trùng với phiếu (mã phiếu gốc)').fill('PA-2026-12345');
    await page.getByRole('button', { name: 'Gộp phiếu trùng' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Không có phiếu PA-2026-12345');
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: copy.id } })).status).toBe('new');
    await page.getByLabel('Trùng với phiếu (mã phiếu gốc)').fill(original.code.toLowerCase());
    await page.getByRole('button', { name: 'Gộp phiếu trùng' }).click();
    await expect(notice(page).textContent()).resolves.toContain('Đã gộp');
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: copy.id } })).mergedIntoId).toBe(original.id);

    // Answer, publish to the FAQ (without the resident's name), close.
    await page.goto(`${base}/admin/phan-anh/${original.code}`);
    await page.getByLabel(/^Nội dung trả lời/).fill('Xã đã cắm biển cảnh báo; Nguyễn Thị Mơ và bà con đi đường vòng qua thôn 3 đến khi sửa xong.');
    await page.getByRole('button', { name: 'Gửi trả lời' }).click();
    await page.getByRole('button', { name: 'Đưa vào hỏi đáp thường gặp' }).click();
    await expect(notice(page).textContent()).resolves.toContain('hỏi đáp');
    const faq = await prisma.faqEntry.findFirstOrThrow({ where: { sourceTicketId: original.id } });
    expect(faq.answer).not.toContain('Nguyễn Thị Mơ');
    expect(await page.getByRole('button', { name: 'Đưa vào hỏi đáp thường gặp' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Đóng phiếu' }).click();
    await expect(notice(page).textContent()).resolves.toContain('Đã đóng phiếu');
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: original.id } })).status).toBe('closed');
    const history = (await page.locator('section[aria-label="Lịch sử"]').textContent()) ?? '';
    expect(history).toContain('Giao cán bộ');
    expect(history).toContain('Chuyển xử lý');
    await page.screenshot({ path: join(SCREENSHOTS, 'phieu-xu-ly-1280.png'), fullPage: true });
    const actions = (await prisma.auditLog.findMany({ where: { entityId: { in: [original.id, copy.id] } }, select: { action: true } })).map((a) => a.action).sort();
    expect(actions).toEqual(['ticket.answer', 'ticket.assign', 'ticket.close', 'ticket.merge', 'ticket.publish_faq', 'ticket.transfer']);

    // A responder (not leader, not admin) sees no "assign" form, and a forged post is refused.
    const other = await browser.newContext();
    const p2 = await other.newPage();
    await signInFirstTime(p2, 'diachinh');
    const t3 = await mk(3, 'Hỏi thủ tục cấp sổ đỏ');
    await p2.goto(`${base}/admin/phan-anh/${t3.code}`);
    expect(await p2.getByRole('button', { name: 'Giao phiếu' }).count()).toBe(0);
    const csrf = await p2.locator('input[name=csrf]').first().inputValue();
    const staffId = (await prisma.staff.findUniqueOrThrow({ where: { username: 'diachinh' } })).id;
    const forged = await p2.request.post(`${base}/admin/phan-anh/${t3.code}/giao`, { form: { csrf, assigneeId: staffId } });
    expect(forged.status()).toBe(403);
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: t3.id } })).assigneeId).toBeNull();
    await other.close();
    await ctx.close();
  });

  it('moves a normal one-off bulletin by dragging it on the week calendar; priority ones stay', async () => {
    const staff = Object.fromEntries((await prisma.staff.findMany()).map((x) => [x.username, x.id]));
    const wf = createBulletinWorkflow(prisma);
    const make = async (title: string, cls: 'normal' | 'priority') => {
      const b = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId: h.communeId, title, text: `${title}. Mời bà con chú ý.`, class: cls });
      await wf.submit({ staffId: staff.vanhoa! }, b.id);
      await wf.approve({ staffId: staff.chutich! }, b.id);
      return b;
    };
    // Two days ahead at 10:00, local time: inside this week or the next; the page is opened on its week.
    const day = new Date(Date.now() + 2 * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh' });
    const runAt = new Date(`${day}T10:00:00+07:00`);
    const normal = await make('Tuyên truyền phòng chống cháy rừng', 'normal');
    const s1 = await scheduleBulletin(prisma, { staffId: staff.vanhoa! }, normal.id, { kind: 'once', runAt });
    await queueOneOff(h.queues.enqueue.bind(h.queues), s1);
    const priority = await make('Thông báo khẩn về nước sạch', 'priority');
    await scheduleBulletin(prisma, { staffId: staff.vanhoa! }, priority.id, { kind: 'once', runAt: new Date(runAt.getTime() + 3600_000) });

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await ctx.newPage();
    await signIn(page, 'vanhoa');
    await page.goto(`${base}/admin/lich-phat?tuan=${day}`);
    const item = page.locator('article.item', { hasText: 'Tuyên truyền phòng chống cháy rừng' });
    await expect(item.getAttribute('draggable')).resolves.toBe('true');
    expect(await page.locator('article.item', { hasText: 'Thông báo khẩn về nước sạch' }).getAttribute('draggable')).toBeNull();
    await page.screenshot({ path: join(SCREENSHOTS, 'lich-phat-1280.png'), fullPage: true });
    // Drop it on the next day's 17:00 slot (or the previous day's when the next is in another week).
    const days = await page.locator('section.day').evaluateAll((els) => els.map((e) => e.getAttribute('data-date')));
    const target = days[days.indexOf(day) + 1] ?? days[days.indexOf(day) - 1]!;
    await item.dragTo(page.locator(`section.day[data-date="${target}"] .slot[data-time="17:00"]`));
    await page.waitForURL(/da=doi/);
    await expect(notice(page).textContent()).resolves.toContain('Đã dời giờ phát');
    const moved = await prisma.schedule.findUniqueOrThrow({ where: { id: s1.id } });
    expect(moved.runAt?.toISOString()).toBe(new Date(`${target}T17:00:00+07:00`).toISOString());
    expect(await prisma.auditLog.count({ where: { action: 'bulletin.reschedule', entityId: normal.id } })).toBe(1);
    // The old delayed job is gone and the new one waits for the new time.
    const delayed = await h.queues.queue('broadcast').getDelayed();
    expect(delayed.filter((j) => j.data.bulletinId === normal.id).map((j) => j.data.scheduledFor)).toEqual([moved.runAt!.toISOString()]);

    // A time already past is refused in words; the schedule stays.
    const form = page.locator('article.item', { hasText: 'Tuyên truyền phòng chống cháy rừng' }).locator('form[data-move]');
    await page.locator('article.item', { hasText: 'Tuyên truyền phòng chống cháy rừng' }).getByText('Dời giờ', { exact: true }).click();
    await form.getByLabel('Phát lúc').fill('2020-01-01T06:00');
    await form.getByRole('button', { name: 'Dời giờ phát' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('đã qua');
    expect((await prisma.schedule.findUniqueOrThrow({ where: { id: s1.id } })).runAt?.getTime()).toBe(moved.runAt!.getTime());
    await ctx.close();
  });

  it('lets the admin add staff (first password shown once), assign fields by village, and refuses others', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'vi-VN' });
    const page = await ctx.newPage();
    await signIn(page, 'quantri');
    await page.getByRole('link', { name: 'Cán bộ & phân công' }).click();
    await page.waitForURL('**/admin/can-bo');
    await page.locator('summary', { hasText: 'Thêm cán bộ' }).click();
    await page.getByLabel('Họ tên').fill('Đinh Văn Nông <b>');
    await page.getByLabel('Tên đăng nhập').fill('nongnghiep');
    await page.getByLabel('Chức vụ').fill('Cán bộ Nông nghiệp');
    await page.getByLabel('Trả lời phản ánh').check();
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    const secret = (await page.locator('article.secret code').textContent()) ?? '';
    expect(secret.length).toBeGreaterThanOrEqual(10);
    await page.screenshot({ path: join(SCREENSHOTS, 'can-bo-360.png'), fullPage: true });
    const created = await prisma.staff.findUniqueOrThrow({ where: { username: 'nongnghiep' } });
    expect(created.displayName).toBe('Đinh Văn Nông <b>');
    expect(created.mustChangePassword).toBe(true);
    // Shown once: the list page no longer has it.
    await page.goto(`${base}/admin/can-bo`);
    expect(await page.locator('article.secret').count()).toBe(0);
    // The same username again is refused in words.
    await page.locator('summary', { hasText: 'Thêm cán bộ' }).click();
    await page.getByLabel('Họ tên').fill('Người khác');
    await page.getByLabel('Tên đăng nhập').fill('nongnghiep');
    await page.getByLabel('Trả lời phản ánh').check();
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('đã có người dùng');

    // Field × village: agriculture in Thôn 2 goes to the new cadre.
    const category = await prisma.category.findFirstOrThrow({ where: { code: 'NONG_NGHIEP' } });
    await page.locator('#phan-cong').getByLabel('Lĩnh vực', { exact: true }).selectOption({ label: category.name });
    await page.locator('#phan-cong').getByLabel('Thôn', { exact: true }).selectOption({ label: 'Thôn 2' });
    await page.locator('#phan-cong').getByLabel('Cán bộ', { exact: true }).selectOption({ label: 'Đinh Văn Nông <b>' });
    await page.getByRole('button', { name: 'Thêm phân công' }).click();
    await expect(notice(page).textContent()).resolves.toContain('Đã thêm phân công');
    const village = await prisma.village.findFirstOrThrow({ where: { communeId: h.communeId, name: 'Thôn 2' } });
    expect(await prisma.assignment.count({ where: { staffId: created.id, categoryId: category.id, villageId: village.id } })).toBe(1);
    const row = (await page.locator('table.matrix tr', { hasText: category.name }).textContent()) ?? '';
    expect(row).toContain('Đinh Văn Nông <b>');

    // The new cadre signs in with the first password and must choose their own.
    const fresh = await browser.newContext();
    const p2 = await fresh.newPage();
    await p2.goto(`${base}/admin/dang-nhap`);
    await p2.getByLabel('Tên đăng nhập').fill('nongnghiep');
    await p2.getByLabel('Mật khẩu').fill(secret);
    await p2.getByRole('button', { name: 'Đăng nhập' }).click();
    await p2.waitForURL('**/admin/doi-mat-khau');
    // Not an admin: the staff page is refused and the attempt is logged.
    await fresh.close();
    const editor = await browser.newContext();
    const p3 = await editor.newPage();
    await signIn(p3, 'vanhoa');
    expect(await p3.getByRole('link', { name: 'Cán bộ & phân công' }).count()).toBe(0);
    expect((await p3.goto(`${base}/admin/can-bo`))?.status()).toBe(403);
    const csrf = await p3.locator('meta[name=csrf-token]').getAttribute('content');
    const forged = await p3.request.post(`${base}/admin/can-bo/moi`, { form: { csrf: csrf!, username: 'hacker', displayName: 'X', roles: 'admin' } });
    expect(forged.status()).toBe(403);
    expect(await prisma.staff.count({ where: { username: 'hacker' } })).toBe(0);
    await editor.close();
    await ctx.close();
  });

  it('adds and edits a loudspeaker cluster with its secret sealed, with precise errors for bad fields', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await ctx.newPage();
    await signIn(page, 'quantri');
    await page.goto(`${base}/admin/cum-loa`);
    await page.getByRole('button', { name: 'Thêm cụm loa' }).click();
    await page.getByLabel('Tên cụm loa').fill('Cụm loa chợ xã');
    await page.getByLabel('Địa chỉ của cụm loa').fill('http://10.0.0.21:8080');
    await page.getByLabel(/^Khóa bí mật/).fill('ngan');
    // The browser's own checks are bypassed, as a hostile client would: the server answers in words.
    await page.locator('main form').evaluate((f) => f.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: 'Thêm cụm loa' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Khóa bí mật');
    await page.locator('main form').evaluate((f) => f.setAttribute('novalidate', ''));
    await page.getByLabel(/^Khóa bí mật/).fill('khoa-bi-mat-cua-cho');
    await page.getByLabel('Âm lượng (0–100)').fill('150');
    await page.getByRole('button', { name: 'Thêm cụm loa' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Âm lượng');
    await page.getByLabel(/^Khóa bí mật/).fill('khoa-bi-mat-cua-cho');
    await page.getByLabel('Âm lượng (0–100)').fill('70');
    await page.getByLabel('Thôn').selectOption({ label: 'Thôn 1' });
    await page.getByRole('button', { name: 'Thêm cụm loa' }).click();
    await expect(notice(page).textContent()).resolves.toContain('Đã thêm cụm loa');
    const e = await prisma.endpoint.findFirstOrThrow({ where: { name: 'Cụm loa chợ xã' } });
    expect(e.secretEnc).toBeTruthy();
    expect(e.secretEnc).not.toContain('khoa-bi-mat-cua-cho');
    expect(e.volume).toBe(70);
    // Editing keeps the secret when the field is left empty; the page never shows it.
    await page.getByRole('link', { name: 'Sửa Cụm loa chợ xã' }).click();
    expect(await page.getByLabel(/^Khóa bí mật/).inputValue()).toBe('');
    await page.getByLabel('Âm lượng (0–100)').fill('55');
    await page.getByRole('button', { name: 'Lưu cụm loa' }).click();
    await expect(notice(page).textContent()).resolves.toContain('Đã lưu cụm loa');
    const after = await prisma.endpoint.findUniqueOrThrow({ where: { id: e.id } });
    expect(after.volume).toBe(55);
    expect(after.secretEnc).toBe(e.secretEnc);
    expect(await prisma.auditLog.count({ where: { entityId: e.id, action: { in: ['endpoint.create', 'endpoint.update'] } } })).toBe(2);
    // A group moves to a village.
    await page.getByRole('link', { name: 'Sửa Kênh Telegram UBND xã' }).click();
    await page.getByLabel('Thôn').selectOption({ label: 'Thôn 3' });
    await page.getByRole('button', { name: 'Lưu nhóm' }).click();
    await expect(notice(page).textContent()).resolves.toContain('Đã lưu nhóm');
    await page.screenshot({ path: join(SCREENSHOTS, 'cum-loa-sua-1280.png'), fullPage: true });
    // Zalo by QR code: the page shows the code, then who scanned it, then that it was saved.
    await page.getByRole('button', { name: 'Lấy mã QR' }).click();
    const qr = page.getByRole('img', { name: /Mã QR đăng nhập Zalo/ });
    await qr.waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'zalo-qr-1280.png'), fullPage: true });
    zaloScan();
    const zaloStatus = page.locator('form[data-zalo-login] [role=status]');
    await expect.poll(async () => (await zaloStatus.textContent()) ?? '', { timeout: 15_000 }).toContain('Đã lưu');
    const account = await prisma.channelAccount.findFirstOrThrow({ where: { platform: 'zalo', name: 'zalo-xa' } });
    expect(account.status).toBe('connected');
    expect(decryptSecret(ENCRYPTION_KEY, account.credentialsEnc!)).toContain('imei-web');
    // Another commune's cluster id answers as missing.
    const other = await prisma.commune.findFirstOrThrow({ where: { code: '99931' } });
    const foreign = await prisma.endpoint.create({ data: { communeId: other.id, name: 'Loa xã khác', protocol: 'loaxa_http', baseUrl: 'http://10.9.9.9' } });
    expect((await page.goto(`${base}/admin/cum-loa/loa/${foreign.id}`))?.status()).toBe(404);
    await ctx.close();
  });

  it('draws the report charts, estimates reading time while typing, and checks recordings before upload', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await ctx.newPage();
    await signIn(page, 'vanhoa');
    await page.goto(`${base}/admin/bao-cao`);
    await page.locator('canvas[data-drawn="1"]').first().waitFor();
    expect(await page.locator('canvas[data-drawn="1"]').count()).toBe(6);
    await page.screenshot({ path: join(SCREENSHOTS, 'bao-cao-bieu-do-1280.png'), fullPage: true });

    await page.goto(`${base}/admin/ban-tin/moi`);
    const text = 'Sáng mai, thứ Hai, Trạm Y tế xã tiêm vắc xin sởi cho trẻ từ 9 đến 18 tháng tuổi. Bà con mang theo sổ tiêm chủng.';
    await page.getByLabel(/^Nội dung/).fill(Array(10).fill(text).join(' '));
    const estimate = (await page.locator('#text-estimate').textContent()) ?? '';
    expect(estimate).toContain(`${(text.split(/\s+/).length * 10).toLocaleString('vi-VN')} chữ`);
    expect(estimate).toMatch(/đọc khoảng 1 phút \d+ giây/);
    await page.getByLabel('Tiêu đề').fill('Tiêm sởi');
    await page.getByRole('button', { name: 'Lưu bản nháp' }).click();
    await page.waitForURL(/\/admin\/ban-tin\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').at(-1)!;

    // A file over the limit is stopped in the page; one that is not audio is refused by the server.
    const upload = page.locator('form[data-upload]');
    await upload.getByLabel('Tệp ghi âm').setInputFiles({ name: 'qua-lon.mp3', mimeType: 'audio/mpeg', buffer: Buffer.alloc(MAX_UPLOAD + 1, 1) });
    await upload.getByRole('button', { name: 'Tải bản ghi âm lên' }).click();
    await expect(upload.getByRole('status').textContent()).resolves.toContain('quá lớn');
    await upload.getByLabel('Ngôn ngữ').selectOption({ label: 'Ba Na' });
    await upload.getByLabel('Tệp ghi âm').setInputFiles({ name: 'khong-phai-am-thanh.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('<html>đây không phải âm thanh</html>') });
    await upload.getByRole('button', { name: 'Tải bản ghi âm lên' }).click();
    await expect.poll(async () => (await upload.getByRole('status').textContent()) ?? '', { timeout: 20_000 }).not.toContain('Đang tải');
    expect(await upload.getByRole('status').textContent()).not.toContain('Đã lưu');
    expect(await prisma.bulletinVersion.count({ where: { bulletinId: id, language: 'bdq' } })).toBe(0);
    // The rendered result plays in the page.
    await page.getByRole('button', { name: 'Nghe thử bản sẽ phát' }).click();
    await expect.poll(async () => page.locator('audio#player-vi').getAttribute('src'), { timeout: 60_000 }).toMatch(/\/media\//);
    await expect(page.locator('audio#player-vi').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'ban-tin-nghe-thu-1280.png'), fullPage: true });
    await ctx.close();
  });

  it('answers an oversized form with a page in Vietnamese, and stores nothing', async () => {
    const before = await prisma.bulletin.count();
    const res = await fetch(`${base}/admin/ban-tin/moi`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `title=x&text=${'a'.repeat(300 * 1024)}` });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('quá lớn');
    expect(await prisma.bulletin.count()).toBe(before);
  });

  it('sends someone whose session expired to the login and back to the page they were on', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signIn(page, 'yte');
    await page.goto(`${base}/admin/phan-anh?q=sot`);
    const staff = await prisma.staff.findUniqueOrThrow({ where: { username: 'yte' } });
    await prisma.staffSession.updateMany({ where: { staffId: staff.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await page.reload();
    expect(new URL(page.url()).pathname).toBe('/admin/dang-nhap');
    await expect(page.getByRole('status').textContent()).resolves.toContain('Phiên làm việc đã hết');
    // A form posted with the expired session changes nothing and leads to the login too.
    await page.getByLabel('Tên đăng nhập').fill('yte');
    await page.getByLabel('Mật khẩu').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL('**/admin/phan-anh?q=sot');
    // A "next" pointing elsewhere is ignored.
    await ctx.clearCookies();
    await page.goto(`${base}/admin/dang-nhap?tiep=${encodeURIComponent('https://evil.example/')}`);
    expect(await page.locator('input[name=next]').count()).toBe(0);
    await ctx.close();
  });

  it('shows a province viewer every commune of the province, read-only', async () => {
    const province = await prisma.province.create({ data: { code: 'tinh-trinh-duyet', name: 'Tỉnh Trình Duyệt' } });
    await prisma.commune.updateMany({ where: { OR: [{ id: h.communeId }, { code: '99931' }] }, data: { provinceId: province.id } });
    await prisma.staff.create({
      data: { username: 'sovanhoa', displayName: 'Sở Văn hóa, Thể thao và Du lịch tỉnh', roles: [], provinceId: province.id, provinceRoles: ['viewer'], passwordHash: await hashPassword(NEW_PASSWORD), mustChangePassword: false },
    });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await ctx.newPage();
    // Province staff start from Toàn tỉnh; a commune's pages are one click away.
    await signIn(page, 'sovanhoa', '**/admin/tinh');
    await page.goto(`${base}/admin/tong-quan`);
    const nav = page.getByRole('navigation', { name: 'Chọn xã' });
    await expect(nav.getByRole('link').count()).resolves.toBe(2);
    // Tickets of either commune, read-only: no answer form.
    await page.getByRole('link', { name: 'Phản ánh, kiến nghị' }).click();
    await expect(page.getByRole('navigation', { name: 'Chọn xã' }).getByRole('link').count()).resolves.toBe(2);
    expect(await page.locator('form[method=post][action*="/admin/phan-anh/"]').count()).toBe(0);
    await page.getByRole('link', { name: 'Bản tin' }).click();
    expect(await page.getByRole('button', { name: 'Soạn bản tin mới' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Lịch thu gom rác tháng 12' }).first().click();
    expect(await page.locator('form[method=post][action*="/admin/ban-tin/"]').count()).toBe(0);
    await page.getByRole('link', { name: 'Báo cáo' }).click();
    await expect(page.getByLabel('Xã').locator('option').count()).resolves.toBe(2);
    expect((await page.goto(`${base}/admin/ban-tin/moi`))?.status()).toBe(403);
    expect((await page.goto(`${base}/admin/can-bo`))?.status()).toBe(403);
    await ctx.close();
  });
});
