// Subscriptions over a Zalo Official Account: a follower consents and subscribes by numbered
// choices, receives the next bulletin privately as a consultation message, and stops it with one
// word. Zalo lets an OA send those only within 7 days of the resident's last message (-230 after
// that): a subscriber silent for longer is not sent one, and the delivery is recorded as skipped
// with the reason, whether the channel knew the window was closed or Zalo said so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { startSubscriberBroadcasts, type SubscriberBroadcasts } from '../support/subscriber-broadcasts.ts';
import type { FakeZaloOaApi } from '../support/zalo-oa-api/fake-zalo-oa-api.ts';
import { ZALO_OA_ERRORS } from '../../bots/zalo-oa/zalo-oa-types.ts';
import { subscriberDeliveryCounts } from '../../src/subscriptions/subscriber-audience.ts';
import { subscriberFigures } from '../../src/reports/subscriber-figures.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import type { Database } from '../../src/db/database.ts';
import { silentLogger } from '../../src/logger.ts';
import { sessionFor } from '../support/staff-session.ts';

let h: ListeningHarness;
let b: SubscriberBroadcasts;
const village: Record<string, string> = {};
const R = '8812345678900000001';
const R2 = '8812345678900000002';
const DAY = 24 * 3600_000;

beforeAll(async () => {
  h = await startListeningHarness({ zaloOa: true });
  b = await startSubscriberBroadcasts(h);
  for (const v of await h.prisma.village.findMany({ where: { communeId: h.communeId } })) village[v.name] = v.id;
});
afterAll(async () => {
  await b?.close();
  await h?.close();
});

const oa = (): FakeZaloOaApi => h.zaloOa!.api;
const texts = (id = R) => oa().sentTo(id).map((m) => m.text ?? '');
const say = async (text: string, userId = R) => {
  expect(await h.zaloOa!.deliver(oa().residentSends({ userId, text }))).toBe(200);
  await h.settle();
};
const subscriptions = (id = R) => h.prisma.subscription.findMany({ where: { identity: { platform: 'zalo_oa', platformUserId: id } }, include: { village: true } });

async function runDone(runId: string) {
  await expect.poll(async () => (await h.prisma.broadcastRun.findUniqueOrThrow({ where: { id: runId } })).status, { timeout: 60_000, interval: 100 }).not.toBe('sending');
}

async function subscribe(userId: string, villageNumber: string) {
  await h.zaloOa!.deliver(oa().follow(userId));
  await say('/dangky', userId);
  expect(texts(userId).at(-1)).toMatch(/1\. Tôi đồng ý/);
  await say('1', userId);
  await say('/dangky', userId);
  expect(texts(userId).at(-1)).toMatch(/👉 Trả lời bằng số:\n1\. Thôn 1\n2\. Thôn 2/);
  await say(villageNumber, userId);
  expect(texts(userId).at(-1)).toContain('ông/bà muốn nhận tin về chủ đề nào?');
  await say('5', userId);
}

const deliveriesOf = (runId: string) => h.prisma.delivery.findMany({ where: { runId }, include: { residentIdentity: true } });

// Speech rendering and fan-outs on a shared 2-core runner: minutes, not the default 30 s.
describe('subscriptions over a Zalo Official Account', { timeout: 120_000 }, () => {
  it('a follower subscribes with /dangky and numbered choices', async () => {
    await subscribe(R, '3');
    expect(texts().at(-1)).toContain('✅ Đã đăng ký: Ông/Bà sẽ nhận bản tin của Thôn 3 (tất cả các tin)');
    expect((await subscriptions()).map((s) => [s.village.name, s.topics])).toEqual([['Thôn 3', []]]);
    expect(await h.prisma.ticket.count()).toBe(0);
  });

  it('receives the next bulletin of the village privately, as a consultation message', async () => {
    const title = 'Lịch tiêm chủng Thôn 3';
    const id = await b.approved(title, 'Trạm y tế thông báo: sáng thứ bảy tiêm vắc-xin sởi cho trẻ dưới 5 tuổi tại nhà văn hóa Thôn 3.', { subscribers: { villageIds: [village['Thôn 3']!] } });
    const run = await b.fanOut(id);
    expect(run.deliveryIds).toHaveLength(1);
    await runDone(run.runId);
    const got = texts().filter((t) => t.includes(title));
    expect(got).toHaveLength(1);
    expect(got[0]).toContain('tiêm vắc-xin sởi');
    // A private message, not a broadcast spending the OA's quota.
    expect(oa().broadcasts).toHaveLength(0);
    expect((await h.prisma.delivery.findFirstOrThrow({ where: { runId: run.runId } })).status).toBe('sent');
  });

  it('a subscriber silent for more than 7 days is not sent a consultation message: skipped, with the reason', async () => {
    await subscribe(R2, '3');
    oa().advance(8 * DAY);
    // R writes again, so only R2's window is closed.
    await say('Cảm ơn xã', R);
    const callsBefore = oa().sent.length;
    const title = 'Lịch tiêm chủng bổ sung';
    const id = await b.approved(title, 'Trạm y tế thông báo: chiều thứ bảy tiêm bù cho trẻ chưa tiêm buổi sáng.', { subscribers: { villageIds: [village['Thôn 3']!] } });
    const run = await b.fanOut(id);
    expect(run.deliveryIds).toHaveLength(2);
    await runDone(run.runId);
    expect(texts(R).filter((t) => t.includes(title))).toHaveLength(1);
    expect(texts(R2).filter((t) => t.includes(title))).toHaveLength(0);
    expect(oa().sent.length).toBe(callsBefore + 1);
    // Known closed: no call Zalo would refuse.
    expect(oa().refusedOutsideWindow).toEqual([]);
    const ds = await deliveriesOf(run.runId);
    const skipped = ds.find((d) => d.residentIdentity?.platformUserId === R2)!;
    expect(skipped.status).toBe('skipped');
    expect(skipped.error).toMatch(/quá 7 ngày/);
    expect(subscriberDeliveryCounts(ds).byStatus).toEqual({ sent: 1, skipped: 1 });
    // Nothing failed: the run is done, and the subscription stays for when they write again.
    expect((await h.prisma.broadcastRun.findUniqueOrThrow({ where: { id: run.runId } })).status).toBe('done');
    expect(await subscriptions(R2)).toHaveLength(1);
    const figures = await subscriberFigures(h.prisma, h.communeId, [run.runId]);
    expect(figures.deliveries.skipped).toBe(1);
    // The bulletin page lists the run's private deliveries by channel and outcome, with the reason.
    const app = await buildApp({ log: silentLogger, db: { kind: 'postgres', label: 'test', prisma: h.prisma } as unknown as Database, health: new HealthRegistry(), queueDepths: async () => ({}), admin: { prisma: h.prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true } });
    try {
      const s = await sessionFor(h.prisma, (await h.prisma.staff.findUniqueOrThrow({ where: { username: 'vanhoa' } })).id);
      const page = await app.inject({ url: `/admin/ban-tin/${id}`, headers: { cookie: s.cookie } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toMatch(/<td>Người đăng ký qua Zalo OA: 1 người<\/td><td>đã tới<\/td>/);
      expect(page.body).toMatch(/<td>Người đăng ký qua Zalo OA: 1 người<\/td><td>bỏ qua<\/td>.*quá 7 ngày không nhắn cho Zalo OA/);
      expect(page.body).not.toContain(R2);
    } finally {
      await app.close();
    }
  });

  it('when Zalo itself refuses with -230 (the channel thought the window open), the delivery is skipped too', async () => {
    oa().failNext({ error: ZALO_OA_ERRORS.noInteraction7Days, message: 'User has not interacted with the OA in the past 7 days' });
    const title = 'Thông báo họp thôn';
    const id = await b.approved(title, 'Tối thứ sáu họp Thôn 3 tại nhà văn hóa.', { subscribers: { villageIds: [village['Thôn 3']!] } });
    const run = await b.fanOut(id);
    await runDone(run.runId);
    const ds = await deliveriesOf(run.runId);
    const mine = ds.find((d) => d.residentIdentity?.platformUserId === R)!;
    expect(texts(R).filter((t) => t.includes(title))).toHaveLength(0);
    expect(mine.status).toBe('skipped');
    expect(mine.error).toMatch(/quá 7 ngày/);
  });

  it('"dừng" stops it at once, confirmed; the next bulletin does not come', async () => {
    await say('dừng');
    expect(texts().at(-1)).toContain('Đã dừng');
    expect(await subscriptions()).toEqual([]);
    const title = 'Lịch tiêm chủng tháng sau';
    const id = await b.approved(title, 'Trạm y tế thông báo lịch tiêm tháng sau.', { subscribers: { villageIds: [village['Thôn 3']!] } });
    const run = await b.fanOut(id);
    // R2 is still subscribed (and skipped); R is not among the recipients any more.
    const ds = await deliveriesOf(run.runId);
    expect(ds.map((d) => d.residentIdentity?.platformUserId)).toEqual([R2]);
    await runDone(run.runId);
    expect(texts().filter((t) => t.includes(title))).toHaveLength(0);
  });
});
