// The jobs that train communes' classifiers, in the worker. One job id per commune: while a
// training of a commune waits or runs, another request for it is the same job, so two workers
// never train one commune at once (an advisory lock in train-commune-model.ts backs this up for
// callers outside the queue). Finished jobs are removed at once, or the id would block the next
// request until BullMQ forgot them.
import { defineJob } from '../../queues/job-definition.ts';
import { effect, type Effect } from '../ticket-jobs.ts';

export const trainClassifierJob = defineJob<{ communeId: string }>()('housekeeping', 'train-classifier', {
  attempts: 2,
  removeOnComplete: true,
  removeOnFail: true,
});

/** Nightly: every commune with examples newer than its last trained version gets a training. */
export const trainClassifiersNightlyJob = defineJob<Record<string, never>>()('housekeeping', 'train-classifiers-nightly', { attempts: 1 });

// 02:30 every night (the worker's clock; communes of one installation share a time zone).
export const NIGHTLY_TRAINING_CRON = '30 2 * * *';

export function trainClassifierJobId(communeId: string): string {
  return `train-classifier-${communeId}`;
}

export function trainClassifierEffect(communeId: string): Effect {
  return effect(trainClassifierJob, { communeId }, trainClassifierJobId(communeId));
}
