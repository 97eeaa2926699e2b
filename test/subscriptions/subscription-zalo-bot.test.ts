// Subscriptions over the Zalo Bot Platform, with numbered choices instead of buttons: a resident
// consents by number, subscribes to one village with /dangky and two numbers, receives the next
// bulletin privately, and stops it with one word ("STOP"). A replayed update is taken once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { startSubscriberBroadcasts, type SubscriberBroadcasts } from '../support/subscriber-broadcasts.ts';
import type { FakeZaloBotApi } from '../support/zalo-bot-api/fake-zalo-bot-api.ts';

let h: ListeningHarness;
let b: SubscriberBroadcasts;
const village: Record<string, string> = {};
const R = 'a1b2c3d4e5f60718293a';

beforeAll(async () => {
  h = await startListeningHarness({ zaloBot: true });
  b = await startSubscriberBroadcasts(h);
  for (const v of await h.prisma.village.findMany({ where: { communeId: h.communeId } })) village[v.name] = v.id;
});
afterAll(async () => {
  await b?.close();
  await h?.close();
});

const bot = (): FakeZaloBotApi => h.zaloBot!.api;
const texts = (id = R) => bot().sentTo(id).map((m) => m.text ?? '');
const say = async (text: string, userId = R) => {
  const u = bot().residentSends({ userId, text });
  await h.settle();
  return u;
};
const subscriptions = () => h.prisma.subscription.findMany({ where: { identity: { platform: 'zalo_bot', platformUserId: R } }, include: { village: true } });

async function runDone(runId: string) {
  await expect.poll(async () => (await h.prisma.broadcastRun.findUniqueOrThrow({ where: { id: runId } })).status, { timeout: 60_000, interval: 100 }).not.toBe('sending');
}

// Speech rendering and fan-outs on a shared 2-core runner: minutes, not the default 30 s.
describe('subscriptions over the Zalo Bot', { timeout: 120_000 }, () => {
  it('subscribes with /dangky and numbered choices, once even when the update is replayed', async () => {
    await say('/dangky');
    expect(texts().at(-1)).toMatch(/1\. Tôi đồng ý/);
    await say('1');
    expect(await subscriptions()).toEqual([]);
    await say('/dangky');
    const list = texts().at(-1)!;
    expect(list).toContain('chọn thôn');
    expect(list).toMatch(/👉 Trả lời bằng số:\n1\. Thôn 1\n2\. Thôn 2\n3\. Thôn 3/);
    await say('3');
    expect(texts().at(-1)).toMatch(/Thôn 3: ông\/bà muốn nhận tin về chủ đề nào\?[\s\S]*2\. Y tế, bảo hiểm y tế[\s\S]*5\. Tất cả các tin/);
    const choice = await say('5');
    expect(texts().at(-1)).toContain('✅ Đã đăng ký: Ông/Bà sẽ nhận bản tin của Thôn 3 (tất cả các tin)');
    bot().pushUpdate(choice);
    await h.settle();
    expect(texts().filter((t) => t.startsWith('✅ Đã đăng ký'))).toHaveLength(1);
    expect((await subscriptions()).map((s) => [s.village.name, s.topics])).toEqual([['Thôn 3', []]]);
    expect(await h.prisma.ticket.count()).toBe(0);
  });

  it('an unknown village typed after /dangky gets the list again, in Vietnamese', async () => {
    await say('/dangky xom Bai');
    expect(texts().at(-1)).toMatch(/Không tìm thấy thôn "xom Bai" trong xã[\s\S]*7\. Thôn 7/);
    await say('7');
    expect(texts().at(-1)).toContain('Thôn 7: ông/bà muốn nhận tin về chủ đề nào?');
  });

  it('receives the next bulletin of the village privately', async () => {
    const title = 'Lịch cắt điện Thôn 3';
    const id = await b.approved(title, 'Điện lực thông báo: sáng chủ nhật cắt điện Thôn 3 từ 7 giờ đến 11 giờ để sửa đường dây.', { subscribers: { villageIds: [village['Thôn 3']!] } });
    const run = await b.fanOut(id);
    expect(run.deliveryIds).toHaveLength(1);
    await runDone(run.runId);
    const got = texts().filter((t) => t.includes(title));
    expect(got).toHaveLength(1);
    expect(got[0]).toContain('cắt điện Thôn 3 từ 7 giờ');
    expect((await h.prisma.delivery.findFirstOrThrow({ where: { runId: run.runId } })).status).toBe('sent');
  });

  it('STOP stops it at once, confirmed; the next bulletin does not come', async () => {
    await say('STOP');
    expect(texts().at(-1)).toContain('Đã dừng');
    expect(await subscriptions()).toEqual([]);
    const title = 'Lịch cắt điện lần hai';
    const id = await b.approved(title, 'Điện lực thông báo: chiều thứ hai cắt điện Thôn 3 từ 14 giờ.', { subscribers: { villageIds: [village['Thôn 3']!] } });
    const run = await b.fanOut(id);
    expect(run.deliveryIds).toHaveLength(0);
    expect(texts().filter((t) => t.includes(title))).toHaveLength(0);
  });
});
