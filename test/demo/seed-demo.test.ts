// The demo commune on embedded PostgreSQL (PGlite): complete, idempotent, and all-or-nothing.
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../src/db/generated/client.ts';
import { pgliteRunner } from '../../src/db/sql-runner.ts';
import { migrate } from '../../src/db/migrator.ts';
import { DEMO_PROVINCE_CODE, seedDemo } from '../../src/demo/seed-demo.ts';
import { provinceRanking } from '../../src/province/province-ranking.ts';
import { communeFigures, type Period } from '../../src/reports/commune-figures.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { communeScope, readableIds } from '../../src/auth/commune-scope.ts';

let pglite: PGlite;
let prisma: PrismaClient;

beforeAll(async () => {
  pglite = new PGlite();
  await migrate(pgliteRunner(pglite));
  prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await pglite?.close();
});

describe('seed-demo', () => {
  it('creates a commune with 7 villages, staff in every role, assignments, targets and endpoints', async () => {
    const result = await seedDemo(prisma, { password: 'MatKhauMau2026' });
    expect(result.created).toBe(true);
    const commune = await prisma.commune.findUniqueOrThrow({ where: { id: result.communeId }, include: { villages: true, staff: true } });
    expect(commune.villages).toHaveLength(7);
    const roles = new Set(result.accounts.flatMap((a) => a.roles));
    expect([...roles].sort()).toEqual(['admin', 'approver', 'editor', 'responder', 'viewer']);
    expect(await prisma.staff.count({ where: { isLeader: true, communeId: commune.id } })).toBe(1);
    // The oversight account reads the commune as a province viewer, not as its staff.
    const viewer = await prisma.staff.findUniqueOrThrow({ where: { username: 'giamsat' } });
    expect(viewer.communeId).toBeNull();
    expect(readableIds(await communeScope(prisma, viewer))).toEqual([commune.id]);
    // Two levels: the commune belongs to the demo province, and the oversight account is its staff.
    const province = await prisma.province.findUniqueOrThrow({ where: { code: DEMO_PROVINCE_CODE } });
    expect(commune.provinceId).toBe(province.id);
    expect(viewer).toMatchObject({ provinceId: province.id, provinceRoles: ['viewer'] });
    expect(viewer.displayName).toContain('tỉnh');

    // Every field but KHAC has someone responsible in every village.
    const categories = await prisma.category.findMany({ include: { assignments: true } });
    expect(categories).toHaveLength(11);
    for (const c of categories) {
      if (c.code === 'KHAC') expect(c.assignments).toHaveLength(0);
      else {
        const covered = c.assignments.some((a) => a.villageId === null) || c.assignments.length >= 7;
        expect(covered, c.code).toBe(true);
      }
    }
    expect(await prisma.target.count({ where: { kind: 'telegram_chat', status: 'inactive' } })).toBe(2);
    expect(await prisma.target.count({ where: { kind: 'zalo_group', status: 'inactive' } })).toBe(2);
    expect(await prisma.endpoint.count({ where: { protocol: 'simulator' } })).toBe(2);

    const staff = await prisma.staff.findUniqueOrThrow({ where: { username: 'vanhoa' } });
    expect(staff.mustChangePassword).toBe(true);
    expect(await verifyPassword(staff.passwordHash!, 'MatKhauMau2026')).toBe(true);
    expect(await verifyPassword(staff.passwordHash!, 'sai')).toBe(false);
  });

  it('does nothing the second time', async () => {
    const before = await prisma.staff.count();
    const again = await seedDemo(prisma);
    expect(again.created).toBe(false);
    expect(again.accounts).toEqual([]);
    expect(await prisma.staff.count()).toBe(before);
  });

  it('gives every account its own random password when none is fixed', async () => {
    await prisma.$executeRawUnsafe('TRUNCATE "Commune", "Staff" CASCADE');
    const result = await seedDemo(prisma);
    const passwords = new Set(result.accounts.map((a) => a.password));
    expect(passwords.size).toBe(result.accounts.length);
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z2-9]{12}$/);
  });

  it('the demo province (npm start): three communes with a quarter of history each, a full ranking, and nothing new the second time', async () => {
    const now = new Date('2026-12-03T03:00:00Z');
    await prisma.$executeRawUnsafe('TRUNCATE "Commune", "Staff" CASCADE');
    const started = performance.now();
    const first = await seedDemo(prisma, { password: 'MatKhauMau2026', province: true, now });
    expect(first.created).toBe(true);
    expect(first.communeIds).toHaveLength(3);
    // Not an assertion (speed is the bench's): printed so a slow seed shows in the test log.
    process.stdout.write(`demo province seeded in ${Math.round(performance.now() - started)} ms (PGlite)\n`);
    const province = await prisma.province.findUniqueOrThrow({ where: { code: DEMO_PROVINCE_CODE }, include: { communes: true, staff: true } });
    expect(province.communes.map((c) => c.code).sort()).toEqual(['demo', 'demo-an-phu', 'demo-tan-lap']);
    expect(province.staff.map((s) => [s.username, s.provinceRoles])).toEqual(expect.arrayContaining([['giamsat', ['viewer']], ['quantritinh', ['admin']]]));
    const viewer = await prisma.staff.findUniqueOrThrow({ where: { username: 'giamsat' } });
    expect(readableIds(await communeScope(prisma, viewer)).sort()).toEqual([...first.communeIds].sort());

    for (const communeId of first.communeIds) {
      const statuses = new Set((await prisma.ticket.findMany({ where: { communeId }, select: { status: true } })).map((t) => t.status));
      expect([...statuses].sort(), communeId).toEqual(['answered', 'closed', 'duplicate', 'in_progress', 'new', 'received', 'rejected', 'transferred'].filter((s) => statuses.has(s as never)).sort());
      expect(statuses.size, communeId).toBeGreaterThanOrEqual(7);
      expect(await prisma.ticket.count({ where: { communeId, confidential: true } }), communeId).toBeGreaterThan(0);
      expect(await prisma.ticket.count({ where: { communeId, status: { in: ['new', 'received', 'in_progress'] }, dueAt: { lt: now } } }), `${communeId} overdue`).toBeGreaterThan(0);
      expect(await prisma.ticket.count({ where: { communeId, ratingComment: 'hài lòng' } })).toBeGreaterThan(0);
      expect(await prisma.ticket.count({ where: { communeId, ratingComment: 'chưa hài lòng' } })).toBeGreaterThan(0);
      expect(await prisma.delivery.count({ where: { run: { bulletin: { communeId } }, playedAt: { not: null } } })).toBeGreaterThan(20);
      expect(await prisma.endpoint.count({ where: { communeId, status: 'online', lastHeartbeatAt: { not: null } } })).toBeGreaterThan(0);
      // New tickets continue the numbering instead of colliding with the history's codes.
      const last = await prisma.ticket.findFirstOrThrow({ where: { communeId, year: 2026 }, orderBy: { seq: 'desc' } });
      expect((await prisma.ticketCounter.findUniqueOrThrow({ where: { communeId_year: { communeId, year: 2026 } } })).lastSeq).toBe(last.seq);
    }
    // Every history ticket is in the quarter before `now`.
    expect(await prisma.ticket.count({ where: { createdAt: { gt: now } } })).toBe(0);
    expect(await prisma.ticket.count({ where: { createdAt: { lt: new Date(now.getTime() - 92 * 86_400_000) } } })).toBe(0);

    // The ranking is full and tells the communes apart.
    const period: Period = { from: '2026-10-01', to: '2026-12-31', label: 'Quý IV năm 2026' };
    const ranked = await provinceRanking(prisma, province.communes, period);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3]);
    expect(ranked[0]!.code).toBe('demo');
    for (const r of ranked) {
      expect(r.received).toBeGreaterThan(20);
      expect(r.bulletinsDelivered).toBeGreaterThan(0);
      expect(r.satisfactionRate).not.toBeNull();
    }
    expect((await communeFigures(prisma, ranked[0]!.communeId, period, 'public')).byVillage.length).toBeGreaterThan(3);

    const counts = async () => Promise.all([prisma.commune.count(), prisma.staff.count(), prisma.ticket.count(), prisma.delivery.count(), prisma.province.count()]);
    const before = await counts();
    const again = await seedDemo(prisma, { province: true, now });
    expect(again.created).toBe(false);
    expect(again.accounts).toEqual([]);
    expect(await counts()).toEqual(before);
  }, 60_000);

  it('is deterministic: the same history for the same day on another database', async () => {
    const now = new Date('2026-12-03T03:00:00Z');
    const digest = async (p: PrismaClient) => (await p.ticket.findMany({ orderBy: { code: 'asc' }, select: { code: true, status: true, createdAt: true, answeredAt: true, ratingComment: true, confidential: true } }));
    const other = new PGlite();
    await migrate(pgliteRunner(other));
    const otherPrisma = new PrismaClient({ adapter: new PrismaPGlite(other) });
    try {
      await seedDemo(otherPrisma, { password: 'MatKhauMau2026', province: true, now });
      expect(await digest(otherPrisma)).toEqual(await digest(prisma));
    } finally {
      await otherPrisma.$disconnect();
      await other.close();
    }
  }, 60_000);
});
