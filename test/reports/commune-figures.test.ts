// One commune's figures: the same numbers as the quarterly report; on the public page a confidential
// ticket counts in the totals and its field but in no village; an empty quarter gives zeros.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { communeFigures, figures, onTimeShare } from '../../src/reports/commune-figures.ts';
import { quarterPeriod, ticketReport } from '../../src/reports/ticket-report.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let communeId = '';

beforeAll(async () => {
  db = await openMigratedTestDatabase('commune_figures');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  const resident = await prisma.resident.create({ data: { communeId } });
  const village = await prisma.village.findFirstOrThrow({ where: { communeId }, orderBy: { sortOrder: 'asc' } });
  const secret = await prisma.category.findFirstOrThrow({ where: { code: 'KHIEU_NAI_TO_CAO' } });
  const at = (s: string) => new Date(s);
  const make = (seq: number, createdAt: string, data: Record<string, unknown>) =>
    prisma.ticket.create({ data: { code: `PA-2024-${String(seq).padStart(5, '0')}`, communeId, year: 2024, seq, residentId: resident.id, channel: 'telegram', createdAt: at(createdAt), villageId: village.id, ...data } });
  await make(1, '2024-10-01T08:00:00+07:00', { status: 'answered', dueAt: at('2024-10-08T17:00:00+07:00'), answeredAt: at('2024-10-02T08:00:00+07:00'), ratingComment: 'hài lòng', ratedAt: at('2024-10-03T08:00:00+07:00') });
  await make(2, '2024-10-05T08:00:00+07:00', { status: 'closed', dueAt: at('2024-10-06T17:00:00+07:00'), answeredAt: at('2024-10-09T08:00:00+07:00') });
  await make(3, '2024-11-05T08:00:00+07:00', { status: 'new', confidential: true, categoryId: secret.id, dueAt: at('2024-12-05T17:00:00+07:00') });
});
afterAll(async () => {
  await db?.close();
});

describe('commune figures', () => {
  // (24 h + 96 h) / 2 = 60 h.
  it('agree with the quarterly report', async () => {
    const period = quarterPeriod(2024, 4);
    const f = await communeFigures(prisma, communeId, period, 'staff');
    const r = await ticketReport(prisma, communeId, period, { kind: 'api', communeId });
    expect(f.totals).toEqual(r.totals);
    expect(f.byField).toEqual(r.byField);
    expect(f.byVillage).toEqual(r.byVillage);
    expect(f.totals).toMatchObject({ received: 3, answered: 2, onTime: 1, rated: 1, satisfied: 1, avgHoursToAnswer: 60 });
  });

  it('on time divides by the tickets due: the denunciation left unanswered past its deadline counts against the commune', async () => {
    const f = await communeFigures(prisma, communeId, quarterPeriod(2024, 4), 'staff');
    // Answered on time 1, answered late 1, overdue without an answer 1: 1 of 3, not 1 of 2.
    expect(f.totals).toMatchObject({ due: 3, onTime: 1, onTimeRate: 0.333 });
    expect(onTimeShare(0, 0)).toBeNull();
  });

  it('a ticket not yet due counts nowhere while the period still runs', () => {
    const end = new Date('2030-01-01T00:00:00Z');
    const now = new Date('2029-12-01T00:00:00Z');
    const row = { status: 'new', createdAt: new Date('2029-11-20T00:00:00Z'), answeredAt: null, ratingComment: null, ratedAt: null };
    expect(figures([{ ...row, dueAt: new Date('2029-12-05T00:00:00Z') }], end, now)).toMatchObject({ eligible: 1, due: 0, onTimeRate: 0 });
    expect(figures([{ ...row, dueAt: new Date('2029-11-30T00:00:00Z') }], end, now)).toMatchObject({ eligible: 1, due: 1, onTime: 0 });
    expect(figures([{ ...row, status: 'transferred', dueAt: new Date('2029-11-30T00:00:00Z') }], end, now)).toMatchObject({ due: 0 });
  });

  it('public: a confidential ticket counts in the totals and its field, in no village', async () => {
    const f = await communeFigures(prisma, communeId, quarterPeriod(2024, 4), 'public');
    expect(f.totals.received).toBe(3);
    expect(f.byField.reduce((n, x) => n + x.received, 0)).toBe(3);
    expect(f.byVillage.reduce((n, x) => n + x.received, 0)).toBe(2);
    expect(JSON.stringify(f)).not.toMatch(/PA-2024|resident/);
  });

  it('an empty quarter gives zeros and no groups', async () => {
    const f = await communeFigures(prisma, communeId, quarterPeriod(2025, 2), 'public');
    expect(f.totals).toMatchObject({ received: 0, answered: 0, onTimeRate: 0, avgHoursToAnswer: null });
    expect(f.byField).toEqual([]);
    expect(f.byVillage).toEqual([]);
  });
});
