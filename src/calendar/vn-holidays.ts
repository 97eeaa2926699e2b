// Public holidays of Vietnam (Labour Code 2019, art. 112) for public servants, with the lunar ones
// computed and compensatory days (nghỉ bù) when a holiday falls on a weekend. Each year the
// government announces swaps; those come in as overrides (extra days off, make-up working days).
import { lunarToSolar, jdFromDate, jdToDate } from './lunar.ts';

export interface Holiday {
  /** YYYY-MM-DD, local date. */
  date: string;
  name: string;
}

export interface CalendarOverrides {
  extraDaysOff?: string[];
  extraWorkingDays?: string[];
}

export interface HolidayRules {
  /** Tết days counted from lunar 1 Giêng: the last day of the old year plus 1..4 Giêng by default. */
  tetDaysBefore?: number;
  tetDaysAfter?: number;
}

const iso = (d: number, m: number, y: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const jdOf = (s: string) => {
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  return jdFromDate(d, m, y);
};
const isoOfJd = (jd: number) => {
  const [d, m, y] = jdToDate(jd);
  return iso(d, m, y);
};
/** 0 = Monday … 6 = Sunday (Julian day 0 was a Monday). */
const weekday = (jd: number) => jd % 7;
export const isWeekendDate = (date: string) => weekday(jdOf(date)) >= 5;

export function publicHolidays(year: number, rules: HolidayRules = {}): Holiday[] {
  const out: Holiday[] = [{ date: iso(1, 1, year), name: 'Tết Dương lịch' }];
  const tet = lunarToSolar(1, 1, year)!;
  const tetJd = jdFromDate(...tet);
  const before = rules.tetDaysBefore ?? 1;
  const after = rules.tetDaysAfter ?? 3;
  for (let i = -before; i <= after; i++) out.push({ date: isoOfJd(tetJd + i), name: 'Tết Nguyên đán' });
  const gioTo = lunarToSolar(10, 3, year)!;
  out.push({ date: iso(...gioTo), name: 'Giỗ Tổ Hùng Vương' });
  out.push({ date: iso(30, 4, year), name: 'Ngày Giải phóng miền Nam, thống nhất đất nước' });
  out.push({ date: iso(1, 5, year), name: 'Ngày Quốc tế Lao động' });
  // National Day: 2/9 and one adjacent day chosen each year; by default the one that joins a
  // weekend when 2/9 is a Tuesday (1/9), otherwise the day after.
  const nd = jdFromDate(2, 9, year);
  out.push({ date: iso(2, 9, year), name: 'Quốc khánh' });
  out.push({ date: isoOfJd(weekday(nd) === 1 ? nd - 1 : nd + 1), name: 'Quốc khánh' });

  // Nghỉ bù: each holiday on a Saturday or Sunday gives the next working day after the run.
  const days = new Set(out.map((h) => h.date));
  const compensations: Holiday[] = [];
  for (const h of [...out].sort((a, b) => a.date.localeCompare(b.date))) {
    const jd = jdOf(h.date);
    if (weekday(jd) < 5) continue;
    let next = jd + 1;
    while (weekday(next) >= 5 || days.has(isoOfJd(next))) next += 1;
    const date = isoOfJd(next);
    days.add(date);
    compensations.push({ date, name: `Nghỉ bù ${h.name}` });
  }
  return [...out, ...compensations].sort((a, b) => a.date.localeCompare(b.date));
}

/** A local date (YYYY-MM-DD) on which public offices are closed. */
export function makeDayOffCheck(overrides: CalendarOverrides = {}, rules: HolidayRules = {}): (date: string) => boolean {
  const cache = new Map<number, Set<string>>();
  const extraOff = new Set(overrides.extraDaysOff ?? []);
  const extraOn = new Set(overrides.extraWorkingDays ?? []);
  return (date) => {
    if (extraOn.has(date)) return false;
    if (extraOff.has(date)) return true;
    if (isWeekendDate(date)) return true;
    const y = Number(date.slice(0, 4));
    let set = cache.get(y);
    if (!set) {
      // Tết always falls in January or February, so a Gregorian year holds its whole span.
      set = new Set(publicHolidays(y, rules).map((h) => h.date));
      cache.set(y, set);
    }
    return set.has(date);
  };
}
