// The demo commune on embedded PostgreSQL (PGlite): complete, idempotent, and all-or-nothing.
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../src/db/generated/client.ts';
import { pgliteRunner } from '../../src/db/sql-runner.ts';
import { migrate } from '../../src/db/migrator.ts';
import { DEMO_PROVINCE_CODE, seedDemo } from '../../src/demo/seed-demo.ts';
import { verifyPassword } from '../../src/auth/password.ts';

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
    // The oversight account reads the commune through a grant, not as its staff.
    const viewer = await prisma.staff.findUniqueOrThrow({ where: { username: 'giamsat' }, include: { oversightGrants: true } });
    expect(viewer.communeId).toBeNull();
    expect(viewer.oversightGrants.map((g) => g.communeId)).toEqual([commune.id]);
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
});
