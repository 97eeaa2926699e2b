// A resident's message becomes a ticket (classified, routed, with deadlines) or joins their open
// one. Runs inside the transaction that marks the inbound message processed, so a message is
// never half-handled; what must be sent afterwards is returned as effects.
import type { Prisma } from '../db/generated/client.ts';
import type { Attachment, Platform } from '../../bots/channel.ts';
import { foldVietnamese } from '../text/fold-vietnamese.ts';
import { formatTicketCode, nextTicketSeq } from './ticket-code.ts';
import { chooseAssignee } from './routing.ts';
import { formatDue, residentTextsOf } from './resident-texts.ts';
import { openStatuses } from './ticket-status.ts';
import { findFaqAnswer } from './faq.ts';
import type { TicketDeps } from './ticket-deps.ts';
import type { DeliveryReport } from './answer-delivery.ts';
import { deadlineJob, effect, fetchAttachmentJob, postTicketJob, sendTicketMessageJob, type Effect } from './ticket-jobs.ts';
import { isConfidentialField } from './ticket-visibility.ts';

export interface IntakeMessage {
  communeId: string;
  residentId: string;
  villageId: string | null;
  platform: Platform;
  channelAccountId: string | null;
  chatId: string;
  platformMessageId: string;
  text: string;
  attachments: Attachment[];
  receivedAt: Date;
  /** The resident asked for a new ticket (/moi): do not join the open one. */
  forceNew: boolean;
}

export interface IntakeResult {
  ticketId: string;
  ticketMessageId: string;
  created: boolean;
  effects: Effect[];
}

// Words that make a report urgent (fire, collapse, injury, flood): answered within hours.
const URGENT = ['chay nha', 'hoa hoan', 'dang chay', 'sap nha', 'sat lo', 'lu quet', 'ngap sau', 'tai nan', 'cap cuu', 'nguy hiem tinh mang', 'khan cap', 'dien giat', 'bi thuong'];

export function isUrgent(text: string): boolean {
  const folded = ` ${foldVietnamese(text)} `;
  return URGENT.some((w) => folded.includes(` ${w} `) || folded.includes(` ${w}`));
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

export async function intake(tx: Prisma.TransactionClient, deps: TicketDeps, m: IntakeMessage): Promise<IntakeResult> {
  const residentTexts = await residentTextsOf(tx, m.communeId, m.platform);
  const effects: Effect[] = [];
  const attachments = m.attachments.map((a) => ({ kind: a.kind, fileId: a.fileId, mime: a.mime ?? null, size: a.size ?? null, platform: m.platform }));

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
        },
      });
      await tx.ticketEvent.create({ data: { ticketId: open.id, type: 'message_in', actorKind: 'resident', data: { messageId: msg.id } } });
      effects.push(...attachments.map((_, index) => effect(fetchAttachmentJob, { ticketMessageId: msg.id, index }, `att-${msg.id}-${index}`)));
      await tx.ticket.update({ where: { id: open.id }, data: { updatedAt: m.receivedAt } });
      effects.push(await queueResidentMessage(tx, { ticketId: open.id, platform: m.platform, channelAccountId: m.channelAccountId, chatId: m.chatId, text: residentTexts.followUpJoined(open.code) }));
      return { ticketId: open.id, ticketMessageId: msg.id, created: false, effects };
    }
  }

  const commune = await tx.commune.findUniqueOrThrow({ where: { id: m.communeId } });
  const classification = m.text ? deps.classifier.classify(m.text, { communeId: m.communeId }) : { category: 'KHAC', score: 0 };
  const category =
    (await tx.category.findUnique({ where: { code: classification.category } })) ?? (await tx.category.findUniqueOrThrow({ where: { code: 'KHAC' } }));
  const priority = m.text && isUrgent(m.text) ? 'urgent' : 'normal';
  const due = planTicketDeadlines(deps, { receivedAt: m.receivedAt, timezone: commune.timezone, priority, category });
  // Complaints and denunciations: only the staff designated for the field see who wrote.
  const confidential = isConfidentialField(category.code);
  const assigneeId = await chooseAssignee(tx, m.communeId, category.id, m.villageId);
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
      villageId: m.villageId,
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
    },
  });
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
  effects.push(effect(postTicketJob, { ticketId: ticket.id }, `post-${ticket.id}`));
  effects.push(...deadlineEffects(ticket.id, due));
  return { ticketId: ticket.id, ticketMessageId: msg.id, created: true, effects };
}
