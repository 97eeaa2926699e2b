// Local dates and times in a named zone (the commune's, see time-zone.ts), for
// schedules written as "06:00 on weekdays".

/** The UTC instant of a local "YYYY-MM-DD" + "HH:mm" in the zone. */
export function localInstant(date: string, time: string, tz: string): Date {
  const guess = new Date(`${date}T${time}:00Z`);
  const local = new Date(guess.toLocaleString('en-US', { timeZone: tz }));
  const utc = new Date(guess.toLocaleString('en-US', { timeZone: 'UTC' }));
  return new Date(guess.getTime() - (local.getTime() - utc.getTime()));
}

/** The local calendar date of an instant, and its ISO weekday (1 Monday … 7 Sunday). */
export function localDate(d: Date, tz: string): { date: string; isoWeekday: number } {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' }).formatToParts(d).map((p) => [p.type, p.value]));
  const wd = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday!) + 1;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, isoWeekday: wd };
}

/** Every occurrence of the slots after `now` within `days` days, earliest first. */
export function upcomingSlotTimes(slots: Array<{ timeOfDay: string; daysOfWeek: number[] }>, now: Date, tz: string, days = 14): Date[] {
  const out = new Map<number, Date>();
  for (let ahead = 0; ahead <= days; ahead++) {
    const day = localDate(new Date(now.getTime() + ahead * 86_400_000), tz);
    for (const s of slots) {
      if (!s.daysOfWeek.includes(day.isoWeekday)) continue;
      const at = localInstant(day.date, s.timeOfDay, tz);
      if (at > now) out.set(at.getTime(), at);
    }
  }
  return [...out.values()].sort((a, b) => a.getTime() - b.getTime());
}
