// The periods the province dashboard offers: this or last quarter, this or last month, by the
// province's local date. Quarters are the commune report's own (quarterPeriod).
import { localDate } from '../calendar/local-time.ts';
import type { Period } from '../reports/commune-figures.ts';
import { quarterPeriod } from '../reports/ticket-report.ts';

export const PERIOD_CHOICES = { 'quy-nay': 'Quý này', 'quy-truoc': 'Quý trước', 'thang-nay': 'Tháng này', 'thang-truoc': 'Tháng trước' } as const;
export type PeriodChoice = keyof typeof PERIOD_CHOICES;

export const isPeriodChoice = (v: unknown): v is PeriodChoice => typeof v === 'string' && Object.hasOwn(PERIOD_CHOICES, v);

export function monthPeriod(year: number, month: number): Period {
  const pad = (n: number) => String(n).padStart(2, '0');
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { from: `${year}-${pad(month)}-01`, to: `${year}-${pad(month)}-${pad(lastDay)}`, label: `Tháng ${pad(month)}/${year}` };
}

export function rankingPeriod(choice: PeriodChoice, now: Date, timezone: string): Period {
  const today = localDate(now, timezone).date;
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const quarter = Math.ceil(month / 3);
  switch (choice) {
    case 'quy-nay':
      return quarterPeriod(year, quarter as 1 | 2 | 3 | 4);
    case 'quy-truoc':
      return quarter === 1 ? quarterPeriod(year - 1, 4) : quarterPeriod(year, (quarter - 1) as 1 | 2 | 3);
    case 'thang-nay':
      return monthPeriod(year, month);
    case 'thang-truoc':
      return month === 1 ? monthPeriod(year - 1, 12) : monthPeriod(year, month - 1);
  }
}
