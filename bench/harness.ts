// What a benchmark scenario is and returns, plus the small statistics every scenario shares.
// Scenarios live in bench/scenarios/*.ts and default-export a `Scenario`; bench/run.ts runs them.

export interface Figure {
  value: number;
  unit: string;
}

/** A figure held against a fixed limit (a budget we promise) or a baseline measured in the same run. */
export interface Comparison {
  figure: string;
  against: 'limit' | 'baseline';
  /** What the figure is compared with; for a baseline, where that number came from. */
  value: number;
  unit: string;
  source?: string;
  /** figure ÷ value. */
  ratio: number;
  better: 'lower' | 'higher';
  /** For a limit: within it. For a baseline: always true (a baseline informs, it does not judge). */
  ok: boolean;
}

export interface BenchResult {
  figures: Record<string, Figure>;
  comparisons?: Comparison[];
  /** Facts about how the figures were obtained (sizes, method), for the reader. */
  meta?: Record<string, string | number | boolean>;
}

export interface BenchContext {
  /** Aborted when the scenario overruns its time budget or the run is interrupted. */
  signal: AbortSignal;
  /** Smaller sizes, for a smoke run: the figures are then not comparable with a full run. */
  quick: boolean;
  /** `--communes n`: how many communes a province scenario uses (province-fanout). */
  communes?: number;
  /** Progress for a human, on stderr (stdout carries only results). */
  log(message: string): void;
  services: {
    /** A PostgreSQL database the bench may use to CREATE and DROP its own databases. */
    pgAdminUrl: string;
    redisUrl: string;
  };
  /** The project root (absolute). */
  root: string;
}

export interface Scenario {
  /** kebab-case, unique; what `--only` matches. */
  name: string;
  description: string;
  /** Time budget of a full run when none is given on the command line (default 3 minutes). */
  timeoutMs?: number;
  run(ctx: BenchContext): Promise<BenchResult>;
}

/**
 * The p-th percentile (0–100) of `sorted` (ascending), interpolating linearly between the two
 * closest ranks, as numpy's default does. NaN for an empty list.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0]!;
  if (p >= 100) return sorted[sorted.length - 1]!;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

export interface Summary {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((x, y) => x - y);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((x, y) => x - y), 50);
}

/** Rounds for display and JSON: measurement noise makes more digits meaningless. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function withinLimit(figures: Record<string, Figure>, figure: string, limit: number, better: 'lower' | 'higher'): Comparison {
  const f = mustHave(figures, figure);
  const ratio = f.value / limit;
  return { figure, against: 'limit', value: limit, unit: f.unit, ratio: round(ratio, 3), better, ok: better === 'lower' ? ratio <= 1 : ratio >= 1 };
}

/** For domain benchmarks: how a figure compares with the platform baseline measured in the same run. */
export function againstBaseline(
  figures: Record<string, Figure>,
  figure: string,
  baseline: Figure,
  source: string,
  better: 'lower' | 'higher',
): Comparison {
  const f = mustHave(figures, figure);
  if (f.unit !== baseline.unit) throw new Error(`cannot compare ${figure} (${f.unit}) with ${source} (${baseline.unit})`);
  return { figure, against: 'baseline', value: baseline.value, unit: f.unit, source, ratio: round(f.value / baseline.value, 3), better, ok: true };
}

function mustHave(figures: Record<string, Figure>, figure: string): Figure {
  const f = figures[figure];
  if (!f) throw new Error(`no figure named ${figure}`);
  return f;
}

/** Rejects with the signal's reason once it aborts; for racing a wait against the time budget. */
export function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    const fail = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
