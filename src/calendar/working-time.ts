// Working time of a commune office: Monday–Friday 07:30–11:30 and 13:30–17:00 (7.5 hours),
// closed on public holidays and compensatory days. Deadlines count only working time: a message
// at night starts counting at the next working start. "N working days" is N × a working day of
// working time, so Monday 10:00 + 5 working days = next Monday 10:00.
import { DEFAULT_TIME_ZONE } from './time-zone.ts';
import { makeDayOffCheck, type CalendarOverrides, type HolidayRules } from './vn-holidays.ts';

export interface WorkingCalendarOptions {
  timezone?: string;
  /** Working intervals of a day, local "HH:mm". */
  intervals?: Array<[string, string]>;
  overrides?: CalendarOverrides;
  rules?: HolidayRules;
}

export interface WorkingCalendar {
  readonly hoursPerDay: number;
  addWorkingHours(from: Date, hours: number): Date;
  addWorkingDays(from: Date, days: number): Date;
  workingMillisBetween(a: Date, b: Date): number;
  isWorkingTime(d: Date): boolean;
  nextWorkingStart(d: Date): Date;
  /** "thứ Hai, 30/11/2026 17:00" in the commune's time zone. */
  formatLocal(d: Date): string;
}

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const WEEKDAYS = ['Chủ nhật', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy'];

const toMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

export function createWorkingCalendar(opts: WorkingCalendarOptions = {}): WorkingCalendar {
  const timezone = opts.timezone ?? DEFAULT_TIME_ZONE;
  const intervals = (opts.intervals ?? [['07:30', '11:30'], ['13:30', '17:00']]).map(([a, b]) => [toMinutes(a), toMinutes(b)] as const);
  const isDayOff = makeDayOffCheck(opts.overrides, opts.rules);
  const hoursPerDay = intervals.reduce((s, [a, b]) => s + (b - a), 0) / 60;
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

  /** UTC offset of the zone at an instant, in ms (+7 h in Vietnam). */
  function offsetAt(t: number): number {
    const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    return asUtc - Math.floor(t / 1000) * 1000;
  }
  /** Local midnight (as a UTC instant) of the day containing t, and that day's date string. */
  function localDay(t: number): { start: number; date: string } {
    const off = offsetAt(t);
    const localMidnight = Math.floor((t + off) / DAY) * DAY;
    const d = new Date(localMidnight);
    const date = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
    return { start: localMidnight - off, date };
  }
  /** The working intervals of the day containing t, as UTC instants (empty on a day off). */
  function dayIntervals(t: number): Array<[number, number]> {
    const { start, date } = localDay(t);
    if (isDayOff(date)) return [];
    return intervals.map(([a, b]) => [start + a * MIN, start + b * MIN]);
  }

  function nextWorkingStartMs(t: number): number {
    let day = t;
    for (let i = 0; i < 400; i++) {
      for (const [a, b] of dayIntervals(day)) {
        if (t < b) return Math.max(a, t);
      }
      day = localDay(day).start + DAY + 12 * 3600_000;
    }
    throw new Error('no working time within 400 days');
  }

  function addWorkingMs(from: number, ms: number): number {
    let t = nextWorkingStartMs(from);
    let left = ms;
    for (;;) {
      const [, end] = dayIntervals(t).find(([a, b]) => t >= a && t < b)!;
      if (t + left <= end) return t + left;
      left -= end - t;
      t = nextWorkingStartMs(end);
    }
  }

  function workingMsBetween(a: number, b: number): number {
    if (b <= a) return 0;
    let total = 0;
    let t = a;
    let day = a;
    while (localDay(day).start < b) {
      for (const [s, e] of dayIntervals(day)) {
        const lo = Math.max(s, t);
        const hi = Math.min(e, b);
        if (hi > lo) total += hi - lo;
      }
      day = localDay(day).start + DAY + 12 * 3600_000;
      t = Math.max(t, localDay(day).start);
    }
    return total;
  }

  return {
    hoursPerDay,
    addWorkingHours: (from, hours) => new Date(addWorkingMs(from.getTime(), Math.round(hours * 3600_000))),
    addWorkingDays: (from, days) => new Date(addWorkingMs(from.getTime(), Math.round(days * hoursPerDay * 3600_000))),
    workingMillisBetween: (a, b) => workingMsBetween(a.getTime(), b.getTime()),
    isWorkingTime: (d) => dayIntervals(d.getTime()).some(([a, b]) => d.getTime() >= a && d.getTime() < b),
    nextWorkingStart: (d) => new Date(nextWorkingStartMs(d.getTime())),
    formatLocal(d) {
      const off = offsetAt(d.getTime());
      const l = new Date(d.getTime() + off);
      const dd = String(l.getUTCDate()).padStart(2, '0');
      const mm = String(l.getUTCMonth() + 1).padStart(2, '0');
      const hh = String(l.getUTCHours()).padStart(2, '0');
      const mi = String(l.getUTCMinutes()).padStart(2, '0');
      return `${WEEKDAYS[l.getUTCDay()]}, ${dd}/${mm}/${l.getUTCFullYear()} ${hh}:${mi}`;
    },
  };
}
