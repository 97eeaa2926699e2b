// The application's own migrator, on the real PostgreSQL and on PGlite: idempotent, one
// transaction per migration, safe when several processes start at once, honest about state.
import { mkdtemp, mkdir, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMigrationsDir, migrate, migrationStatus, readMigrations } from '../../src/db/migrator.ts';
import { pgliteRunner, pgRunner, type SqlRunner } from '../../src/db/sql-runner.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'loaxa-migr-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A migrations folder made of the real ones plus extra steps. */
async function migrationsWith(extra: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(scratch, 'm-'));
  await cp(defaultMigrationsDir, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function tables(sql: SqlRunner): Promise<string[]> {
  const rows = await sql.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  return rows.map((r) => r.tablename);
}

const engines: Array<{ name: string; open(): Promise<{ sql: SqlRunner; close(): Promise<void>; more?(): Promise<{ sql: SqlRunner; close(): Promise<void> }> }> }> = [
  {
    name: 'PostgreSQL',
    async open() {
      const db: TestDatabase = await createTestDatabase('migr');
      const pools: pg.Pool[] = [];
      const make = () => {
        const pool = new pg.Pool({ connectionString: db.url, max: 3 });
        // DROP DATABASE … WITH (FORCE) ends idle clients; that is expected here.
        pool.on('error', () => undefined);
        pools.push(pool);
        return { sql: pgRunner(pool), close: () => pool.end() };
      };
      const first = make();
      return {
        sql: first.sql,
        more: async () => make(),
        close: async () => {
          for (const p of pools) await p.end().catch(() => undefined);
          await db.drop();
        },
      };
    },
  },
  {
    name: 'PGlite',
    async open() {
      const lite = new PGlite();
      return { sql: pgliteRunner(lite), close: () => lite.close() };
    },
  },
];

describe.each(engines)('migrator on $name', (engine) => {
  it('applies every migration once, then nothing, and records Prisma-compatible rows', async () => {
    const { sql, close } = await engine.open();
    try {
      const files = await readMigrations();
      expect(files.length).toBeGreaterThan(0);
      expect(await migrationStatus(sql)).toEqual({ applied: [], pending: files.map((f) => f.name) });

      const first = await migrate(sql);
      expect(first.applied).toEqual(files.map((f) => f.name));
      const second = await migrate(sql);
      expect(second).toEqual({ applied: [], alreadyApplied: files.map((f) => f.name) });
      expect((await migrationStatus(sql)).pending).toEqual([]);

      const rows = await sql.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
        `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"`,
      );
      expect(rows).toHaveLength(files.length);
      for (const r of rows) {
        const f = files.find((x) => x.name === r.migration_name)!;
        expect(r.checksum).toBe(f.checksum);
        expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(r.finished_at).not.toBeNull();
        expect(r.applied_steps_count).toBe(1);
      }
      expect(await tables(sql)).toEqual(expect.arrayContaining(['Ticket', 'Bulletin', 'Delivery', 'AuditLog', '_prisma_migrations']));
    } finally {
      await close();
    }
  });

  it('a failing migration leaves no trace and stops the ones after it', async () => {
    const { sql, close } = await engine.open();
    try {
      const dir = await migrationsWith({
        '20991231000000_half_broken': 'CREATE TABLE "Half" (id int); INSERT INTO "NoSuchTable" VALUES (1);',
        '20991231000001_after': 'CREATE TABLE "After" (id int);',
      });
      await expect(migrate(sql, { migrationsDir: dir })).rejects.toMatchObject({
        name: 'MigrationError',
        message: expect.stringContaining('20991231000000_half_broken'),
      });
      const names = await tables(sql);
      expect(names).toContain('Ticket');
      expect(names).not.toContain('Half');
      expect(names).not.toContain('After');
      const status = await migrationStatus(sql, { migrationsDir: dir });
      expect(status.pending).toEqual(['20991231000000_half_broken', '20991231000001_after']);
      const recorded = await sql.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name LIKE '2099%'`);
      expect(recorded).toHaveLength(0);
    } finally {
      await close();
    }
  });

  it('refuses to go on over a migration Prisma left unfinished, and warns on an edited file', async () => {
    const { sql, close } = await engine.open();
    try {
      await migrate(sql);
      const warnings: string[] = [];
      const log = { warn: (_o: unknown, m: string) => warnings.push(m), info: () => undefined } as never;
      const edited = await migrationsWith({});
      const [first] = await readMigrations();
      await writeFile(join(edited, first!.name, 'migration.sql'), `${first!.sql}\n-- edited\n`);
      const res = await migrate(sql, { migrationsDir: edited, log });
      expect(res.applied).toEqual([]);
      expect(warnings.join(' ')).toMatch(/checksum/);

      await sql.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ('x', 'y', '20991231000000_prisma_half', now())`,
      );
      await expect(migrate(sql)).rejects.toMatchObject({ name: 'MigrationError', message: expect.stringContaining('20991231000000_prisma_half') });
    } finally {
      await close();
    }
  });

  it('an unreadable migrations folder is a precise error', async () => {
    const { sql, close } = await engine.open();
    try {
      await expect(migrate(sql, { migrationsDir: join(scratch, 'missing') })).rejects.toMatchObject({ name: 'MigrationError' });
      const dir = await mkdtemp(join(scratch, 'empty-'));
      await mkdir(join(dir, '20990101000000_no_file'));
      await expect(migrate(sql, { migrationsDir: dir })).rejects.toThrow(/20990101000000_no_file/);
    } finally {
      await close();
    }
  });
});

describe('migrator under concurrency (PostgreSQL)', () => {
  it('four processes starting at once apply each migration exactly once', async () => {
    const { sql, close, more } = await engines[0]!.open();
    try {
      const runners = [sql, ...(await Promise.all([more!(), more!(), more!()])).map((m) => m.sql)];
      const dir = await migrationsWith({ '20991231000000_counter': 'CREATE TABLE "Counter" (n int); INSERT INTO "Counter" VALUES (1);' });
      const results = await Promise.all(runners.map((r) => migrate(r, { migrationsDir: dir })));
      const appliedCounts = results.map((r) => r.applied.length);
      expect(appliedCounts.reduce((a, b) => a + b, 0)).toBe((await readMigrations(dir)).length);
      expect(await sql.query(`SELECT n FROM "Counter"`)).toEqual([{ n: 1 }]);
      const dupes = await sql.query(`SELECT migration_name FROM "_prisma_migrations" GROUP BY 1 HAVING count(*) > 1`);
      expect(dupes).toEqual([]);
    } finally {
      await close();
    }
  });
});
