// Trains the next version of a commune's field classifier, scores it on the held-back examples
// against the version in use and against what the commune has without one (the rules, alone and
// with the built-in model), and activates it only when it does at least as well as each. A version
// in use that now scores worse than that is rolled back. Every version is kept, activated or not,
// with its figures.
import type { Prisma, PrismaClient } from '../../db/generated/client.ts';
import type { Classifier } from './classifier.ts';
import { combine } from './combined-classifier.ts';
import { isHeldBack, loadCommuneExamples, type CommuneExample } from './commune-examples.ts';
import { naiveBayesModel, parseWeights, trainNaiveBayes, type LabelledText, type NaiveBayesWeights, type TextModel } from './naive-bayes.ts';
import { FALLBACK_CATEGORY } from './classifier.ts';
import { builtinModel } from './builtin-model.ts';

// Below these a score means little; the rules carry on alone.
export const MIN_TRAINING_EXAMPLES = 30;
export const MIN_HELD_BACK_EXAMPLES = 8;
// Training a few thousand messages takes seconds; the lock is held that long.
const TRAINING_TX_TIMEOUT_MS = 5 * 60_000;

export type TrainDecision = 'activated' | 'worse_than_rules' | 'worse_than_active';

export type TrainOutcome =
  | { trained: false; reason: 'too_few_examples'; examples: number; heldBack: number; skipped: number }
  | {
      trained: true;
      version: number;
      modelId: string;
      decision: TrainDecision;
      activated: boolean;
      /** The version in use was withdrawn: it now scores worse than the rules alone. */
      rolledBack: number | null;
      examples: number;
      heldBack: number;
      skipped: number;
      heldOutAccuracy: number;
      modelAccuracy: number;
      rulesAccuracy: number;
      builtinAccuracy: number | null;
      activeAccuracy: number | null;
    };

export interface TrainCommuneOptions {
  prisma: PrismaClient;
  communeId: string;
  rules: Classifier;
  now?: () => Date;
  /** How a version is trained (naive Bayes unless told otherwise). */
  trainer?: (examples: LabelledText[]) => NaiveBayesWeights;
  /** The built-in model that runs beside the commune's (null: none); the shipped one by default. */
  builtin?: TextModel | null;
}

const ratio = (n: number, of: number) => (of === 0 ? 0 : Math.round((n / of) * 10_000) / 10_000);

/**
 * Accuracy on labelled examples of the rules alone, the model alone, the rules with the built-in
 * model (what a commune has without its own), and all three combined as intake combines them.
 */
export function scoreOn(rows: readonly Pick<CommuneExample, 'text' | 'category'>[], rules: Classifier, model: TextModel | null, builtin: TextModel | null = null) {
  let byRules = 0;
  let byModel = 0;
  let byBuiltin = 0;
  let combined = 0;
  for (const row of rows) {
    const r = rules.classify(row.text);
    if (r.category === row.category) byRules += 1;
    if (model && (model.predict(row.text)?.category ?? FALLBACK_CATEGORY) === row.category) byModel += 1;
    if (builtin && combine(r, null, row.text, { builtin }).category === row.category) byBuiltin += 1;
    if (combine(r, model, row.text, { builtin }).category === row.category) combined += 1;
  }
  const n = rows.length;
  return { rules: ratio(byRules, n), model: ratio(byModel, n), builtin: builtin ? ratio(byBuiltin, n) : null, combined: ratio(combined, n) };
}

export async function trainCommuneModel(o: TrainCommuneOptions): Promise<TrainOutcome> {
  const now = o.now ?? (() => new Date());
  const builtin = o.builtin === undefined ? builtinModel() : o.builtin;
  return o.prisma.$transaction(
    async (tx) => {
      // One trainer per commune at a time, whoever started it; the second waits and then trains on
      // what the first left (a later version).
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('loaxa:train-classifier'), hashtext(${o.communeId}))`;
      const { examples, skipped } = await loadCommuneExamples(tx, o.communeId);
      const held = examples.filter((e) => isHeldBack(e.key));
      const train = examples.filter((e) => !isHeldBack(e.key));
      if (train.length < MIN_TRAINING_EXAMPLES || held.length < MIN_HELD_BACK_EXAMPLES) {
        return { trained: false, reason: 'too_few_examples', examples: train.length, heldBack: held.length, skipped };
      }
      const weights = (o.trainer ?? trainNaiveBayes)(train.map((e) => ({ text: e.text, category: e.category })));
      const candidate = scoreOn(held, o.rules, naiveBayesModel(weights), builtin);
      // Without a model of its own the commune has the rules and the built-in model: the bar.
      const bar = Math.max(candidate.rules, candidate.builtin ?? 0);

      const active = await tx.classifierModel.findFirst({ where: { communeId: o.communeId, active: true } });
      const activeWeights = active ? parseWeights(active.weights) : null;
      // A stored version that no longer parses is as good as none.
      const activeScore = active ? (activeWeights ? scoreOn(held, o.rules, naiveBayesModel(activeWeights), builtin).combined : 0) : null;

      let decision: TrainDecision = 'activated';
      if (candidate.combined < bar) decision = 'worse_than_rules';
      else if (activeScore !== null && candidate.combined < activeScore) decision = 'worse_than_active';
      const activated = decision === 'activated';
      const at = now();
      let rolledBack: number | null = null;
      if (active && (activated || activeScore! < bar)) {
        if (!activated) rolledBack = active.version;
        await tx.classifierModel.update({
          where: { id: active.id },
          data: { active: false, retiredAt: at, ...(activated ? {} : { decision: 'rolled_back' }) },
        });
      }
      const last = await tx.classifierModel.findFirst({ where: { communeId: o.communeId }, orderBy: { version: 'desc' }, select: { version: true } });
      const version = (last?.version ?? 0) + 1;
      const row = await tx.classifierModel.create({
        data: {
          communeId: o.communeId,
          version,
          trainedAt: at,
          exampleCount: train.length,
          heldOutCount: held.length,
          heldOutAccuracy: candidate.combined,
          modelAccuracy: candidate.model,
          rulesAccuracy: candidate.rules,
          builtinAccuracy: candidate.builtin,
          activeAccuracy: activeScore,
          active: activated,
          decision,
          weights: weights as unknown as Prisma.InputJsonValue,
          activatedAt: activated ? at : null,
        },
        select: { id: true },
      });
      return {
        trained: true,
        version,
        modelId: row.id,
        decision,
        activated,
        rolledBack,
        examples: train.length,
        heldBack: held.length,
        skipped,
        heldOutAccuracy: candidate.combined,
        modelAccuracy: candidate.model,
        rulesAccuracy: candidate.rules,
        builtinAccuracy: candidate.builtin,
        activeAccuracy: activeScore,
      };
    },
    { timeout: TRAINING_TX_TIMEOUT_MS, maxWait: TRAINING_TX_TIMEOUT_MS },
  );
}

/** Communes with examples or answered tickets newer than their last trained version. */
export async function communesDueForTraining(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    SELECT c.id::text AS id FROM "Commune" c
    LEFT JOIN LATERAL (SELECT max("trainedAt") AS at FROM "ClassifierModel" m WHERE m."communeId" = c.id) last ON true
    WHERE EXISTS (SELECT 1 FROM "ClassificationExample" e WHERE e."communeId" = c.id AND (last.at IS NULL OR e."createdAt" > last.at))
       OR EXISTS (SELECT 1 FROM "Ticket" t WHERE t."communeId" = c.id AND t."answeredAt" IS NOT NULL AND (last.at IS NULL OR t."answeredAt" > last.at))
    ORDER BY c.id`;
  return rows.map((r) => r.id);
}
