// What the ticket domain needs from the rest of the system, as interfaces: the classifier, the
// working-time calendar, the queues. Wired in src/processes; replaced by real ones in tests too.
import type { PrismaClient } from '../db/generated/client.ts';
import type { Logger } from '../logger.ts';
import type { JobDefinition } from '../queues/job-definition.ts';
import type { EnqueueOptions } from '../queues/queue-kit.ts';

export interface Classification {
  category: string;
  score: number;
  /** The rules, the commune's learned model, the built-in model, or none (the general inbox). */
  decidedBy?: 'rules' | 'model' | 'builtin_model' | 'fallback';
}

export interface Classifier {
  /** With the commune, its learned model (if it has an active one) joins the rules. */
  classify(text: string, ctx?: { communeId?: string }): Classification;
}

export interface TicketDeadlines {
  receiveDueAt: Date;
  dueAt: Date;
  /** When to remind the assignee (half time, one working day before). */
  remindAt: Date[];
}

export interface DeadlinePlanner {
  plan(receivedAt: Date, opts: { timezone: string; priority: 'normal' | 'urgent'; receiveWorkingHours: number; answerWorkingDays: number; urgentWorkingHours: number }): TicketDeadlines;
}

export interface TicketPolicy {
  /** A resident's message within this time after their last one joins their open ticket. */
  followUpWindowMs: number;
  /**
   * A new ticket's post waits this long, so that a burst (a greeting, then the question; a long
   * paste the client split in parts) is one post; later messages are posted under it.
   */
  burstWindowMs: number;
  maxTextLength: number;
  messagesPerMinute: number;
  maxPhotoBytes: number;
  receiveWorkingHours: number;
  answerWorkingDays: number;
  urgentWorkingHours: number;
}

export const defaultTicketPolicy: TicketPolicy = {
  followUpWindowMs: 72 * 3600_000,
  burstWindowMs: 20_000,
  // Telegram's own limit: a full-length message is accepted, a longer paste arrives in parts.
  maxTextLength: 4096,
  messagesPerMinute: 10,
  maxPhotoBytes: 10 * 1024 * 1024,
  receiveWorkingHours: 8,
  answerWorkingDays: 5,
  urgentWorkingHours: 4,
};

export type Enqueue = <Data>(def: JobDefinition<Data>, data: Data, opts?: EnqueueOptions) => Promise<string>;
/** Queues work the database says is pending unless its job still exists; true when it was missing. */
export type RestoreJob = <Data>(def: JobDefinition<Data>, data: Data, opts: EnqueueOptions & { jobId: string }, replaceFinished?: boolean) => Promise<boolean>;
export type CancelJob = <Data>(def: JobDefinition<Data>, jobId: string) => Promise<boolean>;

export interface TicketDeps {
  /** Also used outside the message's transaction, e.g. to allocate a ticket number. */
  prisma: PrismaClient;
  /**
   * True when the database serves several connections (PostgreSQL). The embedded PGlite has one:
   * a query outside the open transaction would wait for it for ever.
   */
  concurrentConnections: boolean;
  log: Logger;
  classifier: Classifier;
  deadlines: DeadlinePlanner;
  enqueue: Enqueue;
  cancelJob: CancelJob;
  policy: TicketPolicy;
  now(): Date;
}
