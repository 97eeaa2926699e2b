// With a public address, every commune's bot receives by webhook on its own path
// (/webhooks/telegram/<account id>) with its own secret_token, registered with Telegram when the
// web role starts receiving; a wrong secret, an unknown or removed bot, or the other platform's
// path are refused. Real PostgreSQL and Redis, the local Bot API server.
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { addChannelAccount, removeChannelAccount, type BotAccount } from '../../src/channels/bot-accounts.ts';
import { botTokenChecker } from '../../src/processes/bot-token-checker.ts';
import { botWebhookPath, botWebhookSecret, createBotFleet, type BotFleet } from '../../src/processes/bot-fleet.ts';
import { botWebhooksPlugin } from '../../src/web/plugins/bot-webhooks.ts';
import type { Enqueue } from '../../src/tickets/ticket-deps.ts';
import { FakeBotApiHub } from '../support/telegram-bot-api/fake-bot-api-hub.ts';
import type { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let hub: FakeBotApiHub;
let redis: Redis;
let fleet: BotFleet;
let app: FastifyInstance;
let bots: FakeBotApi[];
let accounts: BotAccount[];
const prefix = testRedisPrefix();
const key = randomBytes(32);
const jobs: string[] = [];

beforeAll(async () => {
  db = await openMigratedTestDatabase('botwebhooks', 4);
  const commune = await db.prisma.commune.create({ data: { code: 'xa-hook', name: 'Xã Móc' } });
  hub = new FakeBotApiHub();
  await hub.start();
  bots = [hub.addBot(), hub.addBot()];
  const checkToken = botTokenChecker({ TELEGRAM_API_ROOT: hub.apiRoot, ZALO_BOT_API_ROOT: hub.apiRoot });
  accounts = [];
  for (const [i, b] of bots.entries()) accounts.push(await addChannelAccount({ prisma: db.prisma, key, checkToken }, { communeId: commune.id, platform: 'telegram', token: b.token, adminChatId: String(-1005000 - i) }));
  redis = new Redis(TEST_REDIS_URL);
  const settings = loadSettings({ DATA_DIR: '/tmp/loaxa-unused', ENCRYPTION_KEY: key.toString('base64'), PUBLIC_BASE_URL: 'https://loa.tinh-mau.gov.vn', TELEGRAM_API_ROOT: hub.apiRoot, REDIS_PREFIX: prefix, BOTS_SYNC_MS: '200' });
  const enqueue = (async (_d: unknown, _data: unknown, o?: { jobId?: string }) => void jobs.push(o?.jobId ?? '?')) as unknown as Enqueue;
  fleet = createBotFleet({ prisma: db.prisma, settings, log: silentLogger, redis, enqueue, directory: new ChannelDirectory() });
  await fleet.receive('webhook');
  app = Fastify();
  await app.register(botWebhooksPlugin, { byId: (id) => fleet.byId(id) });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await fleet?.close();
  redis?.disconnect();
  await hub?.close();
  await deleteTestRedisKeys(prefix);
  await db?.close();
});

const update = (id: number, text: string) => ({ update_id: id, message: { message_id: id, date: 1_700_000_000, chat: { id: 7100 + id, type: 'private' }, from: { id: 7100 + id, is_bot: false, first_name: 'Dân' }, text } });
const post = async (url: string, secret: string | undefined, body: object) =>
  (await app.inject({ method: 'POST', url, headers: secret ? { 'x-telegram-bot-api-secret-token': secret } : {}, payload: body })).statusCode;

describe('a webhook path per commune bot', () => {
  it('registers each bot with its own path and secret', () => {
    for (const [i, b] of bots.entries()) {
      expect(b.webhook?.url).toBe(`https://loa.tinh-mau.gov.vn${botWebhookPath('telegram', accounts[i]!.id)}`);
      expect(b.webhook?.secret).toBe(botWebhookSecret(b.token, accounts[i]!.id));
    }
    expect(bots[0]!.webhook?.secret).not.toBe(bots[1]!.webhook?.secret);
  });

  it('stores what arrives on a bot’s path with its secret, once; refuses the wrong secret, bot or platform', async () => {
    const [a, b] = accounts as [BotAccount, BotAccount];
    const path = botWebhookPath('telegram', a.id);
    const secretA = botWebhookSecret(bots[0]!.token, a.id);
    expect(await post(path, secretA, update(1, 'Đường làng bị sạt'))).toBe(200);
    expect(await post(path, secretA, update(1, 'Đường làng bị sạt'))).toBe(200);
    const rows = await db.prisma.inboundMessage.findMany({ where: { channelAccountId: a.id } });
    expect(rows).toHaveLength(1);

    // Bot B's secret on bot A's path, none at all, an unknown id, a malformed id, the Zalo path.
    expect(await post(path, botWebhookSecret(bots[1]!.token, b.id), update(2, 'x'))).toBe(401);
    expect(await post(path, undefined, update(3, 'x'))).toBe(401);
    expect(await post(botWebhookPath('telegram', '00000000-0000-4000-8000-000000000000'), secretA, update(4, 'x'))).toBe(404);
    expect(await post('/webhooks/telegram/..%2F..%2Fadmin', secretA, update(5, 'x'))).toBe(404);
    expect(await post(botWebhookPath('zalo_bot', a.id), secretA, update(6, 'x'))).toBe(404);
    expect(await post(path, secretA, { nothing: true })).toBe(400);
    expect(await db.prisma.inboundMessage.count()).toBe(1);
  });

  it('a removed bot’s path answers 404 once the fleet saw the removal', async () => {
    const b = accounts[1]!;
    const path = botWebhookPath('telegram', b.id);
    const secret = botWebhookSecret(bots[1]!.token, b.id);
    expect(await post(path, secret, update(10, 'Trước khi gỡ'))).toBe(200);
    await removeChannelAccount(db.prisma, { accountId: b.id });
    await fleet.sync();
    expect(await post(path, secret, update(11, 'Sau khi gỡ'))).toBe(404);
    expect(await db.prisma.inboundMessage.count({ where: { channelAccountId: b.id } })).toBe(1);
  });
});
