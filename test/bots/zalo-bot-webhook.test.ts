// Zalo Bot webhook mode: setWebhook registers the URL with an 8–256 character secret; only
// requests carrying it in X-Bot-Api-Secret-Token are taken (compared in constant time), and Zalo
// gets 200 only once the update is stored (500 makes it deliver again).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { createZaloBotChannel, type ZaloBotChannel } from '../../bots/zalo-bot/zalo-bot-channel.ts';
import { inMemoryChoices } from '../../bots/zalo/numbered-choices.ts';
import { zaloBotWebhookPlugin } from '../../src/web/plugins/zalo-bot-webhook.ts';
import { silentLogger } from '../../src/logger.ts';
import type { InboundMessage } from '../../bots/channel.ts';
import { FakeZaloBotApi } from '../support/zalo-bot-api/fake-zalo-bot-api.ts';

let api: FakeZaloBotApi;
let channel: ZaloBotChannel;
let app: FastifyInstance;
let apiRoot: string;
const received: InboundMessage[] = [];
let failNext = false;
const path = '/zalo-bot/webhook/x';
const texts = { disclosure: 'BOT', unsupported: 'WEB' };

beforeAll(async () => {
  api = new FakeZaloBotApi();
  ({ apiRoot } = await api.start());
  channel = createZaloBotChannel({ token: api.token, apiRoot, mode: { kind: 'webhook', url: 'https://loa.example.vn/zalo-bot/webhook/x', secretToken: 'zalo-s3cret' }, texts, memory: inMemoryChoices(), log: silentLogger });
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
  await app.register(zaloBotWebhookPlugin, { path, channel });
});
afterAll(async () => {
  await app?.close();
  await channel?.stop();
  await api?.close();
});

const update = (id: string, text: string) => ({ ok: true, result: { event_name: 'message.text.received', message: { message_id: id, date: Date.now(), chat: { id: 'r1', chat_type: 'PRIVATE' }, from: { id: 'r1', display_name: 'A' }, text } } });

describe('Zalo Bot webhook', () => {
  it('registers the webhook with its secret', () => {
    expect(api.webhook).toEqual({ url: 'https://loa.example.vn/zalo-bot/webhook/x', secret: 'zalo-s3cret' });
  });

  it('refuses requests without the right secret', async () => {
    for (const headers of [{}, { 'x-bot-api-secret-token': 'wrong' }, { 'x-bot-api-secret-token': 'zalo-s3creX' }, { 'x-bot-api-secret-token': 'zalo-s3cret-longer' }]) {
      const res = await app.inject({ method: 'POST', url: path, headers, payload: update('m1', 'hi') });
      expect(res.statusCode).toBe(401);
    }
    expect(received).toHaveLength(0);
  });

  it('answers 200 after storing, 500 when storing failed, 400 on junk; takes bare updates too', async () => {
    const headers = { 'x-bot-api-secret-token': 'zalo-s3cret' };
    failNext = true;
    expect((await app.inject({ method: 'POST', url: path, headers, payload: update('m2', 'Đèn đường hỏng') })).statusCode).toBe(500);
    expect((await app.inject({ method: 'POST', url: path, headers, payload: update('m2', 'Đèn đường hỏng') })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: path, headers, payload: update('m3', 'Thôn 2').result })).statusCode).toBe(200);
    expect(received.map((m) => [m.platformMessageId, m.text])).toEqual([['m2', 'Đèn đường hỏng'], ['m3', 'Thôn 2']]);
    for (const payload of [{ nope: true }, { event_name: 'message.text.received' }, { event_name: 'message.text.received', message: { message_id: 5, chat: {}, from: {} } }]) {
      expect((await app.inject({ method: 'POST', url: path, headers, payload })).statusCode).toBe(400);
    }
  });

  it('refuses a secret the platform would refuse', () => {
    expect(() => createZaloBotChannel({ token: api.token, apiRoot, mode: { kind: 'webhook', url: 'https://x', secretToken: 'short' }, texts, memory: inMemoryChoices(), log: silentLogger })).toThrow(/8–256/);
  });

  it('polling is refused by Zalo while the webhook is set', async () => {
    const res = await fetch(`${apiRoot}/bot${api.token}/getUpdates`, { method: 'POST', body: '{"timeout":"1"}' });
    expect(res.status).toBe(409);
  });
});
