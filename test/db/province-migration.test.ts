// The provinces migration keeps existing data: communes join a Province made from their old province
// name, the district column goes, district/province oversight accounts become province viewers, and
// API keys speak for the province of their commune (a later migration takes that back for keys issued
// before provinces: they read their commune only). The next one replaces oversight grants by
// province roles: what no role covers is written to the audit log, and the grants table goes.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMigrationsDir, migrate } from '../../src/db/migrator.ts';
import { pgRunner } from '../../src/db/sql-runner.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';

let db: TestDatabase;
let pool: pg.Pool;
let before: string;
let through: string;
beforeAll(async () => {
  db = await createTestDatabase('provmig');
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined);
  // Every migration older than the provinces one, as an installation had them.
  const names = (await readdir(defaultMigrationsDir)).sort();
  const cut = names.findIndex((n) => n.endsWith('_provinces'));
  const upTo = async (end: number) => {
    const dir = await mkdtemp(join(tmpdir(), 'loaxa-prov-'));
    for (const n of names.slice(0, end)) await cp(join(defaultMigrationsDir, n), join(dir, n), { recursive: true });
    for (const n of names.filter((x) => !/^\d/.test(x))) await cp(join(defaultMigrationsDir, n), join(dir, n));
    return dir;
  };
  before = await upTo(cut);
  // …and through the provinces migration itself.
  through = await upTo(cut + 1);
});
afterAll(async () => {
  await pool.end();
  await db.drop();
  await rm(before, { recursive: true, force: true });
  await rm(through, { recursive: true, force: true });
});

describe('provinces migration', () => {
  it('turns district-era rows into a province with its communes, viewers and keys', async () => {
    await migrate(pgRunner(pool), { migrationsDir: before });
    const q = (text: string, values: unknown[] = []) => pool.query(text, values);
    const a = (await q(`INSERT INTO "Commune" (code, name, district, province) VALUES ('a', 'Xã A', 'Huyện X', 'Tỉnh Mẫu') RETURNING id`)).rows[0].id as string;
    const b = (await q(`INSERT INTO "Commune" (code, name, district, province) VALUES ('b', 'Xã B', 'Huyện Y', ' Tỉnh Mẫu ') RETURNING id`)).rows[0].id as string;
    const c = (await q(`INSERT INTO "Commune" (code, name, district, province) VALUES ('c', 'Xã C', 'Huyện Z', NULL) RETURNING id`)).rows[0].id as string;
    const overseer = (await q(`INSERT INTO "Staff" (username, "displayName", roles) VALUES ('huyen', 'Phòng Văn hóa huyện', '{viewer}') RETURNING id`)).rows[0].id as string;
    const stranger = (await q(`INSERT INTO "Staff" (username, "displayName", roles) VALUES ('khac', 'Chỉ xã C', '{viewer}') RETURNING id`)).rows[0].id as string;
    const clerk = (await q(`INSERT INTO "Staff" ("communeId", username, "displayName", roles) VALUES ($1, 'canbo', 'Cán bộ', '{editor}') RETURNING id`, [a])).rows[0].id as string;
    await q(`INSERT INTO "OversightGrant" ("staffId", "communeId") VALUES ($1, $2), ($1, $3), ($4, $5)`, [overseer, a, b, stranger, c]);
    await q(`INSERT INTO "ApiKey" ("communeId", name, "keyHash", "keyPrefix") VALUES ($1, 'UBND huyện', 'h1', 'lx_1'), ($2, 'Khác', 'h2', 'lx_2')`, [b, c]);

    await migrate(pgRunner(pool), { migrationsDir: through });

    const provinces = (await q(`SELECT id, name, "declineWindowMinutes" FROM "Province"`)).rows;
    expect(provinces).toHaveLength(1);
    expect(provinces[0]).toMatchObject({ name: 'Tỉnh Mẫu', declineWindowMinutes: 120 });
    const pid = provinces[0].id as string;
    const communes = (await q(`SELECT code, "provinceId" FROM "Commune" ORDER BY code`)).rows;
    expect(communes).toEqual([{ code: 'a', provinceId: pid }, { code: 'b', provinceId: pid }, { code: 'c', provinceId: null }]);
    const columns = (await q(`SELECT column_name FROM information_schema.columns WHERE table_name = 'Commune'`)).rows.map((r) => r.column_name);
    expect(columns).not.toContain('district');
    const staff = (await q(`SELECT id, "communeId", "provinceId", "provinceRoles"::text[] AS pr FROM "Staff"`)).rows;
    const byId = new Map(staff.map((s) => [s.id as string, s]));
    expect(byId.get(overseer)).toMatchObject({ communeId: null, provinceId: pid, pr: ['viewer'] });
    // Granted only a commune without province: keeps its grant, is no province staff.
    expect(byId.get(stranger)).toMatchObject({ provinceId: null });
    expect((await q(`SELECT count(*)::int AS n FROM "OversightGrant"`)).rows[0].n).toBe(3);
    // Commune staff stay commune staff.
    expect(byId.get(clerk)).toMatchObject({ communeId: a, provinceId: null });
    const keys = (await q(`SELECT "keyPrefix", "provinceId" FROM "ApiKey" ORDER BY "keyPrefix"`)).rows;
    expect(keys).toEqual([{ keyPrefix: 'lx_1', provinceId: pid }, { keyPrefix: 'lx_2', provinceId: null }]);
  });

  it('replaces oversight grants by province roles: grants no role covers are audited, then the table goes', async () => {
    const q = (text: string, values: unknown[] = []) => pool.query(text, values);
    const id = async (sql: string, values: unknown[] = []) => (await q(sql, values)).rows[0].id as string;
    const code = async (c: string) => id(`SELECT id FROM "Commune" WHERE code = $1`, [c]);
    const [a, c] = [await code('a'), await code('c')];
    const pid = await id(`SELECT id FROM "Province"`);
    const other = await id(`INSERT INTO "Province" (code, name) VALUES ('p-khac', 'Tỉnh Khác') RETURNING id`);
    const d = await id(`INSERT INTO "Commune" (code, name, "provinceId") VALUES ('d', 'Xã D', $1) RETURNING id`, [other]);
    // Granted after the provinces migration (the demo seed did): becomes a viewer of that province.
    const late = await id(`INSERT INTO "Staff" (username, "displayName", roles) VALUES ('muon', 'Cấp sau', '{viewer}') RETURNING id`);
    // A province account without a role yet: its grant in its own province gives it the viewer role.
    const roleless = await id(`INSERT INTO "Staff" (username, "displayName", roles, "provinceId") VALUES ('chua-vai-tro', 'Chưa vai trò', '{}', $1) RETURNING id`, [pid]);
    // Commune staff granted a neighbour: no province role can say that.
    const clerk = await id(`SELECT id FROM "Staff" WHERE username = 'canbo'`);
    const overseer = await id(`SELECT id FROM "Staff" WHERE username = 'huyen'`);
    await q(`INSERT INTO "OversightGrant" ("staffId", "communeId") VALUES ($1, $2), ($3, $4), ($5, $2)`, [late, d, roleless, a, clerk]);
    // The overseer (viewer of the first province) was also granted a commune of another province.
    await q(`INSERT INTO "OversightGrant" ("staffId", "communeId") VALUES ($1, $2)`, [overseer, d]);

    // A province key issued once provinces exist.
    await q(`INSERT INTO "ApiKey" ("communeId", "provinceId", name, "keyHash", "keyPrefix") VALUES ($1, $2, 'Sở VHTTDL', 'h3', 'lx_3')`, [a, pid]);

    await migrate(pgRunner(pool));

    // Keys issued to a commune before provinces read that commune only, not the whole province.
    const keys = (await q(`SELECT "keyPrefix", "provinceId" FROM "ApiKey" ORDER BY "keyPrefix"`)).rows;
    expect(keys).toEqual([{ keyPrefix: 'lx_1', provinceId: null }, { keyPrefix: 'lx_2', provinceId: null }, { keyPrefix: 'lx_3', provinceId: pid }]);
    expect((await q(`SELECT to_regclass('"OversightGrant"') AS t`)).rows[0].t).toBeNull();
    const staff = new Map((await q(`SELECT id, "communeId", "provinceId", "provinceRoles"::text[] AS pr FROM "Staff"`)).rows.map((s) => [s.id as string, s]));
    expect(staff.get(late)).toMatchObject({ communeId: null, provinceId: other, pr: ['viewer'] });
    expect(staff.get(roleless)).toMatchObject({ provinceId: pid, pr: ['viewer'] });
    expect(staff.get(overseer)).toMatchObject({ provinceId: pid, pr: ['viewer'] });
    expect(staff.get(clerk)).toMatchObject({ communeId: a, provinceId: null });
    const dropped = (await q(`SELECT "communeId", "entityId", data->>'reason' AS reason FROM "AuditLog" WHERE action = 'oversight_grant.dropped' ORDER BY data->>'reason', "entityId"`)).rows;
    expect(dropped).toEqual(
      [
        { communeId: d, entityId: clerk, reason: 'commune_staff' },
        // From the provinces test: 'khac' was granted only commune C, which is in no province.
        { communeId: c, entityId: await id(`SELECT id FROM "Staff" WHERE username = 'khac'`), reason: 'commune_without_province' },
        { communeId: d, entityId: overseer, reason: 'other_province' },
      ].sort((x, y) => x.reason.localeCompare(y.reason) || x.entityId.localeCompare(y.entityId)),
    );
  });
});
