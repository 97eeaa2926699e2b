// The province dashboard's ranking for a period: each commune's ticket figures (src/reports/
// commune-figures, the same as its own report), its loudspeakers online and its bulletins delivered,
// ranked. The caller passes the communes the viewer may see — the province's — so this never
// decides who sees what.
import type { PrismaClient } from '../db/generated/client.ts';
import { DEFAULT_TIME_ZONE } from '../calendar/time-zone.ts';
import { communesTotals, periodBounds, type Period } from '../reports/commune-figures.ts';
import { loudspeakersOnline } from './loudspeakers-online.ts';
import { bulletinsDelivered } from './bulletins-delivered.ts';
import { rankCommunes, type RankedCommune, type RankingRow } from './commune-ranking.ts';

export async function provinceRanking(prisma: PrismaClient, communes: ReadonlyArray<{ id: string; code: string; name: string; timezone: string }>, period: Period): Promise<RankedCommune[]> {
  const ids = communes.map((c) => c.id);
  // Communes of one province share its time zone; the first one's bounds are the period's.
  const bounds = periodBounds(period, communes[0]?.timezone ?? DEFAULT_TIME_ZONE);
  // One query for every commune's tickets (not a report per commune: 100 communes made the page take seconds).
  const [speakers, delivered, totals] = await Promise.all([loudspeakersOnline(prisma, ids), bulletinsDelivered(prisma, ids, bounds), communesTotals(prisma, communes, period)]);
  const rows: RankingRow[] = communes.map((c) => {
    const f = totals.get(c.id)!;
    const s = speakers.get(c.id)!;
    return {
      communeId: c.id, code: c.code, name: c.name, received: f.received, eligible: f.eligible, answered: f.answered, due: f.due, onTime: f.onTime, avgHoursToAnswer: f.avgHoursToAnswer,
      rated: f.rated, satisfied: f.satisfied, loudspeakersOnline: s.online, loudspeakers: s.total, bulletinsDelivered: delivered.get(c.id) ?? 0,
    };
  });
  return rankCommunes(rows);
}
