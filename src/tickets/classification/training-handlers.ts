// The worker's side of classifier training: one commune per job, and the nightly sweep that asks
// for a training of every commune with something new to learn.
import type { PrismaClient } from '../../db/generated/client.ts';
import type { Logger } from '../../logger.ts';
import type { Enqueue } from '../ticket-deps.ts';
import { loadClassifier } from '../ticket-runtime.ts';
import { trainClassifierJob, trainClassifierJobId, trainClassifiersNightlyJob } from './classifier-jobs.ts';
import { communesDueForTraining, trainCommuneModel } from './train-commune-model.ts';

export function classifierTrainingHandlers(deps: { prisma: PrismaClient; log: Logger; enqueue: Enqueue; now?: () => Date }) {
  return {
    [trainClassifierJob.name]: async (data: { communeId: string }, ctx: { log: Logger }) => {
      // The rules as they are now, staff edits included: the bar a new version must clear.
      const rules = await loadClassifier(deps.prisma, ctx.log);
      const r = await trainCommuneModel({ prisma: deps.prisma, communeId: data.communeId, rules, ...(deps.now ? { now: deps.now } : {}) });
      if (!r.trained) ctx.log.info({ communeId: data.communeId, examples: r.examples, heldBack: r.heldBack }, 'chưa đủ ví dụ để huấn luyện bộ phân loại');
      else ctx.log.info({ communeId: data.communeId, ...r }, r.activated ? 'đã kích hoạt mô hình phân loại mới' : 'mô hình phân loại mới không tốt hơn; không dùng');
      return r;
    },
    [trainClassifiersNightlyJob.name]: async (_data: Record<string, never>, ctx: { log: Logger }) => {
      const communes = await communesDueForTraining(deps.prisma);
      for (const communeId of communes) await deps.enqueue(trainClassifierJob, { communeId }, { jobId: trainClassifierJobId(communeId) });
      ctx.log.info({ communes: communes.length }, 'đã xếp lịch huấn luyện bộ phân loại');
      return { communes: communes.length };
    },
  };
}
