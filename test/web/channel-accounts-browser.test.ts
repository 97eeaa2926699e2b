// The Cụm loa & nhóm page in headless Chromium, as a commune admin connects channels: a Zalo Bot
// added by its token (checked against the fake Zalo Bot API, sealed, never shown again), a wrong
// token refused with the platform's word, an OA whose refresh failed reads "cần kết nối lại" with
// its broadcast quota of today, the 7-day answer window of a resident's OA conversation, and
// removal. A viewer sees the page without the forms, and a forged POST is refused.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { Database } from '../../src/db/database.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { decryptSecret } from '../../src/crypto/secret-box.ts';
import { botTokenChecker } from '../../src/processes/bot-token-checker.ts';
import { setOaQuota } from '../../src/channels/oa-quota.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { form, sessionFor, type TestSession } from '../support/staff-session.ts';
import { FakeZaloBotApi } from '../support/zalo-bot-api/fake-zalo-bot-api.ts';

const KEY = randomBytes(32);
let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let browser: Browser;
let base = '';
let communeId = '';
let admin: TestSession;
let viewer: TestSession;
const bot = new FakeZaloBotApi();

beforeAll(async () => {
  db = await openMigratedTestDatabase('channel-accounts-page', 4);
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  const { apiRoot } = await bot.start();
  const adminId = (await prisma.staff.create({ data: { communeId, username: 'qt-kenh', displayName: 'Quản trị kênh', roles: ['admin'] } })).id;
  const viewerId = (await prisma.staff.create({ data: { communeId, username: 'xem-kenh', displayName: 'Người xem', roles: ['viewer'] } })).id;
  admin = await sessionFor(prisma, adminId);
  viewer = await sessionFor(prisma, viewerId);
  // An OA whose refresh Zalo refused, 3 broadcast messages spent this month, 2 of them today,
  // and a resident who wrote to it 5 days and 3 hours ago (the window closes in 1 day 21 hours).
  const oa = await prisma.channelAccount.create({ data: { communeId, platform: 'zalo_oa', name: 'oa-xa', status: 'logged_out', statusReason: 'Zalo từ chối mã làm mới (-14014)' } });
  await setOaQuota(prisma, oa.id, { monthlyLimit: 2000 });
  const now = new Date();
  const { oaDay, oaMonth } = await import('../../src/channels/oa-quota.ts');
  await prisma.oaQuotaMonth.create({ data: { channelAccountId: oa.id, month: oaMonth(now), used: 3 } });
  for (const userId of ['u1', 'u2']) await prisma.oaBroadcastReceipt.create({ data: { channelAccountId: oa.id, userId, day: oaDay(now) } });
  const resident = await prisma.resident.create({ data: { communeId } });
  await prisma.residentIdentity.create({ data: { residentId: resident.id, platform: 'zalo_oa', platformUserId: '8421000000000011', platformChatId: '8421000000000011', channelAccountId: oa.id, displayName: 'Bà Lò Thị Hoa' } });
  await prisma.inboundMessage.create({ data: { channel: 'zalo_oa', channelAccountId: oa.id, platformChatId: '8421000000000011', platformMessageId: 'm1', platformUserId: '8421000000000011', payload: {}, status: 'processed', receivedAt: new Date(now.getTime() - (5 * 24 + 3) * 3600_000) } });
  // A conversation older than 7 days is not listed: nothing can be sent there anymore.
  await prisma.inboundMessage.create({ data: { channel: 'zalo_oa', channelAccountId: oa.id, platformChatId: '8421000000000099', platformMessageId: 'm2', platformUserId: '8421000000000099', payload: {}, status: 'processed', receivedAt: new Date(now.getTime() - 8 * 24 * 3600_000) } });

  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    admin: { prisma, secureCookies: false, enqueue: async () => undefined, cancelJob: async () => true, encryptionKey: KEY, channelSetup: { checkToken: botTokenChecker({ TELEGRAM_API_ROOT: apiRoot, ZALO_BOT_API_ROOT: apiRoot }) } },
  } as never);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await bot.close();
  await db?.close();
});

async function pageAs(s: TestSession) {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
  await context.addCookies([{ name: 'lx_session', value: s.token, url: base }]);
  return { context, page: await context.newPage() };
}

describe('Cụm loa & nhóm: connecting the commune’s channels', () => {
  it('shows the OA needing reconnection, its quota of today and the answer window left', async () => {
    const { context, page } = await pageAs(admin);
    await page.goto(`${base}/admin/cum-loa`);
    const accounts = page.getByRole('region', { name: 'Tài khoản nhắn tin' });
    await expect(accounts.getByRole('row', { name: /oa-xa/ }).textContent()).resolves.toMatch(/cần kết nối lại[\s\S]*2 tin truyền thông hôm nay; tháng này đã dùng 3\/2000, còn 1997/);
    const windows = page.getByRole('region', { name: 'Hạn trả lời qua Zalo OA' });
    const row = await windows.getByRole('row', { name: /Bà Lò Thị Hoa/ }).textContent();
    expect(row).toMatch(/1 ngày (20|21) giờ/);
    expect(await windows.textContent()).not.toContain('0099');
    await expect(page.getByRole('button', { name: 'Kết nối Zalo OA' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/channel-accounts-360.png`, fullPage: true });
    await context.close();
  });

  it('adds a Zalo Bot by token after asking the platform, and refuses a wrong token in Vietnamese', async () => {
    const { context, page } = await pageAs(admin);
    await page.goto(`${base}/admin/cum-loa`);
    const section = page.getByRole('region', { name: 'Thêm bot bằng mã' });
    await section.getByLabel('Mã bot').fill('1459232241454765289:saiMaBotNayKhongDung');
    await section.getByRole('button', { name: 'Thêm bot' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Zalo Bot từ chối mã bot này');
    // The typed token is not sent back in the page.
    expect(await page.content()).not.toContain('saiMaBotNayKhongDung');
    expect(await prisma.channelAccount.count({ where: { platform: 'zalo_bot' } })).toBe(0);

    const again = page.getByRole('region', { name: 'Thêm bot bằng mã' });
    await again.getByLabel('Mã bot').fill(bot.token);
    await again.getByRole('button', { name: 'Thêm bot' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Đã thêm tài khoản');
    const row = await prisma.channelAccount.findFirstOrThrow({ where: { platform: 'zalo_bot', communeId } });
    expect(row).toMatchObject({ communeId, status: 'connected' });
    expect(JSON.parse(decryptSecret(KEY, row.credentialsEnc!))).toEqual({ token: bot.token });
    expect(await page.content()).not.toContain(bot.token.split(':')[1]);
    expect(await page.getByRole('region', { name: 'Tài khoản nhắn tin' }).getByRole('row', { name: new RegExp(row.name) }).textContent()).toContain('Zalo Bot');

    // The same name twice while it is in use is refused.
    const twice = await app.inject({ method: 'POST', url: '/admin/cum-loa/tai-khoan', headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(admin, { platform: 'zalo-bot', token: bot.token }) });
    expect(twice.statusCode).toBe(409);

    await page.getByRole('button', { name: `Gỡ ${row.name}` }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Đã gỡ tài khoản');
    const removed = await prisma.channelAccount.findUniqueOrThrow({ where: { id: row.id } });
    expect(removed).toMatchObject({ status: 'inactive', credentialsEnc: null });
    await context.close();
  });

  it('shows a viewer the health without the forms, and refuses their forged POST', async () => {
    const { context, page } = await pageAs(viewer);
    await page.goto(`${base}/admin/cum-loa`);
    await expect(page.getByRole('region', { name: 'Tài khoản nhắn tin' }).textContent()).resolves.toContain('cần kết nối lại');
    expect(await page.getByRole('button', { name: /Kết nối Zalo OA|Thêm bot|Gỡ/ }).count()).toBe(0);
    await context.close();
    const forged = await app.inject({ method: 'POST', url: '/admin/cum-loa/tai-khoan', headers: { cookie: viewer.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(viewer, { platform: 'zalo-bot', token: bot.token }) });
    expect(forged.statusCode).toBe(403);
    expect(await prisma.channelAccount.count({ where: { platform: 'zalo_bot', status: 'connected' } })).toBe(0);
  });
});
