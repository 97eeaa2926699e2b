// The province's ranking of its communes, the way the city hotlines rank their units: first by the
// share of tickets answered on time (onTimeShare in src/reports/commune-figures: on time ÷ due, the
// commune report's own rule), then satisfaction, then the average time to answer. A commune with
// nothing due in the period is listed last, unranked — 0 of 0 is not "on time".
// Figures come in already computed per commune (ticket figures from src/reports); this only orders,
// rates and charts them, so the page, the chart and the spreadsheet never disagree.
import type { ChartSpec } from '../reports/report-charts.ts';
import { onTimeShare } from '../reports/commune-figures.ts';

export interface RankingRow {
  communeId: string;
  code: string;
  name: string;
  received: number;
  /** Received less refused and duplicates: what the commune had to answer. */
  eligible: number;
  answered: number;
  /** Answered, or overdue unanswered: what the on-time share divides by. */
  due: number;
  onTime: number;
  avgHoursToAnswer: number | null;
  rated: number;
  satisfied: number;
  loudspeakersOnline: number;
  loudspeakers: number;
  bulletinsDelivered: number;
}

export interface RankedCommune extends RankingRow {
  /** 1-based; equal figures share a rank; null when nothing was due in the commune. */
  rank: number | null;
  onTimeRate: number | null;
  satisfactionRate: number | null;
}

const rate = (num: number, den: number) => (den > 0 ? num / den : null);

/** Higher is better for both rates; a missing satisfaction (nobody rated) counts below any rating. */
function compare(a: RankedCommune, b: RankedCommune): number {
  return (b.onTimeRate ?? -1) - (a.onTimeRate ?? -1)
    || (b.satisfactionRate ?? -1) - (a.satisfactionRate ?? -1)
    || (a.avgHoursToAnswer ?? Infinity) - (b.avgHoursToAnswer ?? Infinity);
}

export function rankCommunes(rows: readonly RankingRow[]): RankedCommune[] {
  const rated: RankedCommune[] = rows.map((r) => ({ ...r, rank: null, onTimeRate: onTimeShare(r.onTime, r.due), satisfactionRate: rate(r.satisfied, r.rated) }));
  const ranked = rated.filter((r) => r.onTimeRate !== null).sort((a, b) => compare(a, b) || a.name.localeCompare(b.name, 'vi'));
  ranked.forEach((r, i) => {
    const prev = ranked[i - 1];
    r.rank = prev && compare(prev, r) === 0 ? prev.rank : i + 1;
  });
  const unranked = rated.filter((r) => r.onTimeRate === null).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  return [...ranked, ...unranked];
}

/** The map-free chart: on-time and satisfaction rates per commune, in ranking order. */
export function rankingChart(rows: readonly RankedCommune[]): ChartSpec {
  const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
  return {
    id: 'xep-hang-xa',
    title: 'Tỉ lệ trả lời đúng hạn và hài lòng, theo xã',
    kind: 'bar',
    unit: 'percent',
    labels: rows.map((r) => r.name),
    series: [
      { name: 'Trả lời đúng hạn', values: rows.map((r) => pct(r.onTimeRate)) },
      { name: 'Hài lòng', values: rows.map((r) => pct(r.satisfactionRate)) },
    ],
  };
}
