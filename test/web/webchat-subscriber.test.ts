// The web chat's Redis subscription under the network's bad moments: a subscriber handed over while
// Redis has not yet answered its handshake, and Redis going away while a resident's page is open.
// Both once lost replies silently (the page waited forever); through a proxy that holds back and
// cuts connections they are made to happen every time.
import { once } from 'node:events';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebChatChannel, type WebChatChannel, type WebChatEvent } from '../../bots/webchat/webchat-channel.ts';
import { webChatPlugin } from '../../src/web/plugins/webchat.ts';
import { readEventStream } from '../support/event-stream.ts';
import { startRedisProxy, type RedisProxy } from '../support/redis-proxy.ts';
import { deleteTestRedisKeys, TEST_REDIS_URL, testRedisPrefix } from '../support/services.ts';

const prefix = testRedisPrefix();
let proxy: RedisProxy;
let redis: Redis;
let subscriber: Redis;
let channel: WebChatChannel;
let app: FastifyInstance;
let base = '';

beforeAll(async () => {
  const target = new URL(TEST_REDIS_URL);
  proxy = await startRedisProxy({ host: target.hostname, port: Number(target.port || 6379) });
  redis = new Redis(TEST_REDIS_URL);
  channel = createWebChatChannel({ redis, prefix });
  // Redis's answers to this connection arrive 300 ms late: the plugin gets it mid-handshake.
  proxy.holdRepliesMs = 300;
  subscriber = new Redis(proxy.url, { retryStrategy: () => 100 });
  subscriber.on('error', () => undefined);
  await once(subscriber, 'connect');
  proxy.holdRepliesMs = 0;
  expect(subscriber.status).toBe('connect');
  app = Fastify();
  await app.register(webChatPlugin, { channel, subscriber, communeName: async () => 'Xã Mẫu' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await proxy?.close();
  await deleteTestRedisKeys(prefix);
  redis?.disconnect();
});

async function openPage(): Promise<{ sid: string; texts: string[]; stop(): void }> {
  const page = await fetch(`${base}/chat`);
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const ctrl = new AbortController();
  const res = await fetch(`${base}/chat/api/events`, { headers: { cookie }, signal: ctrl.signal });
  const texts: string[] = [];
  readEventStream(res, (data) => {
    const ev = data as WebChatEvent;
    if (ev.type === 'message') texts.push(ev.entry.text);
  });
  return { sid: cookie.slice(cookie.indexOf('=') + 1), texts, stop: () => ctrl.abort() };
}

describe('web chat subscription', () => {
  it('a subscriber handed over before Redis finished its handshake still pushes replies', async () => {
    const page = await openPage();
    await channel.send(page.sid, { text: 'Xã đã nhận câu hỏi của bác.' });
    await expect.poll(() => page.texts, { timeout: 10_000 }).toContain('Xã đã nhận câu hỏi của bác.');
    page.stop();
  });

  it('after Redis comes back, an open page gets what was sent while it was away, then replies live again', async () => {
    const page = await openPage();
    await channel.send(page.sid, { text: 'Trước khi mất kết nối' });
    await expect.poll(() => page.texts, { timeout: 10_000 }).toContain('Trước khi mất kết nối');

    proxy.accept = false;
    proxy.cutAll();
    await expect.poll(() => subscriber.status, { timeout: 10_000 }).not.toBe('ready');
    await channel.send(page.sid, { text: 'Trong lúc Redis vắng mặt' });
    proxy.accept = true;
    await expect.poll(() => page.texts, { timeout: 10_000 }).toContain('Trong lúc Redis vắng mặt');

    await channel.send(page.sid, { text: 'Sau khi kết nối lại' });
    await expect.poll(() => page.texts, { timeout: 10_000 }).toContain('Sau khi kết nối lại');
    page.stop();
  });
});
