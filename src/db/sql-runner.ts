// The few raw-SQL operations the platform needs (migrations, health, metrics), over either
// a pg.Pool (PostgreSQL) or a PGlite instance (embedded), so callers do not care which.
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

export interface SqlRunner {
  /** One parameterised statement. */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Several statements in one string, no parameters (migration files). */
  exec(script: string): Promise<void>;
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: Omit<SqlRunner, 'transaction'>) => Promise<T>): Promise<T>;
}

export function pgRunner(pool: pg.Pool): SqlRunner {
  const onClient = (client: pg.PoolClient | pg.Pool): Omit<SqlRunner, 'transaction'> => ({
    async query<R>(text: string, params?: unknown[]) {
      const res = await client.query(text, params as unknown[] | undefined);
      return res.rows as R[];
    },
    async exec(script: string) {
      await client.query(script);
    },
  });
  return {
    ...onClient(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(onClient(client));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
  };
}

export function pgliteRunner(db: PGlite): SqlRunner {
  return {
    async query<R>(text: string, params?: unknown[]) {
      const res = await db.query<R>(text, params as unknown[] | undefined);
      return res.rows;
    },
    async exec(script: string) {
      await db.exec(script);
    },
    async transaction(fn) {
      return db.transaction(async (tx) =>
        fn({
          async query<R>(text: string, params?: unknown[]) {
            return (await tx.query<R>(text, params as unknown[] | undefined)).rows;
          },
          async exec(script: string) {
            await tx.exec(script);
          },
        }),
      );
    },
  };
}
