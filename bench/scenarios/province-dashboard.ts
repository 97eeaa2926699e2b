// The web role rendering the province dashboard (/admin/tinh): one province with N communes
// (default 100; --quick 10), each with a quarter of history as the demo seeds it (tickets in every
// state, ratings, bulletins played, loudspeakers), and `loaxa web` as its own process. A province
// viewer opens the ranking R times in a row: render latency p50/p99, and the resident set of the
// web process before the first render, after the last, and its peak meanwhile.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { round, summarize, type BenchContext, type BenchResult, type Scenario } from '../harness.ts';
import { deleteRedisPrefix, withBenchDatabase } from '../services.ts';
import { PrismaClient } from '../../src/db/generated/client.ts';
import { migrate } from '../../src/db/migrator.ts';
import { pgRunner } from '../../src/db/sql-runner.ts';
import { ensureCategories } from '../../src/catalog/ensure-categories.ts';
import { seedDemoHistory } from '../../src/demo/demo-history.ts';
import { sessionFor } from '../../test/support/staff-session.ts';

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function seedProvince(prisma: PrismaClient, communes: number, log: (m: string) => void): Promise<{ viewerId: string; tickets: number }> {
  await ensureCategories(prisma);
  const categories = await prisma.category.findMany({ select: { id: true, code: true } });
  const province = await prisma.province.create({ data: { code: 'bench-tinh', name: 'Tỉnh Đo' } });
  const now = new Date();
  let tickets = 0;
  for (let i = 0; i < communes; i++) {
    tickets += await prisma.$transaction(
      async (tx) => {
        const c = await tx.commune.create({ data: { code: `xa-${i}`, name: `Xã Số ${i + 1}`, ticketCodePrefix: `X${i}`, provinceId: province.id } });
        await tx.village.createMany({ data: [1, 2, 3, 4].map((n) => ({ communeId: c.id, name: `Thôn ${n}`, sortOrder: n })) });
        const villageIds = (await tx.village.findMany({ where: { communeId: c.id }, orderBy: { sortOrder: 'asc' }, select: { id: true } })).map((v) => v.id);
        const staff = async (suffix: string, roles: Array<'responder' | 'editor' | 'approver'>) =>
          (await tx.staff.create({ data: { username: `xa${i}-${suffix}`, displayName: `Cán bộ ${suffix} ${i}`, roles, passwordHash: 'x', communeId: c.id } })).id;
        const responderIds = [await staff('a', ['responder']), await staff('b', ['responder'])];
        const authorId = await staff('bt', ['editor']);
        const approverId = await staff('duyet', ['approver']);
        await tx.endpoint.createMany({ data: villageIds.slice(0, 3).map((villageId, n) => ({ communeId: c.id, name: `Loa ${n + 1}`, protocol: 'simulator' as const, baseUrl: `http://127.0.0.1:9/radio-sim/${i}-${n}`, villageId })) });
        await tx.target.createMany({ data: villageIds.map((villageId, n) => ({ communeId: c.id, kind: 'telegram_chat' as const, name: `Nhóm thôn ${n + 1}`, villageId, status: 'inactive' as const })) });
        const endpointIds = (await tx.endpoint.findMany({ where: { communeId: c.id }, orderBy: { name: 'asc' }, select: { id: true } })).map((e) => e.id);
        const targetIds = (await tx.target.findMany({ where: { communeId: c.id }, orderBy: { name: 'asc' }, select: { id: true } })).map((t) => t.id);
        // Communes differ as real ones do: more or fewer tickets, better or worse answered.
        const k = (i % 10) / 10;
        const r = await seedDemoHistory(tx, {
          communeId: c.id, code: c.code, ticketCodePrefix: c.ticketCodePrefix, villageIds, categories, responderIds, authorId, approverId, endpointIds, targetIds, now,
          profile: { tickets: 60 + Math.round(60 * k), answered: 0.6 + 0.3 * k, onTime: 0.5 + 0.4 * k, satisfied: 0.5 + 0.3 * k, speakersOnline: 2 / 3 },
        });
        return r.tickets;
      },
      { timeout: 120_000 },
    );
    if ((i + 1) % 10 === 0) log(`seeded ${i + 1}/${communes} communes, ${tickets} tickets`);
  }
  const viewer = await prisma.staff.create({ data: { username: 'xem-tinh', displayName: 'Chuyên viên tỉnh', roles: [], passwordHash: 'x', provinceId: province.id, provinceRoles: ['viewer'] } });
  return { viewerId: viewer.id, tickets };
}

async function run(ctx: BenchContext, communes: number, renders: number) {
  return withBenchDatabase(ctx.services.pgAdminUrl, 'province_dashboard', async (db) => {
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pool.on('error', () => undefined);
    await migrate(pgRunner(pool));
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    const prefix = `loaxa-bench-${randomBytes(4).toString('hex')}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-bench-dashboard-'));
    let child: ChildProcess | undefined;
    try {
      ctx.log(`seeding ${communes} communes with a quarter of history each`);
      const t0 = Date.now();
      const { viewerId, tickets } = await seedProvince(prisma, communes, ctx.log);
      const seedS = (Date.now() - t0) / 1000;
      const session = await sessionFor(prisma, viewerId);

      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, REDIS_URL: ctx.services.redisUrl, REDIS_PREFIX: prefix, DATA_DIR: dataDir, ENCRYPTION_KEY: randomBytes(32).toString('base64'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED_DEMO: 'false' };
      for (const k of ['TELEGRAM_BOT_TOKEN', 'ZALO_BOT_TOKEN', 'PUBLIC_BASE_URL', 'COMMUNE_CODE']) delete env[k];
      child = spawn(process.execPath, [join(ctx.root, 'bin', 'loaxa.js'), 'web'], { cwd: ctx.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
      child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
      const base = `http://127.0.0.1:${port}`;
      const ready = Date.now();
      for (;;) {
        if (child.exitCode !== null) throw new Error(`loaxa web exited: ${out}`);
        if (ctx.signal.aborted || Date.now() - ready > 120_000) throw new Error(`loaxa web not ready within 120 s: ${out}`);
        const ok = await fetch(`${base}/healthz`).then((r) => r.status > 0, () => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const rssBefore = rssMb(child.pid!);
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child!.pid!))), 100);
      const times: number[] = [];
      let bytes = 0;
      try {
        for (let i = 0; i < renders; i++) {
          if (ctx.signal.aborted) throw new Error('aborted');
          const t = performance.now();
          const res = await fetch(`${base}/admin/tinh`, { headers: { cookie: session.cookie } });
          const html = await res.text();
          times.push(performance.now() - t);
          if (res.status !== 200 || !html.includes('Xã Số 1')) throw new Error(`/admin/tinh answered ${res.status}: ${html.slice(0, 300)}`);
          bytes = html.length;
        }
      } finally {
        clearInterval(sampler);
      }
      const rssAfter = rssMb(child.pid!);
      return { seedS, tickets, rssBefore, rssAfter, peak: Math.max(peak, rssAfter), times, bytes };
    } finally {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => (child!.exitCode !== null ? r(undefined) : child!.once('exit', r)));
      }
      await deleteRedisPrefix(ctx.services.redisUrl, prefix).catch(() => undefined);
      await prisma.$disconnect();
      await pool.end();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

const scenario: Scenario = {
  name: 'province-dashboard',
  description: 'the web role (`loaxa web`, its own process) rendering /admin/tinh for a province viewer: N communes with a quarter of history each; render p50/p99 and the RSS before/after R renders',
  timeoutMs: 900_000,
  async run(ctx): Promise<BenchResult> {
    const communes = Number(process.env.BENCH_DASHBOARD_COMMUNES ?? (ctx.quick ? 10 : 100));
    const renders = Number(process.env.BENCH_DASHBOARD_RENDERS ?? (ctx.quick ? 10 : 50));
    const r = await run(ctx, communes, renders);
    const lat = summarize(r.times);
    return {
      figures: {
        render_p50: { value: round(lat.p50), unit: 'ms' },
        render_p99: { value: round(lat.p99), unit: 'ms' },
        first_render: { value: round(r.times[0]!), unit: 'ms' },
        web_rss_before_mb: { value: round(r.rssBefore, 0), unit: 'MB' },
        web_rss_after_mb: { value: round(r.rssAfter, 0), unit: 'MB' },
        web_rss_peak_mb: { value: round(r.peak, 0), unit: 'MB' },
        page_kb: { value: round(r.bytes / 1024, 1), unit: 'KB' },
      },
      meta: { communes, renders, tickets: r.tickets, seed_s: round(r.seedS, 1), period: 'quy-nay (the default: this quarter)', rss: 'resident set of the `loaxa web` process: ready before the first render, after the last, peak sampled every 100 ms' },
    };
  },
};

export default scenario;
