// Subscriptions over Telegram: a resident subscribes to one village's news with /dangky and the
// inline buttons, receives the next bulletin for that village privately (one captioned voice
// note), and stops it with one word. Plus: no consent yet, twice the same choice, a replayed
// update, an unknown village, another commune's village or resident, erasure, and a resident of
// two villages who still gets one delivery per run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { startSubscriberBroadcasts, type SubscriberBroadcasts } from '../support/subscriber-broadcasts.ts';

let h: ListeningHarness;
let b: SubscriberBroadcasts;
const village: Record<string, string> = {};

beforeAll(async () => {
  // Residents here type quickly, test after test: the per-minute limit is not what is tested.
  h = await startListeningHarness({ env: { RESIDENT_MESSAGES_PER_MINUTE: '500' } });
  b = await startSubscriberBroadcasts(h);
  for (const v of await h.prisma.village.findMany({ where: { communeId: h.communeId } })) village[v.name] = v.id;
});
afterAll(async () => {
  await b?.close();
  await h?.close();
});

const lastTo = (chat: number) => h.api.sentTo(chat).at(-1)!;
const buttonsOf = (m: { replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } } | undefined) => (m?.replyMarkup?.inline_keyboard ?? []).flat();
const press = async (userId: number, label: string) => {
  const m = lastTo(userId);
  const button = buttonsOf(m).find((x) => x.text === label);
  expect(button, `button "${label}" under "${m.text}"`).toBeDefined();
  h.api.pressButton({ chatId: userId, messageId: m.messageId, userId, data: button!.callback_data });
  await h.settle();
};
const say = async (userId: number, text: string) => {
  h.api.residentSends({ userId, text });
  await h.settle();
};
const subscriptionsOf = async (userId: number) => h.prisma.subscription.findMany({ where: { identity: { platform: 'telegram', platformUserId: String(userId) } }, include: { village: true } });
const bulletinsTo = (userId: number, title: string) => h.api.sentTo(userId).filter((m) => (m.caption ?? m.text ?? '').includes(title));

async function consented(userId: number) {
  await say(userId, '/start');
  await press(userId, 'Tôi đồng ý');
}

async function subscribe(userId: number, villageName: string, topic: string) {
  await say(userId, '/dangky');
  await press(userId, villageName);
  await press(userId, topic);
}

async function runDone(runId: string) {
  await expect.poll(async () => (await h.prisma.broadcastRun.findUniqueOrThrow({ where: { id: runId } })).status, { timeout: 60_000, interval: 100 }).not.toBe('sending');
}

// Speech rendering and fan-outs on a shared 2-core runner: minutes, not the default 30 s.
describe('subscriptions over Telegram', { timeout: 120_000 }, () => {
  const R = 6001;

  it('asks for consent before keeping any subscription', async () => {
    await say(R, '/dangky');
    expect(lastTo(R).text).toContain('Luật Bảo vệ dữ liệu cá nhân');
    expect(await h.prisma.subscription.count()).toBe(0);
  });

  it('subscribes to one village and one topic with the buttons', async () => {
    await press(R, 'Tôi đồng ý');
    await say(R, '/dangky');
    const villages = lastTo(R);
    expect(villages.text).toContain('chọn thôn');
    expect(buttonsOf(villages).map((x) => x.text)).toEqual(['Thôn 1', 'Thôn 2', 'Thôn 3', 'Thôn 4', 'Thôn 5', 'Thôn 6', 'Thôn 7']);
    await press(R, 'Thôn 3');
    expect(lastTo(R).text).toContain('Thôn 3: ông/bà muốn nhận tin về chủ đề nào?');
    expect(buttonsOf(lastTo(R)).map((x) => x.text)).toEqual(['Thời tiết, thiên tai', 'Y tế, bảo hiểm y tế', 'Nông nghiệp, thủy lợi', 'Thông báo hành chính', 'Tất cả các tin']);
    await press(R, 'Y tế, bảo hiểm y tế');
    expect(lastTo(R).text).toContain('✅ Đã đăng ký: Ông/Bà sẽ nhận bản tin của Thôn 3 (Y tế, bảo hiểm y tế)');
    const subs = await subscriptionsOf(R);
    expect(subs.map((s) => [s.village.name, s.topics])).toEqual([['Thôn 3', ['Y_TE']]]);
    // No ticket came of any of it.
    expect(await h.prisma.ticket.count()).toBe(0);
  });

  it('the same choice twice, and a replayed update, leave one subscription', async () => {
    const topics = h.api.sentTo(R).filter((m) => buttonsOf(m).some((x) => x.text === 'Y tế, bảo hiểm y tế')).at(-1)!;
    const data = buttonsOf(topics).find((x) => x.text === 'Y tế, bảo hiểm y tế')!.callback_data;
    h.api.pressButton({ chatId: R, messageId: topics.messageId, userId: R, data });
    await h.settle();
    expect((await subscriptionsOf(R)).map((s) => s.topics)).toEqual([['Y_TE']]);
    // Telegram delivering the same update again (same callback id) is stored once, answered once.
    const confirmations = h.api.sentTo(R).filter((m) => m.text?.startsWith('✅ Đã đăng ký')).length;
    const callback = { id: 'cb-replayed-1', from: { id: R, is_bot: false, first_name: 'Dân' }, chat_instance: 'ci', message: { message_id: topics.messageId, date: 0, chat: { id: R, type: 'private' } }, data };
    h.api.pushUpdate({ callback_query: callback });
    await h.settle();
    h.api.pushUpdate({ callback_query: callback });
    await h.settle();
    expect(h.api.sentTo(R).filter((m) => m.text?.startsWith('✅ Đã đăng ký')).length).toBe(confirmations + 1);
    expect(await h.prisma.subscription.count({ where: { residentId: (await subscriptionsOf(R))[0]!.residentId } })).toBe(1);
  });

  it('an unknown village gets the list of the commune\'s villages, in Vietnamese', async () => {
    await say(R, '/dangky thôn 99');
    const help = lastTo(R);
    expect(help.text).toContain('Không tìm thấy thôn "thôn 99" trong xã');
    expect(buttonsOf(help).map((x) => x.text)).toContain('Thôn 7');
    // The typed answer to that list works too, without diacritics.
    await say(R, 'thon 5');
    expect(lastTo(R).text).toContain('Thôn 5: ông/bà muốn nhận tin về chủ đề nào?');
    // A long message after the question is a question again, not a village.
    await say(R, '/dangky');
    await say(R, 'Cho tôi hỏi lịch tiêm phòng dại cho chó ở thôn mình khi nào có ạ');
    expect(await h.prisma.ticket.count()).toBe(1);
    expect((await subscriptionsOf(R)).map((s) => s.village.name)).toEqual(['Thôn 3']);
  });

  it('receives the next bulletin of that village privately; other villages and topics do not', async () => {
    const other = 6002;
    await consented(other);
    await subscribe(other, 'Thôn 5', 'Tất cả các tin');
    const farmer = 6003;
    await consented(farmer);
    await subscribe(farmer, 'Thôn 3', 'Nông nghiệp, thủy lợi');
    const everything = 6004;
    await consented(everything);
    await subscribe(everything, 'Thôn 3', 'Tất cả các tin');

    const title = 'Tiêm vắc xin sởi tại Thôn 3';
    const id = await b.approved(title, 'Trạm Y tế xã thông báo: sáng thứ bảy tiêm vắc xin sởi cho trẻ tại nhà văn hóa Thôn 3.', { villageIds: [], subscribers: { villageIds: [village['Thôn 3']!], topics: ['Y_TE'] } });
    const at = new Date();
    const run = await b.fanOut(id, at);
    expect(run.deliveryIds).toHaveLength(2);
    await runDone(run.runId);
    await h.settle();
    expect(bulletinsTo(R, title).map((m) => m.method)).toEqual(['sendVoice']);
    expect(bulletinsTo(everything, title)).toHaveLength(1);
    expect(bulletinsTo(other, title)).toHaveLength(0);
    expect(bulletinsTo(farmer, title)).toHaveLength(0);
    const deliveries = await h.prisma.delivery.findMany({ where: { runId: run.runId } });
    expect(deliveries.every((d) => d.status === 'sent' && d.residentIdentityId)).toBe(true);
    // Starting the same run again adds nothing: the outbox has one row per resident and run.
    const again = await b.fanOut(id, at);
    expect(again.created).toBe(false);
    expect(again.deliveryIds.sort()).toEqual(run.deliveryIds.sort());
    expect(bulletinsTo(R, title)).toHaveLength(1);
  });

  it('one word stops it at once, confirmed; the next bulletin does not come', async () => {
    await say(R, 'Dừng');
    expect(lastTo(R).text).toContain('Đã dừng: Ông/Bà sẽ không nhận bản tin qua tin nhắn riêng nữa');
    expect(await subscriptionsOf(R)).toEqual([]);
    const title = 'Lịch tiêm chủng tháng 12';
    const id = await b.approved(title, 'Trạm Y tế xã thông báo lịch tiêm chủng tháng 12 cho trẻ em Thôn 3.', { subscribers: { villageIds: [village['Thôn 3']!] } });
    const run = await b.fanOut(id);
    await runDone(run.runId);
    expect(run.deliveryIds).toHaveLength(2);
    expect(bulletinsTo(R, title)).toHaveLength(0);
    // "dừng" again: nothing left to stop, said so; not a ticket.
    const tickets = await h.prisma.ticket.count();
    await say(R, '/huy');
    expect(lastTo(R).text).toContain('chưa đăng ký nhận bản tin');
    expect(await h.prisma.ticket.count()).toBe(tickets);
  });

  it('stops in any spelling, and "đúng" is not "dừng"', async () => {
    const S = 6005;
    await consented(S);
    for (const word of ['STOP', 'dung', 'huy dang ky', 'Hủy đăng ký ạ', '/huy', 'dừng nhận tin']) {
      await subscribe(S, 'Thôn 2', 'Tất cả các tin');
      expect(await subscriptionsOf(S)).toHaveLength(1);
      await say(S, word);
      expect(await subscriptionsOf(S), word).toEqual([]);
      expect(lastTo(S).text).toContain('Đã dừng');
    }
    await subscribe(S, 'Thôn 2', 'Tất cả các tin');
    await say(S, 'đúng');
    expect(await subscriptionsOf(S)).toHaveLength(1);
  });

  it('a resident of two villages gets one delivery per run', async () => {
    const T = 6006;
    await consented(T);
    await subscribe(T, 'Thôn 6', 'Tất cả các tin');
    await subscribe(T, 'Thôn 7', 'Thời tiết, thiên tai');
    const title = 'Cảnh báo lũ quét';
    const id = await b.approved(title, 'Ban Chỉ huy phòng chống thiên tai xã cảnh báo nguy cơ lũ quét ở Thôn 6 và Thôn 7.', { subscribers: { villageIds: [village['Thôn 6']!, village['Thôn 7']!], topics: ['THIEN_TAI'] } });
    const run = await b.fanOut(id);
    await runDone(run.runId);
    expect(await h.prisma.delivery.count({ where: { runId: run.runId, resident: { identities: { some: { platformUserId: String(T) } } } } })).toBe(1);
    expect(bulletinsTo(T, title)).toHaveLength(1);
  });

  it('refuses another commune\'s village and a resident of another commune', async () => {
    const other = await h.prisma.commune.create({ data: { code: 'xa-ben-sub', name: 'Xã Bên', villages: { create: [{ name: 'Thôn Bên' }] } }, include: { villages: true } });
    const U = 6007;
    await consented(U);
    await say(U, '/dangky');
    const m = lastTo(U);
    h.api.pressButton({ chatId: U, messageId: m.messageId, userId: U, data: `sub:t:${other.villages[0]!.id}:*` });
    await h.settle();
    expect(lastTo(U).text).toContain('Thôn này không thuộc xã của kênh này');
    expect(await subscriptionsOf(U)).toEqual([]);
    await say(U, '/dangky Thôn Bên');
    expect(lastTo(U).text).toContain('Không tìm thấy thôn "Thôn Bên"');

    const V = 6008;
    await consented(V);
    const identity = await h.prisma.residentIdentity.findFirstOrThrow({ where: { platformUserId: String(V) } });
    await h.prisma.resident.update({ where: { id: identity.residentId }, data: { communeId: other.id } });
    await say(V, '/dangky Thôn 1');
    expect(lastTo(V).text).toContain('Thôn này không thuộc xã của kênh này');
    expect(await subscriptionsOf(V)).toEqual([]);
  });

  it('erasing a resident removes their subscriptions', async () => {
    const W = 6009;
    await consented(W);
    await subscribe(W, 'Thôn 4', 'Tất cả các tin');
    await say(W, '/xoadulieu');
    await press(W, 'Xoá dữ liệu của tôi');
    expect(await subscriptionsOf(W)).toEqual([]);
  });

  it('the report counts subscribers per village and channel, and the private deliveries', async () => {
    const { ticketReport } = await import('../../src/reports/ticket-report.ts');
    const { quarterPeriod } = await import('../../src/reports/ticket-report.ts');
    const now = new Date();
    const q = (Math.floor(now.getUTCMonth() / 3) + 1) as 1 | 2 | 3 | 4;
    const r = await ticketReport(h.prisma, h.communeId, quarterPeriod(now.getUTCFullYear(), q), { kind: 'api', communeId: h.communeId });
    const byName = Object.fromEntries(r.subscribers.byVillage.map((v) => [v.name, v]));
    expect(byName['Thôn 3']).toEqual({ name: 'Thôn 3', total: 2, byChannel: { telegram: 2 } });
    expect(byName['Thôn 5']?.total).toBe(1);
    expect(r.subscribers.deliveries.sent).toBe(5);
    expect(r.broadcasts.deliveredByChannel.telegram).toBe(0);
  });
});
