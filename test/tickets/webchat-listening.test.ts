// The web chat as residents use it: the page, a cookie session, messages over HTTP, replies
// pushed live over server-sent events, buttons, and the ugly cases (no session, forged buttons,
// bad bodies, too many messages).
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import type { Database } from '../../src/db/database.ts';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { TEST_REDIS_URL } from '../support/services.ts';
import { readEventStream } from '../support/event-stream.ts';

let h: ListeningHarness;
let app: FastifyInstance;
let base = '';

beforeAll(async () => {
  h = await startListeningHarness();
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma: h.prisma, sql: undefined as never, ping: async () => undefined, close: async () => undefined } as Database,
    health: new HealthRegistry(),
    queueDepths: () => h.queues.depths(),
    webchat: { channel: h.webchat, subscriber: new Redis(TEST_REDIS_URL), communeName: async () => 'Xã Mẫu', publicBaseUrl: 'https://loa.xa-mau.gov.vn' },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

interface Session {
  cookie: string;
  events: Array<{ type: string; entry?: { id: string; from: string; text: string; buttons?: Array<Array<{ label: string; data: string }>> } }>;
  stop(): void;
}

async function openSession(): Promise<Session> {
  const page = await fetch(`${base}/chat`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Hỏi đáp, phản ánh với Xã Mẫu');
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const ctrl = new AbortController();
  const res = await fetch(`${base}/chat/api/events`, { headers: { cookie }, signal: ctrl.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const events: Session['events'] = [];
  readEventStream(res, (data) => events.push(data as Session['events'][number]));
  return { cookie, events, stop: () => ctrl.abort() };
}

const post = (path: string, cookie: string | undefined, body: unknown) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: typeof body === 'string' ? body : JSON.stringify(body) });

// Generous: under the whole suite on two cores a reply can take seconds to pass through both
// queues. On a timeout it says where the message stopped instead of only "timed out".
async function waitFor<T>(s: Session, what: string, fn: () => T | undefined, ms = 45_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) {
      const inbound = await h.prisma.inboundMessage.groupBy({ by: ['status'], _count: true });
      const sid = decodeURIComponent(s.cookie.slice(s.cookie.indexOf('=') + 1));
      const stored = await h.webchat.history(sid);
      throw new Error(
        `timed out waiting for ${what}: events ${JSON.stringify(s.events.map((e) => e.entry?.text.slice(0, 40)))}; ` +
          `stored history ${JSON.stringify(stored.map((e) => e.text.slice(0, 40)))}; inbound ${JSON.stringify(inbound)}; queues ${JSON.stringify(await h.queues.depths())}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('web chat', () => {
  it('serves the embed script with the chat address of PUBLIC_BASE_URL, whatever the Host header says', async () => {
    const res = await app.inject({ method: 'GET', url: '/chat/embed.js', headers: { host: 'ke-gian.example' } });
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.body).toContain('https://loa.xa-mau.gov.vn/chat');
    expect(res.body).not.toContain('ke-gian');
    expect(res.headers['cache-control']).not.toContain('max-age=3600');
  });

  it('takes a resident from consent to an answered ticket, pushing every reply live', async () => {
    const s = await openSession();
    const r1 = await post('/chat/api/messages', s.cookie, { text: 'Xin chào', clientMessageId: 'c0000001' });
    expect(r1.status).toBe(202);
    const prompt = await waitFor(s, 'the consent prompt', () => s.events.find((e) => e.entry?.buttons?.flat().some((b) => b.label === 'Tôi đồng ý'))?.entry);
    const agree = prompt.buttons!.flat().find((b) => b.label === 'Tôi đồng ý')!;
    expect((await post('/chat/api/actions', s.cookie, { data: agree.data, messageId: prompt.id, actionId: 'a0000001' })).status).toBe(202);
    await h.settle();

    // Sending the same client message id twice (a retry after a network blip) makes one ticket.
    for (let i = 0; i < 2; i++) await post('/chat/api/messages', s.cookie, { text: 'Cống thoát nước trước nhà văn hóa bị tắc, mưa là ngập', clientMessageId: 'c0000002' });
    await h.settle();
    const ack = await waitFor(s, 'the ticket code', () => s.events.find((e) => e.entry?.text.includes('Mã số'))?.entry);
    const code = /PA-\d{4}-\d{5}/.exec(ack.text)![0];
    expect(await h.prisma.ticket.count({ where: { channel: 'webchat' } })).toBe(1);

    // The cadre answers from the Telegram admin chat; the answer reaches the web page.
    const cadre = 7101;
    await h.linkStaff('giaothong', cadre);
    const postMsg = h.api.sentTo(ADMIN_CHAT).find((m) => m.text?.includes(code))!;
    expect(postMsg.text).toContain('nhắn qua trang hỏi đáp của xã');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: cadre, replyTo: postMsg.messageId, text: 'Sáng mai tổ vệ sinh sẽ thông cống.' });
    await h.settle();
    const answer = await waitFor(s, 'the answer', () => s.events.find((e) => e.entry?.text.includes('thông cống'))?.entry);
    expect(answer.from).toBe('commune');
    const rating = await waitFor(s, 'the rating buttons', () => s.events.find((e) => e.entry?.buttons?.flat().some((b) => b.label === 'Hài lòng'))?.entry);
    const ok = rating.buttons!.flat().find((b) => b.label === 'Hài lòng')!;
    await post('/chat/api/actions', s.cookie, { data: ok.data, messageId: rating.id, actionId: 'a0000002' });
    await h.settle();
    expect((await h.prisma.ticket.findFirstOrThrow({ where: { code } })).status).toBe('closed');

    // A reload shows the whole conversation, the resident's own lines included.
    const history = (await (await fetch(`${base}/chat/api/history`, { headers: { cookie: s.cookie } })).json()) as { messages: Array<{ from: string; text: string }> };
    expect(history.messages.some((m) => m.from === 'resident' && m.text.includes('Cống thoát nước'))).toBe(true);
    expect(history.messages.some((m) => m.text.includes('thông cống'))).toBe(true);
    s.stop();
  });

  it('a follow-up from the web chat is posted under the ticket post in the admin chat, once', async () => {
    const s = await openSession();
    await post('/chat/api/messages', s.cookie, { text: 'Xin chào', clientMessageId: 'f0000001' });
    const prompt = await waitFor(s, 'the consent prompt', () => s.events.find((e) => e.entry?.buttons?.flat().some((b) => b.label === 'Tôi đồng ý'))?.entry);
    const agree = prompt.buttons!.flat().find((b) => b.label === 'Tôi đồng ý')!;
    await post('/chat/api/actions', s.cookie, { data: agree.data, messageId: prompt.id, actionId: 'f0000002' });
    await h.settle();
    await post('/chat/api/messages', s.cookie, { text: 'Loa phát thanh thôn 7 sáng nay không nghe được gì', clientMessageId: 'f0000003' });
    await h.settle();
    const ack = await waitFor(s, 'the ticket code', () => s.events.find((e) => e.entry?.text.includes('Mã số'))?.entry);
    const code = /PA-\d{4}-\d{5}/.exec(ack.text)![0];
    const row = await h.prisma.ticketAdminPost.findFirstOrThrow({ where: { ticket: { code }, purpose: 'ticket' } });
    // Sent twice (a retry after a network blip): one follow-up, one message under the post.
    for (let i = 0; i < 2; i++) await post('/chat/api/messages', s.cookie, { text: 'Bổ sung: loa ở nhà văn hoá thôn 7 cũng im', clientMessageId: 'f0000004' });
    await h.settle();
    const under = h.api.sentTo(ADMIN_CHAT).filter((m) => m.text?.includes('nhà văn hoá thôn 7 cũng im'));
    expect(under).toHaveLength(1);
    expect(`${ADMIN_CHAT}:${under[0]!.replyTo}`).toBe(row.platformMessageId);
    s.stop();
  });

  it('refuses buttons it never sent, bodies that are not messages, and actions without a session', async () => {
    const s = await openSession();
    expect((await post('/chat/api/actions', s.cookie, { data: 'rate:00000000-0000-0000-0000-000000000000:ok', messageId: 'w-x', actionId: 'a0000003' })).status).toBe(404);
    expect((await post('/chat/api/actions', undefined, { data: 'consent:yes', messageId: 'w-x', actionId: 'a0000004' })).status).toBe(401);
    const bad = await post('/chat/api/messages', s.cookie, { text: 42 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('không hợp lệ');
    expect((await post('/chat/api/messages', s.cookie, '{not json')).status).toBe(400);
    expect((await post('/chat/api/messages', s.cookie, { text: 'x'.repeat(70_000), clientMessageId: 'c0000009' })).status).toBe(413);
    s.stop();
  });

  it('limits how fast one address can post', async () => {
    const s = await openSession();
    let limited = 0;
    for (let i = 0; i < 35; i++) {
      const r = await post('/chat/api/messages', s.cookie, { text: `tin ${i}`, clientMessageId: `flood${String(i).padStart(4, '0')}` });
      if (r.status === 429) limited += 1;
    }
    expect(limited).toBeGreaterThan(0);
    await h.settle();
    s.stop();
  });
});
