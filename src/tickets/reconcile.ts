// PostgreSQL is the truth, Redis only moves work: this finds work the database says is pending
// but whose job was lost (Redis restarted without its data, a crash between commit and enqueue)
// and queues it again. Job ids make a job that still exists a no-op.
import { defineJob } from '../queues/job-definition.ts';
import type { RestoreJob, TicketDeps } from './ticket-deps.ts';
import { BACKLOG_PRIORITY, postTicketJob, processInboundJob, relayFollowUpJob, sendTicketMessageJob } from './ticket-jobs.ts';
import { understandMessage } from './understanding/small-talk.ts';
import { adminChatsOf } from './channel-accounts.ts';

export const reconcileJob = defineJob<Record<string, never>>()('housekeeping', 'reconcile-listening', { attempts: 1 });

/**
 * With `restore` (the workers' tick), only work whose job is missing (or finished while the row
 * still says pending) is queued and counted; with plain `enqueue`, everything found is.
 */
export async function reconcileListening(
  deps: Pick<TicketDeps, 'prisma' | 'enqueue' | 'now'> & { restore?: RestoreJob },
  opts: { olderThanMs: number },
): Promise<{ inbound: number; messages: number; posts: number; followUps: number }> {
  const before = new Date(deps.now().getTime() - opts.olderThanMs);
  const { prisma } = deps;
  const put: RestoreJob = deps.restore ?? (async (def, data, o) => (await deps.enqueue(def, data, o), true));
  let restoredInbound = 0;
  const inbound = await prisma.inboundMessage.findMany({ where: { status: 'pending', receivedAt: { lt: before } }, select: { id: true }, take: 500 });
  for (const r of inbound) if (await put(processInboundJob, { inboundId: r.id }, { jobId: `in-${r.id}` }, true)) restoredInbound += 1;

  let restoredMessages = 0;
  const messages = await prisma.ticketMessage.findMany({ where: { direction: 'outbound', deliveryStatus: 'pending', createdAt: { lt: before } }, select: { id: true }, take: 500 });
  for (const m of messages) if (await put(sendTicketMessageJob, { messageId: m.id }, { jobId: `msg-${m.id}` }, true)) restoredMessages += 1;

  // Tickets of the last week never posted to an admin chat their commune has.
  const weekAgo = new Date(before.getTime() - 7 * 24 * 3600_000);
  const recent = await prisma.ticket.findMany({
    where: { createdAt: { lt: before, gte: weekAgo }, adminPosts: { none: { purpose: 'ticket' } } },
    select: { id: true, communeId: true },
    take: 500,
  });
  let posts = 0;
  const chatsByCommune = new Map<string, number>();
  for (const t of recent) {
    if (!chatsByCommune.has(t.communeId)) chatsByCommune.set(t.communeId, (await adminChatsOf(prisma, t.communeId)).length);
    if (chatsByCommune.get(t.communeId) === 0) continue;
    // A finished post job is kept: it may have found no channel for the chat in its process.
    // Behind the posts of tickets residents write now (a fresh demo's history is such a backlog).
    if (await put(postTicketJob, { ticketId: t.id }, { jobId: `post-${t.id}`, priority: BACKLOG_PRIORITY })) posts += 1;
  }

  // Follow-ups of the last week that no admin-chat post shows (their relay job was lost): those
  // written after the ticket's post, except greetings and thanks joined to it, which intake keeps
  // on the ticket but never relays. A relay that posted anywhere has recorded the message.
  const later = await prisma.ticketMessage.findMany({
    where: { direction: 'inbound', createdAt: { lt: before, gte: weekAgo }, ticket: { adminPosts: { some: { purpose: 'ticket' } } } },
    select: { id: true, text: true, attachments: true, createdAt: true, ticket: { select: { adminPosts: { select: { purpose: true, ticketMessageIds: true, createdAt: true } } } } },
    orderBy: { createdAt: 'desc' },
    take: 500,
  });
  let followUps = 0;
  for (const m of later) {
    const posts = m.ticket.adminPosts;
    if (posts.some((p) => p.ticketMessageIds.includes(m.id))) continue;
    if (!posts.some((p) => p.purpose === 'ticket' && p.createdAt < m.createdAt)) continue;
    const hasFiles = Array.isArray(m.attachments) && m.attachments.length > 0;
    if (!hasFiles && understandMessage(m.text) !== 'question') continue;
    if (await put(relayFollowUpJob, { ticketMessageId: m.id }, { jobId: `fu-${m.id}`, priority: BACKLOG_PRIORITY })) followUps += 1;
  }
  return { inbound: restoredInbound, messages: restoredMessages, posts, followUps };
}
