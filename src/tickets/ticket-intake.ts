// A resident's message becomes a ticket (classified, routed, with deadlines) or joins their open
// one. Runs inside the transaction that marks the inbound message processed, so a message is
// never half-handled; what must be sent afterwards is returned as effects.
import type { Commune, Prisma } from '../db/generated/client.ts';
import type { Attachment, Platform } from '../../bots/channel.ts';
import { detectUrgency } from './understanding/urgency.ts';
import { findVillageMention, type VillageName } from './understanding/village-mention.ts';
import { formatTicketCode, nextTicketSeq } from './ticket-code.ts';
import { chooseAssignee } from './routing.ts';
import { formatDue, residentTextsOf, type ResidentTexts } from './resident-texts.ts';
import { openStatuses } from './ticket-status.ts';
import { findFaqAnswer } from './faq.ts';
import type { TicketDeps } from './ticket-deps.ts';
import type { DeliveryReport } from './answer-delivery.ts';
import { deadlineJob, effect, fetchAttachmentJob, postTicketJob, refreshAdminPostsJob, relayFollowUpJob, sendDirectJob, sendTicketMessageJob, type Effect } from './ticket-jobs.ts';
import { isConfidentialField } from './ticket-visibility.ts';

export interface IntakeMessage {
  communeId: string;
  residentId: string;
  villageId: string | null;
  platform: Platform;
  channelAccountId: string | null;
  /** The account's name (the channel to answer through). */
  accountName: string;
  chatId: string;
  platformMessageId: string;
  text: string;
  attachments: Attachment[];
  receivedAt: Date;
  /** The resident asked for a new ticket (/moi): do not join the open one. */
  forceNew: boolean;
  /** Joining the open ticket is acknowledged by the caller (e.g. "village noted"). */
  quietFollowUp?: boolean;
}

export interface IntakeResult {
  ticketId: string;
  ticketMessageId: string;
  created: boolean;
  /** The ticket's village is still unknown: the resident may be asked once. */
  villageUnknown: boolean;
  /** A new ticket: whether its commune has villages to name, and what asking about one needs. */
  communeHasVillages?: boolean;
  ticket?: { code: string; communeId: string; createdAt: Date };
  effects: Effect[];
}

// A greeting or "đồng ý" sent shortly before a question joins that question's ticket.
const SMALL_TALK_JOINS_WITHIN_MS = 30 * 60_000;

export function isUrgent(text: string): boolean {
  return detectUrgency(text).urgent;
}

/** Small talk held from this chat (answered, not ticketed) joins the ticket of what follows it. */
async function joinHeldSmallTalk(tx: Prisma.TransactionClient, m: IntakeMessage, ticketId: string): Promise<void> {
  const held = await tx.inboundMessage.findMany({
    where: {
      channel: m.platform,
      channelAccountId: m.channelAccountId,
      platformChatId: m.chatId,
      status: 'ignored',
      error: 'small_talk',
      ticketMessageId: null,
      receivedAt: { gte: new Date(m.receivedAt.getTime() - SMALL_TALK_JOINS_WITHIN_MS), lte: m.receivedAt },
    },
    orderBy: { receivedAt: 'asc' },
  });
  for (const h of held) {
    const hm = (h.payload as unknown as { message?: { text?: string } }).message;
    const msg = await tx.ticketMessage.create({
      data: { ticketId, direction: 'inbound', channel: m.platform, channelAccountId: m.channelAccountId, platformChatId: m.chatId, platformMessageId: h.platformMessageId, text: hm?.text ?? null, createdAt: h.receivedAt },
    });
    await tx.inboundMessage.update({ where: { id: h.id }, data: { status: 'processed', error: null, ticketMessageId: msg.id } });
  }
}

/** The commune's villages, to read a village from a message. */
async function villagesOf(tx: Prisma.TransactionClient, communeId: string): Promise<VillageName[]> {
  return tx.village.findMany({ where: { communeId }, select: { id: true, name: true, aliases: true }, orderBy: { sortOrder: 'asc' } });
}

/** When a new ticket's post goes out: after the burst window, at once when urgent. */
export function postTime(ticket: { createdAt: Date; priority: string }, burstWindowMs: number): Date | undefined {
  return ticket.priority === 'urgent' || burstWindowMs <= 0 ? undefined : new Date(ticket.createdAt.getTime() + burstWindowMs);
}

/** An outbound message to the resident, kept with the ticket and delivered by a job. */
export async function queueResidentMessage(
  tx: Prisma.TransactionClient,
  p: { ticketId: string; platform: Platform; channelAccountId: string | null; chatId: string; text: string; authorStaffId?: string | null; askRating?: boolean; report?: DeliveryReport },
): Promise<Effect> {
  const msg = await tx.ticketMessage.create({
    data: {
      ticketId: p.ticketId,
      direction: 'outbound',
      channel: p.platform,
      channelAccountId: p.channelAccountId,
      platformChatId: p.chatId,
      authorStaffId: p.authorStaffId ?? null,
      text: p.text,
      deliveryStatus: 'pending',
    },
  });
  return effect(sendTicketMessageJob, { messageId: msg.id, ...(p.askRating ? { askRating: true } : {}), ...(p.report ? { report: p.report } : {}) }, `msg-${msg.id}`);
}

/** The working-time deadlines of a ticket, from its category's (or the commune's) rules. */
export function planTicketDeadlines(
  deps: Pick<TicketDeps, 'deadlines' | 'policy'>,
  p: { receivedAt: Date; timezone: string; priority: 'normal' | 'urgent'; category: { receiveWorkingHours: number | null; answerWorkingDays: number | null } | null },
) {
  return deps.deadlines.plan(p.receivedAt, {
    timezone: p.timezone,
    priority: p.priority,
    receiveWorkingHours: p.category?.receiveWorkingHours ?? deps.policy.receiveWorkingHours,
    answerWorkingDays: p.category?.answerWorkingDays ?? deps.policy.answerWorkingDays,
    urgentWorkingHours: deps.policy.urgentWorkingHours,
  });
}

/** Delayed checks at each deadline; each one looks at the ticket first, so a closed ticket gets none. */
export function deadlineEffects(ticketId: string, due: { receiveDueAt: Date; dueAt: Date; remindAt: Date[] }, round = 0): Effect[] {
  const dueAt = due.dueAt.toISOString();
  return [
    effect(deadlineJob, { ticketId, kind: 'receive', dueAt }, `dl-${ticketId}-${round}-receive`, due.receiveDueAt),
    ...due.remindAt.map((at, i) => effect(deadlineJob, { ticketId, kind: 'remind', dueAt }, `dl-${ticketId}-${round}-remind${i}`, at)),
    effect(deadlineJob, { ticketId, kind: 'escalate', dueAt }, `dl-${ticketId}-${round}-escalate`, due.dueAt),
  ];
}

/** What the caller has already read in this transaction (the conversation reads both first). */
export interface IntakeKnown {
  commune?: Commune;
  residentTexts?: ResidentTexts;
}

export async function intake(tx: Prisma.TransactionClient, deps: TicketDeps, m: IntakeMessage, known: IntakeKnown = {}): Promise<IntakeResult> {
  const residentTexts = known.residentTexts ?? (await residentTextsOf(tx, m.communeId, m.platform));
  const effects: Effect[] = [];
  const attachments = m.attachments.map((a) => ({ kind: a.kind, fileId: a.fileId, mime: a.mime ?? null, size: a.size ?? null, platform: m.platform, ...(a.sha256 ? { sha256: a.sha256 } : {}) }));

  // A window of 0 means every message is its own ticket.
  if (!m.forceNew && deps.policy.followUpWindowMs > 0) {
    const open = await tx.ticket.findFirst({
      where: {
        residentId: m.residentId,
        status: { in: openStatuses },
        updatedAt: { gte: new Date(m.receivedAt.getTime() - deps.policy.followUpWindowMs) },
      },
      orderBy: { createdAt: 'desc' },
    });
    if (open) {
      const msg = await tx.ticketMessage.create({
        data: {
          ticketId: open.id,
          direction: 'inbound',
          channel: m.platform,
          channelAccountId: m.channelAccountId,
          platformChatId: m.chatId,
          platformMessageId: m.platformMessageId,
          text: m.text || null,
          attachments,
          createdAt: m.receivedAt,
        },
      });
      await joinHeldSmallTalk(tx, m, open.id);
      await tx.ticketEvent.create({ data: { ticketId: open.id, type: 'message_in', actorKind: 'resident', data: { messageId: msg.id } } });
      effects.push(...attachments.map((_, index) => effect(fetchAttachmentJob, { ticketMessageId: msg.id, index }, `att-${msg.id}-${index}`)));
      // "nhà em ở thôn 5" after the question: the ticket learns its village (and its post shows it).
      let villageId = open.villageId;
      if (!villageId && m.text) {
        const named = findVillageMention(m.text, await villagesOf(tx, m.communeId));
        if (named) {
          villageId = named.id;
          effects.push(...(await setTicketVillage(tx, open.id, named.id, m.receivedAt)));
        }
      }
      await tx.ticket.update({ where: { id: open.id }, data: { updatedAt: m.receivedAt } });
      // Under the ticket's post in the admin chat; not before the post itself can go out.
      const postAt = postTime(open, deps.policy.burstWindowMs);
      effects.push(effect(relayFollowUpJob, { ticketMessageId: msg.id }, `fu-${msg.id}`, postAt && postAt > m.receivedAt ? new Date(postAt.getTime() + 500) : undefined));
      // One "added" per burst window, not one per message: a burst is acknowledged once, at its end.
      const window = Math.max(deps.policy.burstWindowMs, 1000);
      const bucket = Math.floor((m.receivedAt.getTime() - open.createdAt.getTime()) / window);
      if (!m.quietFollowUp) effects.push(
        effect(
          sendDirectJob,
          { platform: m.platform, accountId: m.accountName, chatId: m.chatId, text: residentTexts.followUpJoined(open.code) },
          `fuack-${open.id}-${bucket}`,
          deps.policy.burstWindowMs > 0 ? new Date(open.createdAt.getTime() + (bucket + 1) * window) : undefined,
        ),
      );
      return { ticketId: open.id, ticketMessageId: msg.id, created: false, villageUnknown: !villageId, effects };
    }
  }

  const commune = known.commune?.id === m.communeId ? known.commune : await tx.commune.findUniqueOrThrow({ where: { id: m.communeId } });
  const classification = m.text ? deps.classifier.classify(m.text, { communeId: m.communeId }) : { category: 'KHAC', score: 0 };
  const category =
    (await tx.category.findUnique({ where: { code: classification.category } })) ?? (await tx.category.findUniqueOrThrow({ where: { code: 'KHAC' } }));
  const priority = m.text && isUrgent(m.text) ? 'urgent' : 'normal';
  // The village named in the message wins over the one the resident gave before.
  const villages = await villagesOf(tx, m.communeId);
  const named = m.text ? findVillageMention(m.text, villages) : undefined;
  const villageId = named?.id ?? m.villageId;
  const due = planTicketDeadlines(deps, { receivedAt: m.receivedAt, timezone: commune.timezone, priority, category });
  // Complaints and denunciations: only the staff designated for the field see who wrote.
  const confidential = isConfidentialField(category.code);
  const assigneeId = await chooseAssignee(tx, m.communeId, category.id, villageId);
  const year = Number(new Intl.DateTimeFormat('en', { timeZone: commune.timezone, year: 'numeric' }).format(m.receivedAt));
  // On PostgreSQL in its own short transaction: the counter row is the one every new ticket of
  // the commune touches, so holding its lock for the whole message would serialize them all. A
  // message that then fails leaves a gap in the numbers, which is harmless. PGlite has a single
  // connection (and no concurrency to speak of): there it stays in the message's transaction.
  const seq = await nextTicketSeq(deps.concurrentConnections ? deps.prisma : tx, m.communeId, year);
  const code = formatTicketCode(commune.ticketCodePrefix, year, seq);

  const ticket = await tx.ticket.create({
    data: {
      code,
      communeId: m.communeId,
      year,
      seq,
      residentId: m.residentId,
      villageId,
      categoryId: category.id,
      channel: m.platform,
      priority,
      confidential,
      subject: m.text ? m.text.slice(0, 120) : null,
      assigneeId,
      classifiedBy: classification.decidedBy === 'model' || classification.decidedBy === 'builtin_model' ? classification.decidedBy : 'rules',
      classificationScore: classification.score,
      receiveDueAt: due.receiveDueAt,
      dueAt: due.dueAt,
      createdAt: m.receivedAt,
    },
  });
  const msg = await tx.ticketMessage.create({
    data: {
      ticketId: ticket.id,
      direction: 'inbound',
      channel: m.platform,
      channelAccountId: m.channelAccountId,
      platformChatId: m.chatId,
      platformMessageId: m.platformMessageId,
      text: m.text || null,
      attachments,
      createdAt: m.receivedAt,
    },
  });
  await joinHeldSmallTalk(tx, m, ticket.id);
  effects.push(...attachments.map((_, index) => effect(fetchAttachmentJob, { ticketMessageId: msg.id, index }, `att-${msg.id}-${index}`)));
  await tx.ticketEvent.createMany({
    data: [
      { ticketId: ticket.id, type: 'created', toStatus: 'new', actorKind: 'resident', data: { channel: m.platform } },
      { ticketId: ticket.id, type: 'classified', actorKind: 'system', data: { category: category.code, score: classification.score, by: classification.decidedBy ?? 'rules' } },
      { ticketId: ticket.id, type: 'assigned', actorKind: 'system', data: { assigneeId, rule: assigneeId ? 'assignment' : 'none' } },
    ],
  });

  const ack = residentTexts.acknowledged({ code, category: category.name, dueText: formatDue(due.dueAt) });
  effects.push(await queueResidentMessage(tx, { ticketId: ticket.id, platform: m.platform, channelAccountId: m.channelAccountId, chatId: m.chatId, text: ack }));
  if (confidential) {
    effects.push(await queueResidentMessage(tx, { ticketId: ticket.id, platform: m.platform, channelAccountId: m.channelAccountId, chatId: m.chatId, text: residentTexts.denunciationNotice }));
  } else if (m.text) {
    // A question the commune already answered publicly gets that answer now; the ticket stays.
    const faq = await findFaqAnswer(tx, m.communeId, m.text);
    if (faq) {
      effects.push(await queueResidentMessage(tx, { ticketId: ticket.id, platform: m.platform, channelAccountId: m.channelAccountId, chatId: m.chatId, text: residentTexts.faqOffer(faq.question, faq.answer) }));
      await tx.ticketEvent.create({ data: { ticketId: ticket.id, type: 'note', actorKind: 'system', data: { faqOffered: faq.id, score: faq.score } } });
    }
  }
  // The post waits for the rest of a burst (a question in two messages, a long paste in parts).
  effects.push(effect(postTicketJob, { ticketId: ticket.id }, `post-${ticket.id}`, postTime(ticket, deps.policy.burstWindowMs)));
  effects.push(...deadlineEffects(ticket.id, due));
  return { ticketId: ticket.id, ticketMessageId: msg.id, created: true, villageUnknown: !villageId, communeHasVillages: villages.length > 0, ticket: { code, communeId: m.communeId, createdAt: ticket.createdAt }, effects };
}

/** Sets a ticket's village (read from a message or answered); routes it if no one has it yet. */
export async function setTicketVillage(tx: Prisma.TransactionClient, ticketId: string, villageId: string, at: Date): Promise<Effect[]> {
  const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId } });
  if (t.villageId === villageId) return [];
  const assigneeId = t.assigneeId ?? (t.categoryId ? await chooseAssignee(tx, t.communeId, t.categoryId, villageId) : null);
  await tx.ticket.update({ where: { id: ticketId }, data: { villageId, assigneeId } });
  await tx.ticketEvent.create({ data: { ticketId, type: 'note', actorKind: 'resident', data: { villageId, ...(assigneeId !== t.assigneeId ? { assigneeId } : {}) } } });
  return [effect(refreshAdminPostsJob, { ticketId, version: at.getTime() }, `refresh-${ticketId}-village-${villageId}`)];
}
