// The reconciler's lease in PostgreSQL: one holder at a time, renewed by its holder, taken over
// once it expires or is released, and concurrent takers never both win.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLease, readLease, recordLeaseRun, releaseLease } from '../../src/db/process-lease.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
beforeAll(async () => {
  db = await openMigratedTestDatabase('lease', 8);
});
afterAll(async () => {
  await db?.close();
});

describe('process lease', () => {
  it('one holder at a time; renewals by the holder; release hands it over at once', async () => {
    expect(await acquireLease(db.prisma, 'a', 'w1', 60_000)).toBe(true);
    expect(await acquireLease(db.prisma, 'a', 'w2', 60_000)).toBe(false);
    expect(await acquireLease(db.prisma, 'a', 'w1', 60_000)).toBe(true);
    await recordLeaseRun(db.prisma, 'a', 'w2', { deliveries: 9 });
    expect((await readLease(db.prisma, 'a'))?.lastResult).toBeNull();
    await recordLeaseRun(db.prisma, 'a', 'w1', { deliveries: 3 });
    expect((await readLease(db.prisma, 'a'))?.lastResult).toEqual({ deliveries: 3 });
    await releaseLease(db.prisma, 'a', 'w2');
    expect(await acquireLease(db.prisma, 'a', 'w2', 60_000)).toBe(false);
    await releaseLease(db.prisma, 'a', 'w1');
    expect(await acquireLease(db.prisma, 'a', 'w2', 60_000)).toBe(true);
    expect((await readLease(db.prisma, 'a'))?.holder).toBe('w2');
  });

  it('an expired lease is taken over', async () => {
    expect(await acquireLease(db.prisma, 'b', 'dead', 50)).toBe(true);
    await expect.poll(() => acquireLease(db.prisma, 'b', 'alive', 60_000), { timeout: 5000, interval: 20 }).toBe(true);
    expect(await acquireLease(db.prisma, 'b', 'dead', 50)).toBe(false);
  });

  it('eight processes racing for a free lease: exactly one wins', async () => {
    const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => acquireLease(db.prisma, 'c', `w${i}`, 60_000)));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });
});
