// Applies the committed SQL migrations in prisma/migrations, on PostgreSQL and PGlite alike.
// Prisma's own `migrate deploy` needs its schema engine, which cannot be downloaded offline,
// so the application applies them itself. It keeps Prisma's bookkeeping table
// (_prisma_migrations, same columns and checksums) so `prisma migrate status` stays truthful
// wherever the engine is available.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.ts';
import type { SqlRunner } from './sql-runner.ts';

export const defaultMigrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** Any number; shared by every Loa Xã process so only one migrates at a time. */
const ADVISORY_LOCK_KEY = 7_415_320_260;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface MigrationFile {
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrateOptions {
  migrationsDir?: string;
  log?: Logger;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

interface Row {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Migration folders in name order (their timestamp prefix orders them). */
export async function readMigrations(dir = defaultMigrationsDir): Promise<MigrationFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new MigrationError(`Không đọc được thư mục migration ${dir}: ${(e as Error).message}`);
  }
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    let sql: string;
    try {
      sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
    } catch {
      throw new MigrationError(`Migration ${name} thiếu tệp migration.sql`);
    }
    // Prisma's checksum: SHA-256 of the file's bytes, hex.
    files.push({ name, sql, checksum: createHash('sha256').update(sql, 'utf8').digest('hex') });
  }
  return files;
}

async function tableExists(sql: Pick<SqlRunner, 'query'>): Promise<boolean> {
  const rows = await sql.query<{ t: string | null }>(`SELECT to_regclass('"_prisma_migrations"')::text AS t`);
  return rows[0]?.t != null;
}

async function readRows(sql: Pick<SqlRunner, 'query'>): Promise<Row[]> {
  return sql.query<Row>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`,
  );
}

function unfinished(rows: Row[]): Row | undefined {
  return rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
}

/**
 * Applies every pending migration, each in its own transaction under an advisory lock, so
 * concurrent starts (several workers) apply each one exactly once and a failing migration
 * leaves no trace. Safe to run on every start.
 */
export async function migrate(sql: SqlRunner, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const files = await readMigrations(opts.migrationsDir);
  const applied: string[] = [];
  const alreadyApplied: string[] = [];

  await sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK_KEY]);
    await tx.exec(CREATE_TABLE);
  });

  for (const file of files) {
    const outcome = await sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK_KEY]);
      const rows = await readRows(tx);
      // A row Prisma's own tool left half-done means the schema may be half-changed: a person
      // has to look (`prisma migrate resolve`), applying more on top would make it worse.
      const broken = unfinished(rows);
      if (broken) {
        throw new MigrationError(
          `Migration ${broken.migration_name} đang dở dang trong _prisma_migrations; sửa cơ sở dữ liệu rồi đánh dấu bằng "prisma migrate resolve" trước khi chạy tiếp`,
        );
      }
      const done = rows.find((r) => r.migration_name === file.name && r.finished_at !== null && r.rolled_back_at === null);
      if (done) {
        if (done.checksum !== file.checksum) {
          opts.log?.warn({ migration: file.name }, 'tệp migration đã bị sửa sau khi áp dụng (checksum khác); không áp dụng lại');
        }
        return 'skipped' as const;
      }
      try {
        await tx.exec(file.sql);
      } catch (e) {
        throw new MigrationError(`Migration ${file.name} lỗi, không thay đổi gì: ${(e as Error).message}`);
      }
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
        [randomUUID(), file.checksum, file.name],
      );
      return 'applied' as const;
    });
    if (outcome === 'applied') {
      applied.push(file.name);
      opts.log?.info({ migration: file.name }, 'đã áp dụng migration');
    } else {
      alreadyApplied.push(file.name);
    }
  }
  return { applied, alreadyApplied };
}

/** What `loaxa doctor` reports: applied and pending migration names, without changing anything. */
export async function migrationStatus(sql: SqlRunner, opts: { migrationsDir?: string } = {}): Promise<MigrationStatus> {
  const files = await readMigrations(opts.migrationsDir);
  const rows = (await tableExists(sql)) ? await readRows(sql) : [];
  const done = new Set(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => r.migration_name));
  return {
    applied: files.filter((f) => done.has(f.name)).map((f) => f.name),
    pending: files.filter((f) => !done.has(f.name)).map((f) => f.name),
  };
}
