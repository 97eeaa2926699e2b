// One conformance suite for every Channel adapter — Telegram, Zalo personal account (zca-js seam),
// Zalo Bot, Zalo OA, web chat — each over its local fake. The same cases run against all of them:
// capabilities declared and honoured (long text, photo/audio/voice/file, reply-to, buttons),
// receiving with a stable message id, acknowledging only after the handler stored the message,
// and the failure policy (rate limit → retry-after, blocked → permanent, unreachable → network).
// A case an adapter cannot take part in says why (`skip`), rather than passing vacuously.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CloseReason, type Message } from 'zca-js';
import { ChannelError, type Channel, type InboundAction, type InboundMessage, type MediaRef } from '../../bots/channel.ts';
import type { BulletinParts, BulletinSender } from '../../bots/bulletin-delivery.ts';
import { createTelegramChannel } from '../../bots/telegram/telegram-channel.ts';
import { createZaloChannel } from '../../bots/zalo/zalo-channel.ts';
import { createZaloPacer } from '../../bots/zalo/zalo-pacer.ts';
import { inMemoryChoices } from '../../bots/zalo/numbered-choices.ts';
import { createZaloBotChannel } from '../../bots/zalo-bot/zalo-bot-channel.ts';
import { createZaloOaChannel } from '../../bots/zalo-oa/zalo-oa-channel.ts';
import type { OaTokenSource } from '../../bots/zalo-oa/zalo-oa-client.ts';
import { createWebChatChannel } from '../../bots/webchat/webchat-channel.ts';
import { silentLogger } from '../../src/logger.ts';
import { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { FakeZaloApi } from '../support/zalo/fake-zalo-api.ts';
import { FakeZaloBotApi } from '../support/zalo-bot-api/fake-zalo-bot-api.ts';
import { FakeZaloOaApi } from '../support/zalo-oa-api/fake-zalo-oa-api.ts';
import { deleteTestRedisKeys, TEST_REDIS_URL, testRedisPrefix } from '../support/services.ts';

class Sink {
  messages: InboundMessage[] = [];
  actions: InboundAction[] = [];
  failNext = 0;
  handlers = {
    onMessage: async (m: InboundMessage) => {
      if (this.failNext > 0) {
        this.failNext -= 1;
        throw new Error('database down');
      }
      this.messages.push(m);
    },
    onAction: async (a: InboundAction) => void this.actions.push(a),
  };
}

interface Subject {
  name: string;
  channel: Channel;
  sink: Sink;
  /** A chat that may be written to (for the OA: one inside its answer window). */
  chat: string;
  /** What the platform recorded for `chat`, in order (texts and captions). */
  texts(): string[];
  /** A resident writes; returns a function that makes the platform deliver the same message again. */
  inbound?(text: string): Promise<() => Promise<void>>;
  /** What the platform does by itself when a delivery was not acknowledged (default: nothing to do). */
  afterUnacknowledged?(): Promise<void>;
  inlineButtons?(): number;
  lastReplyTo?(): unknown;
  rateLimitNext?(): void;
  blockChat?(): void;
  /** The same adapter, with its platform out of reach. */
  unreachable(): Promise<Channel>;
  /** Why a case does not apply, by case name. */
  skip: Partial<Record<'inbound' | 'rate' | 'blocked', string>>;
  close(): Promise<void>;
}

async function deadRoot(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const redis = new Redis(TEST_REDIS_URL);
const prefix = testRedisPrefix();
const waitFor = async (f: () => boolean) => expect.poll(f, { timeout: 10_000 }).toBe(true);

async function telegram(): Promise<Subject> {
  const api = new FakeBotApi();
  const { apiRoot } = await api.start();
  const sink = new Sink();
  const channel = createTelegramChannel({ token: api.token, apiRoot, log: silentLogger, mode: { kind: 'polling', timeoutSeconds: 1 } });
  await channel.start(sink.handlers);
  const user = 6001;
  return {
    name: 'telegram',
    channel,
    sink,
    chat: String(user),
    texts: () => api.sentTo(user).map((m) => m.text ?? m.caption ?? ''),
    async inbound(text) {
      const id = api.residentSends({ userId: user, text });
      return async () => void api.pushUpdate({ message: { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: user, type: 'private' }, from: { id: user, is_bot: false, first_name: 'A' }, text } });
    },
    inlineButtons: () => (api.sentTo(user).at(-1)?.replyMarkup?.inline_keyboard ?? []).flat().length,
    lastReplyTo: () => api.sentTo(user).at(-1)?.replyTo,
    rateLimitNext: () => api.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } }),
    blockChat: () => api.blockUser(user),
    unreachable: async () => createTelegramChannel({ token: api.token, apiRoot: await deadRoot(), log: silentLogger, mode: { kind: 'send-only' } }),
    skip: {},
    close: async () => {
      await channel.stop();
      await api.close();
    },
  };
}

async function zaloPersonal(): Promise<Subject> {
  const sink = new Sink();
  const apis: FakeZaloApi[] = [];
  let held: Message[] = [];
  const make = (fail?: string) =>
    createZaloChannel({
      accountId: `zalo-contract${fail ? '-dead' : ''}`,
      login: async () => {
        const a = new FakeZaloApi();
        if (fail) a.failNext(0, fail, 10);
        if (fail) return a;
        a.missed = held.splice(0);
        apis.push(a);
        return a;
      },
      choices: inMemoryChoices(),
      pacer: createZaloPacer(redis, `${prefix}:pace:${fail ? 'dead' : 'ok'}`, { minSpacingMs: 0, jitterMs: 0, perHour: 10_000, perDay: 10_000 }),
      log: silentLogger,
      backoff: { baseMs: 20, maxMs: 100 },
    });
  const channel = make();
  await channel.start(sink.handlers);
  // Logged in (the session starts in the background).
  await vi.waitFor(() => expect(apis.length).toBeGreaterThan(0));
  const api = () => apis.at(-1)!;
  const user = '4400000000000000321';
  let last: Message | undefined;
  return {
    name: 'zalo (zca-js)',
    channel,
    sink,
    chat: user,
    texts: () => apis.flatMap((a) => a.sent).filter((m) => m.threadId === user).map((m) => m.text ?? m.voiceUrl ?? ''),
    async inbound(text) {
      const m = api().userMessage(user, text);
      last = m;
      api().deliver(m);
      return async () => api().deliver(m);
    },
    // zca-js has no redelivery: the adapter forgets what it did not store, and the catch-up after
    // the next reconnect brings it again.
    async afterUnacknowledged() {
      held = [last!];
      api().close(CloseReason.AbnormalClosure);
    },
    rateLimitNext: () => api().failNext(221, 'Bạn gửi tin nhắn quá nhanh'),
    blockChat: () => api().failNext(114, 'Người dùng đã chặn tin nhắn từ bạn'),
    unreachable: async () => make('fetch failed: ECONNREFUSED'),
    skip: {},
    close: async () => {
      await channel.stop();
    },
  };
}

async function zaloBot(): Promise<Subject> {
  const api = new FakeZaloBotApi();
  const { apiRoot } = await api.start();
  const sink = new Sink();
  const texts = { disclosure: 'BOT', unsupported: 'WEB' };
  const channel = createZaloBotChannel({ token: api.token, apiRoot, mode: { kind: 'polling', timeoutSeconds: 1 }, texts, memory: inMemoryChoices(), log: silentLogger, client: { baseBackoffMs: 10 }, storeRetryMs: 20 });
  await channel.start(sink.handlers);
  const user = 'c0ffee000000000000a1';
  return {
    name: 'zalo-bot',
    channel,
    sink,
    chat: user,
    texts: () => api.sentTo(user).map((m) => m.text ?? ''),
    async inbound(text) {
      const u = api.residentSends({ userId: user, text });
      return async () => api.pushUpdate(u);
    },
    rateLimitNext: () => api.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 60 } }),
    blockChat: () => api.blockUser(user),
    unreachable: async () => createZaloBotChannel({ token: api.token, apiRoot: await deadRoot(), mode: { kind: 'send-only' }, texts, memory: inMemoryChoices(), log: silentLogger, client: { baseBackoffMs: 5 } }),
    skip: {},
    close: async () => {
      await channel.stop();
      await api.close();
    },
  };
}

async function zaloOa(): Promise<Subject> {
  const api = new FakeZaloOaApi();
  const { apiRoot } = await api.start();
  const t = api.issueTokens();
  const tokens: OaTokenSource = { accessToken: async () => t.accessToken, refreshAfterRejection: async () => t.accessToken };
  const sink = new Sink();
  const make = (root: string) =>
    createZaloOaChannel({ accountId: 'oa-contract', appId: api.appId, oaSecret: api.oaSecret, tokens, apiRoot: root, memory: inMemoryChoices(), texts: { anonymousRefused: 'ANON' }, log: silentLogger, client: { baseBackoffMs: 5 }, now: () => api.now() });
  const channel = make(apiRoot);
  await channel.start(sink.handlers);
  const user = '8800000000000000001';
  // Inside the answer window from the start.
  await channel.handleWebhook(api.signed(api.residentSends({ userId: 'warmup', text: 'x' })));
  sink.messages.length = 0;
  let pendingRetry: (() => Promise<void>) | undefined;
  return {
    name: 'zalo-oa',
    channel,
    sink,
    chat: user,
    texts: () => api.sentTo(user).map((m) => m.text ?? ''),
    async inbound(text) {
      const d = api.signed(api.residentSends({ userId: user, text }));
      const deliver = async () => {
        // Zalo retries a delivery not answered with 200.
        if ((await channel.handleWebhook(d)) !== 200) pendingRetry = deliver;
      };
      await deliver();
      return deliver;
    },
    async afterUnacknowledged() {
      const retry = pendingRetry;
      pendingRetry = undefined;
      await retry?.();
    },
    rateLimitNext: () => api.failNext({ error: -32, message: 'Your application reached limit call api' }),
    blockChat: () => api.blockUser(user),
    unreachable: async () => make(await deadRoot()),
    skip: {},
    close: async () => {
      await channel.stop();
      await api.close();
    },
  };
}

async function webchat(): Promise<Subject> {
  const channel = createWebChatChannel({ redis, prefix });
  const sink = new Sink();
  await channel.start(sink.handlers);
  const sid = 'contract-session';
  let dead: Redis | undefined;
  return {
    name: 'webchat',
    channel,
    sink,
    chat: sid,
    texts: () => [],
    inlineButtons: () => 0,
    unreachable: async () => {
      dead = new Redis(`redis://127.0.0.1:${new URL(await deadRoot()).port}`, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
      dead.on('error', () => undefined);
      return createWebChatChannel({ redis: dead, prefix });
    },
    skip: {
      inbound: 'residents write through the web route (POST /chat/…), covered by test/web webchat tests',
      rate: 'the web chat has no platform rate limit (its own limits are per session, in the web route)',
      blocked: 'a browser session cannot block the commune',
    },
    close: async () => {
      await channel.stop();
      dead?.disconnect();
    },
  };
}

const subjects: Array<[string, () => Promise<Subject>]> = [
  ['Telegram', telegram],
  ['Zalo personal account (zca-js)', zaloPersonal],
  ['Zalo Bot', zaloBot],
  ['Zalo OA', zaloOa],
  ['web chat', webchat],
];
const webchatTexts = async (s: Subject) => (s.name === 'webchat' ? (await (s.channel as ReturnType<typeof createWebChatChannel>).history(s.chat)).map((e) => e.text) : s.texts());

afterAll(async () => {
  await deleteTestRedisKeys(prefix);
  redis.disconnect();
});

describe.each(subjects)('Channel contract: %s', (_name, make) => {
  let s: Subject;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('delivers a bulletin as its capabilities declare, resuming without repeating a recorded part', async () => {
    const bulletin = s.channel.capabilities.bulletin;
    expect(['captioned-voice', 'text-then-voice-link', 'text']).toContain(bulletin);
    const run = async (text: string, done: string[] = [], link = true) => {
      const sent: Array<{ part: string; voice: boolean; text?: string }> = [];
      const parts: BulletinParts = { title: 'Tin', text, audioFile: async () => ({ path: '/tmp/loa.ogg' }), audioLink: async () => (link ? { url: 'https://loa.xa.test/a.m4a' } : null) };
      const out: BulletinSender = {
        done: (p) => done.includes(p),
        checkpoint: () => undefined,
        send: async (part, c) => {
          sent.push({ part, voice: Boolean(c.voice), ...(c.text !== undefined ? { text: c.text } : {}) });
          return { platformMessageId: part };
        },
      };
      const outcome = await s.channel.sendBulletin({ deliveryId: 'd1', kind: 'telegram_chat', chatId: '-1', villageId: null, channelAccountId: null }, parts, out);
      return { sent, outcome };
    };
    const short = await run('Cắt điện 8h');
    const long = await run('x'.repeat(s.channel.limits.maxCaptionLength + 1));
    expect([short.outcome.status, long.outcome.status]).toEqual(['sent', 'sent']);
    if (bulletin === 'captioned-voice') {
      // One message: the voice note carries the words.
      expect(short.sent).toEqual([{ part: 'ta', voice: true, text: '📢 Tin\n\nCắt điện 8h' }]);
      expect(long.sent.map((m) => [m.part, m.voice])).toEqual([['t', false], ['a', true]]);
      // Words already sent on their own before a crash: only the voice is left.
      expect((await run('Cắt điện 8h', ['t'])).sent.map((m) => m.part)).toEqual(['a']);
    } else if (bulletin === 'text-then-voice-link') {
      expect(short.sent.map((m) => [m.part, m.voice])).toEqual([['t', false], ['a', true]]);
      expect((await run('Cắt điện 8h', ['t'])).sent.map((m) => m.part)).toEqual(['a']);
      const noLink = await run('Cắt điện 8h', [], false);
      expect(noLink.sent.map((m) => m.part)).toEqual(['t']);
      expect(noLink.outcome).toMatchObject({ status: 'sent', note: expect.stringMatching(/PUBLIC_BASE_URL/) });
    } else {
      expect(short.sent.map((m) => [m.part, m.voice])).toEqual([['t', false]]);
    }
    // Everything recorded: nothing is sent again.
    expect((await run('Cắt điện 8h', ['t', 'a', 'ta'])).sent).toEqual([]);
  });

  it('declares its capabilities and limits', () => {
    const c = s.channel.capabilities;
    expect(['split', 'refuse']).toContain(c.longText);
    for (const k of ['photo', 'audio', 'voice', 'file'] as const) expect(['any', 'url', 'none']).toContain(c[k]);
    expect(['inline', 'numbered']).toContain(c.buttons);
    expect(typeof c.replyTo).toBe('boolean');
    expect(typeof c.groups).toBe('boolean');
    expect(s.channel.limits.maxTextLength).toBeGreaterThan(0);
  });

  it('receives with a stable platform message id (a redelivery carries the same id)', async (ctx) => {
    if (!s.inbound) return ctx.skip(s.skip.inbound);
    const again = await s.inbound('Đèn đường hỏng');
    await waitFor(() => s.sink.messages.some((m) => m.text === 'Đèn đường hỏng'));
    const first = s.sink.messages.find((m) => m.text === 'Đèn đường hỏng')!;
    expect(first).toMatchObject({ platform: s.channel.platform, chatId: s.chat, chatKind: 'private' });
    await again();
    // Deliveries keep their order: once a later message is in, the redelivery was handled.
    await s.inbound('tin sau');
    await waitFor(() => s.sink.messages.some((m) => m.text === 'tin sau'));
    // Dropped by the adapter, or handed on with the same id for the inbox to drop.
    const ids = s.sink.messages.filter((m) => m.text === 'Đèn đường hỏng').map((m) => m.platformMessageId);
    expect(ids.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ids).size).toBe(1);
  });

  it('acknowledges only after the handler stored the message: a failed store is delivered again', async (ctx) => {
    if (!s.inbound) return ctx.skip(s.skip.inbound);
    s.sink.failNext = 1;
    await s.inbound('Nước máy mất');
    await expect.poll(() => s.sink.failNext).toBe(0);
    await s.afterUnacknowledged?.();
    await waitFor(() => s.sink.messages.some((m) => m.text === 'Nước máy mất'));
  });

  it('text over the limit: split within the limit, or refused, as declared', async () => {
    const long = 'chữ '.repeat(Math.ceil((s.channel.limits.maxTextLength * 1.6) / 4)).trim();
    if (s.channel.capabilities.longText === 'refuse') {
      await expect(s.channel.send(s.chat, { text: long })).rejects.toMatchObject({ kind: 'bad_request' });
      return;
    }
    const before = (await webchatTexts(s)).length;
    await s.channel.send(s.chat, { text: long });
    const parts = (await webchatTexts(s)).slice(before);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(s.channel.limits.maxTextLength);
    expect(parts.join(' ')).toContain(long.slice(-200));
  });

  it.each(['photo', 'audio', 'voice', 'file'] as const)('%s: sent or refused as declared', async (kind) => {
    const support = s.channel.capabilities[kind];
    const upload: MediaRef = { buffer: Buffer.from('tệp thử'), filename: kind === 'photo' ? 'a.jpg' : kind === 'file' ? 'a.pdf' : 'a.mp3' };
    const link: MediaRef = { url: `https://loa.example.vn/m/a.${kind === 'photo' ? 'jpg' : kind === 'file' ? 'pdf' : 'mp3'}` };
    if (support === 'none') {
      await expect(s.channel.send(s.chat, { text: 'kèm tệp', [kind]: link })).rejects.toMatchObject({ kind: 'bad_request' });
      return;
    }
    if (support === 'url') {
      await expect(s.channel.send(s.chat, { text: 'kèm tệp', [kind]: upload })).rejects.toMatchObject({ kind: 'bad_request' });
      await expect(s.channel.send(s.chat, { text: 'kèm tệp', [kind]: link })).resolves.toMatchObject({ platformMessageId: expect.any(String) });
      return;
    }
    await expect(s.channel.send(s.chat, { text: 'kèm tệp', [kind]: upload })).resolves.toMatchObject({ platformMessageId: expect.any(String) });
  });

  it('reply-to quotes when declared, and is harmless when not', async () => {
    const first = await s.channel.send(s.chat, { text: 'Tin gốc' });
    await s.channel.send(s.chat, { text: 'Trả lời tin gốc', replyTo: first.platformMessageId });
    if (s.channel.capabilities.replyTo) expect(s.lastReplyTo?.()).toBeDefined();
  });

  it('buttons: under the message (inline) or as numbered choices whose number comes back as the press', async () => {
    const buttons = [[{ label: 'Có', data: 'c:yes' }, { label: 'Không', data: 'c:no' }]];
    const sent = await s.channel.send(s.chat, { text: 'Bạn đồng ý không?', buttons });
    if (s.channel.capabilities.buttons === 'inline') {
      if (s.name === 'webchat') expect((await (s.channel as ReturnType<typeof createWebChatChannel>).history(s.chat)).at(-1)?.buttons).toEqual(buttons);
      else expect(s.inlineButtons?.()).toBe(2);
      return;
    }
    expect((await webchatTexts(s)).at(-1)).toContain('1. Có\n2. Không');
    if (!s.inbound) return;
    await s.inbound('2');
    await waitFor(() => s.sink.actions.some((a) => a.data === 'c:no'));
    expect(s.sink.actions.find((a) => a.data === 'c:no')).toMatchObject({ platform: s.channel.platform, messageId: sent.platformMessageId });
  });

  it('an unreachable platform is a network error, to be retried', async () => {
    const dead = await s.unreachable();
    const err = (await dead.send(s.chat, { text: 'x' }).catch((e: unknown) => e)) as ChannelError;
    expect(err).toBeInstanceOf(ChannelError);
    expect(err.kind).toBe('network');
    expect(err.permanent).toBe(false);
    await dead.stop();
  });

  it('health is reported', async () => {
    const h = await s.channel.health();
    expect(h.ok).toBe(true);
    expect(h.detail.length).toBeGreaterThan(0);
  });

  // Near the end: afterwards this chat cannot be written to.
  it('a resident who blocked the channel is a permanent failure', async (ctx) => {
    if (!s.blockChat) return ctx.skip(s.skip.blocked);
    s.blockChat();
    const err = (await s.channel.send(s.chat, { text: 'x' }).catch((e: unknown) => e)) as ChannelError;
    expect(err).toBeInstanceOf(ChannelError);
    expect(err.permanent).toBe(true);
  });

  // Last: a Zalo personal account pauses all its sends after "too fast".
  it('a platform rate limit comes back as rate_limited with its retry-after', async (ctx) => {
    if (!s.rateLimitNext) return ctx.skip(s.skip.rate);
    s.rateLimitNext();
    const err = (await s.channel.send(s.chat, { text: 'x' }).catch((e: unknown) => e)) as ChannelError;
    expect(err).toBeInstanceOf(ChannelError);
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBeGreaterThan(0);
    expect(err.permanent).toBe(false);
  });
});
