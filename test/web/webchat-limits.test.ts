// Finding 8 of issue 14: the web chat's limits per session, per address and overall — messages,
// new tickets (/moi), new sessions and open event streams — are counted in Redis, so two web
// replicas share them; behind a trusted proxy each resident is counted by their own address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createWebChatChannel } from '../../bots/webchat/webchat-channel.ts';
import { silentLogger } from '../../src/logger.ts';
import { createQueueKit, type QueueKit } from '../../src/queues/queue-kit.ts';
import { ensureChannelAccount } from '../../src/tickets/channel-accounts.ts';
import { inboxHandlers } from '../../src/tickets/inbox.ts';
import { installErrorHandler } from '../../src/web/error-handler.ts';
import { webChatPlugin } from '../../src/web/plugins/webchat.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let queues: QueueKit;
const prefix = testRedisPrefix();
const redis = new Redis(TEST_REDIS_URL);
const replicas: FastifyInstance[] = [];
let bases: string[] = [];

beforeAll(async () => {
  db = await openMigratedTestDatabase('chatlim');
  await db.prisma.commune.create({ data: { code: 'chatlim', name: 'Xã Thử Chat' } });
  queues = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix, log: silentLogger });
  const account = await ensureChannelAccount(db.prisma, { platform: 'webchat', name: 'webchat' });
  for (let i = 0; i < 2; i++) {
    const channel = createWebChatChannel({ redis, prefix });
    await channel.start(inboxHandlers(db.prisma, queues.enqueue.bind(queues), account.id, 'webchat'));
    // Behind one reverse proxy at 127.0.0.1, as TRUST_PROXY=127.0.0.1 sets it.
    const app = Fastify({ loggerInstance: silentLogger as unknown as FastifyBaseLogger, trustProxy: loadSettings({ TRUST_PROXY: '127.0.0.1' }).TRUST_PROXY });
    installErrorHandler(app);
    await app.register(webChatPlugin, { channel, subscriber: new Redis(TEST_REDIS_URL), communeName: async () => 'Xã Thử Chat', limits: { redis, prefix, values: { messagesOverall: 200, streamsPerSession: 2, streamsPerAddress: 3 } } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    replicas.push(app);
  }
  bases = replicas.map((a) => `http://127.0.0.1:${(a.server.address() as { port: number }).port}`);
});
afterAll(async () => {
  for (const app of replicas) await app.close();
  await queues?.close(1000);
  await deleteTestRedisKeys(prefix);
  redis.disconnect();
  await db?.close();
});

let n = 0;
/** One message through replica i % 2, from a resident at `ip` behind the proxy. */
async function send(i: number, ip: string, cookie: string | undefined, text = `Tin số ${n}`) {
  const res = await replicas[i % 2]!.inject({
    method: 'POST',
    url: '/chat/api/messages',
    headers: { 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}) },
    payload: { text, clientMessageId: `m-${String(++n).padStart(8, '0')}` },
  });
  const set = res.cookies.find((c) => c.name === 'lx_chat');
  return { status: res.statusCode, cookie: cookie ?? (set ? `lx_chat=${set.value}` : undefined), message: (res.json() as { error?: { message: string } }).error?.message };
}

describe('web chat limits', () => {
  it('limits one session to 20 messages a minute across replicas; another session goes on', async () => {
    const first = await send(0, '198.51.100.1', undefined);
    expect(first.status).toBe(202);
    for (let i = 1; i < 20; i++) expect((await send(i, '198.51.100.1', first.cookie)).status).toBe(202);
    const refused = await send(20, '198.51.100.1', first.cookie);
    expect(refused.status).toBe(429);
    expect(refused.message).toContain('Tin nhắn gửi hơi nhanh');
    expect((await send(21, '198.51.100.1', undefined)).status).toBe(202);
  });

  it('limits one address across its sessions, and counts residents behind the proxy apart', async () => {
    let cookie: string | undefined;
    let status = 0;
    for (let i = 0; i < 60 && status !== 429; i++) {
      if (i % 20 === 0) cookie = undefined;
      const r = await send(i, '198.51.100.2', cookie);
      cookie = r.cookie;
      status = r.status;
      expect(`${i}:${status}:${r.message}`).toBe(`${i}:202:undefined`);
    }
    expect((await send(0, '198.51.100.2', undefined)).status).toBe(429);
    expect((await send(0, '198.51.100.3', undefined)).status).toBe(202);
  });

  it('allows three new tickets (/moi) an hour per session', async () => {
    const first = await send(0, '198.51.100.4', undefined, '/moi Đèn đường thôn 1 hỏng');
    for (let i = 1; i < 3; i++) expect((await send(i, '198.51.100.4', first.cookie, `/moi việc số ${i}`)).status).toBe(202);
    const refused = await send(3, '198.51.100.4', first.cookie, '/moi thêm nữa');
    expect(refused.status).toBe(429);
    expect(refused.message).toContain('phản ánh mới');
    // Writing on in the open ticket is still fine.
    expect((await send(4, '198.51.100.4', first.cookie, 'Bổ sung: cột số 12')).status).toBe(202);
  });

  it('limits new sessions per address', async () => {
    let last = 0;
    // 198.51.100.5 is new: 30 sessions an hour, then no more.
    for (let i = 0; i < 30; i++) last = (await send(i, '198.51.100.5', undefined)).status;
    expect(last).toBe(202);
    expect((await send(30, '198.51.100.5', undefined)).status).toBe(429);
  });

  it('limits open event streams per session and per address, on both replicas together', async () => {
    const open = async (i: number, ip: string, cookie?: string) => {
      const ctrl = new AbortController();
      const res = await fetch(`${bases[i % 2]}/chat/api/events`, { headers: { 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}) }, signal: ctrl.signal });
      return { status: res.status, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? cookie, close: () => ctrl.abort() };
    };
    const page = async (ip: string) => (await replicas[0]!.inject({ method: 'GET', url: '/chat', headers: { 'x-forwarded-for': ip } })).cookies.map((c) => `${c.name}=${c.value}`)[0];
    const a = await open(0, '198.51.100.6', await page('198.51.100.6'));
    const b = await open(1, '198.51.100.6', a.cookie);
    expect([a.status, b.status]).toEqual([200, 200]);
    const c = await open(0, '198.51.100.6', a.cookie);
    expect(c.status).toBe(429);
    // A second session at the same address gets one stream more, then the address is full.
    const d = await open(1, '198.51.100.6', await page('198.51.100.6'));
    expect(d.status).toBe(200);
    expect((await open(0, '198.51.100.6')).status).toBe(429);
    // Closing a page frees its place.
    a.close();
    await expect.poll(async () => {
      const e = await open(0, '198.51.100.6', b.cookie);
      e.close();
      return e.status;
    }, { timeout: 10_000 }).toBe(200);
    b.close();
    d.close();
  });

  it('has an overall ceiling on messages, whoever sends them', async () => {
    let status = 0;
    for (let i = 0; i < 200 && status !== 429; i++) status = (await send(i, `203.0.113.${i % 250}`, undefined)).status;
    expect(status).toBe(429);
  });
});
