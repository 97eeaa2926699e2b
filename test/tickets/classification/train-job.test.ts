// The training job through the real queue kit and Redis: one job id per commune, so requests
// while one waits or runs collapse into it and two workers never train one commune at once; a
// finished job frees the id for the next request; the nightly sweep asks only for communes with
// something new.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCategories } from '../../../src/catalog/ensure-categories.ts';
import { silentLogger } from '../../../src/logger.ts';
import { createQueueKit, type QueueKit } from '../../../src/queues/queue-kit.ts';
import { createClassifier } from '../../../src/tickets/classification/classifier.ts';
import { trainClassifierEffect, trainClassifierJob, trainClassifierJobId, trainClassifiersNightlyJob } from '../../../src/tickets/classification/classifier-jobs.ts';
import { builtinRules } from '../../../src/tickets/classification/lexicon.ts';
import { classifierTrainingHandlers } from '../../../src/tickets/classification/training-handlers.ts';
import { communesDueForTraining } from '../../../src/tickets/classification/train-commune-model.ts';
import { createCommune, loadQuestions, replayCommune } from '../../support/commune-simulation.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../../support/services.ts';

let db: MigratedTestDatabase;
let kit: QueueKit;
let prefix: string;
let a: Awaited<ReturnType<typeof createCommune>>;
let idle: Awaited<ReturnType<typeof createCommune>>;
beforeAll(async () => {
  db = await openMigratedTestDatabase('classifier_job');
  await ensureCategories(db.prisma);
  prefix = testRedisPrefix();
  kit = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix, log: silentLogger });
  a = await createCommune(db.prisma, 'JOB-A');
  idle = await createCommune(db.prisma, 'JOB-IDLE');
  await replayCommune(db.prisma, a, loadQuestions('test/fixtures/shared/questions.dev.jsonl').concat(loadQuestions('test/tickets/classification/fresh-questions.jsonl')), createClassifier(builtinRules()));
}, 180_000);
afterAll(async () => {
  await kit?.close(5000);
  await deleteTestRedisKeys(prefix);
  await db?.close();
});

const versions = () => db.prisma.classifierModel.count({ where: { communeId: a.communeId } });

describe('train-classifier job', () => {
  it('collapses requests for one commune into one job, run by one of two workers', async () => {
    const e = trainClassifierEffect(a.communeId);
    expect(e.jobId).toBe(trainClassifierJobId(a.communeId));
    const ids = await Promise.all([1, 2, 3].map(() => kit.enqueue(trainClassifierJob, { communeId: a.communeId }, { jobId: e.jobId! })));
    expect(new Set(ids)).toEqual(new Set([trainClassifierJobId(a.communeId)]));
    expect((await kit.queue('housekeeping').getJobCounts('waiting')).waiting).toBe(1);

    const handlers = classifierTrainingHandlers({ prisma: db.prisma, log: silentLogger, enqueue: kit.enqueue.bind(kit) });
    const w1 = kit.startWorker('housekeeping', handlers as never);
    const w2 = kit.startWorker('housekeeping', handlers as never);
    try {
      await expect.poll(versions, { timeout: 60_000, interval: 200 }).toBe(1);
      await expect.poll(async () => (await kit.queue('housekeeping').getJobCounts('waiting', 'active')).active, { timeout: 30_000 }).toBe(0);
      expect(await versions()).toBe(1);

      // The finished job left nothing behind that would swallow the next request.
      await kit.enqueue(trainClassifierJob, { communeId: a.communeId }, { jobId: trainClassifierJobId(a.communeId) });
      await expect.poll(versions, { timeout: 60_000, interval: 200 }).toBe(2);
    } finally {
      await w1.close();
      await w2.close();
    }
  }, 180_000);

  it('the nightly sweep asks for communes with new examples or answers only', async () => {
    // A's last version already saw everything; the idle commune has nothing.
    expect(await communesDueForTraining(db.prisma)).toEqual([]);
    await replayCommune(db.prisma, a, [{ text: 'Đèn đường thôn 2 hỏng', category: 'HA_TANG' }], createClassifier(builtinRules()), new Date(Date.now() + 1000));
    expect(await communesDueForTraining(db.prisma)).toEqual([a.communeId]);
    const enqueued: Array<{ data: unknown; jobId?: string }> = [];
    const handlers = classifierTrainingHandlers({
      prisma: db.prisma,
      log: silentLogger,
      enqueue: async (_def, data, opts) => {
        enqueued.push({ data, ...(opts?.jobId ? { jobId: opts.jobId } : {}) });
        return opts?.jobId ?? 'x';
      },
    });
    await handlers[trainClassifiersNightlyJob.name]!({} as never, { log: silentLogger });
    expect(enqueued).toEqual([{ data: { communeId: a.communeId }, jobId: trainClassifierJobId(a.communeId) }]);
    expect(enqueued.some((e) => (e.data as { communeId: string }).communeId === idle.communeId)).toBe(false);
  });
});
