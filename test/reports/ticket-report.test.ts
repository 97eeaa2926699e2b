// The quarterly figures follow their definitions: refused and duplicate tickets are not eligible,
// "on time" compares the answer with the due time, transfers count as resolved, tickets outside
// the quarter (local dates) are left out, and broadcast hours come from what loudspeakers played.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { quarterPeriod, ticketReport } from '../../src/reports/ticket-report.ts';
import { reportCharts } from '../../src/reports/report-charts.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let communeId = '';

beforeAll(async () => {
  db = await openMigratedTestDatabase('report');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  const resident = await prisma.resident.create({ data: { communeId } });
  const at = (s: string) => new Date(s);
  const make = (seq: number, createdAt: string, data: Record<string, unknown>) =>
    prisma.ticket.create({ data: { code: `PA-2026-${String(seq).padStart(5, '0')}`, communeId, year: 2026, seq, residentId: resident.id, channel: 'telegram', createdAt: at(createdAt), ...data } });
  // In Q4 2026 (Asia/Ho_Chi_Minh): answered on time, answered late, transferred, refused, duplicate, open.
  await make(1, '2026-10-01T00:30:00+07:00', { status: 'answered', dueAt: at('2026-10-08T17:00:00+07:00'), answeredAt: at('2026-10-03T09:00:00+07:00'), ratingComment: 'hài lòng', ratedAt: at('2026-10-04T09:00:00+07:00') });
  await make(2, '2026-11-02T08:00:00+07:00', { status: 'closed', dueAt: at('2026-11-09T17:00:00+07:00'), answeredAt: at('2026-11-12T10:00:00+07:00') });
  await make(3, '2026-11-03T08:00:00+07:00', { status: 'transferred', dueAt: at('2026-11-10T17:00:00+07:00') });
  await make(4, '2026-11-04T08:00:00+07:00', { status: 'rejected' });
  await make(5, '2026-11-05T08:00:00+07:00', { status: 'duplicate' });
  await make(6, '2026-12-31T23:30:00+07:00', { status: 'new', dueAt: at('2027-01-08T17:00:00+07:00') });
  // Outside: the last evening of Q3 in Vietnam (still 30/9 local time).
  await make(7, '2026-09-30T23:30:00+07:00', { status: 'answered', answeredAt: at('2026-10-01T08:00:00+07:00') });
});
afterAll(async () => {
  await db?.close();
});

describe('quarterly ticket report', () => {
  it('counts by the definitions', async () => {
    const r = await ticketReport(prisma, communeId, quarterPeriod(2026, 4), { kind: 'api', communeId });
    expect(r.period).toMatchObject({ from: '2026-10-01', to: '2026-12-31', label: 'Quý IV năm 2026' });
    expect(r.totals).toMatchObject({ received: 6, eligible: 4, answered: 2, onTime: 1, transferred: 1, resolvedRate: 0.75, onTimeRate: 0.5, rated: 1, satisfied: 1 });
    // (56.5 h + 242 h) / 2 = 149.25 h, shown to a tenth.
    expect(r.totals.avgHoursToAnswer).toBe(149.3);
    expect(r.byField.reduce((n, f) => n + f.received, 0)).toBe(6);
    expect(r.tickets.map((t) => t.code)).not.toContain('PA-2026-00007');
    // Months by local date: the 31/12 23:30 ticket is December's, the 01/10 00:30 one October's.
    expect(r.byMonth.map((m) => [m.label, m.received, m.answered])).toEqual([['10/2026', 1, 1], ['11/2026', 4, 1], ['12/2026', 1, 0]]);
    expect(Object.values(r.byMonth[1]!.byField).reduce((a, b) => a + b, 0)).toBe(4);
    // The charts carry the same numbers: tickets per field per month add up to each month's count.
    const charts = reportCharts(r);
    const perField = charts.find((c) => c.id === 'theo-linh-vuc')!;
    expect(perField.labels).toEqual(['10/2026', '11/2026', '12/2026']);
    expect([0, 1, 2].map((i) => perField.series.reduce((n, s) => n + (s.values[i] ?? 0), 0))).toEqual([1, 4, 1]);
    expect(charts.find((c) => c.id === 'dung-han')!.series[0]!.values).toEqual([1, 0, null]);
  });

  it('an empty quarter gives zeros, not errors', async () => {
    const r = await ticketReport(prisma, communeId, quarterPeriod(2025, 1), { kind: 'api', communeId });
    expect(r.totals).toMatchObject({ received: 0, eligible: 0, resolvedRate: 0, avgHoursToAnswer: null });
    expect(r.broadcasts).toEqual({ bulletins: 0, fromProvince: 0, runs: 0, deliveredByChannel: { telegram: 0, zalo: 0, loudspeaker: 0 }, broadcastHours: 0 });
    expect(r.byMonth.map((m) => m.received)).toEqual([0, 0, 0]);
    expect(reportCharts(r).find((c) => c.id === 'thoi-gian-tra-loi')!.series[0]!.values).toEqual([null, null, null]);
  });
});
