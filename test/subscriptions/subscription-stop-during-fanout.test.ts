// Unsubscribing while a fan-out to subscribers is running: the deliveries still queued behind a
// send in flight find the subscription gone and are cancelled; nothing reaches the resident
// after "dừng" was confirmed, and the others still get theirs. The run ends (cancelled is final).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { startSubscriberBroadcasts, type SubscriberBroadcasts } from '../support/subscriber-broadcasts.ts';

let h: ListeningHarness;
let b: SubscriberBroadcasts;
const RESIDENTS = [6101, 6102, 6103, 6104];

beforeAll(async () => {
  h = await startListeningHarness();
  // One delivery at a time: while one send is held, every other delivery waits in the queue.
  b = await startSubscriberBroadcasts(h, { concurrency: 1 });
});
afterAll(async () => {
  await b?.close();
  await h?.close();
});

const lastTo = (chat: number) => h.api.sentTo(chat).at(-1)!;
const buttonsOf = (m: { replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } } | undefined) => (m?.replyMarkup?.inline_keyboard ?? []).flat();
const press = async (userId: number, label: string) => {
  const m = lastTo(userId);
  h.api.pressButton({ chatId: userId, messageId: m.messageId, userId, data: buttonsOf(m).find((x) => x.text === label)!.callback_data });
  await h.settle();
};

// Speech rendering and fan-outs on a shared 2-core runner: minutes, not the default 30 s.
describe('unsubscribe during a fan-out to subscribers', { timeout: 120_000 }, () => {
  it('sends nothing more to a resident after their stop', async () => {
    for (const r of RESIDENTS) {
      h.api.residentSends({ userId: r, text: '/start' });
      await h.settle();
      await press(r, 'Tôi đồng ý');
      h.api.residentSends({ userId: r, text: '/dangky Thôn 2' });
      await h.settle();
      await press(r, 'Tất cả các tin');
    }
    const thon2 = await h.prisma.village.findFirstOrThrow({ where: { communeId: h.communeId, name: 'Thôn 2' } });
    const title = 'Họp dân Thôn 2';
    const id = await b.approved(title, 'Tối thứ sáu, Thôn 2 họp dân tại nhà văn hóa thôn để bàn việc làm đường.', { subscribers: { villageIds: [thon2.id] } });

    const held = b.holdNextSend();
    const run = await b.fanOut(id);
    expect(run.deliveryIds).toHaveLength(RESIDENTS.length);
    const first = await held;
    // Someone whose bulletin has not gone yet stops now, while the first send is in flight.
    const quitter = RESIDENTS.find((r) => String(r) !== first.chatId)!;
    const stop = h.api.residentSends({ userId: quitter, text: 'dừng' });
    await expect.poll(() => h.api.sentTo(quitter).filter((m) => m.messageId > stop || m.text?.startsWith('Đã dừng')).some((m) => m.text?.startsWith('Đã dừng')), { timeout: 20_000 }).toBe(true);
    expect(await h.prisma.subscription.count({ where: { identity: { platformUserId: String(quitter) } } })).toBe(0);
    const sentBefore = h.api.sentTo(quitter).length;
    first.release();

    await expect.poll(async () => (await h.prisma.broadcastRun.findUniqueOrThrow({ where: { id: run.runId } })).status, { timeout: 60_000, interval: 100 }).toBe('done');
    expect(h.api.sentTo(quitter).length).toBe(sentBefore);
    expect(h.api.sentTo(quitter).filter((m) => (m.caption ?? m.text ?? '').includes(title))).toHaveLength(0);
    const deliveries = await h.prisma.delivery.findMany({ where: { runId: run.runId }, include: { residentIdentity: true } });
    const byChat = Object.fromEntries(deliveries.map((d) => [d.residentIdentity!.platformUserId, d.status]));
    expect(byChat).toEqual(Object.fromEntries(RESIDENTS.map((r) => [String(r), r === quitter ? 'cancelled' : 'sent'])));
    for (const r of RESIDENTS.filter((x) => x !== quitter)) expect(h.api.sentTo(r).filter((m) => (m.caption ?? '').includes(title))).toHaveLength(1);
  });
});
