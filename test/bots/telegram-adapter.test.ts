// The Telegram adapter with the real telegraf client against the local Bot API server:
// normalization, confirming updates only after they are handled, sends within limits, and
// Telegram's errors as the domain's ChannelError kinds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel, type TelegramChannel } from '../../bots/telegram/telegram-channel.ts';
import { normalizeUpdate } from '../../bots/telegram/normalize-update.ts';
import { splitText } from '../../src/text/split-text.ts';
import { ChannelError, type InboundAction, type InboundMessage } from '../../bots/channel.ts';
import { silentLogger } from '../../src/logger.ts';
import { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';

let api: FakeBotApi;
let tg: TelegramChannel;
const messages: InboundMessage[] = [];
const actions: InboundAction[] = [];
let failures = 0;

beforeAll(async () => {
  api = new FakeBotApi({ groupWindowMs: 2000, groupLimit: 5 });
  const { apiRoot } = await api.start();
  tg = createTelegramChannel({ token: api.token, apiRoot, log: silentLogger, mode: { kind: 'polling', timeoutSeconds: 1 }, limits: { messagesPerMinutePerGroup: 1000 } });
  await tg.start({
    onMessage: async (m) => {
      if (m.text === 'fail once' && failures++ === 0) throw new Error('store failed');
      messages.push(m);
    },
    onAction: async (a) => void actions.push(a),
  });
});
afterAll(async () => {
  await tg?.stop();
  await api?.close();
});

describe('normalizing updates', () => {
  it('reads commands with a bot name, captions, photos (largest size), replies, stickers and buttons', () => {
    const cmd = normalizeUpdate({ update_id: 1, message: { message_id: 3, date: 1, chat: { id: 9, type: 'private', first_name: 'A' }, from: { id: 9, is_bot: false, first_name: 'A' }, text: '/tracuu@loaxa_bot PA-2026-00001' } } as never, 'telegram');
    expect(cmd.kind === 'message' && cmd.message.command).toEqual({ name: 'tracuu', args: 'PA-2026-00001' });
    const photo = normalizeUpdate({ update_id: 2, message: { message_id: 4, date: 1, chat: { id: -100, type: 'supergroup', title: 'G' }, from: { id: 9, is_bot: false, first_name: 'A' }, caption: 'ổ gà', photo: [{ file_id: 's', file_unique_id: 's', width: 1, height: 1 }, { file_id: 'b', file_unique_id: 'b', width: 9, height: 9, file_size: 99 }], reply_to_message: { message_id: 2, date: 1, chat: { id: -100, type: 'supergroup', title: 'G' } } } } as never, 'telegram');
    expect(photo.kind === 'message' && photo.message).toMatchObject({ chatKind: 'group', text: 'ổ gà', attachments: [{ kind: 'photo', fileId: 'b', size: 99 }], replyTo: { platformMessageId: '-100:2' } });
    const sticker = normalizeUpdate({ update_id: 3, message: { message_id: 5, date: 1, chat: { id: 9, type: 'private' }, from: { id: 9, is_bot: false, first_name: 'A' }, sticker: { file_id: 'x' } } } as never, 'telegram');
    expect(sticker.kind === 'message' && sticker.message.attachments[0]!.kind).toBe('sticker');
    const location = normalizeUpdate({ update_id: 4, message: { message_id: 6, date: 1, chat: { id: 9, type: 'private' }, from: { id: 9, is_bot: false, first_name: 'A' }, location: { latitude: 1, longitude: 2 } } } as never, 'telegram');
    expect(location.kind === 'message' && location.message.attachments).toEqual([{ kind: 'other', fileId: 'location' }]);
    expect(normalizeUpdate({ update_id: 5, edited_message: {} } as never, 'telegram').kind).toBe('none');
  });

  it('splits long answers at paragraph and sentence boundaries, within the limit', () => {
    const text = Array.from({ length: 60 }, (_, i) => `Câu số ${i} nói về lịch tiêm chủng của trạm y tế xã.`).join(' ') + '\n\n' + 'x'.repeat(5000);
    const parts = splitText(text, 4096);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
  });
});

describe('Telegram adapter', () => {
  it('delivers updates in order and confirms one only after its handler succeeded', async () => {
    api.residentSends({ userId: 11, text: 'một' });
    api.residentSends({ userId: 11, text: 'fail once' });
    api.residentSends({ userId: 11, text: 'ba' });
    await api.waitFor(() => messages.length === 3);
    expect(messages.map((m) => m.text)).toEqual(['một', 'fail once', 'ba']);
    await api.waitFor(() => api.pendingUpdates === 0);
    // Nothing is delivered twice once confirmed.
    await new Promise((r) => setTimeout(r, 300));
    expect(messages).toHaveLength(3);
  });

  it('sends text, buttons, replies and photos; long texts in several messages', async () => {
    const r1 = await tg.send('11', { text: 'Xin chào', buttons: [[{ label: 'Có', data: 'yes' }]] });
    expect(r1.platformMessageId).toMatch(/^11:\d+$/);
    await tg.send('11', { text: 'Trả lời', replyTo: r1.platformMessageId });
    expect(api.sentTo(11).at(-1)!.replyTo).toBe(Number(r1.platformMessageId.split(':')[1]));
    await tg.send('11', { photo: { buffer: Buffer.from('jpeg'), filename: 'a.jpg' }, text: 'ảnh' });
    expect(api.sentTo(11).at(-1)).toMatchObject({ method: 'sendPhoto', caption: 'ảnh' });
    const before = api.sentTo(11).length;
    await tg.send('11', { text: 'dài '.repeat(3000) });
    expect(api.sentTo(11).length - before).toBe(3);
  });

  it('maps Telegram errors to the domain kinds', async () => {
    api.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } });
    const e429 = (await tg.send('-777', { text: 'x' }).catch((e: unknown) => e)) as ChannelError;
    expect(e429).toBeInstanceOf(ChannelError);
    expect(e429).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000, permanent: false });
    // That group is held for its retry_after (the queue waits), without another call to Telegram.
    const held = (await tg.send('-777', { text: 'y' }).catch((e: unknown) => e)) as ChannelError;
    expect(held).toMatchObject({ kind: 'rate_limited' });
    expect(held.opts.platformCode).toBeUndefined();
    api.blockUser(12);
    const blocked = (await tg.send('12', { text: 'x' }).catch((e: unknown) => e)) as ChannelError;
    expect(blocked).toMatchObject({ kind: 'blocked', permanent: true });
    const notFound = (await tg.send('chat-khong-co', { text: 'x' }).catch((e: unknown) => e)) as ChannelError;
    expect(notFound).toMatchObject({ kind: 'not_found', permanent: true });
    const tooLongButton = (await tg.send('11', { text: 'x', buttons: [[{ label: 'a', data: 'd'.repeat(65) }]] }).catch((e: unknown) => e)) as ChannelError;
    expect(tooLongButton).toMatchObject({ kind: 'bad_request' });
  });

  it('the fake server enforces the per-group limit with retry_after, and the pacer keeps under it', async () => {
    const unpaced = createTelegramChannel({ token: api.token, apiRoot: api.apiRoot, log: silentLogger, mode: { kind: 'send-only' }, limits: { messagesPerMinutePerGroup: 1000 } });
    const results = await Promise.allSettled(Array.from({ length: 7 }, (_, i) => unpaced.send('-200', { text: `tin ${i}` })));
    const limited = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as ChannelError);
    expect(limited.length).toBe(2);
    expect(limited[0]).toMatchObject({ kind: 'rate_limited' });

    const paced = createTelegramChannel({ token: api.token, apiRoot: api.apiRoot, log: silentLogger, mode: { kind: 'send-only' }, limits: { messagesPerMinutePerGroup: 5 } });
    // Our pacer counts per minute; a full group hands the job back with the wait instead of sleeping a minute.
    for (let i = 0; i < 5; i++) await paced.send('-300', { text: `tin ${i}` });
    const over = (await paced.send('-300', { text: 'tin 6' }).catch((e: unknown) => e)) as ChannelError;
    expect(over).toMatchObject({ kind: 'rate_limited' });
    expect(over.retryAfterMs).toBeGreaterThan(5000);
  });

  it('answers buttons, edits them, downloads files, and reports health', async () => {
    api.pressButton({ chatId: 11, messageId: 1, userId: 11, data: 'yes' });
    await api.waitFor(() => actions.length === 1);
    await tg.answerAction(actions[0]!.actionId, 'Đã nhận');
    expect(api.answeredCallbacks.at(-1)).toMatchObject({ text: 'Đã nhận' });
    const sent = await tg.send('11', { text: 'chọn', buttons: [[{ label: 'A', data: 'a' }]] });
    await tg.editButtons('11', sent.platformMessageId, null);
    await tg.editButtons('11', sent.platformMessageId, null); // "not modified" is not an error
    api.addFile('f1', Buffer.from('nội dung'));
    expect((await tg.downloadFile('f1')).buffer.toString()).toBe('nội dung');
    expect(await tg.health()).toMatchObject({ ok: true, detail: '@loaxa_test_bot' });
    const wrong = createTelegramChannel({ token: '1:wrong-token-wrong-token-xx', apiRoot: api.apiRoot, log: silentLogger, mode: { kind: 'send-only' } });
    expect((await wrong.health()).ok).toBe(false);
  });

  it('stops promptly in the middle of a long poll', async () => {
    const t0 = Date.now();
    await tg.stop();
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
