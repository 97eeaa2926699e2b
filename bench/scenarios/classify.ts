// Classification: how fast the rule classifier (built-in lexicon) sorts residents' questions into
// fields, on one core, and how accurate it is on the labelled sets. Pure CPU: no database, no Redis.
// Throughput is measured over whole passes (no per-call timer in the way); latency per call in a
// separate pass, so the two do not disturb each other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClassifier, type Classifier } from '../../src/tickets/classification/classifier.ts';
import { builtinRules } from '../../src/tickets/classification/lexicon.ts';
import { round, summarize, withinLimit, type BenchContext, type BenchResult, type Scenario } from '../harness.ts';

interface Labelled {
  text: string;
  category: string;
}

// A province-wide surge (a storm night) is a few thousand messages; 10,000 a second on one core
// keeps classification out of every latency budget.
const THROUGHPUT_FLOOR = 10_000;
// The quality floor the tests hold, repeated here so a bench run shows it next to the speed.
const ACCURACY_FLOOR = 0.85;

function load(path: string): Labelled[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Labelled);
}

function accuracy(c: Classifier, rows: Labelled[]): number {
  return rows.filter((r) => c.classify(r.text).category === r.category).length / rows.length;
}

function checkAborted(ctx: BenchContext): void {
  if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error(String(ctx.signal.reason));
}

const scenario: Scenario = {
  name: 'classify',
  description: 'phân loại lĩnh vực: câu hỏi/giây trên một lõi, độ trễ mỗi câu, độ chính xác trên tập dev và tập câu mới',
  timeoutMs: 120_000,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const dev = load(join(ctx.root, 'test', 'fixtures', 'shared', 'questions.dev.jsonl'));
    const fresh = load(join(ctx.root, 'test', 'tickets', 'classification', 'fresh-questions.jsonl'));
    const texts = [...dev, ...fresh].map((r) => r.text);

    const t0 = performance.now();
    const classifier = createClassifier(builtinRules());
    const compileMs = performance.now() - t0;

    // Warm-up: let the JIT settle and the typo cache fill as it would in a long-running worker.
    for (let i = 0; i < 20; i++) for (const t of texts) classifier.classify(t);

    const passes = ctx.quick ? 50 : 500;
    ctx.log(`throughput: ${passes} passes over ${texts.length} questions`);
    let sink = 0;
    const started = performance.now();
    for (let p = 0; p < passes; p++) {
      if (p % 20 === 0) checkAborted(ctx);
      for (const t of texts) sink += classifier.classify(t).score;
    }
    const seconds = (performance.now() - started) / 1000;
    const classified = passes * texts.length;

    const latencyPasses = ctx.quick ? 10 : 100;
    ctx.log(`latency: ${latencyPasses} passes, one timer per call`);
    const latencies: number[] = [];
    for (let p = 0; p < latencyPasses; p++) {
      checkAborted(ctx);
      for (const t of texts) {
        const s = performance.now();
        sink += classifier.classify(t).score;
        latencies.push((performance.now() - s) * 1000);
      }
    }
    const lat = summarize(latencies);

    // The longest input a client may send, to show the cap on one message's cost.
    const long = `${texts.join(' ')} `.repeat(40).slice(0, 10_000);
    const l0 = performance.now();
    for (let i = 0; i < 100; i++) sink += classifier.classify(long).score;
    const longUs = ((performance.now() - l0) / 100) * 1000;

    const figures = {
      throughput: { value: round(classified / seconds, 0), unit: 'questions/s' },
      latency_p50: { value: round(lat.p50, 1), unit: 'µs' },
      latency_p95: { value: round(lat.p95, 1), unit: 'µs' },
      latency_p99: { value: round(lat.p99, 1), unit: 'µs' },
      latency_10k_chars: { value: round(longUs, 1), unit: 'µs' },
      compile: { value: round(compileMs, 1), unit: 'ms' },
      accuracy_dev: { value: round(accuracy(classifier, dev), 3), unit: 'ratio' },
      accuracy_fresh: { value: round(accuracy(classifier, fresh), 3), unit: 'ratio' },
    };
    return {
      figures,
      comparisons: [
        withinLimit(figures, 'throughput', THROUGHPUT_FLOOR, 'higher'),
        withinLimit(figures, 'accuracy_dev', ACCURACY_FLOOR, 'higher'),
        withinLimit(figures, 'accuracy_fresh', ACCURACY_FLOOR, 'higher'),
      ],
      meta: {
        questions: texts.length,
        dev: dev.length,
        fresh: fresh.length,
        classified,
        rules: builtinRules().length,
        // Keeps the optimizer from dropping the loops; meaningless as a number.
        checksum: round(sink, 0),
      },
    };
  },
};

export default scenario;
