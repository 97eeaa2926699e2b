// Numbers, percentages, dates and times the way Vietnamese readers write them (1.234,5;
// 01/12/2026 15:30), in the communes' time zone (src/calendar/time-zone.ts). Built once: lists and reports call them per row.
import { DEFAULT_TIME_ZONE as TZ } from '../calendar/time-zone.ts';

const numberFmt = new Intl.NumberFormat('vi-VN');
const pctFmt = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });
const timeFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dayFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

export const formatVi = {
  num: (n: number) => numberFmt.format(n),
  /** A ratio 0…1 as a percentage with at most one decimal. */
  pct: (x: number) => `${pctFmt.format(x * 100)}%`,
  time: (d: Date) => timeFmt.format(d),
  day: (d: Date) => dayFmt.format(d),
  /** `empty` stands for a missing date: a dash on pages, nothing in spreadsheet cells. */
  dateTime: (d: Date | null, empty = '—') => (d ? dateTimeFmt.format(d) : empty),
};
