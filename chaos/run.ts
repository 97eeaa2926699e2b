// `npm run chaos [-- options]`: breaks a running installation on purpose and prints what came out.
// Not part of `npm test`: like the benchmarks it prints figures, and it is slow (real processes).
//
//   --json            one JSON object per scenario per line on stdout: { name, ok, figures }
//   --only <names>    run only these scenarios (comma-separated)
//   --groups <n>      Telegram groups per fan-out (default 40)
//   --list            print the scenario names and descriptions
//
// Each scenario gets its own cluster: a fresh database on the machine's PostgreSQL
// (CHAOS_PG_ADMIN_URL, default postgresql://root@127.0.0.1:5432/postgres), a private
// redis-server and a local Bot API, all removed afterwards. Exit status 1 when a scenario lost
// work or failed to run.
import { parseArgs } from 'node:util';
import { Cluster } from './cluster.ts';
import { scenarios } from './scenarios.ts';

const PG_ADMIN_URL = process.env.CHAOS_PG_ADMIN_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
// A scenario that has not finished after this long is reported failed and cleaned up.
const SCENARIO_BUDGET_MS = 6 * 60_000;

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, only: { type: 'string' }, groups: { type: 'string', default: '40' }, list: { type: 'boolean', default: false } },
});
if (values.list) {
  for (const s of scenarios) process.stdout.write(`${s.name.padEnd(22)} ${s.description}\n`);
  process.exit(0);
}
const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
const chosen = only ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
if (only && chosen.length !== only.length) {
  process.stderr.write(`không có kịch bản: ${only.filter((n) => !scenarios.some((s) => s.name === n)).join(', ')}\n`);
  process.exit(2);
}
const groups = Number(values.groups);

let failed = false;
for (const s of chosen) {
  process.stderr.write(`… ${s.name}: ${s.description}\n`);
  const t0 = Date.now();
  let line: { name: string; ok: boolean; figures: Record<string, unknown>; error?: string; duration_s?: number };
  let cluster: Cluster | undefined;
  try {
    cluster = await Cluster.open(PG_ADMIN_URL);
    const c = cluster;
    let timer: NodeJS.Timeout | undefined;
    const budget = SCENARIO_BUDGET_MS + (s.extraBudgetMs?.(groups) ?? 0);
    const r = await Promise.race([
      s.run(c, { groups }),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`quá ${Math.round(budget / 1000)} s`)), budget))),
    ]).finally(() => clearTimeout(timer));
    line = { name: s.name, ok: r.ok, figures: r.figures };
  } catch (e) {
    line = { name: s.name, ok: false, figures: {}, error: (e as Error).message };
  } finally {
    await cluster?.close();
  }
  line.duration_s = Math.round((Date.now() - t0) / 1000);
  failed ||= !line.ok;
  if (values.json) process.stdout.write(`${JSON.stringify(line)}\n`);
  else {
    const f = line.figures;
    const figs = Object.entries(f).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('  ');
    process.stdout.write(`${line.ok ? '✔' : '✘'} ${s.name.padEnd(22)} ${figs}${line.error ? `  lỗi: ${line.error}` : ''}  (${line.duration_s} s)\n`);
  }
}
process.exit(failed ? 1 : 0);
