// Zalo OA broadcast quota and followers as data: the month's limit and the daily cap stop sends
// with their Vietnamese reasons, two workers at the last unit spend it once, a retried delivery
// never spends twice, replayed or late follow events change nothing, villages come from tags.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OA_DAILY_CAP, OA_MONTHLY_EXHAUSTED, OA_NO_QUOTA, confirmOaBroadcast, oaQuotaUsage, releaseOaBroadcast, reserveOaBroadcast, setOaQuota } from '../../src/channels/oa-quota.ts';
import { oaFollowersFor, recordOaFollow, setOaFollowerTags, setOaTagVillage } from '../../src/channels/oa-followers.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let accountId: string;
let villages: { a: string; b: string };
// 10:00 in Vietnam on 3 December 2026.
const now = new Date('2026-12-03T03:00:00Z');

beforeAll(async () => {
  db = await openMigratedTestDatabase('zalooaquota', 8);
  const commune = await db.prisma.commune.create({ data: { code: 'xa-oa-quota', name: 'Xã Hạn Mức', villages: { create: [{ name: 'Thôn 1' }, { name: 'Thôn 2' }] } }, include: { villages: true } });
  villages = { a: commune.villages.find((v) => v.name === 'Thôn 1')!.id, b: commune.villages.find((v) => v.name === 'Thôn 2')!.id };
  accountId = (await db.prisma.channelAccount.create({ data: { communeId: commune.id, platform: 'zalo_oa', name: 'oa-quota' } })).id;
});

afterAll(async () => {
  await db?.close();
});

beforeEach(async () => {
  await db.prisma.oaBroadcastReceipt.deleteMany({});
  await db.prisma.oaQuotaMonth.deleteMany({});
  await db.prisma.oaQuota.deleteMany({});
});

const reserve = (userId: string, deliveryId = randomUUID(), at = now) => reserveOaBroadcast(db.prisma, { channelAccountId: accountId, userId, deliveryId, now: at });

describe('Zalo OA broadcast quota', () => {
  it('without a quota set nothing is sent, and says why', async () => {
    expect(await reserve('u1')).toEqual({ ok: false, reason: OA_NO_QUOTA, stop: 'none' });
  });

  it('the monthly quota exhausted stops the next send with its reason', async () => {
    await setOaQuota(db.prisma, accountId, { monthlyLimit: 2 });
    expect((await reserve('u1')).ok).toBe(true);
    expect((await reserve('u2')).ok).toBe(true);
    expect(await reserve('u3')).toEqual({ ok: false, reason: OA_MONTHLY_EXHAUSTED, stop: 'monthly' });
    const usage = await oaQuotaUsage(db.prisma, accountId, now);
    expect(usage).toMatchObject({ month: '2026-12', day: '2026-12-03', monthlyLimit: 2, usedThisMonth: 2, remainingThisMonth: 0, sentToday: 2 });
    // The refused follower's day was not spent: next month they can be reached.
    expect((await reserve('u3', randomUUID(), new Date('2027-01-01T03:00:00Z'))).ok).toBe(true);
  });

  it('one broadcast per follower per day, in Vietnam days', async () => {
    await setOaQuota(db.prisma, accountId, { monthlyLimit: 100 });
    expect((await reserve('u1')).ok).toBe(true);
    expect(await reserve('u1')).toEqual({ ok: false, reason: OA_DAILY_CAP, stop: 'daily' });
    // 23:30 UTC is already the next day in Vietnam.
    expect((await reserve('u1', randomUUID(), new Date('2026-12-03T17:30:00Z'))).ok).toBe(true);
    expect((await oaQuotaUsage(db.prisma, accountId, now)).usedThisMonth).toBe(2);
  });

  it('a retried delivery gets its own reservation back, never a second unit', async () => {
    await setOaQuota(db.prisma, accountId, { monthlyLimit: 5 });
    const d = randomUUID();
    const first = await reserve('u1', d);
    if (!first.ok) throw new Error('expected a reservation');
    await confirmOaBroadcast(db.prisma, first.receiptId, 'msg-1');
    expect(await reserve('u1', d)).toEqual({ ok: true, receiptId: first.receiptId, messageId: 'msg-1' });
    expect((await oaQuotaUsage(db.prisma, accountId, now)).usedThisMonth).toBe(1);
  });

  it('a send that did not happen gives the unit and the day back; a sent one keeps them', async () => {
    await setOaQuota(db.prisma, accountId, { monthlyLimit: 1 });
    const r = await reserve('u1');
    if (!r.ok) throw new Error('expected a reservation');
    await releaseOaBroadcast(db.prisma, r.receiptId);
    expect(await oaQuotaUsage(db.prisma, accountId, now)).toMatchObject({ usedThisMonth: 0, sentToday: 0 });
    const again = await reserve('u1');
    if (!again.ok) throw new Error('expected a reservation');
    await confirmOaBroadcast(db.prisma, again.receiptId, 'msg-2');
    await releaseOaBroadcast(db.prisma, again.receiptId);
    expect((await oaQuotaUsage(db.prisma, accountId, now)).usedThisMonth).toBe(1);
  });

  it('concurrent workers at the last unit: exactly one spends it', async () => {
    await setOaQuota(db.prisma, accountId, { monthlyLimit: 3 });
    expect((await reserve('u0')).ok).toBe(true);
    expect((await reserve('u1')).ok).toBe(true);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => reserve(`c${i}`)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.reason))).toEqual(Array(7).fill(OA_MONTHLY_EXHAUSTED));
    expect((await oaQuotaUsage(db.prisma, accountId, now)).usedThisMonth).toBe(3);
  });

  it('concurrent workers to the same follower on one day: one message', async () => {
    await setOaQuota(db.prisma, accountId, { monthlyLimit: 100 });
    const results = await Promise.all(Array.from({ length: 6 }, () => reserve('same')));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect((await oaQuotaUsage(db.prisma, accountId, now)).usedThisMonth).toBe(1);
  });

  it('refuses a malformed quota', async () => {
    await expect(setOaQuota(db.prisma, accountId, { monthlyLimit: -1 })).rejects.toThrow(RangeError);
    await expect(setOaQuota(db.prisma, accountId, { monthlyLimit: 10, perFollowerDaily: 0 })).rejects.toThrow(RangeError);
  });
});

describe('Zalo OA followers', () => {
  beforeEach(async () => {
    await db.prisma.oaFollower.deleteMany({});
    await db.prisma.oaTagVillage.deleteMany({});
  });

  it('unfollow removes the follower from bulletins; a replayed older follow does not bring them back', async () => {
    const t0 = new Date('2026-12-01T00:00:00Z');
    const t1 = new Date('2026-12-02T00:00:00Z');
    await recordOaFollow(db.prisma, accountId, 'u1', true, t0);
    await recordOaFollow(db.prisma, accountId, 'u1', false, t1);
    await recordOaFollow(db.prisma, accountId, 'u1', true, t0);
    expect(await oaFollowersFor(db.prisma, accountId, null)).toEqual([]);
    const row = await db.prisma.oaFollower.findUniqueOrThrow({ where: { channelAccountId_userId: { channelAccountId: accountId, userId: 'u1' } } });
    expect(row).toMatchObject({ following: false, followedAt: t0, unfollowedAt: t1 });
    // Following again later counts.
    await recordOaFollow(db.prisma, accountId, 'u1', true, new Date('2026-12-03T00:00:00Z'));
    expect(await oaFollowersFor(db.prisma, accountId, null)).toEqual(['u1']);
  });

  it('a replayed follow webhook is one follower', async () => {
    const t = new Date('2026-12-01T00:00:00Z');
    await Promise.all([1, 2, 3].map(() => recordOaFollow(db.prisma, accountId, 'u2', true, t)));
    expect(await db.prisma.oaFollower.count({ where: { channelAccountId: accountId } })).toBe(1);
  });

  it('a village reaches only followers with its tags; a village without tags reaches nobody', async () => {
    const t = new Date('2026-12-01T00:00:00Z');
    for (const u of ['a1', 'a2', 'b1', 'none']) await recordOaFollow(db.prisma, accountId, u, true, t);
    await setOaFollowerTags(db.prisma, accountId, 'a1', ['thon-1']);
    await setOaFollowerTags(db.prisma, accountId, 'a2', ['thon-1b', ' ', 'thon-1b']);
    await setOaFollowerTags(db.prisma, accountId, 'b1', ['thon-2']);
    await recordOaFollow(db.prisma, accountId, 'a2', false, new Date('2026-12-02T00:00:00Z'));
    expect(await oaFollowersFor(db.prisma, accountId, villages.a)).toEqual([]);
    await setOaTagVillage(db.prisma, accountId, 'thon-1', villages.a);
    await setOaTagVillage(db.prisma, accountId, 'thon-1b', villages.a);
    await setOaTagVillage(db.prisma, accountId, 'thon-2', villages.b);
    expect(await oaFollowersFor(db.prisma, accountId, villages.a)).toEqual(['a1']);
    expect(await oaFollowersFor(db.prisma, accountId, villages.b)).toEqual(['b1']);
    await setOaTagVillage(db.prisma, accountId, 'thon-2', null);
    expect(await oaFollowersFor(db.prisma, accountId, villages.b)).toEqual([]);
    await expect(setOaTagVillage(db.prisma, accountId, '  ', villages.a)).rejects.toThrow(RangeError);
  });
});
