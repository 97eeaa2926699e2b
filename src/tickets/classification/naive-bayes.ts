// A commune's learned field classifier: multinomial naive Bayes over binary text features
// (text-features.ts), with Laplace smoothing. Chosen over logistic regression for what a commune
// has: tens to a few thousand examples, retrained nightly on one core, readable evidence
// (per-feature log-odds for `--explain`), and deterministic training (no random init, no epochs).
import { textFeatures } from './text-features.ts';

export const MODEL_FORMAT = 'nb-1';
// Naive Bayes counts every feature as independent evidence, but one word brings its pair and its
// character n-grams along: raw posteriors are near 0 or 1. Dividing the log-odds by this spreads
// them back toward how often the model is actually right (measured on held-back question sets).
export const DEFAULT_TEMPERATURE = 6;

/** The serialized model, stored as JSON in ClassifierModel.weights. */
export interface NaiveBayesWeights {
  format: typeof MODEL_FORMAT;
  alpha: number;
  classes: string[];
  /** Training messages per class (parallel to classes). */
  docs: number[];
  /** Feature occurrences per class (parallel to classes). */
  totals: number[];
  /** feature → occurrences per class (parallel to classes). */
  counts: Record<string, number[]>;
}

export interface LabelledText {
  text: string;
  category: string;
}

export interface ModelPrediction {
  category: string;
  /** Posterior of the winner, 0..1. */
  probability: number;
  /** The features that pushed most toward the winner over the runner-up, strongest first. */
  top: Array<{ feature: string; weight: number }>;
}

export interface TextModel {
  readonly classes: readonly string[];
  predict(text: string, opts?: { explain?: number }): ModelPrediction | null;
}

export interface TrainOptions {
  alpha?: number;
  /** Features seen in fewer messages than this are dropped (noise, and a smaller model). */
  minDocs?: number;
}

export function trainNaiveBayes(examples: readonly LabelledText[], opts: TrainOptions = {}): NaiveBayesWeights {
  const alpha = opts.alpha ?? 0.3;
  const minDocs = opts.minDocs ?? 2;
  const classes = [...new Set(examples.map((e) => e.category))].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const docs = classes.map(() => 0);
  const raw = new Map<string, number[]>();
  for (const e of examples) {
    const k = index.get(e.category)!;
    docs[k]! += 1;
    for (const f of textFeatures(e.text)) {
      let row = raw.get(f);
      if (!row) raw.set(f, (row = classes.map(() => 0)));
      row[k]! += 1;
    }
  }
  const counts: Record<string, number[]> = {};
  const totals = classes.map(() => 0);
  // Sorted so the same examples always serialize to the same bytes.
  for (const f of [...raw.keys()].sort()) {
    const row = raw.get(f)!;
    if (row.reduce((a, b) => a + b, 0) < minDocs) continue;
    counts[f] = row;
    row.forEach((n, k) => (totals[k]! += n));
  }
  return { format: MODEL_FORMAT, alpha, classes, docs, totals, counts };
}

/** Checks a stored model's shape; null when it cannot be used (another format, damaged). */
export function parseWeights(value: unknown): NaiveBayesWeights | null {
  if (!value || typeof value !== 'object') return null;
  const w = value as Partial<NaiveBayesWeights>;
  if (w.format !== MODEL_FORMAT || !Array.isArray(w.classes) || w.classes.length === 0) return null;
  const n = w.classes.length;
  const okArray = (a: unknown) => Array.isArray(a) && a.length === n && a.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0);
  if (!okArray(w.docs) || !okArray(w.totals) || typeof w.alpha !== 'number' || !(w.alpha > 0)) return null;
  if (!w.counts || typeof w.counts !== 'object') return null;
  for (const row of Object.values(w.counts)) if (!okArray(row)) return null;
  return w as NaiveBayesWeights;
}

export function naiveBayesModel(w: NaiveBayesWeights, opts: { temperature?: number } = {}): TextModel {
  const temperature = opts.temperature ?? DEFAULT_TEMPERATURE;
  const k = w.classes.length;
  const vocabulary = Object.keys(w.counts).length;
  const allDocs = w.docs.reduce((a, b) => a + b, 0);
  const logPrior = w.docs.map((d) => Math.log((d + 1) / (allDocs + k)));
  const logDenominator = w.totals.map((t) => Math.log(t + w.alpha * (vocabulary + 1)));
  const logUnseen = logDenominator.map((d) => Math.log(w.alpha) - d);
  const logLikelihood = (row: number[], c: number) => Math.log(row[c]! + w.alpha) - logDenominator[c]!;

  return {
    classes: w.classes,
    predict(text, opts = {}) {
      const features = textFeatures(text).filter((f) => w.counts[f]);
      // Nothing the commune's examples ever contained: the model has no opinion.
      if (features.length === 0) return null;
      const scores = logPrior.slice();
      for (const f of features) {
        const row = w.counts[f]!;
        for (let c = 0; c < k; c++) scores[c]! += logLikelihood(row, c);
      }
      let best = 0;
      for (let c = 1; c < k; c++) if (scores[c]! > scores[best]!) best = c;
      const max = scores[best]!;
      const sum = scores.reduce((a, s) => a + Math.exp((s - max) / temperature), 0);
      const probability = 1 / sum;
      let top: ModelPrediction['top'] = [];
      const n = opts.explain ?? 0;
      if (n > 0) {
        let second = best === 0 ? 1 : 0;
        for (let c = 0; c < k; c++) if (c !== best && scores[c]! > scores[second]!) second = c;
        top = features
          .map((feature) => {
            const row = w.counts[feature]!;
            const other = k > 1 ? logLikelihood(row, second) : logUnseen[best]!;
            return { feature, weight: Math.round((logLikelihood(row, best) - other) * 1000) / 1000 };
          })
          .filter((t) => t.weight > 0)
          .sort((a, b) => b.weight - a.weight || a.feature.localeCompare(b.feature))
          .slice(0, n);
      }
      return { category: w.classes[best]!, probability: Math.round(probability * 1000) / 1000, top };
    },
  };
}
