// The rules behind the web admin's new actions, against the real database: giving a ticket to a
// cadre, the week calendar and moving a one-off firing (and the old job then doing nothing), and
// managing staff without losing the last admin or having two leaders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { ensureCategories } from '../../src/catalog/ensure-categories.ts';
import { assignTicket } from '../../src/tickets/ticket-actions.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { scheduleBulletin } from '../../src/bulletins/bulletin-schedule.ts';
import { moveOneOff, weekCalendar, weekStart } from '../../src/bulletins/broadcast-calendar.ts';
import { estimateSpeech } from '../../src/bulletins/speech-estimate.ts';
import { addAssignment, createStaff, resetStaffPassword, updateStaff } from '../../src/staff/staff-admin.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { fire } from '../../broadcasts/schedule/scheduler.ts';
import { silentLogger } from '../../src/logger.ts';
import { isAppError } from '../../src/errors.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let communeId = '';
let otherCommuneId = '';
const ids: Record<string, string> = {};

/** The AppError's Vietnamese message, or a failure when the call succeeded. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e.userMessage;
    throw e;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  db = await openMigratedTestDatabase('admin-actions');
  prisma = db.prisma;
  await ensureCategories(prisma);
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  otherCommuneId = (await prisma.commune.create({ data: { name: 'Xã bên', code: '99932' } })).id;
  for (const s of await prisma.staff.findMany()) ids[s.username] = s.id;
});
afterAll(async () => {
  await db?.close();
});

describe('giving a ticket to a cadre', () => {
  const ticket = async (seq: number, extra: Record<string, unknown> = {}) => {
    const resident = await prisma.resident.create({ data: { communeId } });
    return prisma.ticket.create({ data: { code: `PA-2026-${String(80000 + seq)}`, communeId, year: 2026, seq: 80000 + seq, residentId: resident.id, channel: 'telegram', status: 'new', ...extra } });
  };

  it('the leader gives it to a responder; the event says from whom to whom', async () => {
    const t = await ticket(1);
    const r = await prisma.$transaction((tx) => assignTicket(tx, t.id, ids.chutich!, ids.yte!, new Date()));
    expect(r.ok).toBe(true);
    const after = await prisma.ticket.findUniqueOrThrow({ where: { id: t.id }, include: { events: true } });
    expect(after.assigneeId).toBe(ids.yte);
    expect(after.events.find((e) => e.type === 'assigned')?.data).toEqual({ from: null, to: ids.yte });
    // Again to the same person: nothing to do, said so.
    const again = await prisma.$transaction((tx) => assignTicket(tx, t.id, ids.chutich!, ids.yte!, new Date()));
    expect(again).toMatchObject({ ok: false, reason: 'unchanged' });
  });

  it('refuses a responder giving it away, an editor as the assignee, staff of another commune, a closed ticket', async () => {
    const t = await ticket(2);
    const other = await prisma.staff.create({ data: { communeId: otherCommuneId, username: 'canbo-xa-ben', displayName: 'Cán bộ xã bên', roles: ['responder'] } });
    const tries = await Promise.all([
      prisma.$transaction((tx) => assignTicket(tx, t.id, ids.diachinh!, ids.yte!, new Date())),
      prisma.$transaction((tx) => assignTicket(tx, t.id, ids.quantri!, ids.vanhoa!, new Date())),
      prisma.$transaction((tx) => assignTicket(tx, t.id, ids.quantri!, other.id, new Date())),
    ]);
    expect(tries.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['forbidden', 'bad_assignee', 'bad_assignee']);
    const closed = await ticket(3, { status: 'closed' });
    expect(await prisma.$transaction((tx) => assignTicket(tx, closed.id, ids.chutich!, ids.yte!, new Date()))).toMatchObject({ ok: false, reason: 'invalid_transition' });
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })).assigneeId).toBeNull();
  });

  it('a confidential complaint goes only to the leader or staff designated for its field', async () => {
    const complaints = await prisma.category.findFirstOrThrow({ where: { code: 'KHIEU_NAI_TO_CAO' } });
    const t = await ticket(4, { confidential: true, categoryId: complaints.id });
    expect(await prisma.$transaction((tx) => assignTicket(tx, t.id, ids.quantri!, ids.yte!, new Date()))).toMatchObject({ ok: false, reason: 'bad_assignee' });
    await prisma.assignment.create({ data: { communeId, categoryId: complaints.id, staffId: ids.congan! } });
    expect(await prisma.$transaction((tx) => assignTicket(tx, t.id, ids.quantri!, ids.congan!, new Date()))).toMatchObject({ ok: true });
  });
});

describe('week calendar and moving a one-off firing', () => {
  const wf = () => createBulletinWorkflow(prisma);
  const approved = async (title: string, cls: 'normal' | 'priority' = 'normal') => {
    const b = await wf().createDraft({ staffId: ids.vanhoa! }, { communeId, title, text: `${title}.`, class: cls });
    await wf().submit({ staffId: ids.vanhoa! }, b.id);
    await wf().approve({ staffId: ids.chutich! }, b.id);
    return b;
  };
  const now = new Date('2026-12-01T03:00:00Z'); // Tuesday 10:00 in Vietnam

  it('lists slots, one-off and recurring firings (within their dates), by local day', async () => {
    const once = await approved('Họp dân thôn 5');
    await scheduleBulletin(prisma, { staffId: ids.vanhoa! }, once.id, { kind: 'once', runAt: new Date('2026-12-03T22:30:00+07:00') }, now);
    const daily = await approved('Nhắc nộp thuế đất');
    await scheduleBulletin(prisma, { staffId: ids.vanhoa! }, daily.id, { kind: 'recurring', timeOfDay: '06:30', daysOfWeek: [1, 3, 5], startsOn: '2026-12-02', endsOn: '2026-12-04' }, now);
    expect(weekStart('2026-12-06')).toBe('2026-11-30');
    const days = await weekCalendar(prisma, communeId, '2026-11-30', now);
    expect(days.map((d) => d.date)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06']);
    expect(days[0]!.slots.map((s) => s.time)).toEqual(['06:00', '17:00']);
    const titles = (d: number) => days[d]!.items.map((i) => `${i.time} ${i.title}`);
    // Monday the 30th is before startsOn; Wednesday and Friday are in; Thursday has the one-off.
    expect(titles(0)).toEqual([]);
    expect(titles(2)).toEqual(['06:30 Nhắc nộp thuế đất']);
    expect(titles(3)).toEqual(['22:30 Họp dân thôn 5']);
    expect(titles(4)).toEqual(['06:30 Nhắc nộp thuế đất']);
    expect(days[3]!.items[0]!.movable).toBe(true);
    expect(days[2]!.items[0]!.movable).toBe(false);
  });

  it('moves a normal one-off; refuses priority, past times, started firings and other communes', async () => {
    const b = await approved('Tiêm phòng dại cho chó mèo');
    const s = await scheduleBulletin(prisma, { staffId: ids.vanhoa! }, b.id, { kind: 'once', runAt: new Date('2026-12-04T09:00:00+07:00') }, now);
    const to = new Date('2026-12-05T17:00:00+07:00');
    const moved = await moveOneOff(prisma, { staffId: ids.vanhoa! }, s.id, to, now);
    expect(moved.old.toISOString()).toBe('2026-12-04T02:00:00.000Z');
    expect(moved.schedule.runAt?.toISOString()).toBe(to.toISOString());
    expect(await prisma.auditLog.count({ where: { action: 'bulletin.reschedule', entityId: b.id } })).toBe(1);

    // The job queued for the old time does nothing; the one for the new time starts the run.
    const skipped = await fire({ prisma, enqueue: async () => 'job', log: silentLogger }, { bulletinId: b.id, scheduleId: s.id, scheduledFor: moved.old.toISOString() });
    expect(skipped).toEqual({ runId: null, deliveries: 0 });
    expect(await prisma.broadcastRun.count({ where: { bulletinId: b.id } })).toBe(0);

    const p = await approved('Bão số 15', 'priority');
    const ps = await scheduleBulletin(prisma, { staffId: ids.vanhoa! }, p.id, { kind: 'once', runAt: new Date('2026-12-04T09:00:00+07:00') }, now);
    expect(await refusal(moveOneOff(prisma, { staffId: ids.vanhoa! }, ps.id, to, now))).toContain('ưu tiên');
    expect(await refusal(moveOneOff(prisma, { staffId: ids.vanhoa! }, s.id, new Date('2026-11-30T06:00:00+07:00'), now))).toContain('đã qua');
    expect(await refusal(moveOneOff(prisma, { staffId: ids.yte! }, s.id, to, now))).toContain('không có quyền');
    const stranger = await prisma.staff.create({ data: { communeId: otherCommuneId, username: 'bientap-xa-ben', displayName: 'Biên tập xã bên', roles: ['editor'] } });
    expect(await refusal(moveOneOff(prisma, { staffId: stranger.id }, s.id, to, now))).toContain('Không tìm thấy');
    // Once its time has come (a run exists), it stays.
    await prisma.broadcastRun.create({ data: { bulletinId: b.id, revision: 1, scheduleId: s.id, scheduledFor: to, status: 'sending' } });
    expect(await refusal(moveOneOff(prisma, { staffId: ids.vanhoa! }, s.id, new Date('2026-12-06T06:00:00+07:00'), new Date('2026-12-05T10:05:00Z')))).toContain('đã bắt đầu');
  });

  it('estimates reading time from words and sentence ends', () => {
    expect(estimateSpeech('')).toEqual({ chars: 0, words: 0, seconds: 0 });
    // 150 words a minute: 150 words in one sentence read in 60 s plus one pause.
    expect(estimateSpeech(`${Array(150).fill('loa').join(' ')}.`)).toMatchObject({ words: 150, seconds: 60 });
    expect(estimateSpeech('Đường   thôn 2 sạt lở! Xin xã xem giúp?').words).toBe(9);
  });
});

describe('managing staff', () => {
  const c = () => ({ prisma, admin: { id: ids.quantri!, communeId } as never, ip: '127.0.0.1' });

  it('creates an account with a first password that works once changed, and refuses duplicates and bad names', async () => {
    const { staff, password } = await createStaff(c(), 'KhuyenNong', { displayName: 'Lò Văn Khuyến', roles: ['responder'], isLeader: false });
    expect(staff.username).toBe('khuyennong');
    expect(staff.mustChangePassword).toBe(true);
    expect(await verifyPassword(staff.passwordHash!, password)).toBe(true);
    expect(await refusal(createStaff(c(), 'khuyennong', { displayName: 'Khác', roles: ['responder'], isLeader: false }))).toContain('đã có người dùng');
    expect(await refusal(createStaff(c(), 'có dấu', { displayName: 'X', roles: ['responder'], isLeader: false }))).toContain('Tên đăng nhập');
    expect(await refusal(createStaff(c(), 'hople', { displayName: '  ', roles: ['responder'], isLeader: false }))).toContain('Họ tên');
    expect(await refusal(createStaff(c(), 'hople', { displayName: 'X', roles: ['superuser'], isLeader: false }))).toContain('Vai trò không có');
  });

  it('keeps one leader, never loses the last admin, and signs out a switched-off account', async () => {
    const { staff } = await createStaff(c(), 'phochutich2', { displayName: 'Phó Chủ tịch mới', roles: ['approver'], isLeader: true });
    expect(await prisma.staff.count({ where: { communeId, isLeader: true } })).toBe(1);
    expect((await prisma.staff.findUniqueOrThrow({ where: { id: staff.id } })).isLeader).toBe(true);
    expect(await refusal(updateStaff(c(), ids.quantri!, { displayName: 'Nguyễn Văn Quản', roles: ['editor'], isLeader: false, active: true }))).toContain('Không tự bỏ quyền quản trị');
    await prisma.staffSession.create({ data: { staffId: ids.diachinh!, tokenHash: 'x'.repeat(64), csrfToken: 'c', expiresAt: new Date(Date.now() + 3600_000) } });
    await updateStaff(c(), ids.diachinh!, { displayName: 'Hoàng Văn Đất', roles: ['responder'], isLeader: false, active: false });
    expect(await prisma.staffSession.count({ where: { staffId: ids.diachinh! } })).toBe(0);
    const other = await prisma.staff.create({ data: { communeId: otherCommuneId, username: 'quantri-xa-ben', displayName: 'Quản trị xã bên', roles: ['admin'] } });
    expect(await refusal(updateStaff(c(), other.id, { displayName: 'X', roles: ['viewer'], isLeader: false, active: true }))).toContain('Không tìm thấy');
    expect(await refusal(resetStaffPassword(c(), other.id))).toContain('Không tìm thấy');
  });

  it('adds a field-by-village assignment once, for active staff of the commune only', async () => {
    const farming = await prisma.category.findFirstOrThrow({ where: { code: 'NONG_NGHIEP' } });
    const village = await prisma.village.findFirstOrThrow({ where: { communeId, name: 'Thôn 1' } });
    await addAssignment(c(), { staffId: ids.yte!, categoryId: farming.id, villageId: null });
    expect(await refusal(addAssignment(c(), { staffId: ids.yte!, categoryId: farming.id, villageId: null }))).toContain('đã có');
    await addAssignment(c(), { staffId: ids.yte!, categoryId: farming.id, villageId: village.id });
    expect(await refusal(addAssignment(c(), { staffId: ids.diachinh!, categoryId: farming.id, villageId: null }))).toContain('đã bị khóa');
  });
});
