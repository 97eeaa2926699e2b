// One installation, several communes, each with its own Telegram bot added from the database
// (addChannelAccount: web admin or `loaxa channels add`): the bots role runs them all in one
// process, against the local Bot API server. A resident of commune A writing to bot A gets a
// ticket of A, posted in A's admin chat only; a bot added while the role runs starts answering,
// a removed one stops, and one whose token is revoked (401) is marked down without affecting the
// others. Real PostgreSQL and Redis, the real worker and bots roles.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { ensureCategories } from '../../src/catalog/ensure-categories.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { openRuntime, type Runtime } from '../../src/processes/runtime.ts';
import { startWorkerRole } from '../../src/processes/worker-role.ts';
import { startBotsRole } from '../../src/processes/bots-role.ts';
import { processChannels } from '../../src/processes/channels.ts';
import type { RunningRole } from '../../src/processes/run-roles.ts';
import { botTokenChecker } from '../../src/processes/bot-token-checker.ts';
import { addChannelAccount, removeChannelAccount, type BotAccount } from '../../src/channels/bot-accounts.ts';
import { communeBotsHealth } from '../../src/channels/channel-health.ts';
import { FakeBotApiHub } from '../support/telegram-bot-api/fake-bot-api-hub.ts';
import type { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

const ADMIN_A = -1001000000001;
const ADMIN_B = -1001000000002;
const ADMIN_C = -1001000000003;

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let hub: FakeBotApiHub;
let rt: Runtime;
const roles: RunningRole[] = [];
const prefix = testRedisPrefix();
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-commune-bots-'));
const key = randomBytes(32);
let communeA: string;
let communeB: string;
let botA: FakeBotApi;
let botB: FakeBotApi;
let accountA: BotAccount;
let accountB: BotAccount;

async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 30));
  }
}

const addBot = (communeId: string, bot: FakeBotApi, adminChat: number) =>
  addChannelAccount({ prisma, key, checkToken: botTokenChecker({ TELEGRAM_API_ROOT: hub.apiRoot, ZALO_BOT_API_ROOT: hub.apiRoot }) }, { communeId, platform: 'telegram', token: bot.token, adminChatId: String(adminChat) });

/** A resident of the commune who already agreed to the terms, known to this bot. */
async function resident(communeId: string, account: BotAccount, userId: number): Promise<void> {
  await prisma.resident.create({
    data: { communeId, consentGivenAt: new Date(), consentVersion: 'test', identities: { create: { platform: 'telegram', platformUserId: String(userId), platformChatId: String(userId), channelAccountId: account.id } } },
  });
}

/** The ticket a message became, once it is posted in an admin chat. */
async function ticketOf(text: string) {
  return until(async () => (await prisma.ticket.findFirst({ where: { messages: { some: { text } } }, select: { code: true, communeId: true } })) ?? undefined);
}

beforeAll(async () => {
  db = await openMigratedTestDatabase('communebots', 4);
  prisma = db.prisma;
  await ensureCategories(prisma);
  communeA = (await prisma.commune.create({ data: { code: 'xa-a', name: 'Xã A' } })).id;
  communeB = (await prisma.commune.create({ data: { code: 'xa-b', name: 'Xã B' } })).id;
  hub = new FakeBotApiHub();
  await hub.start();
  botA = hub.addBot();
  botB = hub.addBot();
  accountA = await addBot(communeA, botA, ADMIN_A);
  accountB = await addBot(communeB, botB, ADMIN_B);

  const settings = loadSettings({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    ENCRYPTION_KEY: key.toString('base64'),
    TELEGRAM_API_ROOT: hub.apiRoot,
    BOTS_SYNC_MS: '200',
    TICKET_BURST_SECONDS: '0',
    SEED_DEMO: 'false',
  });
  rt = await openRuntime(settings, silentLogger);
  roles.push(await startWorkerRole(rt));
  roles.push(await startBotsRole(rt));
}, 90_000);

afterAll(async () => {
  for (const r of roles.reverse()) await r.stop().catch(() => undefined);
  await rt?.close().catch(() => undefined);
  await hub?.close();
  await db?.close();
  await deleteTestRedisKeys(prefix);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the bots role runs every commune’s bot from the database', () => {
  it('a resident writing to bot A becomes a ticket of commune A, posted in A’s admin chat only', async () => {
    await resident(communeA, accountA, 41001);
    await resident(communeB, accountB, 42001);
    botA.residentSends({ userId: 41001, text: 'Đèn đường ở thôn Đông bị hỏng ba hôm nay' });
    botB.residentSends({ userId: 42001, text: 'Rác ở chợ xã chưa được thu gom' });

    const a = await ticketOf('Đèn đường ở thôn Đông bị hỏng ba hôm nay');
    const b = await ticketOf('Rác ở chợ xã chưa được thu gom');
    expect(a.communeId).toBe(communeA);
    expect(b.communeId).toBe(communeB);
    await until(() => botA.sentTo(ADMIN_A).some((m) => m.text?.includes(a.code)));
    await until(() => botB.sentTo(ADMIN_B).some((m) => m.text?.includes(b.code)));
    // Each commune's post went through its own bot into its own chat, nowhere else.
    expect(botA.sentTo(ADMIN_B)).toHaveLength(0);
    expect(botB.sentTo(ADMIN_A)).toHaveLength(0);
    // Both are PA-<year>-00001 (codes are per commune): told apart by what the residents wrote.
    expect(botA.sentTo(ADMIN_A).some((m) => m.text?.includes('Đèn đường ở thôn Đông'))).toBe(true);
    expect(botA.sent.some((m) => m.text?.includes('Rác ở chợ xã'))).toBe(false);
    expect(botB.sent.some((m) => m.text?.includes('Đèn đường ở thôn Đông'))).toBe(false);
  });

  it('a bot added while the role runs starts answering; removed, it stops — no restart', async () => {
    const communeC = (await prisma.commune.create({ data: { code: 'xa-c', name: 'Xã C' } })).id;
    const botC = hub.addBot();
    const accountC = await addBot(communeC, botC, ADMIN_C);
    // A resident writing for the first time is answered (the terms to agree to) by bot C.
    botC.residentSends({ userId: 43001, text: 'Xin chào' });
    await until(() => botC.sentTo(43001).length > 0);
    expect(botA.sentTo(43001)).toHaveLength(0);

    await removeChannelAccount(prisma, { accountId: accountC.id });
    const fleet = (await processChannels(rt)).fleet;
    await until(() => fleet.byId(accountC.id) === undefined);
    const polls = hub.polls(botC);
    botC.residentSends({ userId: 43002, text: 'Còn ai trả lời không?' });
    // Bot A still works meanwhile; by the time its resident is answered, C has asked nothing more.
    botA.residentSends({ userId: 41002, text: 'Xin chào' });
    await until(() => botA.sentTo(41002).length > 0);
    expect(hub.polls(botC)).toBe(polls);
    expect(botC.pendingUpdates).toBe(1);
    expect(await prisma.inboundMessage.count({ where: { platformChatId: '43002' } })).toBe(0);
  });

  it('a bot whose token is revoked (401) is marked down; the others go on', async () => {
    hub.revoke(botB);
    await until(async () => (await prisma.channelAccount.findUniqueOrThrow({ where: { id: accountB.id } })).status === 'logged_out');
    const health = await communeBotsHealth(prisma);
    expect(health.status).toBe('degraded');
    expect(health.detail).toContain(accountB.name);

    await resident(communeA, accountA, 41003);
    botA.residentSends({ userId: 41003, text: 'Cống thoát nước ở ngõ 5 bị tắc' });
    const t = await ticketOf('Cống thoát nước ở ngõ 5 bị tắc');
    expect(t.communeId).toBe(communeA);
    await until(() => botA.sentTo(ADMIN_A).some((m) => m.text?.includes(t.code)));
    // Bot B is not asked again and again with a refused token.
    const polls = hub.polls(botB);
    botA.residentSends({ userId: 41004, text: 'Xin chào' });
    await until(() => botA.sentTo(41004).length > 0);
    expect(hub.polls(botB)).toBe(polls);
  });
});
