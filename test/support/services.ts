// Where the tests find the real PostgreSQL and Redis of this machine (overridable for other hosts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { Redis } from 'ioredis';
import { PrismaClient } from '../../src/db/generated/client.ts';
import { migrate } from '../../src/db/migrator.ts';
import { pgRunner } from '../../src/db/sql-runner.ts';

export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const DB_PREFIX = 'loaxa_t_';

export function uniqueName(label = 'x'): string {
  return `${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function urlFor(name: string): string {
  const u = new URL(TEST_PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database for one test file; drop() removes it. */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = `${DB_PREFIX}${uniqueName(label)}`.toLowerCase();
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: urlFor(name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * Removes databases left by an interrupted earlier run. Only old ones: another test run (CI next
 * to a developer) may be using the recent ones. The creation time is in the name.
 */
export async function dropStaleTestDatabases(olderThanMs = 3 * 3600_000): Promise<void> {
  await admin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${DB_PREFIX}%'`);
    for (const r of rows) {
      const created = parseInt(r.datname.split('_').at(-2) ?? '', 36);
      if (Number.isFinite(created) && Date.now() - created < olderThanMs) continue;
      await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    }
  });
}

export interface MigratedTestDatabase extends TestDatabase {
  pool: pg.Pool;
  prisma: PrismaClient;
  /** Disconnects, then drops the database. */
  close(): Promise<void>;
}

/** A fresh test database migrated by the application's own migrator, with a client on it. */
export async function openMigratedTestDatabase(label: string, poolSize = 6): Promise<MigratedTestDatabase> {
  const db = await createTestDatabase(label);
  const pool = new pg.Pool({ connectionString: db.url, max: poolSize });
  // DROP DATABASE … WITH (FORCE) at the end ends idle clients; that is expected here.
  pool.on('error', () => undefined);
  await migrate(pgRunner(pool));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    ...db,
    pool,
    prisma,
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
      await db.drop();
    },
  };
}

/** A Redis key prefix of one test file; removed with deleteTestRedisKeys. */
export function testRedisPrefix(): string {
  return `${DB_PREFIX}${randomBytes(4).toString('hex')}`;
}

/** Removes every key under `prefix` (SCAN, not KEYS: the shared Redis may be large). */
export async function deleteTestRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
