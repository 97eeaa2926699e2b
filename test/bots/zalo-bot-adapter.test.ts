// The Zalo Bot adapter over the local Bot Platform fake: long polling that never confirms an
// update it did not store, the bot notice on first contact, protected users, numbered choices,
// long texts split at 2,000 characters, photos by URL only, and the one failure policy
// (429 → wait, 5xx and network → retry, 403 → permanent, 401 → channel down).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChannelError, type InboundAction, type InboundMessage } from '../../bots/channel.ts';
import { createZaloBotChannel, type ZaloBotChannel } from '../../bots/zalo-bot/zalo-bot-channel.ts';
import { inMemoryChoices } from '../../bots/zalo/numbered-choices.ts';
import { silentLogger } from '../../src/logger.ts';
import { FakeZaloBotApi } from '../support/zalo-bot-api/fake-zalo-bot-api.ts';

const texts = { disclosure: 'BOT-NOTICE', unsupported: 'USE-WEB-CHAT' };
let api: FakeZaloBotApi;
let apiRoot: string;
let channel: ZaloBotChannel;
const messages: InboundMessage[] = [];
const actions: InboundAction[] = [];
let failStores = 0;

beforeAll(async () => {
  api = new FakeZaloBotApi();
  ({ apiRoot } = await api.start());
  channel = createZaloBotChannel({ token: api.token, apiRoot, mode: { kind: 'polling', timeoutSeconds: 1 }, texts, memory: inMemoryChoices(), log: silentLogger, client: { baseBackoffMs: 20 }, storeRetryMs: 50 });
  await channel.start({
    onMessage: async (m) => {
      if (failStores > 0) {
        failStores -= 1;
        throw new Error('database down');
      }
      messages.push(m);
    },
    onAction: async (a) => void actions.push(a),
  });
});
afterAll(async () => {
  await channel?.stop();
  await api?.close();
});
afterEach(() => {
  api.perSecondLimit = 0;
});

describe('Zalo Bot: receiving', () => {
  it('normalizes a private text with a stable platform message id', async () => {
    const u = api.residentSends({ userId: 'u1', text: '/tracuu PA-2026-00001', name: 'Bà Tư' });
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0]).toMatchObject({ platform: 'zalo_bot', accountId: 'zalo-bot', platformMessageId: u.message.message_id, chatId: 'u1', chatKind: 'private', userId: 'u1', userName: 'Bà Tư', command: { name: 'tracuu', args: 'PA-2026-00001' } });
    // Polling first removed any webhook: getUpdates refuses to work beside one.
    expect(api.calls.some((c) => c.method === 'deleteWebhook')).toBe(true);
  });

  it('keeps an update it could not store and stores it before asking for the next', async () => {
    failStores = 2;
    api.residentSends({ userId: 'u2', text: 'Đèn đường hỏng' });
    api.residentSends({ userId: 'u2', text: 'Ở thôn 3' });
    await expect.poll(() => messages.filter((m) => m.userId === 'u2').map((m) => m.text)).toEqual(['Đèn đường hỏng', 'Ở thôn 3']);
  });

  it('keeps polling through 408 timeouts', async () => {
    const before = api.calls.filter((c) => c.method === 'getUpdates').length;
    await expect.poll(() => api.calls.filter((c) => c.method === 'getUpdates').length, { timeout: 8000 }).toBeGreaterThan(before + 1);
    api.residentSends({ userId: 'u3', text: 'còn nghe không' });
    await expect.poll(() => messages.some((m) => m.userId === 'u3')).toBe(true);
  });

  it('answers a protected user with a pointer to the web chat and stores nothing', async () => {
    const before = messages.length;
    api.residentSends({ userId: 'u4', protected: true });
    await expect.poll(() => api.sentTo('u4').map((m) => m.text)).toEqual(['BOT-NOTICE\n\nUSE-WEB-CHAT']);
    expect(messages.length).toBe(before);
  });

  it('ignores group messages (the platform has private chats only) and records photos by URL', async () => {
    api.residentSends({ userId: 'u5', text: 'trong nhóm', group: true });
    api.residentSends({ userId: 'u5', text: 'ổ gà', photoUrl: 'https://photo.zalo.example/abc.jpg' });
    await expect.poll(() => messages.some((m) => m.userId === 'u5')).toBe(true);
    const got = messages.filter((m) => m.userId === 'u5');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ text: 'ổ gà', attachments: [{ kind: 'photo', fileId: 'https://photo.zalo.example/abc.jpg' }] });
  });
});

describe('Zalo Bot: sending', () => {
  it('says it is a bot once, at the first message to a resident', async () => {
    await channel.send('s1', { text: 'Xin chào' });
    await channel.send('s1', { text: 'Lần hai' });
    expect(api.sentTo('s1').map((m) => m.text)).toEqual(['BOT-NOTICE\n\nXin chào', 'Lần hai']);
  });

  it('splits a text over 2,000 characters at word boundaries', async () => {
    await channel.send('s1', { text: 'câu '.repeat(1200).trim() });
    const parts = api.sentTo('s1').slice(2);
    expect(parts.length).toBe(3);
    expect(parts.every((p) => p.text!.length <= 2000)).toBe(true);
    expect(parts.map((p) => p.text).join(' ')).toBe('câu '.repeat(1200).trim());
  });

  it('writes buttons as numbered choices; the number comes back as the button press', async () => {
    const sent = await channel.send('u1', { text: 'Bạn có hài lòng không?', buttons: [[{ label: 'Hài lòng', data: 'rate:t:ok' }, { label: 'Chưa hài lòng', data: 'rate:t:no' }]] });
    expect(api.sentTo('u1').at(-1)!.text).toContain('1. Hài lòng\n2. Chưa hài lòng');
    api.residentSends({ userId: 'u1', text: '2' });
    await expect.poll(() => actions.length).toBe(1);
    expect(actions[0]).toMatchObject({ platform: 'zalo_bot', data: 'rate:t:no', messageId: sent.platformMessageId, chatId: 'u1' });
  });

  it('sends a photo by URL with the text as caption; refuses media it cannot send', async () => {
    await channel.send('s2', { text: 'Ảnh hiện trường', photo: { url: 'https://loa.example.vn/m/1.jpg' } });
    expect(api.sentTo('s2')).toMatchObject([{ method: 'sendPhoto', photo: 'https://loa.example.vn/m/1.jpg', text: 'BOT-NOTICE\n\nẢnh hiện trường' }]);
    for (const content of [{ photo: { path: '/tmp/x.jpg' } }, { audio: { url: 'https://x/a.mp3' } }, { voice: { url: 'https://x/a.mp3' } }, { file: { buffer: Buffer.from('x'), filename: 'a.pdf' } }]) {
      await expect(channel.send('s2', { text: 'x', ...content })).rejects.toMatchObject({ kind: 'bad_request', permanent: true });
    }
    await expect(channel.send('s2', { text: '' })).rejects.toMatchObject({ kind: 'bad_request' });
  });

  it('shows the typing indicator', async () => {
    await channel.typing('s2');
    expect(api.actions.at(-1)).toEqual({ chatId: 's2', action: 'typing' });
  });
});

describe('Zalo Bot: failure policy', () => {
  it('waits out a 429 and retries 5xx and network failures; the message goes once', async () => {
    api.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 1 } });
    api.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' });
    api.failNext('sendMessage', 'network');
    const t0 = Date.now();
    await channel.send('f1', { text: 'Thông báo' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(api.sentTo('f1')).toHaveLength(1);
  });

  it('hands a long retry_after to the caller as rate_limited with its wait', async () => {
    api.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 60 } });
    const err = (await channel.send('f2', { text: 'x' }).catch((e: unknown) => e)) as ChannelError;
    expect(err).toBeInstanceOf(ChannelError);
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(60_000);
  });

  it('a resident who blocked the bot is a permanent failure', async () => {
    api.blockUser('f3');
    await expect(channel.send('f3', { text: 'x' })).rejects.toMatchObject({ kind: 'blocked', permanent: true });
  });

  it('keeps failing network errors retryable once the retries are spent', async () => {
    api.failNext('sendMessage', 'network', 4);
    await expect(channel.send('f4', { text: 'x' })).rejects.toMatchObject({ kind: 'network', permanent: false });
  });

  it('health: the bot name when well, "down" with the reason after a 401', async () => {
    expect(await channel.health()).toEqual({ ok: true, detail: 'bot bot.LoaXaTest' });
    const other = new FakeZaloBotApi();
    const { apiRoot: root } = await other.start();
    const ch = createZaloBotChannel({ token: other.token, apiRoot: root, mode: { kind: 'send-only' }, texts, memory: inMemoryChoices(), log: silentLogger });
    other.revokeToken();
    const h = await ch.health();
    expect(h.ok).toBe(false);
    expect(h.detail).toContain('ZALO_BOT_TOKEN');
    await expect(ch.send('x', { text: 'x' })).rejects.toMatchObject({ kind: 'bad_request', opts: { platformCode: 401 } });
    await other.close();
  });
});
