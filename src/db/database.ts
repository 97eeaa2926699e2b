// Opens the source of truth: PostgreSQL when DATABASE_URL is set, otherwise an embedded
// PostgreSQL (PGlite) persisted under DATA_DIR. Both give the same Prisma client.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import { PrismaClient } from './generated/client.ts';
import { pgliteRunner, pgRunner, type SqlRunner } from './sql-runner.ts';

export type { PrismaClient };

export interface Database {
  kind: 'postgres' | 'pglite';
  /** Where the data is, safe to print (no password). */
  label: string;
  prisma: PrismaClient;
  sql: SqlRunner;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** Give up connecting after this long (PostgreSQL). */
  connectTimeoutMs?: number;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(địa chỉ không đọc được)';
  }
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts);
  return openPglite(join(opts.dataDir, 'pglite'));
}

async function openPostgres(url: string, opts: OpenDatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const sql = pgRunner(pool);
  try {
    await sql.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: 'postgres',
    label: redactUrl(url),
    prisma,
    sql,
    ping: async () => {
      await sql.query('SELECT 1');
    },
    close: async () => {
      await prisma.$disconnect().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}

/**
 * PGlite's own start parameters plus smaller buffers: its WebAssembly memory never shrinks, and
 * PostgreSQL's server defaults (128 MB of shared buffers) are sized for a database server, not
 * for one commune's data next to everything else on a 2–4 GB mini PC. Measured: about 110 MB less
 * resident memory for the embedded database (bench scenario `footprint`).
 */
function pgliteStartParams(): string[] {
  const defaults = (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams ?? [];
  const small = ['shared_buffers=16MB', 'work_mem=2MB', 'maintenance_work_mem=16MB', 'wal_buffers=1MB', 'temp_buffers=2MB'];
  return [...defaults, ...small.flatMap((c) => ['-c', c])];
}

async function openPglite(dir: string): Promise<Database> {
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir, { startParams: pgliteStartParams() });
  const sql = pgliteRunner(db);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  return {
    kind: 'pglite',
    label: `PGlite ${dir}`,
    prisma,
    sql,
    ping: async () => {
      await sql.query('SELECT 1');
    },
    close: async () => {
      await prisma.$disconnect().catch(() => undefined);
      if (!db.closed) await db.close();
    },
  };
}
