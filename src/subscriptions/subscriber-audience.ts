// Who "subscribers of villages X, Y / topic Z" are when a run starts: every subscription of the
// commune matching one audience row (its village, or any; its topic, or any, and a subscription to
// every topic matches any topic), on a chat that can receive bulletins one by one, of a resident
// who still consents, is not blocked and is reachable. One recipient per resident: the one
// delivery row per resident and run (Delivery's unique key) goes to the oldest such subscription.
import type { Prisma } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { SUBSCRIBER_PLATFORMS } from './subscriber-platforms.ts';
import { isTopicCode, SUBSCRIPTION_TOPICS, topicNames } from './subscription-topics.ts';
import { channelName } from '../channels/platform-names.ts';

export interface SubscriberAudienceRow {
  villageId: string | null;
  topicCode: string | null;
}

export interface SubscriberRecipient {
  subscriptionId: string;
  residentId: string;
  residentIdentityId: string;
}

export async function subscribersOf(tx: Prisma.TransactionClient, communeId: string, rows: SubscriberAudienceRow[]): Promise<SubscriberRecipient[]> {
  if (rows.length === 0) return [];
  const found = await tx.subscription.findMany({
    where: {
      communeId,
      OR: rows.map((r) => ({
        ...(r.villageId ? { villageId: r.villageId } : {}),
        ...(r.topicCode ? { OR: [{ topics: { isEmpty: true } }, { topics: { has: r.topicCode } }] } : {}),
      })),
      resident: { consentGivenAt: { not: null }, blocked: false },
      identity: { platform: { in: [...SUBSCRIBER_PLATFORMS] }, unreachableAt: null, platformChatId: { not: null } },
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, residentId: true, residentIdentityId: true },
  });
  const byResident = new Map<string, SubscriberRecipient>();
  for (const s of found) if (!byResident.has(s.residentId)) byResident.set(s.residentId, { subscriptionId: s.id, residentId: s.residentId, residentIdentityId: s.residentIdentityId });
  return [...byResident.values()];
}

/** "Subscribers of villages X, Y / topic Z" as staff pick it: no village is every village, no topic every topic. */
export interface SubscriberAudienceInput {
  villageIds?: string[];
  topics?: string[];
}

/** The audience rows for it, after checking every village is the commune's and every topic exists. */
export async function subscriberAudienceRows(tx: Prisma.TransactionClient, communeId: string, input: SubscriberAudienceInput): Promise<SubscriberAudienceRow[]> {
  const villageIds = [...new Set(input.villageIds ?? [])];
  const topics = [...new Set(input.topics ?? [])];
  const unknown = topics.find((t) => !isTopicCode(t));
  if (unknown !== undefined) throw new AppError('VALIDATION', `Chủ đề "${unknown.slice(0, 40)}" không có (các chủ đề: ${SUBSCRIPTION_TOPICS.map((t) => t.code).join(', ')}).`, { field: 'subscribers.topics' });
  if ((await tx.village.count({ where: { id: { in: villageIds }, communeId } })) !== villageIds.length) {
    throw new AppError('VALIDATION', 'Có thôn không thuộc xã của bản tin.', { field: 'subscribers.villageIds' });
  }
  const vs: Array<string | null> = villageIds.length ? villageIds : [null];
  const ts: Array<string | null> = topics.length ? topics : [null];
  return vs.flatMap((villageId) => ts.map((topicCode) => ({ villageId, topicCode })));
}

/** How staff read one such row: "Người đăng ký — Thôn 3 — Y tế, bảo hiểm y tế". */
export function subscriberAudienceName(villageName: string | null, topicCode: string | null): string {
  return ['Người đăng ký', villageName ?? 'mọi thôn', topicCode ? topicNames([topicCode], '') || topicCode : 'mọi chủ đề'].join(' — ');
}

/** A run's deliveries to subscribers, by outcome and by channel. */
export function subscriberDeliveryCounts(deliveries: Array<{ status: string; residentIdentity: { platform: string } | null }>) {
  const byStatus: Record<string, number> = {};
  const byChannel: Record<string, number> = {};
  let total = 0;
  for (const d of deliveries) {
    if (!d.residentIdentity) continue;
    total++;
    byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
    byChannel[d.residentIdentity.platform] = (byChannel[d.residentIdentity.platform] ?? 0) + 1;
  }
  return { total, byStatus, byChannel };
}

/**
 * A run's deliveries to subscribers as the bulletin page lists them: one line per channel, outcome
 * and reason with how many residents (never who), so thousands of private chats read in a few lines.
 */
export function subscriberDeliveryLines(deliveries: Array<{ status: string; error: string | null; sentAt: Date | null; residentIdentity: { platform: string } | null }>) {
  const lines = new Map<string, { to: string; status: string; error: string | null; count: number; sentAt: Date | null }>();
  for (const d of deliveries) {
    if (!d.residentIdentity) continue;
    const key = JSON.stringify([d.residentIdentity.platform, d.status, d.error]);
    const line = lines.get(key) ?? { to: channelName(d.residentIdentity.platform), status: d.status, error: d.error, count: 0, sentAt: null };
    line.count++;
    if (d.sentAt && (!line.sentAt || d.sentAt > line.sentAt)) line.sentAt = d.sentAt;
    lines.set(key, line);
  }
  return [...lines.values()].map((l) => ({ to: `Người đăng ký qua ${l.to}: ${l.count} người`, status: l.status, error: l.error, sentAt: l.sentAt, attempts: '', playedAt: null, possibleDuplicate: false }));
}
