// The field of a message from the built-in/staff rules, the commune's learned model and the
// built-in learned model together. Measured on simulated communes (bench/scenarios/classify.ts):
// the rules are precise where they are sure and a model knows words the lexicon lacks, so the
// rules decide when confident, else the commune's model when it is sure, else the built-in model
// when it is sure, and otherwise the rules' answer stands (often KHAC, the general inbox). A
// complaint about officials the rules recognise is never overruled: it decides confidential
// handling.
import { COMPLAINT_CATEGORY, FALLBACK_CATEGORY, type ClassificationResult } from './classifier.ts';
import type { ModelPrediction, TextModel } from './naive-bayes.ts';

export type DecisionPath = 'rules' | 'model' | 'builtin_model' | 'fallback';

export interface CombinedResult {
  category: string;
  score: number;
  /** Which evidence decided: the rules, the commune's model, the built-in model, or none (KHAC). */
  decidedBy: DecisionPath;
  rules: ClassificationResult;
  model: ModelPrediction | null;
  builtin: ModelPrediction | null;
}

export interface CombineOptions {
  /** Rules at least this confident decide. */
  rulesConfidence?: number;
  /** The commune's model decides, when the rules do not, at least this sure. */
  modelProbability?: number;
  /** The built-in model decides, when neither of those do, at least this sure. */
  builtinProbability?: number;
  /** How many model features to keep for an explanation (0: none). */
  explain?: number;
  /** The built-in model, asked when neither the rules nor the commune's model are sure. */
  builtin?: TextModel | null;
}

// Chosen on simulated communes (training on one question set's corrections, scoring another);
// see the bench scenario, which prints the figures for these and the alternatives.
export const DEFAULT_RULES_CONFIDENCE = 0.5;
export const DEFAULT_MODEL_PROBABILITY = 0.9;
// Chosen by leaving each shipped question set out of the built-in model in turn and scoring it.
export const DEFAULT_BUILTIN_PROBABILITY = 0.7;

export function combine(rules: ClassificationResult, model: TextModel | null, text: string, opts: CombineOptions = {}): CombinedResult {
  const rulesConfidence = opts.rulesConfidence ?? DEFAULT_RULES_CONFIDENCE;
  const modelProbability = opts.modelProbability ?? DEFAULT_MODEL_PROBABILITY;
  const builtinProbability = opts.builtinProbability ?? DEFAULT_BUILTIN_PROBABILITY;
  const explain = { explain: opts.explain ?? 0 };
  const prediction = model ? model.predict(text, explain) : null;
  const decided = (decidedBy: DecisionPath, category: string, score: number, builtin: ModelPrediction | null): CombinedResult => ({
    category,
    score,
    decidedBy,
    rules,
    model: prediction,
    builtin,
  });
  const byRules = (builtin: ModelPrediction | null) =>
    decided(rules.category === FALLBACK_CATEGORY && rules.confidence === 0 ? 'fallback' : 'rules', rules.category, rules.score, builtin);
  if (rules.category === COMPLAINT_CATEGORY) return byRules(null);
  // Sure rules decide, KHAC included (the lexicon has words for matters outside every field).
  if (rules.confidence > 0 && rules.confidence >= rulesConfidence) return byRules(null);
  if (prediction && prediction.probability >= modelProbability) return decided('model', prediction.category, prediction.probability, null);
  const builtin = opts.builtin ? opts.builtin.predict(text, explain) : null;
  if (builtin && builtin.probability >= builtinProbability) return decided('builtin_model', builtin.category, builtin.probability, builtin);
  return byRules(builtin);
}
