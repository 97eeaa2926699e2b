// Zalo OA broadcast quota ("tin truyền thông") as data: the OA package's monthly limit and the
// per-follower daily cap. A message is reserved in PostgreSQL before it is sent, so two workers
// never both spend the last unit: the month row is raised only while used < limit (the row lock
// makes the second wait and see the first's count), and the follower's receipt for the day is
// a unique row. A send that did not happen gives its unit back.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import { DEFAULT_TIME_ZONE } from '../calendar/time-zone.ts';

export const OA_MONTHLY_EXHAUSTED = 'hết hạn mức tin truyền thông tháng';
export const OA_DAILY_CAP = 'người theo dõi đã nhận tin hôm nay';
export const OA_NO_QUOTA = 'chưa đặt hạn mức tin truyền thông của Zalo OA';

/** Zalo counts days and months in Vietnam time. */
export function oaDay(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: DEFAULT_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function oaMonth(now: Date): string {
  return oaDay(now).slice(0, 7);
}

export async function setOaQuota(prisma: Prisma.TransactionClient, channelAccountId: string, q: { monthlyLimit: number; perFollowerDaily?: number }): Promise<void> {
  if (!Number.isInteger(q.monthlyLimit) || q.monthlyLimit < 0) throw new RangeError('hạn mức tháng phải là số nguyên không âm');
  const perFollowerDaily = q.perFollowerDaily ?? 1;
  if (!Number.isInteger(perFollowerDaily) || perFollowerDaily < 1) throw new RangeError('số tin mỗi ngày cho một người phải từ 1');
  await prisma.oaQuota.upsert({ where: { channelAccountId }, create: { channelAccountId, monthlyLimit: q.monthlyLimit, perFollowerDaily }, update: { monthlyLimit: q.monthlyLimit, perFollowerDaily } });
}

export interface OaQuotaUsage {
  month: string;
  day: string;
  /** Undefined when no quota is set (nothing will be sent). */
  monthlyLimit: number | undefined;
  perFollowerDaily: number;
  usedThisMonth: number;
  remainingThisMonth: number;
  sentToday: number;
}

/** What the web admin shows: the month's quota, used and left, and the messages of today. */
export async function oaQuotaUsage(prisma: PrismaClient, channelAccountId: string, now: Date): Promise<OaQuotaUsage> {
  const month = oaMonth(now);
  const day = oaDay(now);
  const [quota, used, sentToday] = await Promise.all([
    prisma.oaQuota.findUnique({ where: { channelAccountId } }),
    prisma.oaQuotaMonth.findUnique({ where: { channelAccountId_month: { channelAccountId, month } } }),
    prisma.oaBroadcastReceipt.count({ where: { channelAccountId, day } }),
  ]);
  const usedThisMonth = used?.used ?? 0;
  return {
    month,
    day,
    monthlyLimit: quota?.monthlyLimit,
    perFollowerDaily: quota?.perFollowerDaily ?? 1,
    usedThisMonth,
    remainingThisMonth: quota ? Math.max(0, quota.monthlyLimit - usedThisMonth) : 0,
    sentToday,
  };
}

export type OaReservation =
  | { ok: true; receiptId: string; messageId: string | null }
  | { ok: false; reason: string; stop: 'monthly' | 'daily' | 'none' };

class MonthSpent extends Error {}

/**
 * Reserves one broadcast message to `userId` for `deliveryId`. The same delivery asking again for
 * the same follower (a retried job) gets its existing receipt back, never a second unit.
 */
export async function reserveOaBroadcast(prisma: PrismaClient, o: { channelAccountId: string; userId: string; deliveryId: string; now: Date }): Promise<OaReservation> {
  const mine = await prisma.oaBroadcastReceipt.findFirst({ where: { channelAccountId: o.channelAccountId, userId: o.userId, deliveryId: o.deliveryId } });
  if (mine) return { ok: true, receiptId: mine.id, messageId: mine.messageId };
  const quota = await prisma.oaQuota.findUnique({ where: { channelAccountId: o.channelAccountId } });
  if (!quota) return { ok: false, reason: OA_NO_QUOTA, stop: 'none' };
  const day = oaDay(o.now);
  const month = oaMonth(o.now);
  try {
    return await prisma.$transaction(async (tx) => {
      let receiptId: string | undefined;
      for (let seq = 1; seq <= quota.perFollowerDaily && !receiptId; seq++) {
        const rows = await tx.$queryRaw<Array<{ id: string }>>`
          INSERT INTO "OaBroadcastReceipt" ("channelAccountId", "userId", "day", "seq", "deliveryId")
          VALUES (${o.channelAccountId}::uuid, ${o.userId}, ${day}, ${seq}, ${o.deliveryId}::uuid)
          ON CONFLICT DO NOTHING RETURNING id`;
        receiptId = rows[0]?.id;
      }
      if (!receiptId) return { ok: false as const, reason: OA_DAILY_CAP, stop: 'daily' as const };
      await tx.$executeRaw`INSERT INTO "OaQuotaMonth" ("channelAccountId", "month", "used") VALUES (${o.channelAccountId}::uuid, ${month}, 0) ON CONFLICT DO NOTHING`;
      const raised = await tx.$queryRaw<Array<{ used: number }>>`
        UPDATE "OaQuotaMonth" SET "used" = "used" + 1
         WHERE "channelAccountId" = ${o.channelAccountId}::uuid AND "month" = ${month} AND "used" < ${quota.monthlyLimit}
        RETURNING "used"`;
      // Throwing rolls the follower's receipt back with it.
      if (raised.length === 0) throw new MonthSpent();
      return { ok: true as const, receiptId, messageId: null };
    });
  } catch (e) {
    if (e instanceof MonthSpent) return { ok: false, reason: OA_MONTHLY_EXHAUSTED, stop: 'monthly' };
    throw e;
  }
}

/** The message went out: kept on the receipt (a retry of the delivery sees it was sent). */
export async function confirmOaBroadcast(prisma: PrismaClient, receiptId: string, messageId: string): Promise<void> {
  await prisma.oaBroadcastReceipt.update({ where: { id: receiptId }, data: { messageId } });
}

/** The send did not happen (refused before Zalo took it): the follower's day and the month's unit come back. */
export async function releaseOaBroadcast(prisma: PrismaClient, receiptId: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const r = await tx.oaBroadcastReceipt.findUnique({ where: { id: receiptId } });
    if (!r || r.messageId !== null) return;
    await tx.oaBroadcastReceipt.delete({ where: { id: receiptId } });
    await tx.$executeRaw`UPDATE "OaQuotaMonth" SET "used" = GREATEST(0, "used" - 1) WHERE "channelAccountId" = ${r.channelAccountId}::uuid AND "month" = ${r.day.slice(0, 7)}`;
  });
}
