// How a bulletin is delivered on Zalo OA. To followers ("zalo-oa-followers"): one broadcast to
// each follower the target reaches (its village's tags), each reserved against the OA's quota in
// PostgreSQL first: a send the quota would not allow is not attempted, and the report says which
// quota stopped how many. To a GMF group ("zalo-oa-group"): messages to the group.
// A retried delivery skips followers it already reached (their receipts carry the message id).
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { OA_MONTHLY_EXHAUSTED, confirmOaBroadcast, releaseOaBroadcast, reserveOaBroadcast } from '../../src/channels/oa-quota.ts';
import { oaFollowersFor } from '../../src/channels/oa-followers.ts';
import { ChannelError } from '../channel.ts';
import type { BulletinOutcome } from '../bulletin-delivery.ts';
import type { ZaloOaClient } from './zalo-oa-client.ts';
import { sendOaGroupBulletin, sendOaPromotion, type OaBulletinContent } from './zalo-oa-bulletin-api.ts';

export interface OaBulletinTarget {
  kind: 'zalo_oa_followers' | 'zalo_oa_group';
  channelAccountId: string;
  villageId: string | null;
  /** The GMF group id for a group target. */
  platformChatId: string | null;
}

export interface OaBulletinResult {
  /** Followers (or group messages) reached, this attempt and earlier ones. */
  sent: number;
  audience: number;
  /** Vietnamese reason → how many followers it stopped. */
  stopped: Record<string, number>;
  /** Followers Zalo refused (blocked, unfollowed meanwhile): user id → reason. */
  refused: Record<string, string>;
  messageIds: string[];
}

/** The line the delivery report shows, e.g. "3/5 người theo dõi; 2 không gửi: hết hạn mức tin truyền thông tháng". */
export function oaBulletinNote(r: OaBulletinResult): string {
  const parts = [`${r.sent}/${r.audience} người theo dõi`];
  for (const [reason, n] of Object.entries(r.stopped)) parts.push(`${n} không gửi: ${reason}`);
  const refused = Object.keys(r.refused).length;
  if (refused > 0) parts.push(`${refused} bị Zalo từ chối`);
  return parts.join('; ');
}

/** beforeEach: called before each follower's turn; it throws to stop (the worker is shutting down). */
export async function deliverOaBulletin(deps: { prisma: PrismaClient; client: ZaloOaClient; now(): Date }, deliveryId: string, target: OaBulletinTarget, content: OaBulletinContent, beforeEach?: () => void): Promise<OaBulletinResult> {
  const result: OaBulletinResult = { sent: 0, audience: 0, stopped: {}, refused: {}, messageIds: [] };
  if (target.kind === 'zalo_oa_group') {
    if (!target.platformChatId) throw new ChannelError('bad_request', 'nhóm Zalo OA chưa có mã nhóm');
    result.messageIds = await sendOaGroupBulletin(deps.client, target.platformChatId, content);
    result.sent = 1;
    result.audience = 1;
    return result;
  }
  const followers = await oaFollowersFor(deps.prisma, target.channelAccountId, target.villageId);
  result.audience = followers.length;
  let monthSpent = false;
  for (const userId of followers) {
    // Before the reservation, so a stop leaves no unit held; the retry resumes at this follower.
    beforeEach?.();
    if (monthSpent) {
      result.stopped[OA_MONTHLY_EXHAUSTED] = (result.stopped[OA_MONTHLY_EXHAUSTED] ?? 0) + 1;
      continue;
    }
    const r = await reserveOaBroadcast(deps.prisma, { channelAccountId: target.channelAccountId, userId, deliveryId, now: deps.now() });
    if (!r.ok) {
      result.stopped[r.reason] = (result.stopped[r.reason] ?? 0) + 1;
      if (r.stop === 'monthly' || r.stop === 'none') monthSpent = true;
      continue;
    }
    if (r.messageId) {
      result.sent++;
      result.messageIds.push(r.messageId);
      continue;
    }
    try {
      const id = await sendOaPromotion(deps.client, userId, content);
      await confirmOaBroadcast(deps.prisma, r.receiptId, id);
      result.sent++;
      result.messageIds.push(id);
    } catch (e) {
      // Zalo did not take it: the unit and the follower's day come back.
      await releaseOaBroadcast(deps.prisma, r.receiptId);
      const err = e instanceof ChannelError ? e : undefined;
      if (err?.permanent) {
        result.refused[userId] = err.message;
        continue;
      }
      if (err?.opts.quota) {
        // Zalo's own count says the month is spent (another tool used the OA): stop here.
        result.stopped[OA_MONTHLY_EXHAUSTED] = (result.stopped[OA_MONTHLY_EXHAUSTED] ?? 0) + 1;
        monthSpent = true;
        continue;
      }
      // Network, rate limit: the job retries; followers already reached are kept.
      throw e;
    }
  }
  return result;
}

/**
 * The delivery's outcome as the fan-out records it: sent when anyone was reached (the note says
 * who was stopped or refused), failed with the reason when nobody could be (no follower carries
 * the village's tag, the month's quota is spent, everyone got a broadcast today).
 */
export function oaBulletinOutcome(r: OaBulletinResult): BulletinOutcome {
  if (r.audience === 0) return { status: 'failed', reason: 'không có người theo dõi Zalo OA nào mang nhãn của thôn này' };
  const note = r.sent === r.audience ? {} : { note: oaBulletinNote(r) };
  if (r.sent === 0) return { status: 'failed', reason: oaBulletinNote(r) };
  return { status: 'sent', ...note, platformMessageIds: r.messageIds };
}
