// `npm run bench [-- options]`: runs the benchmark scenarios in bench/scenarios/ and prints figures.
//
//   --json            one JSON object per scenario per line on stdout, nothing else on stdout
//   --only <names>    run only these scenarios (repeat the flag or separate with commas)
//   --quick           smaller sizes, for a smoke run (figures not comparable with a full run)
//   --communes <n>    communes of the province scenarios (province-fanout; default 100)
//   --timeout-ms <n>  time budget of each scenario (default 180000, or BENCH_TIMEOUT_MS)
//   --strict          exit 1 when a figure misses its limit, not only when a scenario fails
//   --list            print the scenario names and descriptions
//
// Progress goes to stderr. Exit status: 0 all scenarios ran, 1 one failed or overran, 2 bad usage.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { whenAborted, type BenchContext, type BenchResult, type Comparison, type Scenario } from './harness.ts';
import { BENCH_PG_ADMIN_URL, BENCH_REDIS_URL } from './services.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH_DIR, '..');
// After a scenario overruns, how long it gets to clean up (drop its database, delete its keys).
const CLEANUP_GRACE_MS = 15_000;

interface Outcome {
  name: string;
  ok: boolean;
  duration_ms: number;
  figures?: BenchResult['figures'];
  comparisons?: Comparison[];
  meta?: BenchResult['meta'];
  error?: string;
}

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run bench -- [--json] [--only name[,name]] [--quick] [--communes n] [--timeout-ms n] [--strict] [--list]\n`);
  process.exit(2);
}

function parseOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        json: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        quick: { type: 'boolean', default: false },
        'timeout-ms': { type: 'string' },
        communes: { type: 'string' },
        strict: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
  } catch (e) {
    usage((e as Error).message);
  }
  const v = parsed.values;
  const given = v['timeout-ms'] ?? process.env.BENCH_TIMEOUT_MS;
  const timeoutMs = given === undefined ? undefined : Number(given);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs <= 0)) usage('--timeout-ms needs a positive whole number of milliseconds');
  const only = (v.only ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const communes = v.communes === undefined ? undefined : Number(v.communes);
  if (communes !== undefined && (!Number.isInteger(communes) || communes < 1 || communes > 1000)) usage('--communes needs a whole number from 1 to 1000');
  return { json: v.json, only, quick: v.quick, timeoutMs, strict: v.strict, list: v.list, communes };
}

function isScenario(x: unknown): x is Scenario {
  const s = x as Partial<Scenario> | undefined;
  return !!s && typeof s.name === 'string' && typeof s.description === 'string' && typeof s.run === 'function';
}

async function discover(): Promise<Scenario[]> {
  const dir = join(BENCH_DIR, 'scenarios');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_')).sort();
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default?: unknown };
    if (!isScenario(mod.default)) throw new Error(`bench/scenarios/${file} must default-export { name, description, run(ctx) }`);
    if (scenarios.some((s) => s.name === (mod.default as Scenario).name)) throw new Error(`two scenarios are named ${mod.default.name}`);
    scenarios.push(mod.default);
  }
  return scenarios;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

let current: AbortController | undefined;

async function runOne(scenario: Scenario, opts: { quick: boolean; timeoutMs: number | undefined; communes?: number | undefined }): Promise<Outcome> {
  const controller = new AbortController();
  current = controller;
  // A budget given on the command line wins; otherwise the scenario's own, otherwise 3 minutes.
  const budget = opts.timeoutMs ?? scenario.timeoutMs ?? 180_000;
  const timer = setTimeout(() => controller.abort(new Error(`over its time budget of ${budget} ms`)), budget);
  const ctx: BenchContext = {
    signal: controller.signal,
    quick: opts.quick,
    ...(opts.communes !== undefined ? { communes: opts.communes } : {}),
    log: (message) => process.stderr.write(`[${scenario.name}] ${message}\n`),
    services: { pgAdminUrl: BENCH_PG_ADMIN_URL, redisUrl: BENCH_REDIS_URL },
    root: ROOT,
  };
  ctx.log(`start${opts.quick ? ' (quick)' : ''}`);
  const started = performance.now();
  const running = Promise.resolve().then(() => scenario.run(ctx));
  try {
    const result = await Promise.race([running, whenAborted(controller.signal)]);
    const duration = Math.round(performance.now() - started);
    const comparisons = result.comparisons ?? [];
    ctx.log(`done in ${duration} ms`);
    return { name: scenario.name, ok: comparisons.every((c) => c.ok), duration_ms: duration, figures: result.figures, comparisons, meta: result.meta };
  } catch (e) {
    const duration = Math.round(performance.now() - started);
    const message = (e as Error)?.message ?? String(e);
    ctx.log(`FAILED after ${duration} ms: ${message}`);
    if (controller.signal.aborted) {
      // The scenario saw the abort; let its `finally` blocks remove what it created.
      await Promise.race([running.catch(() => undefined), sleep(CLEANUP_GRACE_MS)]);
    }
    return { name: scenario.name, ok: false, duration_ms: duration, error: message };
  } finally {
    clearTimeout(timer);
    current = undefined;
  }
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 1 : 2);
}

function printTable(outcome: Outcome, description: string): void {
  const lines: string[] = [`\n${outcome.name} — ${description}`];
  if (outcome.error) {
    lines.push(`  FAILED: ${outcome.error}`);
  } else {
    const rows: string[][] = [['figure', 'value', 'unit', 'compared with', 'ratio', '']];
    for (const [key, f] of Object.entries(outcome.figures ?? {})) {
      const cmp = (outcome.comparisons ?? []).filter((c) => c.figure === key);
      if (cmp.length === 0) rows.push([key, formatValue(f.value), f.unit, '', '', '']);
      for (const c of cmp) {
        const what = c.against === 'limit' ? `limit ${c.better === 'lower' ? '≤' : '≥'} ${formatValue(c.value)}` : `${c.source ?? 'baseline'} ${formatValue(c.value)}`;
        rows.push([key, formatValue(f.value), f.unit, what, c.ratio.toFixed(2), c.against === 'limit' ? (c.ok ? 'ok' : 'MISSED') : '']);
      }
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) lines.push(`  ${r.map((cell, i) => (i === 1 || i === 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
    const meta = Object.entries(outcome.meta ?? {}).map(([k, v]) => `${k}=${v}`);
    if (meta.length > 0) lines.push(`  (${meta.join('; ')})`);
    lines.push(`  ${outcome.duration_ms} ms`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<number> {
  const opts = parseOptions();
  if (opts.json) {
    // Whatever a library prints must not corrupt the one-object-per-line stdout.
    console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
  }
  const all = await discover();
  if (opts.list) {
    for (const s of all) process.stdout.write(opts.json ? `${JSON.stringify({ name: s.name, description: s.description })}\n` : `${s.name.padEnd(20)} ${s.description}\n`);
    return 0;
  }
  const unknown = opts.only.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length > 0) usage(`unknown scenario ${unknown.join(', ')}; there are: ${all.map((s) => s.name).join(', ')}`);
  const chosen = opts.only.length > 0 ? all.filter((s) => opts.only.includes(s.name)) : all;

  let failed = 0;
  let missed = 0;
  for (const scenario of chosen) {
    if (interrupted) break;
    const outcome = await runOne(scenario, opts);
    if (outcome.error) failed++;
    else if (!outcome.ok) missed++;
    if (opts.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
    else printTable(outcome, scenario.description);
  }
  process.stderr.write(`bench: ${chosen.length} scenario(s), ${failed} failed, ${missed} missed a limit\n`);
  return failed > 0 || (opts.strict && missed > 0) ? 1 : 0;
}

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('bench: interrupted, cleaning up (Ctrl-C again to quit at once)\n');
  current?.abort(new Error('interrupted'));
});

main().then(
  // Exit explicitly: a scenario that overran may still hold connections open.
  (code) => process.exit(interrupted ? 130 : code),
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
