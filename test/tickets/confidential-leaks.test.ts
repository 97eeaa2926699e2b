// The ways a denunciation (tố cáo) leaked to people who must not read it, replayed against the
// web admin and the domain on the real database: merging a decoy into it to receive its answers,
// the overdue list of Tổng quan, the admin-chat post. Only the leader, the assignee and the staff
// designated for the complaints field read who wrote what.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { Database } from '../../src/db/database.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { answerTicket, markDuplicate } from '../../src/tickets/ticket-actions.ts';
import { renderAdminPost } from '../../src/tickets/admin-post.ts';
import { todayOverview } from '../../src/dashboard/today.ts';
import { ticketReport } from '../../src/reports/ticket-report.ts';
import { localDate } from '../../src/calendar/local-time.ts';
import { DEFAULT_TIME_ZONE } from '../../src/calendar/time-zone.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { form, sessionFor, type TestSession } from '../support/staff-session.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let communeId = '';
const ids: Record<string, string> = {};
const sessions: Record<string, TestSession> = {};
const jobs: Array<{ name: string; data: unknown }> = [];

// What the complainant wrote: a name, a phone number and the accused.
const DENUNCIATION = 'Tôi là Trần Văn Bảy, SĐT 0912345678, tố cáo ông Lý Văn Tám trưởng thôn 3 nhận 20 triệu của nhà thầu.';
const ANSWER = 'Xã đã lập đoàn kiểm tra việc ông Lý Văn Tám nhận tiền; kết quả sẽ báo riêng cho ông Bảy.';

let seq = 0;
async function ticket(p: { confidential?: boolean; category: string; assignee?: string; status?: string; text: string; chatId: string; dueAt?: Date }) {
  seq += 1;
  const category = await prisma.category.findUniqueOrThrow({ where: { code: p.category } });
  const resident = await prisma.resident.create({ data: { communeId, displayName: `Người dân ${seq}`, identities: { create: { platform: 'telegram', platformUserId: p.chatId, platformChatId: p.chatId } } } });
  const t = await prisma.ticket.create({
    data: {
      code: `PA-2026-${String(70000 + seq)}`,
      communeId,
      year: 2026,
      seq: 70000 + seq,
      residentId: resident.id,
      channel: 'telegram',
      status: (p.status ?? 'new') as never,
      confidential: p.confidential ?? false,
      categoryId: category.id,
      subject: p.text.slice(0, 120),
      assigneeId: p.assignee ? ids[p.assignee]! : null,
      dueAt: p.dueAt ?? new Date(Date.now() + 5 * 86_400_000),
      messages: { create: { direction: 'inbound', channel: 'telegram', platformChatId: p.chatId, platformMessageId: `m${seq}`, text: p.text } },
    },
  });
  return t;
}

beforeAll(async () => {
  db = await openMigratedTestDatabase('confidential');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) ids[s.username] = s.id;
  for (const u of ['diachinh', 'phochutich', 'giamsat', 'chutich']) sessions[u] = await sessionFor(prisma, ids[u]!);
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    admin: {
      prisma,
      secureCookies: false,
      enqueue: async (def, data) => {
        jobs.push({ name: def.name, data });
        return 'job';
      },
      cancelJob: async () => true,
    },
  });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const get = (who: string, url: string) => app.inject({ method: 'GET', url, headers: { cookie: sessions[who]!.cookie } });
const post = (who: string, url: string, fields: Record<string, string>) =>
  app.inject({ method: 'POST', url, headers: { cookie: sessions[who]!.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(sessions[who], fields) });

describe('finding 1: merging a decoy into a denunciation', () => {
  it('a responder who cannot read the denunciation cannot merge into it, and learns nothing of it', async () => {
    const denunciation = await ticket({ confidential: true, category: 'KHIEU_NAI_TO_CAO', assignee: 'phochutich', status: 'in_progress', text: DENUNCIATION, chatId: '9100' });
    await prisma.$transaction((tx) => answerTicket(tx, denunciation.id, ids.phochutich!, ANSWER, new Date()));
    // The attacker's own ticket, in his own field, from his own Telegram account.
    const decoy = await ticket({ category: 'DAT_DAI', assignee: 'diachinh', text: 'Hỏi thủ tục cấp sổ đỏ', chatId: '9200' });

    expect((await get('diachinh', `/admin/phan-anh/${denunciation.code}`)).statusCode).toBe(404);
    const merged = await post('diachinh', `/admin/phan-anh/${decoy.code}/gop`, { into: denunciation.code });
    const missing = await post('diachinh', `/admin/phan-anh/${decoy.code}/gop`, { into: 'PA-2026-99999' });
    // Refused exactly like a code that does not exist: the answer does not say it is there.
    expect(merged.statusCode).toBe(missing.statusCode);
    expect(merged.statusCode).toBeGreaterThanOrEqual(400);
    expect(merged.body.replaceAll(denunciation.code, 'X')).toBe(missing.body.replaceAll('PA-2026-99999', 'X'));

    const after = await prisma.ticket.findUniqueOrThrow({ where: { id: decoy.id }, include: { messages: true } });
    expect(after.status).toBe('new');
    expect(after.mergedIntoId).toBeNull();
    // Nothing of the denunciation is stored on the decoy or sent to its resident.
    expect(after.messages.filter((m) => m.direction === 'outbound')).toEqual([]);
    expect(JSON.stringify(after.messages)).not.toContain('Lý Văn Tám');
    // The domain refuses too, whoever calls it (the admin chat's "/trung").
    const direct = await prisma.$transaction((tx) => markDuplicate(tx, decoy.id, denunciation.code, ids.diachinh!, new Date()));
    expect(direct).toMatchObject({ ok: false, reason: 'no_such_ticket' });
  });

  it('someone who reads both may merge, but answers never cross the confidential boundary', async () => {
    const denunciation = await ticket({ confidential: true, category: 'KHIEU_NAI_TO_CAO', assignee: 'phochutich', status: 'in_progress', text: DENUNCIATION, chatId: '9300' });
    await prisma.$transaction((tx) => answerTicket(tx, denunciation.id, ids.phochutich!, ANSWER, new Date()));
    const plain = await ticket({ category: 'KHIEU_NAI_TO_CAO', assignee: 'phochutich', text: 'Hỏi về việc trưởng thôn 3', chatId: '9400' });

    const r = await post('phochutich', `/admin/phan-anh/${plain.code}/gop`, { into: denunciation.code });
    expect(r.statusCode).toBe(303);
    const after = await prisma.ticket.findUniqueOrThrow({ where: { id: plain.id }, include: { messages: { where: { direction: 'outbound' } } } });
    expect(after.status).toBe('duplicate');
    expect(after.messages.map((m) => m.text).join('\n')).not.toContain('Lý Văn Tám');
    // A later answer to the denunciation does not go to the merged ticket's resident either.
    await prisma.$transaction((tx) => answerTicket(tx, denunciation.id, ids.phochutich!, `${ANSWER} Bổ sung.`, new Date()));
    const later = await prisma.ticketMessage.findMany({ where: { ticketId: plain.id, direction: 'outbound' } });
    expect(later.map((m) => m.text).join('\n')).not.toContain('Lý Văn Tám');
  });

  it('between two ordinary tickets the answer still goes to the duplicate (the feature keeps working)', async () => {
    const original = await ticket({ category: 'HA_TANG', assignee: 'diachinh', status: 'in_progress', text: 'Đèn đường thôn 5 hỏng', chatId: '9500' });
    await prisma.$transaction((tx) => answerTicket(tx, original.id, ids.diachinh!, 'Ngày mai xã cho người sửa đèn thôn 5.', new Date()));
    const dup = await ticket({ category: 'HA_TANG', assignee: 'diachinh', text: 'Đèn đường thôn 5 tắt', chatId: '9600' });
    const r = await prisma.$transaction((tx) => markDuplicate(tx, dup.id, original.code, ids.diachinh!, new Date()));
    expect(r.ok).toBe(true);
    const msgs = await prisma.ticketMessage.findMany({ where: { ticketId: dup.id, direction: 'outbound' } });
    expect(msgs.map((m) => m.text).join('\n')).toContain('sửa đèn thôn 5');
  });
});

describe('finding 2: the overdue list of Tổng quan', () => {
  it('shows a denunciation only as a placeholder to staff and oversight not designated for it', async () => {
    const late = await ticket({ confidential: true, category: 'KHIEU_NAI_TO_CAO', assignee: 'phochutich', status: 'in_progress', text: DENUNCIATION, chatId: '9700', dueAt: new Date(Date.now() - 3600_000) });
    for (const who of ['diachinh', 'giamsat']) {
      const page = await get(who, `/admin/tong-quan`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('Lý Văn Tám');
      expect(page.body).not.toContain('0912345678');
      // The commune still sees that something is overdue.
      expect(page.body).toContain(late.code);
    }
    const designated = await get('phochutich', '/admin/tong-quan');
    expect(designated.body).toContain('Lý Văn Tám');
    // The domain's overview alone carries no text for a viewer who may not read it.
    const oversight = await prisma.staff.findUniqueOrThrow({ where: { id: ids.giamsat! } });
    const o = await todayOverview(prisma, communeId, new Date(), { kind: 'staff', staff: oversight });
    expect(JSON.stringify(o)).not.toContain('Lý Văn Tám');
  });
});

describe('finding 7: the admin-chat post of a denunciation', () => {
  it('carries the placeholder (field, code, deadline), never what the resident wrote', async () => {
    const t = await ticket({ confidential: true, category: 'KHIEU_NAI_TO_CAO', assignee: 'phochutich', text: DENUNCIATION, chatId: '9800' });
    const p = await renderAdminPost(prisma, t.id);
    expect(p.text).toContain(t.code);
    expect(p.text).toContain('Khiếu nại, tố cáo');
    expect(p.text).toContain('Hạn:');
    expect(p.text).not.toContain('Lý Văn Tám');
    expect(p.text).not.toContain('0912345678');
    expect(p.text).not.toContain('Người dân');
    // An ordinary ticket's post still shows the question.
    const plain = await ticket({ category: 'HA_TANG', text: 'Cống thôn 2 bị tắc', chatId: '9900' });
    expect((await renderAdminPost(prisma, plain.id)).text).toContain('Cống thôn 2 bị tắc');
  });
});

describe('exports of the quarter report', () => {
  it('give a denunciation no village or channel for readers not designated for it', async () => {
    const village = await prisma.village.findFirstOrThrow({ where: { communeId, name: 'Thôn 3' } });
    const t = await ticket({ confidential: true, category: 'KHIEU_NAI_TO_CAO', assignee: 'phochutich', text: DENUNCIATION, chatId: '9950' });
    await prisma.ticket.update({ where: { id: t.id }, data: { villageId: village.id } });
    // The commune's today, not UTC's: after 17:00 UTC it is already tomorrow in Vietnam.
    const today = localDate(new Date(), DEFAULT_TIME_ZONE).date;
    const period = { from: today, to: today, label: 'hôm nay' };
    const oversight = await prisma.staff.findUniqueOrThrow({ where: { id: ids.giamsat! } });
    const masked = (await ticketReport(prisma, communeId, period, { kind: 'staff', staff: oversight })).tickets.find((r) => r.code === t.code)!;
    expect(masked).toMatchObject({ field: 'Khiếu nại, tố cáo', village: '(bảo mật)', channel: '(bảo mật)' });
    const leader = await prisma.staff.findUniqueOrThrow({ where: { id: ids.chutich! } });
    const full = (await ticketReport(prisma, communeId, period, { kind: 'staff', staff: leader })).tickets.find((r) => r.code === t.code)!;
    expect(full).toMatchObject({ village: 'Thôn 3', channel: 'telegram' });
    // The CSV a viewer downloads carries the same.
    const csv = await app.inject({ method: 'GET', url: '/admin/bao-cao/tai-ve.csv', headers: { cookie: sessions.diachinh!.cookie } });
    const line = csv.body.split('\n').find((l) => l.startsWith(t.code))!;
    expect(line).not.toContain('Thôn 3');
  });
});
