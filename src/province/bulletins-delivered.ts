// Bulletin deliveries that reached a group or a loudspeaker per commune, for runs scheduled in the
// period — the count the commune report sums by channel — in one grouped query for the province.
import type { PrismaClient } from '../db/generated/client.ts';

export async function bulletinsDelivered(prisma: PrismaClient, communeIds: readonly string[], bounds: { start: Date; end: Date }): Promise<Map<string, number>> {
  const out = new Map<string, number>(communeIds.map((id) => [id, 0]));
  if (!communeIds.length) return out;
  const rows = await prisma.$queryRaw<Array<{ communeId: string; n: bigint }>>`
    SELECT b."communeId"::text AS "communeId", count(*) AS n
    FROM "Delivery" d JOIN "BroadcastRun" r ON r.id = d."runId" JOIN "Bulletin" b ON b.id = r."bulletinId"
    WHERE d.status = 'sent' AND b."communeId" = ANY(${[...communeIds]}::uuid[])
      AND r."scheduledFor" >= ${bounds.start} AND r."scheduledFor" < ${bounds.end}
    GROUP BY b."communeId"`;
  for (const r of rows) out.set(r.communeId, Number(r.n));
  return out;
}
