// The Zalo adapter at the seam of zca-js's API object (a fake with the library's own types), with
// the pacing kept in the real Redis: residents' messages and quotes normalized, group chatter left
// alone, numbered choices instead of buttons, reconnects after 1006 with what was missed fetched
// and deduplicated, 3000/3003 and an expired cookie reported for a new QR login, Zalo's error
// codes mapped, and the account's caps enforced across processes.
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CloseReason, ThreadType, type Message } from 'zca-js';
import type { InboundAction, InboundMessage } from '../../bots/channel.ts';
import { createZaloChannel, type ZaloChannel } from '../../bots/zalo/zalo-channel.ts';
import { createZaloPacer, type ZaloPacing } from '../../bots/zalo/zalo-pacer.ts';
import { inMemoryChoices } from '../../bots/zalo/numbered-choices.ts';
import type { ZaloHealth } from '../../bots/zalo/zalo-session.ts';
import { silentLogger } from '../../src/logger.ts';
import { FakeZaloApi } from '../support/zalo/fake-zalo-api.ts';
import { deleteTestRedisKeys, TEST_REDIS_URL, testRedisPrefix } from '../support/services.ts';

const redis = new Redis(TEST_REDIS_URL);
const prefix = testRedisPrefix();
const FAST: ZaloPacing = { minSpacingMs: 0, jitterMs: 0, perHour: 1000, perDay: 5000 };
const RESIDENT = '4400000000000000001';
const ADMIN_GROUP = '5500000000000000001';

afterAll(async () => {
  await deleteTestRedisKeys(prefix);
  redis.disconnect();
});

interface Rig {
  channel: ZaloChannel;
  apis: FakeZaloApi[];
  messages: InboundMessage[];
  actions: InboundAction[];
  health: Array<[ZaloHealth, string]>;
  logins: number;
  /** What Zalo will hold for the next login to fetch (messages sent while disconnected). */
  heldForNextLogin: Message[];
}

let n = 0;
async function rig(opts: { pacing?: ZaloPacing; loginFails?: () => Error | undefined } = {}): Promise<Rig> {
  const r: Rig = { channel: undefined as never, apis: [], messages: [], actions: [], health: [], logins: 0, heldForNextLogin: [] };
  r.channel = createZaloChannel({
    accountId: `zalo-${++n}`,
    login: async () => {
      r.logins++;
      const err = opts.loginFails?.();
      if (err) throw err;
      const api = new FakeZaloApi();
      api.missed = r.heldForNextLogin.splice(0);
      r.apis.push(api);
      return api;
    },
    choices: inMemoryChoices(),
    pacer: createZaloPacer(redis, `${prefix}:pace:${n}`, opts.pacing ?? FAST),
    log: silentLogger,
    onHealth: (s, d) => r.health.push([s, d]),
    backoff: { baseMs: 20, maxMs: 100 },
  });
  await r.channel.start({ onMessage: async (m) => void r.messages.push(m), onAction: async (a) => void r.actions.push(a) });
  await until(() => r.health.some(([s]) => s === 'connected'));
  return r;
}
const api = (r: Rig) => r.apis.at(-1)!;

async function until(fn: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((res) => setTimeout(res, 10));
  }
}

let r: Rig;
beforeEach(async () => {
  await r?.channel.stop();
});

describe('residents and groups', () => {
  it('turns a private message, a photo and a quoted reply into InboundMessages', async () => {
    r = await rig();
    api(r).deliver(api(r).userMessage(RESIDENT, 'Cho hỏi lịch tiêm chủng tháng này'));
    api(r).deliver(api(r).userMessage(RESIDENT, 'Ổ gà trước nhà văn hóa', { photo: 'https://photo.zdn.vn/abc.jpg' }));
    api(r).deliver(api(r).userMessage(RESIDENT, 'Cảm ơn cán bộ', { quote: { msgId: '777', text: 'Trả lời phiếu PA-2026-00001' } }));
    await until(() => r.messages.length === 3);
    expect(r.messages[0]).toMatchObject({ platform: 'zalo', chatKind: 'private', chatId: RESIDENT, userId: RESIDENT, text: 'Cho hỏi lịch tiêm chủng tháng này', attachments: [] });
    expect(r.messages[1]).toMatchObject({ text: 'Ổ gà trước nhà văn hóa', attachments: [{ kind: 'photo', fileId: 'https://photo.zdn.vn/abc.jpg' }] });
    expect(r.messages[2]!.replyTo).toEqual({ platformMessageId: '777', text: 'Trả lời phiếu PA-2026-00001' });
  });

  it('in a group, takes only quotes of the bot, mentions of it and commands; chatter is not stored', async () => {
    r = await rig();
    api(r).deliver(api(r).groupMessage(ADMIN_GROUP, '111', 'Chiều nay họp giao ban nhé'));
    api(r).deliver(api(r).groupMessage(ADMIN_GROUP, '111', '@Loa Xã đèn đường hỏng', { mentionBot: true }));
    api(r).deliver(api(r).groupMessage(ADMIN_GROUP, '111', 'Đã cử người sửa', { quote: { msgId: '888', text: '🆕 PA-2026-00002' } }));
    api(r).deliver(api(r).groupMessage(ADMIN_GROUP, '111', '/bantin'));
    await until(() => r.messages.length === 3);
    await new Promise((res) => setTimeout(res, 50));
    expect(r.messages.map((m) => m.text)).toEqual(['đèn đường hỏng', 'Đã cử người sửa', '/bantin']);
    expect(r.messages.every((m) => m.chatId === `g:${ADMIN_GROUP}` && m.chatKind === 'group')).toBe(true);
    expect(r.messages[2]!.command).toEqual({ name: 'bantin', args: '' });
  });

  it('writes buttons as numbered choices; a reply with the number is the button press', async () => {
    r = await rig();
    const sent = await r.channel.send(RESIDENT, { text: 'Bạn có đồng ý cho xã lưu số điện thoại?', buttons: [[{ label: 'Tôi đồng ý', data: 'consent:yes' }, { label: 'Không', data: 'consent:no' }]] });
    expect(api(r).sent.at(-1)!.text).toBe('Bạn có đồng ý cho xã lưu số điện thoại?\n\n👉 Trả lời bằng số:\n1. Tôi đồng ý\n2. Không');
    api(r).deliver(api(r).userMessage(RESIDENT, ' 1 '));
    api(r).deliver(api(r).userMessage(RESIDENT, '7'));
    await until(() => r.actions.length === 1 && r.messages.length === 1);
    expect(r.actions[0]).toMatchObject({ platform: 'zalo', chatId: RESIDENT, messageId: sent.platformMessageId, data: 'consent:yes', userId: RESIDENT });
    expect(r.messages[0]!.text).toBe('7');
    // In the admin group, the number answers the post it quotes.
    const post = await r.channel.send(`g:${ADMIN_GROUP}`, { text: '🆕 PA-2026-00003', buttons: [[{ label: 'Nhận xử lý', data: 't:abc:take' }]] });
    api(r).deliver(api(r).groupMessage(ADMIN_GROUP, '222', '1', { quote: { msgId: post.platformMessageId, text: '🆕 PA-2026-00003' } }));
    await until(() => r.actions.length === 2);
    expect(r.actions[1]).toMatchObject({ chatKind: 'group', data: 't:abc:take', userId: '222' });
    // Buttons taken away: the number is an ordinary answer again.
    await r.channel.editButtons(`g:${ADMIN_GROUP}`, post.platformMessageId, null);
    api(r).deliver(api(r).groupMessage(ADMIN_GROUP, '222', '1', { quote: { msgId: post.platformMessageId, text: '🆕 PA-2026-00003' } }));
    await until(() => r.messages.length === 2);
  });

  it('sends voice from a link, refuses a local file for voice, and lists the account\u2019s groups', async () => {
    r = await rig();
    await r.channel.send('g:123', { voice: { url: 'https://loa.xa.vn/media/abc.m4a?e=1&s=x' } });
    expect(api(r).sent.at(-1)).toMatchObject({ kind: 'voice', threadId: '123', type: ThreadType.Group, voiceUrl: 'https://loa.xa.vn/media/abc.m4a?e=1&s=x' });
    await expect(r.channel.send('g:123', { voice: { path: '/tmp/x.ogg' } })).rejects.toMatchObject({ kind: 'bad_request' });
    api(r).groups = { '123': 'Thôn 1 – tin xã', '456': 'Cán bộ xã' };
    expect(await r.channel.groups()).toEqual([
      { chatId: 'g:456', name: 'Cán bộ xã', members: 12 },
      { chatId: 'g:123', name: 'Thôn 1 – tin xã', members: 12 },
    ]);
  });
});

describe('staying connected', () => {
  it('after 1006 logs in again, fetches what was missed, and hands each message on once, in any order', async () => {
    r = await rig();
    const first = api(r);
    const early = first.userMessage(RESIDENT, 'Tin trước khi mất kết nối');
    first.deliver(early);
    await until(() => r.messages.length === 1);
    // While away: two new messages (held out of order) and the one already stored.
    const a = first.userMessage(RESIDENT, 'Tin thứ nhất lúc mất kết nối');
    const b = first.userMessage(RESIDENT, 'Tin thứ hai lúc mất kết nối');
    r.heldForNextLogin = [b, a, early];
    first.close(CloseReason.AbnormalClosure);
    await until(() => r.apis.length === 2);
    const second = api(r);
    await until(() => r.health.filter(([s]) => s === 'connected').length === 2);
    await until(() => r.messages.length === 3);
    await new Promise((res) => setTimeout(res, 50));
    expect(r.messages.map((m) => m.text).sort()).toEqual(['Tin thứ hai lúc mất kết nối', 'Tin thứ nhất lúc mất kết nối', 'Tin trước khi mất kết nối'].sort());
    expect(second.listener.oldRequests).toEqual([
      { type: ThreadType.User, lastMsgId: early.data.msgId },
      { type: ThreadType.Group, lastMsgId: null },
    ]);
    expect(r.health.map(([s]) => s)).toEqual(['connected', 'reconnecting', 'connected']);
  });

  it.each([CloseReason.DuplicateConnection, CloseReason.KickConnection])('after %i (logged in elsewhere) stops and asks for a new QR login', async (code) => {
    r = await rig();
    api(r).close(code);
    await until(() => r.health.some(([s]) => s === 'kicked'));
    await new Promise((res) => setTimeout(res, 150));
    expect(r.logins).toBe(1);
    expect(r.health.at(-1)![1]).toContain('QR');
    expect((await r.channel.health()).ok).toBe(false);
  });

  it('an expired cookie is "logged out", not retried for ever; a network failure is retried', async () => {
    let fails = 0;
    r = await rig({ loginFails: () => (fails++ === 1 ? new Error('Đăng nhập thất bại') : undefined) });
    api(r).close(CloseReason.AbnormalClosure);
    await until(() => r.health.some(([s]) => s === 'logged_out'));
    expect(r.logins).toBe(2);
    let down = 0;
    const net = await rig({ loginFails: () => (down++ === 1 || down === 3 ? new Error('fetch failed: ECONNRESET') : undefined) });
    api(net).close(CloseReason.AbnormalClosure);
    await until(() => net.health.filter(([s]) => s === 'connected').length === 2);
    expect(net.logins).toBe(4);
    await net.channel.stop();
  });
});

describe('sending within Zalo\u2019s tolerance', () => {
  it('maps Zalo\u2019s "too fast" codes to a pause for the whole account, and a removed group to not found', async () => {
    r = await rig();
    api(r).failNext(-69, 'Bạn gửi tin nhắn quá nhanh');
    await expect(r.channel.send('g:1', { text: 'Bản tin' })).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 300_000 });
    // Paused: the next send does not reach Zalo but is handed back to the queue.
    await expect(r.channel.send('g:2', { text: 'Bản tin' })).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(api(r).sent).toHaveLength(0);
    const other = await rig();
    api(other).failNext(221, 'Gửi quá nhiều');
    await expect(other.channel.send('g:1', { text: 'x' })).rejects.toMatchObject({ kind: 'rate_limited', opts: { platformCode: 221 } });
    const third = await rig();
    api(third).failNext(114, 'Bạn không phải là thành viên của nhóm');
    await expect(third.channel.send('g:1', { text: 'x' })).rejects.toMatchObject({ kind: 'not_found', permanent: true });
    await other.channel.stop();
    await third.channel.stop();
  });

  it('keeps spacing between sends and stops at the hourly cap, counted across processes', async () => {
    const pacing = { minSpacingMs: 120, jitterMs: 0, perHour: 3, perDay: 100 };
    r = await rig({ pacing });
    // A second process of the same account shares the count (same Redis key).
    const twin = createZaloPacer(redis, `${prefix}:pace:${n}`, pacing);
    await r.channel.send('g:1', { text: 'một' });
    await twin.acquire();
    await r.channel.send('g:1', { text: 'hai' });
    const sent = api(r).sent;
    expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(200);
    await expect(r.channel.send('g:1', { text: 'ba' })).rejects.toMatchObject({ kind: 'rate_limited', opts: { quota: true } });
    expect(await twin.usage()).toEqual({ lastHour: 3, lastDay: 3 });
  });
});
