// The field of a message from the built-in/staff rules and the commune's learned model together.
// Measured on simulated communes (bench/scenarios/classify.ts): the rules are precise where they
// are sure and the model knows the commune's own words, so the rules decide when confident, the
// model when it is sure and the rules are not, and otherwise the rules' answer stands (often KHAC,
// the general inbox). A complaint about officials the rules recognise is never overruled: it
// decides confidential handling.
import { COMPLAINT_CATEGORY, FALLBACK_CATEGORY, type ClassificationResult, type Classifier } from './classifier.ts';
import type { ModelPrediction, TextModel } from './naive-bayes.ts';

export type DecisionPath = 'rules' | 'model' | 'fallback';

export interface CombinedResult {
  category: string;
  score: number;
  /** Which evidence decided: the rules, the commune's model, or neither (KHAC). */
  decidedBy: DecisionPath;
  rules: ClassificationResult;
  model: ModelPrediction | null;
}

export interface CombineOptions {
  /** Rules at least this confident decide. */
  rulesConfidence?: number;
  /** The model decides, when the rules do not, at least this sure. */
  modelProbability?: number;
  /** How many model features to keep for an explanation (0: none). */
  explain?: number;
}

// Chosen on simulated communes (training on one question set's corrections, scoring another);
// see the bench scenario, which prints the figures for these and the alternatives.
export const DEFAULT_RULES_CONFIDENCE = 0.5;
export const DEFAULT_MODEL_PROBABILITY = 0.9;

export function combine(rules: ClassificationResult, model: TextModel | null, text: string, opts: CombineOptions = {}): CombinedResult {
  const rulesConfidence = opts.rulesConfidence ?? DEFAULT_RULES_CONFIDENCE;
  const modelProbability = opts.modelProbability ?? DEFAULT_MODEL_PROBABILITY;
  const prediction = model ? model.predict(text, { explain: opts.explain ?? 0 }) : null;
  const byRules = (): CombinedResult => ({
    category: rules.category,
    score: rules.score,
    decidedBy: rules.category === FALLBACK_CATEGORY && rules.confidence === 0 ? 'fallback' : 'rules',
    rules,
    model: prediction,
  });
  if (rules.category === COMPLAINT_CATEGORY) return byRules();
  // Sure rules decide, KHAC included (the lexicon has words for matters outside every field).
  if (rules.confidence > 0 && rules.confidence >= rulesConfidence) return byRules();
  if (prediction && prediction.probability >= modelProbability) {
    return { category: prediction.category, score: prediction.probability, decidedBy: 'model', rules, model: prediction };
  }
  return byRules();
}

export interface CommuneClassifier {
  classify(text: string, opts?: { explain?: number }): CombinedResult;
}

export function combinedClassifier(rules: Classifier, model: TextModel | null, opts: Omit<CombineOptions, 'explain'> = {}): CommuneClassifier {
  return { classify: (text, o = {}) => combine(rules.classify(text), model, text, { ...opts, ...o }) };
}
