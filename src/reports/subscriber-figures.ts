// Subscribers in the report: how many residents receive a village's bulletins privately, per
// village and channel (at the time the report is made: a subscription is a wish of now, not an
// event of the period), and how many private deliveries the period's runs made. Counts only.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import { SUBSCRIBER_PLATFORMS } from '../subscriptions/subscriber-platforms.ts';

export type SubscriberChannel = (typeof SUBSCRIBER_PLATFORMS)[number];

export interface SubscriberFigures {
  /** Residents subscribed to each village (a resident of two villages counts in both), by channel. */
  byVillage: Array<{ name: string; total: number; byChannel: Record<string, number> }>;
  /** Distinct residents with at least one subscription. */
  residents: number;
  /**
   * Deliveries to subscribers in the given runs, by outcome (cancelled: the resident stopped first;
   * skipped: the platform would not take it, e.g. a Zalo OA follower silent for over 7 days).
   */
  deliveries: { sent: number; failed: number; cancelled: number; skipped: number; pending: number };
}

export async function subscriberFigures(prisma: PrismaClient | Prisma.TransactionClient, communeId: string, runIds: string[]): Promise<SubscriberFigures> {
  const subs = await prisma.subscription.findMany({ where: { communeId }, select: { residentId: true, village: { select: { name: true, sortOrder: true } }, identity: { select: { platform: true } } } });
  const villages = new Map<string, { name: string; sortOrder: number; residents: Set<string>; byChannel: Record<string, Set<string>> }>();
  for (const s of subs) {
    const v = villages.get(s.village.name) ?? { name: s.village.name, sortOrder: s.village.sortOrder, residents: new Set(), byChannel: {} };
    v.residents.add(s.residentId);
    (v.byChannel[s.identity.platform] ??= new Set()).add(s.residentId);
    villages.set(s.village.name, v);
  }
  const byVillage = [...villages.values()]
    .sort((a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name, 'vi'))
    .map((v) => ({ name: v.name, total: v.residents.size, byChannel: Object.fromEntries(Object.entries(v.byChannel).map(([k, set]) => [k, set.size])) }));
  const grouped = runIds.length ? await prisma.delivery.groupBy({ by: ['status'], where: { runId: { in: runIds }, residentIdentityId: { not: null } }, _count: { _all: true } }) : [];
  const count = (st: string) => grouped.find((g) => g.status === st)?._count._all ?? 0;
  return {
    byVillage,
    residents: new Set(subs.map((s) => s.residentId)).size,
    deliveries: { sent: count('sent'), failed: count('failed'), cancelled: count('cancelled'), skipped: count('skipped'), pending: count('pending') + count('sending') },
  };
}
