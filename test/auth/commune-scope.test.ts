// The one rule for access across communes: commune staff read and act on their commune; province
// staff read every commune of their province (whatever their province role), act on none, and
// never see another province; province roles grant province-level rights one by one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient, ProvinceRole, Staff } from '../../src/db/generated/client.ts';
import {
  canApproveProvinceBulletin,
  canOnboardCommune,
  canWriteProvinceBulletin,
  communeScope,
  reachOf,
  readableIds,
  requireOwnCommune,
  requireProvinceRole,
} from '../../src/auth/commune-scope.ts';
import { isAppError } from '../../src/errors.ts';
import { apiKeyActor, apiKeyCommunes, createApiKey } from '../../src/auth/staff-sessions.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
const p: Record<string, string> = {};
const c: Record<string, string> = {};
const s: Record<string, Staff> = {};

beforeAll(async () => {
  db = await openMigratedTestDatabase('commune-scope', 3);
  prisma = db.prisma;
  p.A = (await prisma.province.create({ data: { code: 'tinh-a', name: 'Tỉnh A' } })).id;
  p.B = (await prisma.province.create({ data: { code: 'tinh-b', name: 'Tỉnh B' } })).id;
  c.a1 = (await prisma.commune.create({ data: { code: 'xa-a1', name: 'Xã A1', provinceId: p.A } })).id;
  c.a2 = (await prisma.commune.create({ data: { code: 'xa-a2', name: 'Xã A2', provinceId: p.A } })).id;
  c.b1 = (await prisma.commune.create({ data: { code: 'xa-b1', name: 'Xã B1', provinceId: p.B } })).id;
  c.loose = (await prisma.commune.create({ data: { code: 'xa-le', name: 'Xã chưa thuộc tỉnh' } })).id;
  const make = async (username: string, data: { communeId?: string; provinceId?: string; provinceRoles?: ProvinceRole[]; active?: boolean }) => {
    s[username] = await prisma.staff.create({ data: { username, displayName: username, roles: data.communeId ? ['admin'] : [], provinceRoles: [], ...data } });
  };
  await make('xa-a1-admin', { communeId: c.a1 });
  // Province fields on a commune account grant nothing.
  await make('xa-a1-mixed', { communeId: c.a1, provinceId: p.A, provinceRoles: ['viewer', 'admin'] });
  for (const role of ['viewer', 'editor', 'approver', 'admin'] as const) await make(`a-${role}`, { provinceId: p.A, provinceRoles: [role] });
  await make('b-viewer', { provinceId: p.B, provinceRoles: ['viewer'] });
  await make('a-no-role', { provinceId: p.A });
  await make('a-retired', { provinceId: p.A, provinceRoles: ['viewer'], active: false });
  await make('nobody', {});
});
afterAll(async () => {
  await db?.close();
});

describe('communeScope', () => {
  it('reads the own commune for commune staff, every commune of the province for any province role, nothing otherwise', async () => {
    const read = async (u: string) => readableIds(await communeScope(prisma, s[u]!)).sort();
    const province = [c.a1!, c.a2!].sort();
    expect(await read('xa-a1-admin')).toEqual([c.a1]);
    expect(await read('xa-a1-mixed')).toEqual([c.a1]);
    for (const role of ['viewer', 'editor', 'approver', 'admin']) expect(await read(`a-${role}`)).toEqual(province);
    expect(await read('b-viewer')).toEqual([c.b1]);
    expect(await read('a-no-role')).toEqual([]);
    expect(await read('a-retired')).toEqual([]);
    expect(await read('nobody')).toEqual([]);
  });

  it('a commune joining the province is read at once; one leaving it is not', async () => {
    const joined = await prisma.commune.create({ data: { code: 'xa-a3', name: 'Xã A3', provinceId: p.A } });
    expect(readableIds(await communeScope(prisma, s['a-viewer']!))).toContain(joined.id);
    await prisma.commune.update({ where: { id: joined.id }, data: { provinceId: p.B } });
    expect(readableIds(await communeScope(prisma, s['a-viewer']!))).not.toContain(joined.id);
    expect(readableIds(await communeScope(prisma, s['b-viewer']!))).toContain(joined.id);
    await prisma.commune.delete({ where: { id: joined.id } });
  });

  it('acts only on the own commune: province staff read, others do not reach at all', async () => {
    expect(reachOf(await communeScope(prisma, s['xa-a1-admin']!), c.a1!)).toBe('act');
    expect(reachOf(await communeScope(prisma, s['xa-a1-admin']!), c.a2!)).toBeNull();
    expect(reachOf(await communeScope(prisma, s['a-admin']!), c.a2!)).toBe('read');
    expect(reachOf(await communeScope(prisma, s['a-admin']!), c.b1!)).toBeNull();
    expect(reachOf(await communeScope(prisma, s['a-viewer']!), c.loose!)).toBeNull();
  });
});

describe('requireOwnCommune', () => {
  const outcome = async (u: string, communeId: string) => {
    try {
      await requireOwnCommune(prisma, s[u]!, communeId, 'Không tìm thấy.');
      return 'ok';
    } catch (e) {
      if (!isAppError(e)) throw e;
      return e.code;
    }
  };
  it('lets commune staff on, refuses province readers (403) and answers everyone else as missing (404)', async () => {
    expect(await outcome('xa-a1-admin', c.a1!)).toBe('ok');
    expect(await outcome('xa-a1-admin', c.a2!)).toBe('NOT_FOUND');
    expect(await outcome('xa-a1-mixed', c.a2!)).toBe('NOT_FOUND');
    for (const role of ['viewer', 'editor', 'approver', 'admin']) expect(await outcome(`a-${role}`, c.a1!)).toBe('FORBIDDEN');
    expect(await outcome('a-viewer', c.b1!)).toBe('NOT_FOUND');
    expect(await outcome('b-viewer', c.a1!)).toBe('NOT_FOUND');
    expect(await outcome('a-no-role', c.a1!)).toBe('NOT_FOUND');
    expect(await outcome('a-retired', c.a1!)).toBe('NOT_FOUND');
    expect(await outcome('a-viewer', '00000000-0000-0000-0000-000000000000')).toBe('NOT_FOUND');
  });
});

describe('province-level rights', () => {
  it('each role grants its own right in its own province only; no role implies another', () => {
    const rights = (u: string, province: string) => [canWriteProvinceBulletin(s[u]!, province), canApproveProvinceBulletin(s[u]!, province), canOnboardCommune(s[u]!, province)];
    expect(rights('a-viewer', p.A!)).toEqual([false, false, false]);
    expect(rights('a-editor', p.A!)).toEqual([true, false, false]);
    expect(rights('a-approver', p.A!)).toEqual([false, true, false]);
    expect(rights('a-admin', p.A!)).toEqual([false, false, true]);
    expect(rights('a-admin', p.B!)).toEqual([false, false, false]);
    expect(rights('a-editor', p.B!)).toEqual([false, false, false]);
    expect(rights('xa-a1-mixed', p.A!)).toEqual([false, false, false]);
    expect(rights('a-retired', p.A!)).toEqual([false, false, false]);
  });

  it('requireProvinceRole throws FORBIDDEN with a Vietnamese reason', () => {
    expect(() => requireProvinceRole(s['a-editor']!, p.A, 'editor')).not.toThrow();
    for (const [u, province] of [['a-viewer', p.A], ['a-editor', p.B], ['a-editor', null]] as const) {
      try {
        requireProvinceRole(s[u]!, province, 'editor');
        expect.unreachable();
      } catch (e) {
        expect(isAppError(e) && e.code).toBe('FORBIDDEN');
        expect((e as Error).message).toContain('bản tin');
      }
    }
  });
});

describe('API keys', () => {
  it('a commune key reads its commune, a province key every commune of its province; none for a commune outside a province', async () => {
    const communeKey = await apiKeyActor(prisma, (await createApiKey(prisma, { communeId: c.a1!, name: 'Nguồn xã' })).key);
    const provinceKey = await apiKeyActor(prisma, (await createApiKey(prisma, { communeId: c.a2!, name: 'Sở', province: true })).key);
    expect(communeKey).toMatchObject({ communeId: c.a1, provinceId: null });
    expect(provinceKey).toMatchObject({ communeId: c.a2, provinceId: p.A });
    expect(await apiKeyCommunes(prisma, communeKey!)).toEqual([c.a1]);
    expect((await apiKeyCommunes(prisma, provinceKey!)).sort()).toEqual([c.a1!, c.a2!].sort());
    await expect(createApiKey(prisma, { communeId: c.loose!, name: 'Không tỉnh', province: true })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await prisma.apiKey.count({ where: { name: 'Không tỉnh' } })).toBe(0);
  });
});
