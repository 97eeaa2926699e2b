// The province dashboard's ranking for a period: each commune's ticket figures (src/reports/
// commune-figures, the same as its own report), its loudspeakers online and its bulletins delivered,
// ranked. The caller passes the communes the viewer may see — the province's — so this never
// decides who sees what.
import type { PrismaClient } from '../db/generated/client.ts';
import { DEFAULT_TIME_ZONE } from '../calendar/time-zone.ts';
import { communeFigures, periodBounds, type Period } from '../reports/commune-figures.ts';
import { loudspeakersOnline } from './loudspeakers-online.ts';
import { bulletinsDelivered } from './bulletins-delivered.ts';
import { rankCommunes, type RankedCommune, type RankingRow } from './commune-ranking.ts';

/** Communes figured at once: enough to overlap round trips, few enough to leave the pool to others. */
const AT_ONCE = 4;

export async function provinceRanking(prisma: PrismaClient, communes: ReadonlyArray<{ id: string; code: string; name: string; timezone: string }>, period: Period): Promise<RankedCommune[]> {
  const ids = communes.map((c) => c.id);
  // Communes of one province share its time zone; the first one's bounds are the period's.
  const bounds = periodBounds(period, communes[0]?.timezone ?? DEFAULT_TIME_ZONE);
  const [speakers, delivered] = await Promise.all([loudspeakersOnline(prisma, ids), bulletinsDelivered(prisma, ids, bounds)]);
  const rows: RankingRow[] = [];
  for (let i = 0; i < communes.length; i += AT_ONCE) {
    const chunk = communes.slice(i, i + AT_ONCE);
    const figures = await Promise.all(chunk.map((c) => communeFigures(prisma, c.id, period, 'staff')));
    chunk.forEach((c, j) => {
      const f = figures[j]!.totals;
      const s = speakers.get(c.id)!;
      rows.push({
        communeId: c.id, code: c.code, name: c.name, received: f.received, eligible: f.eligible, answered: f.answered, due: f.due, onTime: f.onTime, avgHoursToAnswer: f.avgHoursToAnswer,
        rated: f.rated, satisfied: f.satisfied, loudspeakersOnline: s.online, loudspeakers: s.total, bulletinsDelivered: delivered.get(c.id) ?? 0,
      });
    });
  }
  return rankCommunes(rows);
}
