// Finding 10 of issue 14: one update PostgreSQL cannot store must not block Telegram intake. A
// NUL in a text is cleaned where every inbound message is stored; an update that fails for
// another reason is retried a few times, then set aside raw (staff told once) and intake moves
// on — in the polling loop and through the webhook alike, on the real PostgreSQL and Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { createTelegramChannel, type TelegramChannel } from '../../bots/telegram/telegram-channel.ts';
import type { ChannelHandlers } from '../../bots/channel.ts';
import { silentLogger } from '../../src/logger.ts';
import { createQueueKit, type QueueKit } from '../../src/queues/queue-kit.ts';
import { inboxHandlers } from '../../src/tickets/inbox.ts';
import { ensureChannelAccount } from '../../src/tickets/channel-accounts.ts';
import { sendDirectJob } from '../../src/tickets/ticket-jobs.ts';
import { telegramWebhookPlugin } from '../../src/web/plugins/telegram-webhook.ts';
import { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let queues: QueueKit;
let api: FakeBotApi;
let polling: TelegramChannel;
let hooked: TelegramChannel;
let app: FastifyInstance;
const prefix = testRedisPrefix();
const BROKEN = 'hỏng mãi';

/** The production inbox, except that one text cannot be stored (as a failing trigger would). */
function breakingOne(base: ChannelHandlers): ChannelHandlers {
  // A batch holding it fails as a whole (one INSERT), as it would with such a trigger.
  return {
    ...base,
    onMessage: async (m) => (m.text === BROKEN ? Promise.reject(new Error('lưu không được')) : base.onMessage(m)),
    onBatch: async (items) => (items.some((i) => i.kind === 'message' && i.message.text === BROKEN) ? Promise.reject(new Error('lưu không được')) : base.onBatch!(items)),
  };
}

beforeAll(async () => {
  db = await openMigratedTestDatabase('poison');
  await db.prisma.commune.create({ data: { code: 'poison', name: 'Xã Thử Độc' } });
  queues = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix, log: silentLogger });
  const enqueue = queues.enqueue.bind(queues);
  api = new FakeBotApi();
  const { apiRoot } = await api.start();
  const pollAccount = await ensureChannelAccount(db.prisma, { platform: 'telegram', name: 'poll-bot', adminChatId: '-100777' });
  polling = createTelegramChannel({ token: api.token, apiRoot, accountId: 'poll-bot', log: silentLogger, mode: { kind: 'polling', timeoutSeconds: 1 } });
  await polling.start(breakingOne(inboxHandlers(db.prisma, enqueue, pollAccount.id, 'telegram')));

  const hookAccount = await ensureChannelAccount(db.prisma, { platform: 'telegram', name: 'hook-bot', adminChatId: '-100778' });
  hooked = createTelegramChannel({ token: api.token, apiRoot, accountId: 'hook-bot', log: silentLogger, mode: { kind: 'webhook', url: 'https://loa.example.vn/tg/x', secretToken: 'bi-mat-webhook' } });
  await hooked.start(breakingOne(inboxHandlers(db.prisma, enqueue, hookAccount.id, 'telegram')));
  app = Fastify();
  await app.register(telegramWebhookPlugin, { path: '/tg/x', channel: hooked });
});
afterAll(async () => {
  await app?.close();
  await polling?.stop();
  await hooked?.stop();
  await api?.close();
  await queues?.close(1000);
  await deleteTestRedisKeys(prefix);
  await db?.close();
});

const texts = async () => (await db.prisma.inboundMessage.findMany({ orderBy: { receivedAt: 'asc' } })).map((r) => (r.payload as { message: { text?: string } }).message.text);

async function staffNotices(chatId: string) {
  const jobs = await queues.queue(sendDirectJob.queue).getJobs(['waiting', 'delayed', 'prioritized']);
  return jobs.filter((j) => j.name === sendDirectJob.name && (j.data as { chatId: string }).chatId === chatId);
}

describe('poison updates', () => {
  it('polling: stores a text with NUL cleaned, sets a failing update aside, and goes on', async () => {
    api.residentSends({ userId: 51, text: 'Ống nước\u0000 vỡ\u0007 ở thôn 2\r\nxin xử lý' });
    api.residentSends({ userId: 51, text: BROKEN });
    api.residentSends({ userId: 51, text: 'Tin sau vẫn đến' });
    await expect.poll(texts, { timeout: 30_000 }).toEqual(['Ống nước vỡ ở thôn 2\nxin xử lý', 'Tin sau vẫn đến']);
    await expect.poll(() => api.pendingUpdates, { timeout: 10_000 }).toBe(0);
    const q = await db.prisma.quarantinedUpdate.findMany();
    expect(q).toHaveLength(1);
    expect(q[0]!.quarantinedAt).not.toBeNull();
    expect(q[0]!.attempts).toBe(3);
    expect(JSON.parse(q[0]!.raw).message.text).toBe(BROKEN);
    // Both bots serve the same commune: each of its admin chats is told, once.
    expect(await staffNotices('-100777')).toHaveLength(1);
    expect(await staffNotices('-100778')).toHaveLength(1);
    expect(await db.prisma.auditLog.count({ where: { action: 'inbound.quarantined' } })).toBe(1);
  });

  it('webhook: 200 for a NUL text, 500 while retrying, 200 once set aside, told once', async () => {
    const headers = { 'x-telegram-bot-api-secret-token': 'bi-mat-webhook' };
    const update = (id: number, text: string) => ({ update_id: id, message: { message_id: id, date: 1_700_000_000, chat: { id: 61, type: 'private' }, from: { id: 61, is_bot: false, first_name: 'B' }, text } });
    const post = async (id: number, text: string) => (await app.inject({ method: 'POST', url: '/tg/x', headers, payload: update(id, text) })).statusCode;
    expect(await post(9001, 'Đèn\u0000 tắt')).toBe(200);
    expect([await post(9002, BROKEN), await post(9002, BROKEN), await post(9002, BROKEN)]).toEqual([500, 500, 200]);
    // Telegram redelivering it once more gets 200 again, and staff are not told twice.
    expect(await post(9002, BROKEN)).toBe(200);
    expect(await post(9003, 'Sau đó')).toBe(200);
    expect((await texts()).slice(-2)).toEqual(['Đèn tắt', 'Sau đó']);
    expect(await staffNotices('-100778')).toHaveLength(2);
    expect(await db.prisma.quarantinedUpdate.count({ where: { quarantinedAt: { not: null } } })).toBe(2);
  });
});
