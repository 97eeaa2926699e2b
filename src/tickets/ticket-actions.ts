// What staff and residents do to a ticket: take, answer, close, reject, transfer, rate. Each is
// one status change checked against the allowed transitions, recorded as a TicketEvent, and the
// resident is told on the channel they used.
import { noticesUnderPosts } from './admin-notices.ts';
import type { Prisma } from '../db/generated/client.ts';
import type { TicketStatus } from '../db/generated/enums.ts';
import { awaitingAnswerStatuses, canChange, finalStatuses, openStatuses, statusLabel } from './ticket-status.ts';
import { queueResidentMessage } from './ticket-intake.ts';
import { residentTextsOf, type ResidentTexts } from './resident-texts.ts';
import type { TicketDeps } from './ticket-deps.ts';
import { cancelDeadlines, type Effect } from './ticket-jobs.ts';
import { chooseAssignee } from './routing.ts';
import { foldVietnamese } from '../text/fold-vietnamese.ts';
import { settleDelivery, type DeliveryReport } from './answer-delivery.ts';
import { closeTexts } from './close-reasons.ts';
import { recordTransferExample } from './classification/record-example.ts';
import { accessWith, clearanceOf, isConfidentialField, mayShareAnswer } from './ticket-visibility.ts';

export type ActionResult = { ok: true; effects: Effect[]; code: string } | { ok: false; reason: string; message: string };

type Tx = Prisma.TransactionClient;

async function residentChannel(tx: Tx, ticketId: string) {
  const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId }, include: { resident: { include: { identities: true } } } });
  const identity = t.resident.identities.find((i) => i.platform === t.channel) ?? t.resident.identities[0];
  return { ticket: t, identity };
}

/** A message to the ticket's resident on the channel they used, kept on the ticket (outbox). */
export async function tellResident(
  tx: Tx,
  ticketId: string,
  text: string,
  opts: { authorStaffId?: string | null; askRating?: boolean; report?: DeliveryReport; now?: Date } = {},
): Promise<Effect[]> {
  const { ticket, identity } = await residentChannel(tx, ticketId);
  // A resident who erased their data or whose identity is gone keeps the answer on the ticket;
  // the cadre hears that it did not arrive.
  if (!identity?.platformChatId) {
    const row = await tx.ticketMessage.create({ data: { ticketId, direction: 'outbound', channel: ticket.channel, text, authorStaffId: opts.authorStaffId ?? null, deliveryStatus: 'pending' } });
    return settleDelivery(tx, { messageId: row.id, outcome: { state: 'failed', error: 'no_chat' }, ...(opts.report ? { report: opts.report } : {}), now: opts.now ?? new Date() });
  }
  return [
    await queueResidentMessage(tx, {
      ticketId,
      platform: identity.platform,
      channelAccountId: identity.channelAccountId,
      chatId: identity.platformChatId,
      text,
      ...(opts.authorStaffId ? { authorStaffId: opts.authorStaffId } : {}),
      ...(opts.askRating ? { askRating: true } : {}),
      ...(opts.report ? { report: opts.report } : {}),
    }),
  ];
}

/** The texts in the form of address of the ticket's commune, for the channel it came from. */
async function textsOfTicket(tx: Tx, ticketId: string): Promise<ResidentTexts> {
  const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId }, select: { communeId: true, channel: true } });
  return residentTextsOf(tx, t.communeId, t.channel);
}

async function change(
  tx: Tx,
  ticketId: string,
  to: TicketStatus,
  actor: { staffId: string | null; kind: 'staff' | 'resident' | 'system' },
  extra: { reason?: string; data?: Prisma.TicketUncheckedUpdateManyInput; eventData?: Prisma.InputJsonValue; now: Date },
): Promise<{ ok: true; code: string; from: TicketStatus } | { ok: false; reason: string; message: string }> {
  const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId } });
  if (!canChange(t.status, to)) {
    return { ok: false, reason: 'invalid_transition', message: `Phiếu ${t.code} đang "${statusLabel[t.status]}", không chuyển sang "${statusLabel[to]}" được.` };
  }
  // Guarded update: a concurrent change in between makes this one fail instead of overwriting it.
  const updated = await tx.ticket.updateMany({
    where: { id: ticketId, status: t.status },
    data: {
      status: to,
      ...(to === 'received' && !t.receivedAt ? { receivedAt: extra.now } : {}),
      ...(to === 'answered' ? { answeredAt: extra.now } : {}),
      ...(finalStatuses.includes(to) ? { closedAt: extra.now } : {}),
      ...(extra.data ?? {}),
    },
  });
  if (updated.count !== 1) return { ok: false, reason: 'conflict', message: `Phiếu ${t.code} vừa được người khác cập nhật, xin thử lại.` };
  await tx.ticketEvent.create({
    data: {
      ticketId,
      type: 'status_changed',
      fromStatus: t.status,
      toStatus: to,
      actorKind: actor.kind,
      actorStaffId: actor.staffId,
      reason: extra.reason ?? null,
      data: extra.eventData ?? {},
      createdAt: extra.now,
    },
  });
  return { ok: true, code: t.code, from: t.status };
}

export async function takeTicket(tx: Tx, ticketId: string, staffId: string, now: Date): Promise<ActionResult> {
  const residentTexts = await textsOfTicket(tx, ticketId);
  const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId } });
  const to: TicketStatus = t.status === 'new' || t.status === 'received' ? 'in_progress' : t.status;
  if (to === t.status) return { ok: false, reason: 'invalid_transition', message: `Phiếu ${t.code} đang "${statusLabel[t.status]}".` };
  const r = await change(tx, ticketId, to, { staffId, kind: 'staff' }, { now, data: { assigneeId: staffId, receivedAt: t.receivedAt ?? now } });
  if (!r.ok) return r;
  if (t.assigneeId !== staffId) {
    await tx.ticketEvent.create({ data: { ticketId, type: 'assigned', actorKind: 'staff', actorStaffId: staffId, data: { from: t.assigneeId, to: staffId }, createdAt: now } });
  }
  const effects = await tellResident(tx, ticketId, residentTexts.statusChanged(r.code, 'in_progress'));
  return { ok: true, code: r.code, effects };
}

/** `report`: where the cadre hears whether the answer reached the resident (answer-delivery.ts). */
export async function answerTicket(tx: Tx, ticketId: string, staffId: string, text: string, now: Date, report?: DeliveryReport): Promise<ActionResult> {
  const residentTexts = await textsOfTicket(tx, ticketId);
  const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId } });
  if (!openStatuses.includes(t.status)) {
    return { ok: false, reason: 'invalid_transition', message: `Phiếu ${t.code} đang "${statusLabel[t.status]}", không gửi trả lời được.` };
  }
  const r = await change(tx, ticketId, 'answered', { staffId, kind: 'staff' }, { now, data: t.receivedAt ? {} : { receivedAt: now } });
  if (!r.ok) return r;
  await tx.ticketEvent.create({ data: { ticketId, type: 'message_out', actorKind: 'staff', actorStaffId: staffId, createdAt: now } });
  const effects = await tellResident(tx, ticketId, residentTexts.answered(r.code, text), { authorStaffId: staffId, askRating: true, now, ...(report ? { report } : {}) });
  // Residents whose tickets were merged into this one get the same answer, unless a confidential
  // ticket stands between them.
  const dups = await tx.ticket.findMany({ where: { mergedIntoId: ticketId, status: 'duplicate' }, select: { id: true, code: true, confidential: true, residentId: true } });
  for (const dup of dups.filter((d) => mayShareAnswer(t, d))) {
    effects.push(...(await tellResident(tx, dup.id, residentTexts.answered(`${r.code} (phiếu gốc của ${dup.code})`, text), { authorStaffId: staffId })));
  }
  return { ok: true, code: r.code, effects };
}

/**
 * Giao phiếu: the leader or an admin hands a ticket to a cadre of the commune who answers tickets
 * (for a confidential one, only the leader or staff designated for its field). Internal: the
 * resident is not told who handles it.
 */
export async function assignTicket(tx: Tx, ticketId: string, byStaffId: string, toStaffId: string, now: Date): Promise<ActionResult> {
  const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId } });
  if (!awaitingAnswerStatuses.includes(t.status)) {
    return { ok: false, reason: 'invalid_transition', message: `Phiếu ${t.code} đang "${statusLabel[t.status]}", không giao lại được.` };
  }
  const by = await tx.staff.findUniqueOrThrow({ where: { id: byStaffId } });
  if (!by.isLeader && !by.roles.includes('admin')) return { ok: false, reason: 'forbidden', message: 'Chỉ lãnh đạo hoặc quản trị được giao phiếu cho người khác.' };
  const to = await tx.staff.findFirst({ where: { id: toStaffId, communeId: t.communeId, active: true } });
  const answers = to && (to.isLeader || to.roles.some((r) => r === 'responder' || r === 'admin'));
  const cleared = to && accessWith(await clearanceOf(tx, { kind: 'staff', staff: to }), t) === 'full';
  if (!to || !answers) return { ok: false, reason: 'bad_assignee', message: 'Người được giao phải là cán bộ trả lời phản ánh của xã.' };
  if (!cleared) return { ok: false, reason: 'bad_assignee', message: `Phiếu ${t.code} là khiếu nại, tố cáo: chỉ giao cho lãnh đạo hoặc cán bộ được phân công lĩnh vực này.` };
  if (t.assigneeId === to.id) return { ok: false, reason: 'unchanged', message: `Phiếu ${t.code} đã do ${to.displayName} phụ trách.` };
  const updated = await tx.ticket.updateMany({ where: { id: ticketId, assigneeId: t.assigneeId, status: t.status }, data: { assigneeId: to.id } });
  if (updated.count !== 1) return { ok: false, reason: 'conflict', message: `Phiếu ${t.code} vừa được người khác cập nhật, xin thử lại.` };
  await tx.ticketEvent.create({ data: { ticketId, type: 'assigned', actorKind: 'staff', actorStaffId: byStaffId, data: { from: t.assigneeId, to: to.id }, createdAt: now } });
  return { ok: true, code: t.code, effects: [] };
}

/** Trùng: the same matter as another open or answered ticket; the resident is told where to look. */
export async function markDuplicate(tx: Tx, ticketId: string, otherCode: string, staffId: string, now: Date): Promise<ActionResult> {
  const residentTexts = await textsOfTicket(tx, ticketId);
  const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId } });
  const other = await tx.ticket.findFirst({ where: { code: otherCode, communeId: t.communeId } });
  // Read access to both: a target this person may not read answers exactly like a missing one.
  const staff = await tx.staff.findUniqueOrThrow({ where: { id: staffId } });
  const clearance = await clearanceOf(tx, { kind: 'staff', staff });
  if (accessWith(clearance, t) !== 'full') return { ok: false, reason: 'forbidden', message: 'Bạn không có quyền thao tác trên phiếu này.' };
  if (!other || other.id === t.id || accessWith(clearance, other) !== 'full') return { ok: false, reason: 'no_such_ticket', message: `Không có phiếu ${otherCode} khác trong xã.` };
  if (other.status === 'duplicate') return { ok: false, reason: 'chain', message: `Phiếu ${otherCode} cũng là phiếu trùng; hãy gộp vào phiếu gốc.` };
  const r = await change(tx, ticketId, 'duplicate', { staffId, kind: 'staff' }, { now, reason: otherCode, data: { mergedIntoId: other.id } });
  if (!r.ok) return r;
  await tx.ticketEvent.create({ data: { ticketId, type: 'merged', actorKind: 'staff', actorStaffId: staffId, data: { into: other.id, code: other.code }, createdAt: now } });
  const effects = [...(await tellResident(tx, ticketId, residentTexts.duplicateOf(r.code, other.code))), ...cancelDeadlines(ticketId)];
  // Already answered: the resident gets that answer now (never across a confidential ticket).
  const answer = mayShareAnswer(other, t) ? await tx.ticketMessage.findFirst({ where: { ticketId: other.id, direction: 'outbound', authorStaffId: { not: null } }, orderBy: { createdAt: 'desc' } }) : null;
  if (answer?.text) effects.push(...(await tellResident(tx, ticketId, answer.text.replace(other.code, `${other.code} (phiếu gốc của ${r.code})`))));
  return { ok: true, code: r.code, effects };
}

/**
 * Đóng: an answered ticket closes simply; one never answered needs a reason, which the resident
 * is told (src/tickets/close-reasons.ts).
 */
export async function closeTicket(tx: Tx, ticketId: string, staffId: string, now: Date, reason?: string): Promise<ActionResult> {
  const residentTexts = await textsOfTicket(tx, ticketId);
  const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId } });
  const why = reason?.trim().slice(0, 500);
  if (t.status !== 'answered' && !why && canChange(t.status, 'closed')) return { ok: false, reason: 'reason_required', message: closeTexts.reasonRequired(t.code) };
  const r = await change(tx, ticketId, 'closed', { staffId, kind: 'staff' }, { now, ...(why ? { reason: why } : {}) });
  if (!r.ok) return r;
  const text = why && r.from !== 'answered' ? residentTexts.closedWithReason(r.code, why.replace(/[.。]+$/, '')) : residentTexts.closedAnswered(r.code);
  return { ok: true, code: r.code, effects: [...(await tellResident(tx, ticketId, text)), ...cancelDeadlines(ticketId)] };
}

export async function rejectTicket(tx: Tx, ticketId: string, staffId: string, reason: string, now: Date): Promise<ActionResult> {
  const residentTexts = await textsOfTicket(tx, ticketId);
  const r = await change(tx, ticketId, 'rejected', { staffId, kind: 'staff' }, { now, reason, data: { rejectReason: reason } });
  if (!r.ok) return r;
  return { ok: true, code: r.code, effects: [...(await tellResident(tx, ticketId, residentTexts.rejected(r.code, reason))), ...cancelDeadlines(ticketId)] };
}

/**
 * "Chuyển lĩnh vực / Chuyển xử lý": a note naming a field (its code or name) moves the ticket to
 * that field and its responsible cadre, and it stays open; any other note sends it to an outside
 * agency or person, which ends the commune's handling (status Chuyển xử lý).
 */
export async function transferTicket(tx: Tx, ticketId: string, staffId: string, note: string, now: Date): Promise<ActionResult> {
  const residentTexts = await textsOfTicket(tx, ticketId);
  const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId }, include: { category: true } });
  const wanted = foldVietnamese(note);
  const categories = await tx.category.findMany({ where: { active: true } });
  const target = categories.find((c) => wanted === foldVietnamese(c.code) || wanted === foldVietnamese(c.name) || wanted.startsWith(`${foldVietnamese(c.name)} `) || wanted.startsWith(`${foldVietnamese(c.code)} `));
  if (target) {
    if (!awaitingAnswerStatuses.includes(t.status)) {
      return { ok: false, reason: 'invalid_transition', message: `Phiếu ${t.code} đang "${statusLabel[t.status]}", không chuyển lĩnh vực được.` };
    }
    const assigneeId = await chooseAssignee(tx, t.communeId, target.id, t.villageId);
    await tx.ticket.update({ where: { id: ticketId }, data: { categoryId: target.id, assigneeId, confidential: t.confidential || isConfidentialField(target.code), classifiedBy: 'staff' } });
    await tx.ticketEvent.create({
      data: { ticketId, type: 'transferred', actorKind: 'staff', actorStaffId: staffId, reason: note, data: { fromCategory: t.category?.code ?? null, toCategory: target.code, assigneeId }, createdAt: now },
    });
    const learn = target.code === t.category?.code ? [] : await recordTransferExample(tx, { communeId: t.communeId, ticketId, fromCategory: t.category?.code ?? null, toCategory: target.code, staffId, at: now });
    const effects = await tellResident(tx, ticketId, `Phản ánh ${t.code} đã được chuyển sang lĩnh vực ${target.name} để xử lý.`);
    return { ok: true, code: t.code, effects: [...effects, ...learn] };
  }
  const r = await change(tx, ticketId, 'transferred', { staffId, kind: 'staff' }, { now, reason: note, data: { transferNote: note, transferredTo: note.slice(0, 200) } });
  if (!r.ok) return r;
  await tx.ticketEvent.create({ data: { ticketId, type: 'transferred', actorKind: 'staff', actorStaffId: staffId, reason: note, createdAt: now } });
  return { ok: true, code: r.code, effects: [...(await tellResident(tx, ticketId, residentTexts.transferred(r.code, note))), ...cancelDeadlines(ticketId)] };
}

export type RateResult = { ok: true; effects: Effect[]; reply: string } | { ok: false; reason: string; reply: string };

/** "ok" (hài lòng) closes; "no" (chưa hài lòng) reopens to the leader; 1–5 stars are recorded. */
export async function rateTicket(tx: Tx, deps: TicketDeps, p: { ticketId: string; residentId: string; value: string; at: Date }): Promise<RateResult> {
  const t = await tx.ticket.findFirst({ where: { id: p.ticketId, residentId: p.residentId } });
  if (!t) return { ok: false, reason: 'not_owner', reply: 'Không tìm thấy phản ánh này.' };
  const residentTexts = await textsOfTicket(tx, t.id);
  if (t.status !== 'answered' && !(t.status === 'closed' && /^[1-5]$/.test(p.value))) {
    return { ok: false, reason: 'not_answered', reply: 'Phản ánh này chưa có câu trả lời để đánh giá.' };
  }
  const effects: Effect[] = [];
  if (/^[1-5]$/.test(p.value)) {
    await tx.ticket.update({ where: { id: t.id }, data: { rating: Number(p.value), ratedAt: p.at } });
    await tx.ticketEvent.create({ data: { ticketId: t.id, type: 'rated', actorKind: 'resident', data: { stars: Number(p.value) }, createdAt: p.at } });
    return { ok: true, effects, reply: residentTexts.rateThanks };
  }
  const satisfied = p.value === 'ok';
  await tx.ticket.update({ where: { id: t.id }, data: { ratingComment: satisfied ? 'hài lòng' : 'chưa hài lòng', ratedAt: p.at } });
  await tx.ticketEvent.create({ data: { ticketId: t.id, type: 'rated', actorKind: 'resident', data: { satisfied }, createdAt: p.at } });
  if (satisfied) {
    const r = await change(tx, t.id, 'closed', { staffId: null, kind: 'resident' }, { now: p.at, reason: 'hài lòng' });
    if (!r.ok) return { ok: false, reason: r.reason, reply: r.message };
    return { ok: true, effects: [...effects, ...cancelDeadlines(t.id)], reply: residentTexts.rateThanks };
  }
  const leader = await tx.staff.findFirst({ where: { communeId: t.communeId, isLeader: true, active: true } });
  const r = await change(tx, t.id, 'in_progress', { staffId: null, kind: 'resident' }, { now: p.at, reason: 'chưa hài lòng', data: leader ? { assigneeId: leader.id } : {} });
  if (!r.ok) return { ok: false, reason: r.reason, reply: r.message };
  if (leader) {
    await tx.ticketEvent.create({ data: { ticketId: t.id, type: 'escalated', actorKind: 'resident', data: { to: leader.id, why: 'not_satisfied' }, createdAt: p.at } });
  }
  // The cadres hear it where they work, under the ticket's post.
  const posts = await tx.ticketAdminPost.findMany({ where: { ticketId: t.id, purpose: 'ticket' } });
  const text = `↩️ Người dân chưa hài lòng với trả lời phiếu ${t.code}; phiếu được mở lại và giao lãnh đạo${leader ? ` (${leader.displayName})` : ''}.`;
  effects.push(...(await noticesUnderPosts(tx, t.communeId, posts, text, (chatId) => `reopen-${t.id}-${p.at.getTime()}-${chatId}`)).effects);
  deps.log.info({ ticketId: t.id }, 'người dân chưa hài lòng; chuyển lại lãnh đạo');
  return { ok: true, effects, reply: residentTexts.reopened(t.code) };
}
