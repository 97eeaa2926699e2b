// Loudspeakers online per commune, right now, for the province dashboard: one grouped query for all
// the province's communes (a hundred communes must not mean a hundred round trips).
import type { PrismaClient } from '../db/generated/client.ts';

export async function loudspeakersOnline(prisma: PrismaClient, communeIds: readonly string[]): Promise<Map<string, { online: number; total: number }>> {
  const out = new Map<string, { online: number; total: number }>(communeIds.map((id) => [id, { online: 0, total: 0 }]));
  if (!communeIds.length) return out;
  const groups = await prisma.endpoint.groupBy({ by: ['communeId', 'status'], where: { communeId: { in: [...communeIds] } }, _count: { _all: true } });
  for (const g of groups) {
    const c = out.get(g.communeId)!;
    c.total += g._count._all;
    if (g.status === 'online') c.online += g._count._all;
  }
  return out;
}
