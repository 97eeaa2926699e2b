// Lịch phát sóng: a week of the commune's broadcasts as staff plan them — the commune's regular
// slots, each bulletin's one-off and recurring firings, what actually went out (runs, including
// emergencies sent at once), and normal province bulletins still inside the commune's decline
// window (at the window's end, when they take the next free slot) — and moving a normal one-off
// bulletin to another time.
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import type { Actor } from './bulletin-workflow.ts';
import { localDate, localInstant } from '../calendar/local-time.ts';
import { requireOwnCommune } from '../auth/commune-scope.ts';
import { markQaRetell } from './qa-retell.ts';

const LIVE = ['approved', 'scheduled', 'sending', 'done', 'partly_failed'] as const;

export interface CalendarItem {
  at: Date;
  time: string;
  bulletinId: string;
  title: string;
  class: string;
  scheduleId: string | null;
  /** 'waiting': a province bulletin the commune may still decline, shown at the window's end. */
  kind: 'once' | 'recurring' | 'now' | 'waiting';
  runStatus: string | null;
  /** A normal one-off not yet started: it may be moved. */
  movable: boolean;
  /** The province wrote it (the commune's copy of a province bulletin). */
  fromProvince: boolean;
  /** Waiting ones: the province bulletin to decline. */
  provinceBulletinId?: string;
}

export interface CalendarDay {
  date: string;
  isoWeekday: number;
  slots: Array<{ name: string; time: string }>;
  items: CalendarItem[];
}

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The Monday (local) of the week holding `date` (YYYY-MM-DD). */
export function weekStart(date: string): string {
  const wd = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(date, -wd);
}

export async function weekCalendar(prisma: PrismaClient, communeId: string, monday: string, now = new Date()): Promise<CalendarDay[]> {
  const commune = await prisma.commune.findUniqueOrThrow({ where: { id: communeId } });
  const tz = commune.timezone;
  const dates = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  const from = localInstant(dates[0]!, '00:00', tz);
  const to = localInstant(addDays(monday, 7), '00:00', tz);
  const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

  const [slots, schedules, runs, waiting] = await Promise.all([
    prisma.broadcastSlot.findMany({ where: { communeId, active: true }, orderBy: { timeOfDay: 'asc' } }),
    prisma.schedule.findMany({ where: { active: true, bulletin: { communeId, status: { in: [...LIVE] } } }, include: { slot: true, bulletin: true } }),
    prisma.broadcastRun.findMany({ where: { bulletin: { communeId }, scheduledFor: { gte: from, lt: to } }, include: { bulletin: true } }),
    prisma.provinceBulletinCommune.findMany({
      where: { communeId, status: 'waiting', bulletinId: { not: null }, provinceBulletin: { status: 'approved', class: 'normal', declineDeadline: { gte: from, lt: to } } },
      include: { provinceBulletin: true, bulletin: true },
    }),
  ]);
  const runAt = new Map(runs.map((r) => [`${r.bulletinId}@${r.scheduledFor.getTime()}`, r]));
  const items: CalendarItem[] = [];
  const seen = new Set<string>();
  const push = (at: Date, b: { id: string; title: string; class: string; provinceBulletinId: string | null }, scheduleId: string | null, kind: CalendarItem['kind']) => {
    const key = `${b.id}@${at.getTime()}`;
    if (seen.has(key)) return;
    seen.add(key);
    const run = runAt.get(key);
    items.push({ at, time: hhmm.format(at), bulletinId: b.id, title: b.title, class: b.class, scheduleId, kind, runStatus: run?.status ?? null, movable: kind === 'once' && b.class === 'normal' && !run && at > now, fromProvince: b.provinceBulletinId !== null });
  };

  for (const s of schedules) {
    if (s.kind === 'once' && s.runAt && s.runAt >= from && s.runAt < to) push(s.runAt, s.bulletin, s.id, 'once');
    if (s.kind !== 'recurring') continue;
    const time = s.timeOfDay ?? s.slot?.timeOfDay;
    const days = s.daysOfWeek.length ? s.daysOfWeek : (s.slot?.daysOfWeek ?? []);
    if (!time) continue;
    for (const date of dates) {
      const { isoWeekday } = localDate(localInstant(date, '12:00', tz), tz);
      const starts = s.startsOn?.toISOString().slice(0, 10);
      const ends = s.endsOn?.toISOString().slice(0, 10);
      if (!days.includes(isoWeekday) || (starts && date < starts) || (ends && date > ends)) continue;
      const at = localInstant(date, time, tz);
      if (s.bulletin.expiresAt && at > s.bulletin.expiresAt) continue;
      push(at, s.bulletin, s.id, 'recurring');
    }
  }
  // What went out without a schedule (sent at once, emergencies) or from a schedule since ended.
  for (const r of runs) push(r.scheduledFor, r.bulletin, r.scheduleId, r.scheduleId ? 'once' : 'now');
  // Not in a slot yet: the commune may decline until the deadline, then it takes the next free one.
  for (const w of waiting) {
    const at = w.provinceBulletin.declineDeadline!;
    if (!w.bulletin || w.bulletin.status !== 'approved') continue;
    items.push({ at, time: hhmm.format(at), bulletinId: w.bulletin.id, title: w.bulletin.title, class: w.bulletin.class, scheduleId: null, kind: 'waiting', runStatus: null, movable: false, fromProvince: true, provinceBulletinId: w.provinceBulletinId });
  }

  return dates.map((date) => {
    const isoWeekday = localDate(localInstant(date, '12:00', tz), tz).isoWeekday;
    return {
      date,
      isoWeekday,
      slots: slots.filter((sl) => sl.daysOfWeek.includes(isoWeekday)).map((sl) => ({ name: sl.name, time: sl.timeOfDay })),
      items: items.filter((i) => localDate(i.at, tz).date === date).sort((a, b) => a.at.getTime() - b.at.getTime()),
    };
  });
}

/**
 * Moves a normal bulletin's one-off firing to another time. Priority and emergency bulletins keep
 * the time their class gives them; a firing that has started stays where it is. Returns the old
 * time so the caller can drop its queued job.
 */
export async function moveOneOff(prisma: PrismaClient, actor: Actor, scheduleId: string, to: Date, now = new Date()) {
  return prisma.$transaction(async (tx) => {
    const s = await tx.schedule.findUnique({ where: { id: scheduleId }, include: { bulletin: true } });
    if (!s) throw new AppError('NOT_FOUND', 'Không tìm thấy lịch phát.');
    await tx.$queryRaw`SELECT id FROM "Bulletin" WHERE id = ${s.bulletinId}::uuid FOR UPDATE`;
    const staff = await tx.staff.findUnique({ where: { id: actor.staffId } });
    if (!staff || !staff.active) throw new AppError('NOT_FOUND', 'Không tìm thấy lịch phát.');
    await requireOwnCommune(tx, staff, s.bulletin.communeId, 'Không tìm thấy lịch phát.');
    if (!staff.roles.some((r) => r === 'admin' || r === 'editor' || r === 'approver')) throw new AppError('FORBIDDEN', 'Bạn không có quyền dời lịch phát.');
    if (s.bulletin.class !== 'normal') throw new AppError('CONFLICT', 'Bản tin ưu tiên hoặc khẩn cấp không dời lịch được.');
    if (s.kind !== 'once' || !s.active || !s.runAt) throw new AppError('CONFLICT', 'Chỉ dời được lượt phát một lần; lịch lặp lại thì sửa giờ trong bản tin.');
    const old = s.runAt;
    if (old <= now || (await tx.broadcastRun.count({ where: { bulletinId: s.bulletinId, scheduledFor: old } }))) throw new AppError('CONFLICT', 'Lượt phát này đã bắt đầu, không dời được.');
    if (Number.isNaN(to.getTime())) throw new AppError('VALIDATION', 'Thời điểm phát không hợp lệ.', { field: 'runAt' });
    if (to.getTime() < now.getTime() - 60_000) throw new AppError('VALIDATION', 'Thời điểm phát mới đã qua.', { field: 'runAt' });
    if (s.bulletin.expiresAt && to > s.bulletin.expiresAt) throw new AppError('VALIDATION', 'Thời điểm phát mới sau ngày hết hạn của bản tin.', { field: 'runAt' });
    if (to.getTime() === old.getTime()) return { schedule: s, old };
    const schedule = await tx.schedule.update({ where: { id: s.id }, data: { runAt: to } });
    await markQaRetell(tx, s.bulletinId, now);
    await tx.auditLog.create({
      data: { communeId: s.bulletin.communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'bulletin.reschedule', entityType: 'Bulletin', entityId: s.bulletinId, data: { scheduleId: s.id, from: old.toISOString(), to: to.toISOString() }, ...(actor.ip ? { ip: actor.ip } : {}) },
    });
    return { schedule, old };
  });
}
