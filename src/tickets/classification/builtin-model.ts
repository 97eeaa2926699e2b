// The built-in learned model: the same naive Bayes as a commune's, trained at start from the
// labelled residents' questions shipped with Loa Xã (base-questions.jsonl, the sets the lexicon was
// written against) and the national fields' examples. Every commune has it from the first day;
// its own model, once trained, speaks before it. Keep a text out of base-questions.jsonl when it is
// in a set used to measure accuracy on unseen messages.
import { readFileSync } from 'node:fs';
import { CATEGORY_SEEDS } from '../../catalog/ensure-categories.ts';
import { naiveBayesModel, trainNaiveBayes, type LabelledText, type TextModel } from './naive-bayes.ts';

let cached: TextModel | undefined;

export function builtinExamples(): LabelledText[] {
  const lines = readFileSync(new URL('./base-questions.jsonl', import.meta.url), 'utf8').split('\n');
  const rows = lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as LabelledText);
  for (const c of CATEGORY_SEEDS) for (const e of c.examples) rows.push({ text: e, category: c.code });
  return rows;
}

export function builtinModel(): TextModel {
  return (cached ??= naiveBayesModel(trainNaiveBayes(builtinExamples())));
}
