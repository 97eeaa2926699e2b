// The Vietnamese calendar the deadlines stand on: lunar dates computed for UTC+7, public holidays
// with compensatory days, and working time that skips nights, lunch, weekends and holidays.
import { describe, expect, it } from 'vitest';
import { lunarToSolar, solarToLunar } from '../../src/calendar/lunar.ts';
import { makeDayOffCheck, publicHolidays } from '../../src/calendar/vn-holidays.ts';
import { createWorkingCalendar } from '../../src/calendar/working-time.ts';
import { slaDeadlines } from '../../src/calendar/sla.ts';

const local = (s: string) => new Date(`${s}+07:00`);

describe('lunar calendar (UTC+7)', () => {
  it.each([
    [2024, '10/2/2024', '18/4/2024'],
    [2025, '29/1/2025', '7/4/2025'],
    [2026, '17/2/2026', '26/4/2026'],
    [2027, '6/2/2027', '16/4/2027'],
    [2028, '26/1/2028', '4/4/2028'],
    // Years where the Vietnamese calendar differs from the Chinese one (UTC+8).
    [1985, '21/1/1985', undefined],
    [2007, '17/2/2007', undefined],
  ])('Tết and Giỗ Tổ of %i', (year, tet, gioTo) => {
    expect(lunarToSolar(1, 1, year)!.join('/')).toBe(tet);
    if (gioTo) expect(lunarToSolar(10, 3, year)!.join('/')).toBe(gioTo);
  });

  it('round-trips every day of 2020–2030', () => {
    for (let t = Date.UTC(2020, 0, 1); t < Date.UTC(2031, 0, 1); t += 86_400_000) {
      const d = new Date(t);
      const l = solarToLunar(d.getUTCDate(), d.getUTCMonth() + 1, d.getUTCFullYear());
      expect(lunarToSolar(l.day, l.month, l.year, l.leap)).toEqual([d.getUTCDate(), d.getUTCMonth() + 1, d.getUTCFullYear()]);
    }
  });

  it('knows leap months (2023 had a leap 2nd month)', () => {
    expect(lunarToSolar(1, 2, 2023, true)!.join('/')).toBe('22/3/2023');
    expect(lunarToSolar(1, 5, 2023, true)).toBeUndefined();
  });
});

describe('public holidays', () => {
  it('lists 2026 in order, Tết and Giỗ Tổ computed', () => {
    const h = publicHolidays(2026);
    expect(h.map((x) => x.date)).toEqual([...h.map((x) => x.date)].sort());
    expect(h.filter((x) => x.name === 'Tết Nguyên đán').map((x) => x.date)).toEqual(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']);
    expect(h.find((x) => x.name === 'Giỗ Tổ Hùng Vương')?.date).toBe('2026-04-26');
    // Giỗ Tổ 2026 is a Sunday: Monday is given back.
    expect(h.find((x) => x.name === 'Nghỉ bù Giỗ Tổ Hùng Vương')?.date).toBe('2026-04-27');
  });

  it('gives compensatory days for holidays on weekends', () => {
    const dates = (y: number) => publicHolidays(y).map((x) => x.date);
    expect(dates(2022)).toContain('2022-01-03'); // 1/1/2022 was a Saturday
    expect(dates(2022)).toEqual(expect.arrayContaining(['2022-05-02', '2022-05-03'])); // 30/4 Sat, 1/5 Sun
    expect(dates(2023)).toEqual(expect.arrayContaining(['2023-05-02', '2023-05-03'])); // Giỗ Tổ Sat, 30/4 Sun
  });

  it('takes the government\u2019s yearly swaps as overrides', () => {
    const off = makeDayOffCheck({ extraDaysOff: ['2026-02-13'], extraWorkingDays: ['2026-02-20'] });
    expect(off('2026-02-13')).toBe(true);
    expect(off('2026-02-20')).toBe(false);
    expect(off('2026-02-17')).toBe(true);
    expect(off('2026-11-24')).toBe(false);
    expect(off('2026-11-28')).toBe(true); // Saturday
  });
});

describe('working time', () => {
  const cal = createWorkingCalendar();

  it('counts 5 working days from Monday 10:00 to the next Monday 10:00', () => {
    expect(cal.addWorkingDays(local('2026-11-23T10:00:00'), 5).toISOString()).toBe(local('2026-11-30T10:00:00').toISOString());
  });

  it('starts counting at the next working start when a message comes at night or on a holiday', () => {
    expect(cal.addWorkingHours(local('2026-11-27T21:00:00'), 1).toISOString()).toBe(local('2026-11-30T08:30:00').toISOString());
    expect(cal.nextWorkingStart(local('2026-02-16T09:00:00')).toISOString()).toBe(local('2026-02-23T07:30:00').toISOString());
  });

  it('skips the lunch break and weekends', () => {
    expect(cal.addWorkingHours(local('2026-11-24T11:00:00'), 1).toISOString()).toBe(local('2026-11-24T14:00:00').toISOString());
    expect(cal.addWorkingHours(local('2026-11-27T16:00:00'), 8).toISOString()).toBe(local('2026-11-30T16:30:00').toISOString());
  });

  it('agrees with itself: working time between a moment and that moment plus h hours is h', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i++) {
      const from = new Date(Date.UTC(2024, 0, 1) + rnd() * 7 * 365 * 86_400_000);
      const hours = Math.round(rnd() * 80 * 4) / 4;
      const to = cal.addWorkingHours(from, hours);
      expect(cal.workingMillisBetween(from, to)).toBe(hours * 3_600_000);
    }
  });

  it('writes dates the Vietnamese way', () => {
    expect(cal.formatLocal(local('2026-11-30T17:00:00'))).toBe('thứ Hai, 30/11/2026 17:00');
  });
});

describe('ticket deadlines', () => {
  const cal = createWorkingCalendar();
  it('plans receive, answer, reminders and escalation', () => {
    const d = slaDeadlines({ receivedAt: local('2026-11-23T10:00:00'), priority: 'normal', receiveWorkingHours: 8, answerWorkingDays: 5, urgentWorkingHours: 4 }, cal);
    expect(d.receiveDueAt.toISOString()).toBe(local('2026-11-24T10:30:00').toISOString());
    expect(d.dueAt.toISOString()).toBe(local('2026-11-30T10:00:00').toISOString());
    expect(d.escalateAt).toEqual(d.dueAt);
    expect(d.remindAt.map((x) => cal.formatLocal(x))).toEqual(['thứ Tư, 25/11/2026 15:45', 'thứ Sáu, 27/11/2026 10:00']);
  });

  it('gives urgent reports hours, not days', () => {
    const d = slaDeadlines({ receivedAt: local('2026-11-24T15:00:00'), priority: 'urgent', receiveWorkingHours: 8, answerWorkingDays: 5, urgentWorkingHours: 4 }, cal);
    expect(d.dueAt.toISOString()).toBe(local('2026-11-25T09:30:00').toISOString());
    expect(d.receiveDueAt.getTime()).toBeLessThanOrEqual(d.dueAt.getTime());
  });
});
