// The jobs of the listening flow. Job ids are derived from database ids, so re-enqueueing after a
// crash or by the reconciler never makes a second job for the same work.
import { defineJob, type JobDefinition } from '../queues/job-definition.ts';
import type { Platform } from '../../bots/channel.ts';

export const processInboundJob = defineJob<{ inboundId: string }>()('inbound', 'process');

/**
 * An outbound TicketMessage row (pending) to deliver to the resident; `report` says where the
 * cadre who wrote it hears the platform's answer, `redelivery` that it failed before.
 */
export interface TicketMessageJob {
  messageId: string;
  askRating?: boolean;
  report?: { platform: Platform; accountId: string; chatId: string; replyTo?: string; faq?: boolean };
  redelivery?: boolean;
  /** A copy of an undelivered answer offered on another channel of the resident. */
  copy?: boolean;
}
export const sendTicketMessageJob = defineJob<TicketMessageJob>()('outbound', 'ticket-message', { attempts: 8 });

/** Post a new ticket into every admin chat of its commune. */
export const postTicketJob = defineJob<{ ticketId: string }>()('outbound', 'ticket-post', { attempts: 8 });

export interface DirectMessage {
  platform: Platform;
  accountId: string;
  chatId: string;
  text: string;
  buttons?: Array<Array<{ label: string; data: string }>>;
  replyTo?: string;
  /** A group with topics: the topic to post in. */
  threadId?: string;
  /** A photo or file to send with the text as caption. */
  media?: { kind: 'photo' | 'file'; ref: { platformFileId: string } | { path: string } };
  /** Not sent if this ticket's village became known meanwhile (the question "which village?"). */
  unlessVillageKnown?: string;
  /** Record the sent message as an admin-chat post with this purpose (e.g. reject_reason). */
  recordAs?: { ticketId: string; purpose: string };
  /** Record it as the bot's message about a bulletin (announcement, question for a reason). */
  recordBulletinAs?: { bulletinId: string; purpose: 'announcement' | 'reject_reason' | 'province_announcement' | 'province_decline_reason' };
  /** A survey invitation: sent once (its row says so), its outcome recorded on the row. */
  surveyInvitationId?: string;
}

/** A reply that belongs to no ticket message (help, consent, confirmations in the admin chat). */
export const sendDirectJob = defineJob<DirectMessage>()('outbound', 'direct', { attempts: 6 });

/** Answer a button press (Telegram shows a small notice); useless after a minute, so no retries. */
export const answerActionJob = defineJob<{ platform: Platform; accountId: string; actionId: string; text?: string; alert?: boolean }>()(
  'outbound',
  'answer-action',
  { attempts: 1 },
);

/**
 * Restored backlog (work the tick found in PostgreSQL without a job, such as a seeded history's
 * open tickets and their overdue checks) ranks below new work: BullMQ runs jobs without a
 * priority first, then by number, so a resident writing now is posted before the backlog.
 */
export const BACKLOG_PRIORITY = 1000;

export interface Effect<Data = unknown> {
  def: JobDefinition<Data>;
  data: Data;
  jobId?: string;
  /** Run at this time (deadline reminders); delayed jobs survive restarts in Redis. */
  runAt?: Date;
  /** A BullMQ priority (BACKLOG_PRIORITY for what a restored job causes); none for new work. */
  priority?: number;
  /** Remove the job with this id instead of adding one. */
  cancel?: boolean;
}

export function effect<Data>(def: JobDefinition<Data>, data: Data, jobId?: string, runAt?: Date): Effect {
  return { def, data, ...(jobId ? { jobId } : {}), ...(runAt ? { runAt } : {}) } as Effect;
}

/** Fetch a file a resident sent and keep it under DATA_DIR (the platform's copy expires). */
export const fetchAttachmentJob = defineJob<{ ticketMessageId: string; index: number }>()('inbound', 'fetch-attachment', { attempts: 6 });

/** A deadline check: remind the assignee, or escalate to the leader when the answer is overdue; `backlog` when restored overdue. */
export const deadlineJob = defineJob<{ ticketId: string; kind: 'receive' | 'remind' | 'escalate'; dueAt: string; backlog?: boolean }>()('reminders', 'deadline', { attempts: 5 });

/** Removes the buttons under a message the bot sent (a bulletin decided, a choice made). */
export const removeButtonsJob = defineJob<{ platform: Platform; accountId: string; chatId: string; messageId: string }>()('outbound', 'remove-buttons', { attempts: 4 });

/** Brings the rating buttons under a message in line with the ticket (read when the job runs). */
export const refreshRatingButtonsJob = defineJob<{ platform: Platform; accountId: string; chatId: string; messageId: string; ticketId: string }>()(
  'outbound',
  'rating-buttons',
  { attempts: 4 },
);

/** Post a resident's follow-up (text, photo, file) under the ticket's post in every admin chat. */
export const relayFollowUpJob = defineJob<{ ticketMessageId: string }>()('outbound', 'follow-up', { attempts: 8 });

/** Re-render a ticket's posts (header and buttons) after its status, assignee or village changed. */
export const refreshAdminPostsJob = defineJob<{ ticketId: string; version: number }>()('outbound', 'refresh-posts', { attempts: 4 });

/** Cancels the deadline checks planned at creation (the ticket reached a final status). */
export function cancelDeadlines(ticketId: string): Effect[] {
  return ['receive', 'remind0', 'remind1', 'escalate'].map((k) => ({ def: deadlineJob, data: undefined, jobId: `dl-${ticketId}-0-${k}`, cancel: true }) as Effect);
}
