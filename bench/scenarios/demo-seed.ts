// How long `npm start` spends seeding the demo province on a fresh install: three communes with a
// quarter of history each (seedDemo with province: true), on an in-memory PGlite (the single box's
// embedded database) and on PostgreSQL. Migrations run outside the timed part.
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/db/generated/client.ts';
import { pgliteRunner, pgRunner } from '../../src/db/sql-runner.ts';
import { migrate } from '../../src/db/migrator.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import pg from 'pg';
import { median, round, withinLimit, type BenchResult, type Scenario } from '../harness.ts';
import { withBenchDatabase } from '../services.ts';

// "A few seconds": the newcomer waits for it before the first page.
const LIMIT_MS = 5_000;

async function seedOnce(prisma: PrismaClient): Promise<{ ms: number; tickets: number; deliveries: number }> {
  const t0 = performance.now();
  await seedDemo(prisma, { password: 'MatKhauBench2026', province: true });
  const ms = performance.now() - t0;
  return { ms, tickets: await prisma.ticket.count(), deliveries: await prisma.delivery.count() };
}

const scenario: Scenario = {
  name: 'demo-seed',
  description: 'seed the demo province (three communes, a quarter of history each) on a fresh PGlite and PostgreSQL',
  async run(ctx): Promise<BenchResult> {
    const runs = ctx.quick ? 1 : 3;
    const pglite: number[] = [];
    const postgres: number[] = [];
    let size = { tickets: 0, deliveries: 0 };
    for (let i = 0; i < runs; i++) {
      ctx.signal.throwIfAborted();
      ctx.log(`run ${i + 1}/${runs}: PGlite`);
      const db = await PGlite.create();
      await migrate(pgliteRunner(db));
      const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
      try {
        const r = await seedOnce(prisma);
        pglite.push(r.ms);
        size = { tickets: r.tickets, deliveries: r.deliveries };
      } finally {
        await prisma.$disconnect();
        await db.close();
      }
      ctx.signal.throwIfAborted();
      ctx.log(`run ${i + 1}/${runs}: PostgreSQL`);
      postgres.push(await withBenchDatabase(ctx.services.pgAdminUrl, 'demo_seed', async (bench) => {
        const pool = new pg.Pool({ connectionString: bench.url, max: 4 });
        pool.on('error', () => undefined);
        const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
        try {
          await migrate(pgRunner(pool));
          return (await seedOnce(prisma)).ms;
        } finally {
          await prisma.$disconnect();
          await pool.end();
        }
      }));
    }
    const figures = { pglite: { value: round(median(pglite), 0), unit: 'ms' }, postgres: { value: round(median(postgres), 0), unit: 'ms' } };
    return { figures, comparisons: [withinLimit(figures, 'pglite', LIMIT_MS, 'lower'), withinLimit(figures, 'postgres', LIMIT_MS, 'lower')], meta: { runs, statistic: 'median', ...size } };
  },
};

export default scenario;
