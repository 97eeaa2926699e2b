// How long a fresh install spends creating the schema: every committed migration applied to an
// empty PostgreSQL database and to an in-memory PGlite (the single-box embedded database).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pgliteRunner, pgRunner, type SqlRunner } from '../../src/db/sql-runner.ts';
import { silentLogger } from '../../src/logger.ts';
import { median, round, withinLimit, type BenchContext, type BenchResult, type Scenario } from '../harness.ts';
import { withBenchDatabase } from '../services.ts';

interface Migration {
  name: string;
  sql: string;
}

async function readMigrations(root: string): Promise<Migration[]> {
  const dir = join(root, 'prisma', 'migrations');
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const out: Migration[] = [];
  for (const name of names) {
    const file = join(dir, name, 'migration.sql');
    if (existsSync(file)) out.push({ name, sql: await readFile(file, 'utf8') });
  }
  return out;
}

type Apply = (sql: SqlRunner) => Promise<void>;

/**
 * The application's own migrator when there is one (what `loaxa migrate` really costs, with its
 * bookkeeping), otherwise the SQL files executed in order.
 */
async function chooseMethod(root: string, migrations: Migration[]): Promise<{ method: string; apply: Apply }> {
  const file = join(root, 'src', 'db', 'migrator.ts');
  if (existsSync(file)) {
    const mod = (await import(pathToFileURL(file).href)) as { migrate?: unknown };
    if (typeof mod.migrate === 'function') {
      const migrate = mod.migrate as (sql: SqlRunner, opts: { log: typeof silentLogger }) => Promise<unknown>;
      return {
        method: 'src/db/migrator.ts',
        apply: async (sql) => {
          await migrate(sql, { log: silentLogger });
        },
      };
    }
  }
  return {
    method: 'migration.sql files in order',
    apply: async (sql) => {
      for (const m of migrations) await sql.exec(m.sql);
    },
  };
}

async function timePostgres(ctx: BenchContext, apply: Apply): Promise<number> {
  return withBenchDatabase(ctx.services.pgAdminUrl, 'migrate', async (db) => {
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    // pool.end() closes sockets in the background; the DROP … FORCE that follows may cut them first.
    pool.on('error', () => undefined);
    try {
      await pool.query('SELECT 1'); // connect outside the timed part
      const t0 = performance.now();
      await apply(pgRunner(pool));
      return performance.now() - t0;
    } finally {
      await pool.end();
    }
  });
}

async function timePglite(apply: Apply): Promise<{ openMs: number; migrateMs: number }> {
  const t0 = performance.now();
  const db = await PGlite.create(); // in memory
  const t1 = performance.now();
  try {
    await apply(pgliteRunner(db));
    return { openMs: t1 - t0, migrateMs: performance.now() - t1 };
  } finally {
    await db.close();
  }
}

// A first start must not look hung to the person installing it on a commune office PC.
const LIMIT_MS = 10_000;

const scenario: Scenario = {
  name: 'migrate',
  description: 'apply every committed migration to a fresh PostgreSQL database and to an in-memory PGlite',
  async run(ctx): Promise<BenchResult> {
    const migrations = await readMigrations(ctx.root);
    if (migrations.length === 0) throw new Error('no migrations under prisma/migrations');
    const { method, apply } = await chooseMethod(ctx.root, migrations);
    const runs = ctx.quick ? 1 : 3;
    const postgres: number[] = [];
    const pglite: number[] = [];
    const pgliteOpen: number[] = [];
    for (let i = 0; i < runs; i++) {
      ctx.signal.throwIfAborted();
      ctx.log(`run ${i + 1}/${runs}: PostgreSQL`);
      postgres.push(await timePostgres(ctx, apply));
      ctx.signal.throwIfAborted();
      ctx.log(`run ${i + 1}/${runs}: PGlite`);
      const p = await timePglite(apply);
      pglite.push(p.migrateMs);
      pgliteOpen.push(p.openMs);
    }
    const figures = {
      postgres: { value: round(median(postgres), 1), unit: 'ms' },
      pglite: { value: round(median(pglite), 1), unit: 'ms' },
      pglite_open: { value: round(median(pgliteOpen), 1), unit: 'ms' },
    };
    return {
      figures,
      comparisons: [withinLimit(figures, 'postgres', LIMIT_MS, 'lower'), withinLimit(figures, 'pglite', LIMIT_MS, 'lower')],
      meta: {
        method,
        migrations: migrations.length,
        sql_bytes: migrations.reduce((n, m) => n + Buffer.byteLength(m.sql), 0),
        runs,
        statistic: 'median',
      },
    };
  },
};

export default scenario;
