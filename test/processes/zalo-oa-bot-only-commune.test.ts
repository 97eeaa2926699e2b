// A commune on official Zalo channels only, started as `loaxa start` starts it: its Official
// Account (connected from the web admin) and its Zalo Bot (added by token on Cụm loa & nhóm) are
// rows in the database, sealed with ENCRYPTION_KEY; no zca-js account, no bot token in the
// settings. The admin chat is the commune's Telegram group, its bot added the same way. The
// worker, bots and web roles run here in-process over the local fakes; on each Zalo channel a
// resident asks, the ticket is posted in the admin chat, the cadre answers by replying, the
// answer reaches the resident on the channel they used, and their rating is stored.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { openRuntime, type Runtime } from '../../src/processes/runtime.ts';
import type { RunningRole } from '../../src/processes/run-roles.ts';
import { startWorkerRole } from '../../src/processes/worker-role.ts';
import { startBotsRole } from '../../src/processes/bots-role.ts';
import { startWebRole } from '../../src/processes/web-role.ts';
import { processChannels } from '../../src/processes/channels.ts';
import { botTokenChecker } from '../../src/processes/bot-token-checker.ts';
import { addChannelAccount } from '../../src/channels/bot-accounts.ts';
import { saveZaloOaAccount } from '../../src/channels/zalo-oa-accounts.ts';
import { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { FakeZaloBotApi } from '../support/zalo-bot-api/fake-zalo-bot-api.ts';
import { FakeZaloOaApi } from '../support/zalo-oa-api/fake-zalo-oa-api.ts';
import { freePort } from '../support/spawn-loaxa.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

const ADMIN_CHAT = -1009876543;
const CADRE = 7301;
const BOT_RESIDENT = 'a1b2c3d4e5f60718293a';
const OA_RESIDENT = '8899001122334455667';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let rt: Runtime;
const roles: RunningRole[] = [];
const telegram = new FakeBotApi();
const zaloBot = new FakeZaloBotApi();
const oa = new FakeZaloOaApi();
const prefix = testRedisPrefix();
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-zalo-official-'));
let webUrl = '';

beforeAll(async () => {
  db = await openMigratedTestDatabase('zalo_official', 4);
  prisma = db.prisma;
  const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
  const cadre = await prisma.staff.findUniqueOrThrow({ where: { username: 'giaothong' } });
  await prisma.staffIdentity.create({ data: { staffId: cadre.id, platform: 'telegram', platformUserId: String(CADRE) } });
  const tgRoot = (await telegram.start()).apiRoot;
  const botRoot = (await zaloBot.start()).apiRoot;
  const oaRoots = await oa.start();
  const key = randomBytes(32);
  const port = await freePort();
  webUrl = `http://127.0.0.1:${port}`;
  const settings = loadSettings({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    ENCRYPTION_KEY: key.toString('base64'),
    TELEGRAM_API_ROOT: tgRoot,
    ZALO_BOT_API_ROOT: botRoot,
    ZALO_OA_API_ROOT: oaRoots.apiRoot,
    ZALO_OA_OAUTH_ROOT: oaRoots.oauthRoot,
    SEED_DEMO: 'false',
    TICKET_BURST_SECONDS: '1',
  });
  // What Cụm loa & nhóm does: bots by token (checked with getMe), the OA by its OAuth tokens.
  const checkToken = botTokenChecker(settings);
  await addChannelAccount({ prisma, key, checkToken }, { communeId, platform: 'telegram', token: telegram.token, adminChatId: String(ADMIN_CHAT) });
  await addChannelAccount({ prisma, key, checkToken }, { communeId, platform: 'zalo-bot', token: zaloBot.token });
  const t = oa.issueTokens();
  await saveZaloOaAccount(prisma, key, { name: 'oa-xa', communeId, credentials: { appId: oa.appId, appSecret: oa.appSecret, oaSecret: oa.oaSecret, oaId: oa.oaId, accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt.toISOString() } });
  expect(await prisma.channelAccount.count({ where: { platform: 'zalo' } })).toBe(0);

  rt = await openRuntime(settings, silentLogger);
  for (const start of [startWorkerRole, startBotsRole, startWebRole]) roles.push(await start(rt));
}, 120_000);

afterAll(async () => {
  for (const r of roles.reverse()) await r.stop().catch(() => undefined);
  await rt?.close().catch(() => undefined);
  await deleteTestRedisKeys(prefix);
  await Promise.all([telegram.close(), zaloBot.close(), oa.close()]);
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The resident's OA message, signed as Zalo signs it, to the webhook the web role serves. */
async function oaSends(text: string): Promise<number> {
  const { rawBody, signature } = oa.signed(oa.residentSends({ userId: OA_RESIDENT, text }));
  const res = await fetch(`${webUrl}/zalo-oa/webhook/oa-xa`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-zevent-signature': signature }, body: rawBody });
  return res.status;
}

const POLL = { timeout: 30_000, interval: 100 };
const lastTo = (texts: string[]) => texts.at(-1) ?? '';
const toBotResident = () => zaloBot.sentTo(BOT_RESIDENT).map((m) => m.text ?? '');
const toOaResident = () => oa.sentTo(OA_RESIDENT).map((m) => m.text ?? '');

async function adminPostOf(code: string) {
  await expect.poll(() => telegram.sentTo(ADMIN_CHAT).some((m) => m.text?.includes(code)), POLL).toBe(true);
  return telegram.sentTo(ADMIN_CHAT).find((m) => m.text?.includes(code))!;
}

async function cadreAnswers(code: string, text: string): Promise<void> {
  const post = await adminPostOf(code);
  telegram.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: post.messageId, text });
}

describe('a commune with only a Zalo OA and a Zalo Bot (no zca-js account)', () => {
  it('starts both Zalo channels from the database beside the Telegram admin chat', async () => {
    const channels = await processChannels(rt);
    expect(channels.directory.list().map((c) => c.platform).sort()).toEqual(['telegram', 'webchat', 'zalo_bot', 'zalo_oa']);
    expect(channels.zalo).toEqual([]);
  });

  it('over the Zalo Bot: ask, ticket in the admin chat, the cadre answers, the resident rates', async () => {
    zaloBot.residentSends({ userId: BOT_RESIDENT, text: 'Cống thoát nước đầu thôn 4 bị tắc, nước tràn ra đường', name: 'Ông Năm' });
    await expect.poll(() => lastTo(toBotResident()), POLL).toMatch(/trợ lý tự động[\s\S]*1\. Tôi đồng ý/);
    zaloBot.residentSends({ userId: BOT_RESIDENT, text: '1' });
    await expect.poll(() => prisma.ticket.count({ where: { channel: 'zalo_bot' } }), POLL).toBe(1);
    const ticket = await prisma.ticket.findFirstOrThrow({ where: { channel: 'zalo_bot' } });
    await expect.poll(() => toBotResident().some((t) => t.includes(`Mã số: ${ticket.code}`)), POLL).toBe(true);

    await cadreAnswers(ticket.code, 'Sáng mai tổ vệ sinh môi trường sẽ thông cống.');
    await expect.poll(() => toBotResident().some((t) => t.includes(`Trả lời phản ánh ${ticket.code}`) && t.includes('thông cống')), POLL).toBe(true);
    await expect.poll(() => lastTo(toBotResident()), POLL).toMatch(/1\. Hài lòng\n2\. Chưa hài lòng/);

    zaloBot.residentSends({ userId: BOT_RESIDENT, text: '1' });
    await expect.poll(async () => (await prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status, POLL).toBe('closed');
    expect(await prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).toMatchObject({ ratingComment: 'hài lòng', ratedAt: expect.any(Date) });
  }, 120_000);

  it('over the Official Account: ask, ticket in the admin chat, the cadre answers, the resident rates', async () => {
    expect(await oaSends('Trạm bơm thôn 2 hỏng, ruộng không có nước')).toBe(200);
    await expect.poll(() => lastTo(toOaResident()), POLL).toMatch(/Luật Bảo vệ dữ liệu cá nhân[\s\S]*1\. Tôi đồng ý/);
    expect(await oaSends('1')).toBe(200);
    await expect.poll(() => prisma.ticket.count({ where: { channel: 'zalo_oa' } }), POLL).toBe(1);
    const ticket = await prisma.ticket.findFirstOrThrow({ where: { channel: 'zalo_oa' } });

    await cadreAnswers(ticket.code, 'Thứ năm này xã cử thợ sửa trạm bơm.');
    await expect.poll(() => toOaResident().some((t) => t.includes(`Trả lời phản ánh ${ticket.code}`) && t.includes('trạm bơm')), POLL).toBe(true);
    await expect.poll(() => lastTo(toOaResident()), POLL).toMatch(/1\. Hài lòng\n2\. Chưa hài lòng/);

    // Not satisfied: stored, and the ticket goes back to the leader.
    expect(await oaSends('2')).toBe(200);
    await expect.poll(async () => (await prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).ratingComment, POLL).toBe('chưa hài lòng');
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('in_progress');
    const answer = await prisma.ticketMessage.findFirstOrThrow({ where: { ticketId: ticket.id, direction: 'outbound', text: { contains: 'trạm bơm' } } });
    expect(answer).toMatchObject({ channel: 'zalo_oa', deliveryStatus: 'sent' });
  }, 120_000);
});
