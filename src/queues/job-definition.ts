// Every queue and job of Loa Xã, with its payload type and retry policy, in one place: producers
// and workers name a definition, never a bare string.
import type { JobsOptions } from 'bullmq';

export const queueNames = ['housekeeping', 'inbound', 'outbound', 'broadcast', 'render', 'reminders'] as const;
export type QueueName = (typeof queueNames)[number];

export interface JobDefinition<Data> {
  queue: QueueName;
  name: string;
  options: JobsOptions;
  /** Phantom field carrying the payload type; never set. */
  readonly __data?: Data;
}

// Transient failures (network, 429, Redis blip) retry with growing gaps: 2 s, 4 s, 8 s, 16 s.
// Completed jobs are kept a day for inspection; failed ones two weeks, for the staff report.
export const defaultJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

export function defineJob<Data>() {
  return (queue: QueueName, name: string, options: JobsOptions = {}): JobDefinition<Data> => ({
    queue,
    name,
    options: { ...defaultJobOptions, ...options },
  });
}

export const housekeepingPurgeSessions = defineJob<Record<string, never>>()('housekeeping', 'purge-expired-sessions', { attempts: 1 });
