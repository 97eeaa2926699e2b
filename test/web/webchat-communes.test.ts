// Each commune's own web chat on a province installation: /chat/<slug> (the slug of the commune's
// public page) talks to that commune only — its own account, cookie and sessions; the replies come
// back through its own channel; its tickets and residents are the commune's. A session of one
// commune's chat is refused by another's (posting, reading its history, pressing buttons), the page
// gives such a browser a session of its own instead, and /chat stays the home commune's. The public
// page and the front door link each commune's chat.
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import type { Database } from '../../src/db/database.ts';
import { webChatRooms } from '../../src/web/webchat/webchat-rooms.ts';
import { startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { TEST_REDIS_URL } from '../support/services.ts';

let h: ListeningHarness;
let app: FastifyInstance;
let base = '';
let communeB = '';

beforeAll(async () => {
  h = await startListeningHarness();
  communeB = (await h.prisma.commune.create({ data: { code: 'xa-binh-an', name: 'Xã Bình An' } })).id;
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma: h.prisma, sql: undefined as never, ping: async () => undefined, close: async () => undefined } as Database,
    health: new HealthRegistry(),
    queueDepths: () => h.queues.depths(),
    webchat: {
      channel: h.webchat,
      subscriber: new Redis(TEST_REDIS_URL),
      communeName: async () => 'Xã Hòa Bình',
      communes: webChatRooms({ prisma: h.prisma, directory: h.directory, handlersFor: h.handlersFor }),
      publicBaseUrl: 'https://loa.tinh-mau.gov.vn',
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}, 120_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

/** Opens a chat page; its session cookie (name=value) and the cookie's attributes. */
async function open(path: string, cookie?: string) {
  const res = await fetch(`${base}${path}`, { headers: cookie ? { cookie } : {} });
  const set = res.headers.get('set-cookie') ?? '';
  return { status: res.status, html: await res.text(), cookie: set.split(';')[0]!, attributes: set };
}
const post = (path: string, cookie: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
const history = async (path: string, cookie: string) => ((await (await fetch(`${base}${path}/api/history`, { headers: { cookie } })).json()) as { messages: Array<{ id: string; from: string; text: string; buttons?: Array<Array<{ label: string; data: string }>> }> }).messages;
const sidOf = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1);
const nameOf = (cookie: string) => cookie.slice(0, cookie.indexOf('='));

describe('a web chat per commune', () => {
  it('talks to commune B only: its own account, cookie, replies, ticket and resident', async () => {
    const page = await open('/chat/xa-binh-an');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Hỏi đáp, phản ánh với Xã Bình An');
    expect(page.html).toContain('"/chat/xa-binh-an/api"');
    expect(nameOf(page.cookie)).not.toBe('lx_chat');
    expect(page.attributes).toContain('Path=/chat/xa-binh-an');
    const chat = page.cookie;

    expect((await post('/chat/xa-binh-an/api/messages', chat, { text: 'Xin chào', clientMessageId: 'b0000001' })).status).toBe(202);
    await h.settle();
    // The consent prompt comes back through commune B's own web chat channel.
    await expect.poll(async () => (await history('/chat/xa-binh-an', chat)).find((m) => m.buttons?.flat().some((b) => b.label === 'Tôi đồng ý')), { timeout: 30_000 }).toBeTruthy();
    const prompt = (await history('/chat/xa-binh-an', chat)).find((m) => m.buttons?.flat().some((b) => b.label === 'Tôi đồng ý'))!;
    const agree = prompt.buttons!.flat().find((b) => b.label === 'Tôi đồng ý')!;
    expect((await post('/chat/xa-binh-an/api/actions', chat, { data: agree.data, messageId: prompt.id, actionId: 'b0000002' })).status).toBe(202);
    await h.settle();
    await post('/chat/xa-binh-an/api/messages', chat, { text: 'Đường vào thôn Bình An sạt lở sau mưa', clientMessageId: 'b0000003' });
    await h.settle();
    await expect.poll(async () => (await history('/chat/xa-binh-an', chat)).some((m) => m.text.includes('Mã số')), { timeout: 30_000 }).toBe(true);

    const account = await h.prisma.channelAccount.findFirstOrThrow({ where: { platform: 'webchat', communeId: communeB } });
    expect(account.name).not.toBe(h.webchat.accountId);
    const identity = await h.prisma.residentIdentity.findFirstOrThrow({ where: { platform: 'webchat', platformUserId: sidOf(chat) }, include: { resident: true } });
    expect(identity.resident.communeId).toBe(communeB);
    const tickets = await h.prisma.ticket.findMany({ where: { residentId: identity.residentId } });
    expect(tickets.map((t) => t.communeId)).toEqual([communeB]);
    expect(await h.prisma.inboundMessage.count({ where: { platformUserId: sidOf(chat), channelAccountId: { not: account.id } } })).toBe(0);
  }, 120_000);

  it('refuses a session of the home chat in commune B, and B’s session at /chat; each page issues its own', async () => {
    const home = await open('/chat');
    const b = await open('/chat/xa-binh-an');
    const forgedInB = `${nameOf(b.cookie)}=${sidOf(home.cookie)}`;
    const forgedAtHome = `lx_chat=${sidOf(b.cookie)}`;
    for (const [path, cookie] of [['/chat/xa-binh-an', forgedInB], ['/chat', forgedAtHome]] as const) {
      const sent = await post(`${path}/api/messages`, cookie, { text: 'Tin nhắn lạc xã', clientMessageId: 'x0000001' });
      expect(sent.status, path).toBe(403);
      expect(((await sent.json()) as { error: { message: string } }).error.message).toContain('của một xã khác');
      expect((await fetch(`${base}${path}/api/history`, { headers: { cookie } })).status, path).toBe(403);
      expect((await post(`${path}/api/actions`, cookie, { data: 'consent:yes', messageId: 'w-x', actionId: 'x0000002' })).status, path).toBe(403);
      expect((await fetch(`${base}${path}/api/events`, { headers: { cookie } })).status, path).toBe(403);
      // The page replaces the foreign session with one of its own.
      const again = await open(path, cookie);
      expect(again.status).toBe(200);
      expect(sidOf(again.cookie)).not.toBe(sidOf(cookie));
    }
    await h.settle();
    // Neither fresh session wrote anything anywhere.
    expect(await h.prisma.inboundMessage.count({ where: { platformUserId: { in: [sidOf(home.cookie), sidOf(b.cookie)] } } })).toBe(0);
  });

  it('/chat/<home commune> is the home chat; an unknown commune is 404', async () => {
    const home = await open('/chat');
    const same = await open('/chat/demo', home.cookie);
    expect(same.status).toBe(200);
    expect(same.html).toContain('"/chat/demo/api"');
    expect(same.cookie).toBe(''); // the home chat's own session goes on
    expect((await post('/chat/demo/api/messages', home.cookie, { text: 'Xin chào', clientMessageId: 'h0000001' })).status).toBe(202);
    expect((await open('/chat/khong-co-xa-nay')).status).toBe(404);
    expect((await post('/chat/khong-co-xa-nay/api/messages', home.cookie, { text: 'x', clientMessageId: 'h0000002' })).status).toBe(404);
    const embed = await fetch(`${base}/chat/xa-binh-an/embed.js`);
    expect(await embed.text()).toContain('"https://loa.tinh-mau.gov.vn/chat/xa-binh-an"');
  });

  it('the public page and the front door link each commune’s own chat', async () => {
    const pub = await (await fetch(`${base}/cong-khai/xa-binh-an`)).text();
    expect(pub).toContain('href="/chat/xa-binh-an"');
    const door = await (await fetch(`${base}/`)).text();
    expect(door).toContain('href="/chat/xa-binh-an"');
    expect(door).toContain('href="/cong-khai/xa-binh-an"');
    expect(door).toContain('href="/chat/demo"');
  });
});
