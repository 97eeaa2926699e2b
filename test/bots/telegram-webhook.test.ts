// Webhook mode: the bot registers its URL with a secret; only requests carrying that secret are
// taken, and Telegram gets 200 only once the update is stored (500 makes it deliver again).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { createTelegramChannel, type TelegramChannel } from '../../bots/telegram/telegram-channel.ts';
import { telegramWebhookPlugin } from '../../src/web/plugins/telegram-webhook.ts';
import { silentLogger } from '../../src/logger.ts';
import type { InboundMessage } from '../../bots/channel.ts';
import { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';

let api: FakeBotApi;
let channel: TelegramChannel;
let app: FastifyInstance;
const received: InboundMessage[] = [];
let failNext = false;

beforeAll(async () => {
  api = new FakeBotApi();
  const { apiRoot } = await api.start();
  channel = createTelegramChannel({ token: api.token, apiRoot, log: silentLogger, mode: { kind: 'webhook', url: 'https://loa.example.vn/telegram/webhook/x', secretToken: 's3cret-token' } });
  await channel.start({
    onMessage: async (m) => {
      if (failNext) {
        failNext = false;
        throw new Error('database down');
      }
      received.push(m);
    },
    onAction: async () => undefined,
  });
  app = Fastify();
  await app.register(telegramWebhookPlugin, { path: '/telegram/webhook/x', channel });
});
afterAll(async () => {
  await app?.close();
  await channel?.stop();
  await api?.close();
});

const update = (id: number, text: string) => ({ update_id: id, message: { message_id: id, date: 1_700_000_000, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'A' }, text } });

describe('Telegram webhook', () => {
  it('registers the webhook with its secret', () => {
    expect(api.webhook).toEqual({ url: 'https://loa.example.vn/telegram/webhook/x', secret: 's3cret-token' });
  });

  it('refuses requests without the right secret', async () => {
    for (const headers of [{}, { 'x-telegram-bot-api-secret-token': 'wrong' }, { 'x-telegram-bot-api-secret-token': 's3cret-tokeX' }]) {
      const res = await app.inject({ method: 'POST', url: '/telegram/webhook/x', headers, payload: update(1, 'hi') });
      expect(res.statusCode).toBe(401);
    }
    expect(received).toHaveLength(0);
  });

  it('answers 200 after storing, 500 when storing failed (Telegram retries), 400 on junk', async () => {
    const headers = { 'x-telegram-bot-api-secret-token': 's3cret-token' };
    failNext = true;
    expect((await app.inject({ method: 'POST', url: '/telegram/webhook/x', headers, payload: update(2, 'Đèn đường hỏng') })).statusCode).toBe(500);
    expect((await app.inject({ method: 'POST', url: '/telegram/webhook/x', headers, payload: update(2, 'Đèn đường hỏng') })).statusCode).toBe(200);
    expect(received.map((m) => m.text)).toEqual(['Đèn đường hỏng']);
    expect((await app.inject({ method: 'POST', url: '/telegram/webhook/x', headers, payload: { nope: true } })).statusCode).toBe(400);
  });
});
