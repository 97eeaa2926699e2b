// The memory a commune's mini PC needs for `npm start`: the resident set of the whole process
// tree (Loa Xã, its private redis-server, ffmpeg or espeak children if any), sampled from the
// start — first start on an empty data folder: PGlite created, migrated, demo commune seeded —
// through a quiet period once it is ready. Peak is the highest sum seen; idle is the median of
// the quiet period. Linux only (reads /proc).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, round, type BenchContext, type BenchResult, type Scenario } from '../harness.ts';

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** pid and all its descendants, from /proc/<pid>/stat's parent field. */
function tree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(d), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid);
  return out;
}


async function measure(ctx: BenchContext, idleMs: number): Promise<{ peak: number; idle: number; readyS: number; processes: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-footprint-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(20_000 + Math.floor(Math.random() * 20_000)), LOG_LEVEL: 'info', DEMO_PASSWORD: 'MatKhauBench2026' };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'TELEGRAM_BOT_TOKEN', 'PUBLIC_BASE_URL', 'SEED_DEMO']) delete env[k];
  const child = spawn(process.execPath, [join(ctx.root, 'bin', 'loaxa.js'), 'start'], { cwd: ctx.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const t0 = Date.now();
  let peak = 0;
  let readyAt = 0;
  const idle: number[] = [];
  let processes = 0;
  try {
    for (;;) {
      if (ctx.signal.aborted) throw new Error('aborted');
      if (child.exitCode !== null) throw new Error(`npm start exited: ${out.slice(-800)}`);
      const pids = tree(child.pid!);
      const mb = pids.reduce((s, p) => s + rssKb(p), 0) / 1024;
      peak = Math.max(peak, mb);
      if (!readyAt && out.includes('Loa Xã đã sẵn sàng')) {
        readyAt = Date.now();
        ctx.log(`ready after ${round((readyAt - t0) / 1000, 1)} s, ${round(mb, 0)} MB`);
      }
      if (readyAt && Date.now() - readyAt > 3000) {
        idle.push(mb);
        processes = pids.length;
      }
      if (readyAt && Date.now() - readyAt > idleMs + 3000) break;
      if (Date.now() - t0 > 150_000) throw new Error('npm start not ready within 150 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    return { peak, idle: median(idle), readyS: (readyAt - t0) / 1000, processes };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const scenario: Scenario = {
  name: 'footprint',
  description: 'resident memory of `npm start` (all its processes): peak over a first start, and idle',
  timeoutMs: 240_000,
  async run(ctx): Promise<BenchResult> {
    if (process.platform !== 'linux') throw new Error('footprint reads /proc: Linux only');
    const m = await measure(ctx, ctx.quick ? 5000 : 20_000);
    return {
      figures: {
        idle_rss_mb: { value: round(m.idle, 0), unit: 'MB' },
        peak_rss_mb: { value: round(m.peak, 0), unit: 'MB' },
        ready_s: { value: round(m.readyS, 1), unit: 's' },
      },
      meta: { first_start: true, processes: m.processes, database: 'PGlite', redis: 'private redis-server' },
    };
  },
};

export default scenario;
