// The province ranking from the database: loudspeakers online per commune (only online ones count,
// every commune asked for is answered, others never leak in) and each commune ranked from its own tickets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { loudspeakersOnline } from '../../src/province/loudspeakers-online.ts';

let db: MigratedTestDatabase;
beforeAll(async () => {
  db = await openMigratedTestDatabase('speakers_online');
});
afterAll(async () => {
  await db?.close();
});

describe('loudspeakersOnline', () => {
  it('counts online and all speakers per commune in one answer', async () => {
    const [a, b, other] = await Promise.all(['xa-a', 'xa-b', 'xa-khac'].map((code) => db.prisma.commune.create({ data: { code, name: code } })));
    const speakers = (communeId: string, statuses: Array<'online' | 'offline' | 'broken' | 'unknown'>) =>
      db.prisma.endpoint.createMany({ data: statuses.map((status, i) => ({ communeId, name: `Loa ${i}`, status })) });
    await speakers(a!.id, ['online', 'online', 'offline', 'broken']);
    await speakers(other!.id, ['online', 'online']);
    const r = await loudspeakersOnline(db.prisma, [a!.id, b!.id]);
    expect(Object.fromEntries(r)).toEqual({ [a!.id]: { online: 2, total: 4 }, [b!.id]: { online: 0, total: 0 } });
    expect((await loudspeakersOnline(db.prisma, [])).size).toBe(0);
  });
});

describe('provinceRanking', () => {
  it('ranks the communes passed in, from their own tickets and speakers only', async () => {
    const { provinceRanking } = await import('../../src/province/province-ranking.ts');
    const { quarterPeriod } = await import('../../src/reports/ticket-report.ts');
    const [good, late, empty] = await Promise.all(['tot', 'cham', 'trong'].map((code) => db.prisma.commune.create({ data: { code: `r-${code}`, name: `Xã ${code}` } })));
    const at = (s: string) => new Date(s);
    let seq = 0;
    const ticket = async (communeId: string, data: Record<string, unknown>) => {
      const resident = await db.prisma.resident.create({ data: { communeId } });
      seq++;
      await db.prisma.ticket.create({ data: { code: `PA-2026-${String(seq).padStart(5, '0')}-${communeId.slice(0, 4)}`, communeId, year: 2026, seq, residentId: resident.id, channel: 'telegram', createdAt: at('2026-10-05T08:00:00+07:00'), dueAt: at('2026-10-10T17:00:00+07:00'), ...data } });
    };
    await ticket(good!.id, { status: 'answered', answeredAt: at('2026-10-06T08:00:00+07:00'), ratingComment: 'hài lòng', ratedAt: at('2026-10-07T08:00:00+07:00') });
    await ticket(late!.id, { status: 'answered', answeredAt: at('2026-10-20T08:00:00+07:00') });
    await ticket(late!.id, { status: 'rejected' });
    // Overdue, never answered: due, so it counts against the commune in the ranking and its report alike.
    await ticket(good!.id, { status: 'in_progress' });
    await db.prisma.endpoint.create({ data: { communeId: late!.id, name: 'Loa 1', status: 'online' } });
    // Two deliveries reached in the quarter, one failed, one of a run in the next quarter.
    const bulletin = await db.prisma.bulletin.create({ data: { communeId: late!.id, title: 'Lịch tiêm phòng' } });
    const version = await db.prisma.bulletinVersion.create({ data: { bulletinId: bulletin.id, revision: 1 } });
    const run = (scheduledFor: string) => db.prisma.broadcastRun.create({ data: { bulletinId: bulletin.id, revision: 1, scheduledFor: at(scheduledFor) } });
    const [inQuarter, next] = [await run('2026-11-01T07:00:00+07:00'), await run('2027-01-01T07:00:00+07:00')];
    await db.prisma.delivery.createMany({ data: [
      { runId: inQuarter.id, bulletinVersionId: version.id, status: 'sent' },
      { runId: inQuarter.id, bulletinVersionId: version.id, status: 'sent' },
      { runId: inQuarter.id, bulletinVersionId: version.id, status: 'failed' },
      { runId: next.id, bulletinVersionId: version.id, status: 'sent' },
    ] });
    const ranked = await provinceRanking(db.prisma, [empty!, late!, good!], quarterPeriod(2026, 4));
    expect(ranked.map((r) => r.bulletinsDelivered)).toEqual([0, 2, 0]);
    expect(ranked.map((r) => [r.code, r.rank, r.received, r.eligible, r.onTime, r.satisfied, r.loudspeakersOnline, r.loudspeakers])).toEqual([
      ['r-tot', 1, 2, 2, 1, 1, 0, 0],
      ['r-cham', 2, 2, 1, 0, 0, 1, 1],
      ['r-trong', null, 0, 0, 0, 0, 0, 0],
    ]);
    expect(ranked[0]!.avgHoursToAnswer).toBe(24);
    // One rule: the ranking's on-time share is the commune report's (1 on time of 2 due).
    const { communeFigures } = await import('../../src/reports/commune-figures.ts');
    expect(ranked[0]!.onTimeRate).toBe(0.5);
    for (const r of ranked.filter((x) => x.rank !== null)) expect(r.onTimeRate).toBe((await communeFigures(db.prisma, r.communeId, quarterPeriod(2026, 4), 'staff')).totals.onTimeRate);
  });
});
