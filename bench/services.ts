// The real PostgreSQL and Redis a benchmark runs against, each used in a way that leaves nothing
// behind: a fresh database created and dropped, a random Redis key prefix removed afterwards.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

export const BENCH_PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
// Deliberately not REDIS_URL / DATABASE_URL: a bench must never touch a deployment's data.
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function randomName(label: string): string {
  return `${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database next to `adminUrl`'s; drop() removes it even if connections remain. */
export async function createBenchDatabase(adminUrl: string, label: string): Promise<BenchDatabase> {
  const name = `loaxa_bench_${randomName(label)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: async () => {
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** Runs `fn` on a fresh database and drops it afterwards, whatever happens. */
export async function withBenchDatabase<T>(adminUrl: string, label: string, fn: (db: BenchDatabase) => Promise<T>): Promise<T> {
  const db = await createBenchDatabase(adminUrl, label);
  try {
    return await fn(db);
  } finally {
    await db.drop();
  }
}

/** A Redis key prefix no one else uses (BullMQ queue keys go under `<prefix>:<queue>:…`). */
export function randomRedisPrefix(): string {
  return `loaxa-bench-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix:`; returns how many. */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
