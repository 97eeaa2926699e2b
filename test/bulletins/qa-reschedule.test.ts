// A Q&A bulletin whose airing changes after the residents who asked were told the time: moved in
// the calendar, given an earlier schedule, or cancelled. Each resident is told the new time (or
// that it was cancelled) once, in Vietnamese, after the changes settle: several moves in quick
// succession give one message with the latest time, and a move back to the time told gives none.
// Driven by PostgreSQL on the workers' recovery tick (retellQaSchedules), so nothing Redis loses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { scheduleBulletin } from '../../src/bulletins/bulletin-schedule.ts';
import { moveOneOff } from '../../src/bulletins/broadcast-calendar.ts';
import { announceQaSchedule, createQaBulletin } from '../../src/bulletins/qa-bulletin.ts';
import { QA_RETELL_SETTLE_MS, retellQaSchedules } from '../../src/bulletins/qa-retell.ts';
import type { Enqueue } from '../../src/tickets/ticket-deps.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let communeId = '';
const staff: Record<string, string> = {};
const queued: Array<{ job: string; data: unknown }> = [];
const enqueue = (async (def: { name: string }, data: unknown) => {
  queued.push({ job: def.name, data });
  return 'kept';
}) as unknown as Enqueue;
let seq = 500;

async function answeredTicket(name: string, chatId: string) {
  const resident = await prisma.resident.create({ data: { communeId, displayName: name, identities: { create: { platform: 'telegram', platformUserId: chatId, platformChatId: chatId, displayName: name } } } });
  seq += 1;
  return prisma.ticket.create({
    data: {
      code: `PA-2026-${String(seq).padStart(5, '0')}`, communeId, year: 2026, seq, residentId: resident.id, channel: 'telegram',
      status: 'answered', answeredAt: new Date(),
      messages: { create: [{ direction: 'inbound', channel: 'telegram', text: 'Bao giờ sửa cầu tràn thôn 4?', createdAt: new Date(Date.now() - 60_000) }, { direction: 'outbound', channel: 'telegram', text: 'Trả lời: quý II sẽ sửa cầu tràn.', authorStaffId: staff.phochutich!, deliveryStatus: 'sent' }] },
    },
  });
}

/** A Q&A bulletin from one new ticket, approved, scheduled once at `runAt`, its resident told. */
async function scheduledQa(runAt: Date, name: string, chatId: string) {
  const t = await answeredTicket(name, chatId);
  const bulletin = await createQaBulletin(prisma, { actor: { staffId: staff.vanhoa! }, communeId, picks: [{ code: t.code }] });
  const wf = createBulletinWorkflow(prisma);
  await wf.submit({ staffId: staff.vanhoa! }, bulletin.id);
  await wf.approve({ staffId: staff.chutich! }, bulletin.id);
  const schedule = await scheduleBulletin(prisma, { staffId: staff.vanhoa! }, bulletin.id, { kind: 'once', runAt });
  await announceQaSchedule(prisma, enqueue, { schedule, staffId: staff.vanhoa! });
  return { ticket: t, bulletin, schedule };
}

const toldTexts = async (ticketId: string) => (await prisma.ticketMessage.findMany({ where: { ticketId, direction: 'outbound', authorStaffId: null }, orderBy: { createdAt: 'asc' } })).map((m) => m.text);
const later = (ms: number) => new Date(Date.now() + ms);

beforeAll(async () => {
  db = await openMigratedTestDatabase('qa_reschedule', 4);
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
}, 120_000);
afterAll(async () => {
  await db?.close();
});

describe('a Q&A bulletin moved or cancelled re-tells the residents who asked', () => {
  it('moved twice in quick succession: one message, with the latest time, after the changes settle', async () => {
    const { ticket, schedule } = await scheduledQa(new Date('2099-03-02T23:00:00Z'), 'Lò Văn Pọm', '7101');
    expect(await toldTexts(ticket.id)).toHaveLength(1);
    await moveOneOff(prisma, { staffId: staff.vanhoa! }, schedule.id, new Date('2099-03-03T23:00:00Z'));
    await moveOneOff(prisma, { staffId: staff.vanhoa! }, schedule.id, new Date('2099-03-04T01:00:00Z'));
    // Still settling: nobody is told yet.
    await retellQaSchedules({ prisma, enqueue }, new Date());
    expect(await toldTexts(ticket.id)).toHaveLength(1);
    const sentBefore = queued.length;
    expect(await retellQaSchedules({ prisma, enqueue }, later(QA_RETELL_SETTLE_MS + 1000))).toBe(1);
    const told = await toldTexts(ticket.id);
    expect(told).toHaveLength(2);
    expect(told[1]).toContain('PA-2026-');
    expect(told[1]).toContain('đổi giờ phát');
    expect(told[1]).toContain('lúc 08:00 ngày 04/03/2099');
    expect(told[1]).not.toContain('06:00 ngày 04/03/2099');
    // The message is queued for the resident's channel.
    expect(queued.length).toBe(sentBefore + 1);
    // A second tick tells nothing more.
    expect(await retellQaSchedules({ prisma, enqueue }, later(QA_RETELL_SETTLE_MS + 60_000))).toBe(0);
    expect(await toldTexts(ticket.id)).toHaveLength(2);
  });

  it('moved and moved back to the time told: nothing to tell', async () => {
    const { ticket, schedule } = await scheduledQa(new Date('2099-04-01T23:00:00Z'), 'Mùa A Sểnh', '7102');
    await moveOneOff(prisma, { staffId: staff.vanhoa! }, schedule.id, new Date('2099-04-02T23:00:00Z'));
    await moveOneOff(prisma, { staffId: staff.vanhoa! }, schedule.id, new Date('2099-04-01T23:00:00Z'));
    await retellQaSchedules({ prisma, enqueue }, later(QA_RETELL_SETTLE_MS + 1000));
    expect(await toldTexts(ticket.id)).toHaveLength(1);
  });

  it('put on an earlier airing too: told the earlier time', async () => {
    const { ticket, bulletin } = await scheduledQa(new Date('2099-05-10T23:00:00Z'), 'Vàng Thị Dua', '7103');
    const earlier = await scheduleBulletin(prisma, { staffId: staff.vanhoa! }, bulletin.id, { kind: 'once', runAt: new Date('2099-05-08T10:30:00Z') });
    await announceQaSchedule(prisma, enqueue, { schedule: earlier, staffId: staff.vanhoa! });
    // announceQaSchedule tells only those not told yet.
    expect(await toldTexts(ticket.id)).toHaveLength(1);
    await retellQaSchedules({ prisma, enqueue }, later(QA_RETELL_SETTLE_MS + 1000));
    const told = await toldTexts(ticket.id);
    expect(told).toHaveLength(2);
    expect(told[1]).toContain('lúc 17:30 ngày 08/05/2099');
  });

  it('cancelled: told once that it will not air', async () => {
    const { ticket, bulletin, schedule } = await scheduledQa(new Date('2099-06-01T23:00:00Z'), 'Giàng A Páo', '7104');
    await moveOneOff(prisma, { staffId: staff.vanhoa! }, schedule.id, new Date('2099-06-02T23:00:00Z'));
    await createBulletinWorkflow(prisma).cancel({ staffId: staff.vanhoa! }, bulletin.id);
    await retellQaSchedules({ prisma, enqueue }, later(QA_RETELL_SETTLE_MS + 1000));
    await retellQaSchedules({ prisma, enqueue }, later(QA_RETELL_SETTLE_MS + 120_000));
    const told = await toldTexts(ticket.id);
    expect(told).toHaveLength(2);
    expect(told[1]).toContain('hủy');
    expect(told[1]).not.toContain('lúc 06:00 ngày 03/06/2099');
  });
});
