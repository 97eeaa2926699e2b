// The active learned model of every commune, held in memory by each process that classifies, and
// reloaded when a training activates or withdraws a version. Only changed versions are read again:
// the weights are the large part.
import type { PrismaClient } from '../../db/generated/client.ts';
import type { Logger } from '../../logger.ts';
import { naiveBayesModel, parseWeights, type TextModel } from './naive-bayes.ts';

export interface LoadedModel {
  id: string;
  version: number;
  model: TextModel;
}

export async function loadActiveModels(prisma: PrismaClient, previous: ReadonlyMap<string, LoadedModel>, log?: Logger): Promise<Map<string, LoadedModel>> {
  const rows = await prisma.classifierModel.findMany({ where: { active: true }, select: { id: true, communeId: true, version: true } });
  const next = new Map<string, LoadedModel>();
  for (const r of rows) {
    const kept = previous.get(r.communeId);
    if (kept?.id === r.id) {
      next.set(r.communeId, kept);
      continue;
    }
    const full = await prisma.classifierModel.findUnique({ where: { id: r.id }, select: { weights: true } });
    const weights = full ? parseWeights(full.weights) : null;
    if (!weights) {
      // The rules carry on alone for this commune; say so once per version.
      log?.warn({ communeId: r.communeId, modelId: r.id, version: r.version }, 'mô hình phân loại không đọc được; dùng luật');
      continue;
    }
    next.set(r.communeId, { id: r.id, version: r.version, model: naiveBayesModel(weights) });
  }
  return next;
}
