// Putting an approved bulletin on the schedule: a one-off time, a commune slot, or its own time of
// day on chosen weekdays between two dates (the commune's time zone). Emergencies need no schedule: they
// go out at once.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import type { Actor } from './bulletin-workflow.ts';
import { localDate, localInstant, upcomingSlotTimes } from '../calendar/local-time.ts';
import { requireOwnCommune } from '../auth/commune-scope.ts';
import { markQaRetell } from './qa-retell.ts';

export type ScheduleInput =
  | { kind: 'once'; runAt: Date }
  | { kind: 'recurring'; slotId?: string; timeOfDay?: string; daysOfWeek?: number[]; startsOn?: string; endsOn?: string };

const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export async function scheduleBulletin(prisma: PrismaClient, actor: Actor, bulletinId: string, input: ScheduleInput, now = new Date()) {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Bulletin" WHERE id = ${bulletinId}::uuid FOR UPDATE`;
    const b = await tx.bulletin.findUnique({ where: { id: bulletinId } });
    if (!b) throw new AppError('NOT_FOUND', 'Không tìm thấy bản tin.');
    const staff = await tx.staff.findUnique({ where: { id: actor.staffId } });
    if (!staff || !staff.active) throw new AppError('NOT_FOUND', 'Không tìm thấy bản tin.');
    await requireOwnCommune(tx, staff, b.communeId, 'Không tìm thấy bản tin.');
    if (!staff.roles.some((r) => r === 'admin' || r === 'editor' || r === 'approver')) {
      throw new AppError('FORBIDDEN', 'Bạn không có quyền lên lịch bản tin của xã này.');
    }
    if (!['approved', 'scheduled', 'done', 'partly_failed'].includes(b.status)) throw new AppError('CONFLICT', 'Chỉ lên lịch được bản tin đã duyệt.');
    let data: Parameters<typeof tx.schedule.create>[0]['data'];
    if (input.kind === 'once') {
      if (!(input.runAt instanceof Date) || Number.isNaN(input.runAt.getTime())) throw new AppError('VALIDATION', 'Thời điểm phát không hợp lệ.', { field: 'runAt' });
      // A minute of slack for the clock of the person's phone.
      if (input.runAt.getTime() < now.getTime() - 60_000) throw new AppError('VALIDATION', 'Thời điểm phát đã qua.', { field: 'runAt' });
      if (b.expiresAt && input.runAt > b.expiresAt) throw new AppError('VALIDATION', 'Thời điểm phát sau ngày hết hạn của bản tin.', { field: 'runAt' });
      data = { bulletinId, kind: 'once', runAt: input.runAt };
    } else {
      let timeOfDay = input.timeOfDay;
      let days = input.daysOfWeek;
      if (input.slotId) {
        const slot = await tx.broadcastSlot.findFirst({ where: { id: input.slotId, communeId: b.communeId, active: true } });
        if (!slot) throw new AppError('VALIDATION', 'Khung giờ phát không tồn tại.', { field: 'slotId' });
        timeOfDay ??= slot.timeOfDay;
        days ??= slot.daysOfWeek;
      }
      if (!timeOfDay || !TIME_RE.test(timeOfDay)) throw new AppError('VALIDATION', 'Giờ phát cần dạng HH:mm, ví dụ 06:00.', { field: 'timeOfDay' });
      if (!days?.length || days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw new AppError('VALIDATION', 'Ngày trong tuần từ 1 (thứ Hai) đến 7 (Chủ nhật).', { field: 'daysOfWeek' });
      for (const [field, v] of [['startsOn', input.startsOn], ['endsOn', input.endsOn]] as const) {
        if (v !== undefined && (!DATE_RE.test(v) || Number.isNaN(Date.parse(v)))) throw new AppError('VALIDATION', 'Ngày cần dạng YYYY-MM-DD.', { field });
      }
      if (input.startsOn && input.endsOn && input.startsOn > input.endsOn) throw new AppError('VALIDATION', 'Ngày bắt đầu sau ngày kết thúc.', { field: 'endsOn' });
      data = {
        bulletinId,
        kind: 'recurring',
        slotId: input.slotId ?? null,
        timeOfDay,
        daysOfWeek: [...new Set(days)].sort(),
        ...(input.startsOn ? { startsOn: new Date(`${input.startsOn}T00:00:00Z`) } : {}),
        ...(input.endsOn ? { endsOn: new Date(`${input.endsOn}T00:00:00Z`) } : {}),
      };
    }
    const schedule = await tx.schedule.create({ data });
    await tx.bulletin.update({ where: { id: bulletinId }, data: { status: 'scheduled' } });
    // An earlier airing than the one a Q&A's askers were told.
    await markQaRetell(tx, bulletinId, now);
    await tx.auditLog.create({ data: { communeId: b.communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'bulletin.schedule', entityType: 'Bulletin', entityId: b.id, data: { scheduleId: schedule.id, kind: schedule.kind } } });
    return schedule;
  });
}

/**
 * A priority bulletin from a higher level plays at the commune's next regular slot (ahead of the
 * items already there). Without slots it returns undefined and the caller sends it at once.
 */
export async function scheduleAtNextSlot(prisma: PrismaClient, bulletinId: string, now = new Date()) {
  return prisma.$transaction((tx) => scheduleAtNextSlotIn(tx, bulletinId, now));
}

/**
 * The same inside the caller's transaction. With `free`, the first slot time no other bulletin of
 * the commune is already planned for (a normal province bulletin takes a free place, it does not
 * crowd one); without it, the next slot whatever is there (priority goes ahead of the queue).
 */
export async function scheduleAtNextSlotIn(tx: Prisma.TransactionClient, bulletinId: string, now = new Date(), opts: { free?: boolean } = {}) {
  const b = await tx.bulletin.findUniqueOrThrow({ where: { id: bulletinId }, include: { commune: true } });
  const slots = await tx.broadcastSlot.findMany({ where: { communeId: b.communeId, active: true } });
  const times = upcomingSlotTimes(slots, now, b.commune.timezone);
  let at = times[0];
  if (opts.free && times.length) {
    const taken = await takenTimes(tx, b.communeId, b.commune.timezone, times);
    at = times.find((t) => !taken.has(t.getTime()));
  }
  if (!at || (b.expiresAt && at > b.expiresAt)) return undefined;
  const schedule = await tx.schedule.create({ data: { bulletinId, kind: 'once', runAt: at, timezone: b.commune.timezone } });
  await tx.bulletin.update({ where: { id: bulletinId }, data: { status: 'scheduled' } });
  await markQaRetell(tx, bulletinId, now);
  await tx.auditLog.create({ data: { communeId: b.communeId, actorKind: 'system', action: 'bulletin.schedule', entityType: 'Bulletin', entityId: b.id, data: { scheduleId: schedule.id, kind: 'once', nextSlot: at.toISOString() } } });
  return schedule;
}

/** Which of these slot times already have a bulletin of the commune planned (one-off or recurring). */
async function takenTimes(tx: Prisma.TransactionClient, communeId: string, tz: string, times: Date[]): Promise<Set<number>> {
  const schedules = await tx.schedule.findMany({
    where: { active: true, bulletin: { communeId, status: { in: ['approved', 'scheduled', 'sending'] } } },
    include: { slot: true },
  });
  const taken = new Set<number>();
  for (const s of schedules) {
    if (s.kind === 'once' && s.runAt) taken.add(s.runAt.getTime());
    const time = s.timeOfDay ?? s.slot?.timeOfDay;
    const days = s.daysOfWeek.length ? s.daysOfWeek : (s.slot?.daysOfWeek ?? []);
    if (s.kind !== 'recurring' || !time) continue;
    for (const t of times) {
      const day = localDate(t, tz);
      if (!days.includes(day.isoWeekday) || localInstant(day.date, time, tz).getTime() !== t.getTime()) continue;
      if (s.startsOn && day.date < s.startsOn.toISOString().slice(0, 10)) continue;
      if (s.endsOn && day.date > s.endsOn.toISOString().slice(0, 10)) continue;
      taken.add(t.getTime());
    }
  }
  return taken;
}
