// Classification: how fast the rule classifier (built-in lexicon) sorts residents' questions into
// fields, on one core, and how accurate it is on the labelled sets; then a simulated commune: its
// history (questions filed by the rules, the misfiled ones moved by staff, the rest answered where
// they were) trains the commune's model, scored on questions it never saw — rules alone, model
// alone, and the two combined (rules first, as intake does, and model first, the alternative
// measured); and the rules with the built-in model on the set written for issue 13 and never used
// while tuning (unseen-2026-12). Pure CPU: no database, no Redis.
// Throughput is measured over whole passes (no per-call timer in the way); latency per call in a
// separate pass, so the two do not disturb each other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClassifier, type Classifier } from '../../src/tickets/classification/classifier.ts';
import { combine } from '../../src/tickets/classification/combined-classifier.ts';
import { builtinRules } from '../../src/tickets/classification/lexicon.ts';
import { naiveBayesModel, trainNaiveBayes, type TextModel } from '../../src/tickets/classification/naive-bayes.ts';
import { builtinModel } from '../../src/tickets/classification/builtin-model.ts';
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
// Issue 13's goal, on residents' messages no one tuned for.
const UNSEEN_GOAL = 0.9;

function load(path: string): Labelled[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Labelled);
}

function accuracy(c: Classifier, rows: Labelled[]): number {
  return rows.filter((r) => c.classify(r.text).category === r.category).length / rows.length;
}

// What staff leave behind is each question's right field either way: a misfiled ticket moved there
// (a transfer example), a well-filed one answered where it was (an accepted one).
function communeFigures(rules: Classifier, history: Labelled[] | TextModel, unseen: Labelled[]) {
  // A model given ready-made is the built-in one, combined as intake combines it (after the commune's).
  const builtin = !Array.isArray(history);
  const model: TextModel = Array.isArray(history) ? naiveBayesModel(trainNaiveBayes(history)) : history;
  const share = (decide: (text: string) => string) => round(unseen.filter((r) => decide(r.text) === r.category).length / unseen.length, 3);
  const combined = (t: string, o: { rulesConfidence?: number } = {}) =>
    (builtin ? combine(rules.classify(t), null, t, { ...o, builtin: model }) : combine(rules.classify(t), model, t, o)).category;
  return {
    rules: share((t) => rules.classify(t).category),
    model: share((t) => model.predict(t)?.category ?? 'KHAC'),
    combined: share((t) => combined(t)),
    // The rules never count as sure: a sure model decides first.
    modelFirst: share((t) => combined(t, { rulesConfidence: Number.POSITIVE_INFINITY })),
  };
}

function checkAborted(ctx: BenchContext): void {
  if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error(String(ctx.signal.reason));
}

const scenario: Scenario = {
  name: 'classify',
  description: 'phân loại lĩnh vực: câu hỏi/giây trên một lõi, độ trễ mỗi câu, độ chính xác của luật, mô hình của xã và kết hợp, trên tập chưa từng thấy',
  timeoutMs: 120_000,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const dev = load(join(ctx.root, 'test', 'fixtures', 'shared', 'questions.dev.jsonl'));
    const sets = join(ctx.root, 'test', 'tickets', 'classification');
    const fresh = load(join(sets, 'fresh-questions.jsonl'));
    const [blind, earlier, holdout, blind4, unseen] = ['blind', 'earlier', 'holdout', 'blind4', 'unseen-2026-12'].map((n) => load(join(sets, `${n}-questions.jsonl`))) as [Labelled[], Labelled[], Labelled[], Labelled[], Labelled[]];
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

    // As intake classifies: the rules, then the built-in model where the rules are unsure.
    const builtin = builtinModel();
    const combinedPasses = Math.max(1, Math.round(passes / 5));
    const c0 = performance.now();
    for (let p = 0; p < combinedPasses; p++) {
      if (p % 20 === 0) checkAborted(ctx);
      for (const t of texts) sink += combine(classifier.classify(t), null, t, { builtin }).score;
    }
    const combinedSeconds = (performance.now() - c0) / 1000;

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

    // Two communes: A's history is the sets the lexicon was tuned on, scored on the two it knows
    // least; B the other way round. Then the set written for this and never used while tuning.
    const tuned = [...dev, ...blind, ...earlier, ...fresh];
    const a = communeFigures(classifier, tuned, [...holdout, ...blind4]);
    const b = communeFigures(classifier, [...holdout, ...blind4, ...dev, ...fresh], [...blind, ...earlier]);
    // A commune on its first day: the rules and the built-in model (trained on every set above).
    const u = communeFigures(classifier, builtinModel(), unseen);

    const figures = {
      throughput: { value: round(classified / seconds, 0), unit: 'questions/s' },
      throughput_with_model: { value: round((combinedPasses * texts.length) / combinedSeconds, 0), unit: 'questions/s' },
      latency_p50: { value: round(lat.p50, 1), unit: 'µs' },
      latency_p95: { value: round(lat.p95, 1), unit: 'µs' },
      latency_p99: { value: round(lat.p99, 1), unit: 'µs' },
      latency_10k_chars: { value: round(longUs, 1), unit: 'µs' },
      compile: { value: round(compileMs, 1), unit: 'ms' },
      accuracy_dev: { value: round(accuracy(classifier, dev), 3), unit: 'ratio' },
      accuracy_fresh: { value: round(accuracy(classifier, fresh), 3), unit: 'ratio' },
      commune_a_rules: { value: a.rules, unit: 'ratio' },
      commune_a_model: { value: a.model, unit: 'ratio' },
      commune_a_combined: { value: a.combined, unit: 'ratio' },
      commune_a_model_first: { value: a.modelFirst, unit: 'ratio' },
      commune_b_rules: { value: b.rules, unit: 'ratio' },
      commune_b_model: { value: b.model, unit: 'ratio' },
      commune_b_combined: { value: b.combined, unit: 'ratio' },
      commune_b_model_first: { value: b.modelFirst, unit: 'ratio' },
      unseen_rules: { value: u.rules, unit: 'ratio' },
      unseen_builtin_model: { value: u.model, unit: 'ratio' },
      unseen_combined: { value: u.combined, unit: 'ratio' },
      unseen_model_first: { value: u.modelFirst, unit: 'ratio' },
    };
    return {
      figures,
      comparisons: [
        withinLimit(figures, 'throughput', THROUGHPUT_FLOOR, 'higher'),
        withinLimit(figures, 'throughput_with_model', THROUGHPUT_FLOOR, 'higher'),
        withinLimit(figures, 'accuracy_dev', ACCURACY_FLOOR, 'higher'),
        withinLimit(figures, 'accuracy_fresh', ACCURACY_FLOOR, 'higher'),
        withinLimit(figures, 'unseen_combined', UNSEEN_GOAL, 'higher'),
      ],
      meta: {
        questions: texts.length,
        dev: dev.length,
        fresh: fresh.length,
        unseen: unseen.length,
        classified,
        rules: builtinRules().length,
        // Keeps the optimizer from dropping the loops; meaningless as a number.
        checksum: round(sink, 0),
      },
    };
  },
};

export default scenario;
