// What happens when a ticket's deadline comes: a reminder in the admin chat under the ticket's
// post (not received yet; half time; one working day left), and when the answer is overdue, an
// escalation to the commune leader. Each check looks at the ticket first: answered, closed or
// re-planned tickets get nothing.
import { noticesUnderPosts } from './admin-notices.ts';
import type { TicketDeps } from './ticket-deps.ts';
import { formatDue } from './resident-texts.ts';
import { BACKLOG_PRIORITY, effect, sendDirectJob } from './ticket-jobs.ts';
import { dispatchEffects } from './process-inbound.ts';
import { awaitingAnswerStatuses } from './ticket-status.ts';

export const deadlineTexts = {
  receive: (code: string, who: string) => `⏰ Phiếu ${code} đã quá hạn tiếp nhận mà chưa ai bấm "Nhận xử lý" (phụ trách: ${who}).`,
  remind: (code: string, who: string, due: string) => `⏰ Nhắc ${who}: phiếu ${code} phải trả lời trước ${due}.`,
  escalate: (code: string, who: string, leader: string) => `⚠️ Phiếu ${code} đã quá hạn trả lời (phụ trách: ${who}). Đã báo lãnh đạo: ${leader}.`,
  escalateLeader: (code: string, who: string) => `⚠️ Phiếu ${code} đã quá hạn trả lời (phụ trách: ${who}). Xin lãnh đạo chỉ đạo xử lý.`,
};

export async function runDeadlineCheck(
  deps: Pick<TicketDeps, 'prisma' | 'enqueue' | 'cancelJob' | 'now' | 'log'>,
  data: { ticketId: string; kind: 'receive' | 'remind' | 'escalate'; dueAt: string; backlog?: boolean },
): Promise<{ done: string }> {
  const { prisma } = deps;
  const ticket = await prisma.ticket.findUnique({ where: { id: data.ticketId }, include: { assignee: { include: { identities: true } }, adminPosts: { where: { purpose: 'ticket' } } } });
  if (!ticket) return { done: 'gone' };
  // The deadline moved (re-planned) or the ticket moved on: this check is stale.
  if (!ticket.dueAt || ticket.dueAt.toISOString() !== data.dueAt) return { done: 'stale' };
  if (!awaitingAnswerStatuses.includes(ticket.status)) return { done: 'answered_or_closed' };
  if (data.kind === 'receive' && ticket.status !== 'new') return { done: 'already_received' };

  const who = ticket.assignee?.displayName ?? 'chưa giao';
  const leader = await prisma.staff.findFirst({ where: { communeId: ticket.communeId, isLeader: true, active: true }, include: { identities: true } });
  const text =
    data.kind === 'receive'
      ? deadlineTexts.receive(ticket.code, who)
      : data.kind === 'remind'
        ? deadlineTexts.remind(ticket.code, who, formatDue(ticket.dueAt))
        : deadlineTexts.escalate(ticket.code, who, leader?.displayName ?? 'chưa có lãnh đạo trong hệ thống');

  const { chats, effects } = await noticesUnderPosts(prisma, ticket.communeId, ticket.adminPosts, text, (chatId) => `dl-msg-${ticket.id}-${data.kind}-${data.dueAt}-${chatId}`.replace(/:/g, '_'));
  if (data.kind !== 'escalate' && ticket.assignee) {
    // The assignee also gets the reminder in private, where it is not lost in group chatter.
    for (const id of ticket.assignee.identities) {
      const account = chats.find((c) => c.platform === id.platform);
      if (account) effects.push(effect(sendDirectJob, { platform: id.platform, accountId: account.accountName, chatId: id.platformUserId, text }, `dl-own-${ticket.id}-${id.id}-${data.kind}-${data.dueAt}`.replace(/:/g, '_')));
    }
  }
  if (data.kind === 'escalate' && leader) {
    // The leader also hears it directly on each chat platform they are linked on.
    for (const id of leader.identities) {
      const account = chats.find((c) => c.platform === id.platform);
      if (account) effects.push(effect(sendDirectJob, { platform: id.platform, accountId: account.accountName, chatId: id.platformUserId, text: deadlineTexts.escalateLeader(ticket.code, who) }, `dl-lead-${ticket.id}-${id.id}-${data.dueAt}`.replace(/:/g, '_')));
    }
  }
  // A restored overdue check's notices rank below new work.
  if (data.backlog) for (const e of effects) e.priority = BACKLOG_PRIORITY;
  // Sends first (their job ids make a retry harmless), then the record.
  await dispatchEffects(deps, effects);
  await prisma.$transaction([
    prisma.ticketEvent.create({
      data: { ticketId: ticket.id, type: data.kind === 'escalate' ? 'escalated' : 'reminder_sent', actorKind: 'system', data: { kind: data.kind, to: data.kind === 'escalate' ? (leader?.id ?? null) : ticket.assigneeId } },
    }),
    ...(data.kind === 'escalate'
      ? [prisma.auditLog.create({ data: { communeId: ticket.communeId, actorKind: 'system', action: 'ticket.escalate', entityType: 'Ticket', entityId: ticket.id, data: { leaderId: leader?.id ?? null } } })]
      : []),
  ]);
  deps.log.info({ ticketId: ticket.id, kind: data.kind }, 'đã nhắc hạn phiếu');
  return { done: data.kind };
}
