// The admin chat (a Telegram or Zalo group of cadres): replies to a ticket post answer the
// resident; buttons take, transfer, reject and close. Only registered staff with the right role
// may act; every refusal is in the audit log.
import type { Prisma, Staff } from '../db/generated/client.ts';
import type { InboundAction, InboundMessage, Platform } from '../../bots/channel.ts';
import type { TicketDeps } from './ticket-deps.ts';
import { answerActionJob, effect, refreshAdminPostsJob, removeButtonsJob, sendDirectJob, type Effect } from './ticket-jobs.ts';
import type { AccountInfo } from './channel-accounts.ts';
import { parseAdminButton } from './admin-post.ts';
import { publishFaq } from './faq.ts';
import { bulletinReasonReply, parseBulletinButton, pressBulletinButton, rejectFromReply, todaysBulletins } from '../bulletins/bulletin-admin-chat.ts';
import { declineFromReply, declineReasonReply, parseProvinceDeclineButton, pressDeclineButton } from '../province/province-decline-admin-chat.ts';
import { answerTicket, closeTicket, markDuplicate, rejectTicket, takeTicket, transferTicket, type ActionResult } from './ticket-actions.ts';
import { parseTicketCode } from './ticket-code.ts';
import { refusalText, refusalTexts } from './admin-refusals.ts';
import { CLOSE_REASONS, closeReasonButtonData, closeTexts, parseCloseReasonButton } from './close-reasons.ts';
import { canChange } from './ticket-status.ts';
import { mayActOnTicket } from './ticket-permissions.ts';
import type { Outcome } from './resident-conversation.ts';

type Tx = Prisma.TransactionClient;
const DUPLICATE_RE = /^\s*(\/trung\b|trùng\b|trung\b)/i;

export const adminTexts = {
  taken: (code: string, who: string) => `📌 ${who} nhận xử lý phiếu ${code}.`,
  rejected: (code: string, who: string) => `Phiếu ${code} bị từ chối (${who}); đã báo người dân.`,
  transferred: (code: string, who: string) => `Phiếu ${code} đã được chuyển (${who}); đã báo người dân.`,
  askReason: (code: string) => `Trả lời tin này để ghi lý do từ chối phiếu ${code}.`,
  askTransfer: (code: string, fields: string) =>
    `Trả lời tin này để chuyển phiếu ${code}: gõ tên lĩnh vực (${fields}) để chuyển cán bộ phụ trách trong xã, hoặc ghi cơ quan/người nhận và ghi chú để chuyển ra ngoài xã.`,
  emptyAnswer: 'Câu trả lời chưa có nội dung chữ.',
  duplicate: (code: string, other: string, who: string) => `Phiếu ${code} được gộp vào phiếu ${other} (${who}); người dân sẽ nhận câu trả lời của phiếu ${other}.`,
  duplicateUsage: 'Để gộp phiếu trùng, trả lời bài đăng bằng: /trung <mã phiếu gốc>, ví dụ /trung PA-2026-00012',
  tooLong: (max: number) => `Câu trả lời dài quá (tối đa ${max} ký tự).`,
};

async function actingStaff(tx: Tx, platform: Platform, userId: string, _communeId: string, ticketId: string): Promise<Staff | null> {
  const identity = await tx.staffIdentity.findUnique({ where: { platform_platformUserId: { platform, platformUserId: userId } }, include: { staff: true } });
  const staff = identity?.staff;
  return staff && (await mayActOnTicket(tx, staff, ticketId)) ? staff : null;
}

async function refuse(tx: Tx, communeId: string, who: { platform: Platform; userId: string }, what: Record<string, string>): Promise<void> {
  await tx.auditLog.create({ data: { communeId, actorKind: 'system', action: 'admin_chat.refused', entityType: 'Ticket', entityId: what.ticketId ?? null, data: { platform: who.platform, userId: who.userId, ...what } } });
}

export function groupReply(
  m: { platform: Platform; accountId: string; chatId: string },
  text: string,
  key: string,
  replyTo?: string,
  recordAs?: { ticketId: string; purpose: string },
  buttons?: Array<Array<{ label: string; data: string }>>,
): Effect {
  return effect(sendDirectJob, { platform: m.platform, accountId: m.accountId, chatId: m.chatId, text, ...(replyTo ? { replyTo } : {}), ...(recordAs ? { recordAs } : {}), ...(buttons ? { buttons } : {}) }, key);
}

function refreshPosts(ticketId: string, inboundId: string): Effect {
  return effect(refreshAdminPostsJob, { ticketId, version: Date.now() }, `refresh-${ticketId}-${inboundId}`);
}

/** A linked staff member of this commune, whatever the role (the workflow checks roles). */
export async function communeStaff(tx: Tx, platform: Platform, userId: string, communeId: string): Promise<Staff | null> {
  const identity = await tx.staffIdentity.findUnique({ where: { platform_platformUserId: { platform, platformUserId: userId } }, include: { staff: true } });
  return identity?.staff.active && identity.staff.communeId === communeId ? identity.staff : null;
}

export async function handleAdminMessage(tx: Tx, deps: TicketDeps, inboundId: string, m: InboundMessage, account: AccountInfo, communeId: string): Promise<Outcome> {
  // Bulletins: `/bantin`, and the reason for sending one back (a reply to the bot's question).
  const bulletinToReject = await bulletinReasonReply(tx, m);
  if (m.command?.name === 'bantin' || bulletinToReject) {
    const staff = await communeStaff(tx, m.platform, m.userId, communeId);
    if (!staff) {
      await refuse(tx, communeId, m, { verb: m.command?.name ?? 'bulletin_reject' });
      const why = await refusalText(tx, { platform: m.platform, userId: m.userId, communeId });
      return { status: 'ignored', note: 'refused', effects: [groupReply(m, why, `direct-${inboundId}`, m.platformMessageId)] };
    }
    const { text, effects } = bulletinToReject
      ? await rejectFromReply(deps.prisma, tx, { platform: m.platform, accountId: m.accountId, chatId: m.chatId, messageId: m.platformMessageId, staffId: staff.id }, bulletinToReject, (m.text ?? '').trim() || 'Không ghi lý do')
      : { text: await todaysBulletins(tx, communeId, m.receivedAt), effects: [] };
    return { status: 'processed', note: bulletinToReject ? 'bulletin_reject' : 'command_bantin', effects: [...effects, groupReply(m, text, `direct-${inboundId}`, m.platformMessageId)] };
  }
  // The reason for declining a province bulletin (a reply to the bot's question).
  const provinceToDecline = await declineReasonReply(tx, m);
  if (provinceToDecline) {
    const staff = await communeStaff(tx, m.platform, m.userId, communeId);
    if (!staff) {
      await refuse(tx, communeId, m, { verb: 'province_bulletin_decline' });
      return { status: 'ignored', note: 'refused', effects: [groupReply(m, await refusalText(tx, { platform: m.platform, userId: m.userId, communeId }), `direct-${inboundId}`, m.platformMessageId)] };
    }
    const place = { platform: m.platform, accountId: m.accountId, chatId: m.chatId, messageId: m.platformMessageId, staffId: staff.id };
    const { text, effects } = await declineFromReply(tx, place, provinceToDecline, m.text ?? '', m.receivedAt);
    return { status: 'processed', note: 'province_bulletin_decline', effects: [...effects, groupReply(m, text, `direct-${inboundId}`, m.platformMessageId)] };
  }
  // Group chatter that answers no ticket post is not for the bot.
  if (!m.replyTo) return { status: 'ignored', note: 'chatter', effects: [] };
  const post = await tx.ticketAdminPost.findUnique({
    where: { platform_platformChatId_platformMessageId: { platform: m.platform, platformChatId: m.chatId, platformMessageId: m.replyTo.platformMessageId } },
  });
  // Only the ticket's post (and what is posted under it from the resident: a follow-up, the rest
  // of a long text) and the bot's questions take replies; a reply to a confirmation is talk.
  if (post && ['follow_up', 'continuation'].includes(post.purpose)) post.purpose = 'ticket';
  if (!post || !['ticket', 'reject_reason', 'transfer_note', 'close_reason'].includes(post.purpose)) return { status: 'ignored', note: 'reply_not_to_ticket', effects: [] };
  const staff = await actingStaff(tx, m.platform, m.userId, communeId, post.ticketId);
  const key = `direct-${inboundId}`;
  if (!staff) {
    await refuse(tx, communeId, m, { ticketId: post.ticketId, verb: `reply:${post.purpose}` });
    const why = await refusalText(tx, { platform: m.platform, userId: m.userId, communeId, ticketId: post.ticketId });
    return { status: 'ignored', note: 'refused', effects: [groupReply(m, why, key, m.platformMessageId)] };
  }
  const text = (m.text ?? '').trim();
  if (!text) return { status: 'ignored', note: 'empty_answer', effects: [groupReply(m, adminTexts.emptyAnswer, key, m.platformMessageId)] };
  if (text.length > deps.policy.maxTextLength) {
    return { status: 'ignored', note: 'answer_too_long', effects: [groupReply(m, adminTexts.tooLong(deps.policy.maxTextLength), key, m.platformMessageId)] };
  }
  const now = m.receivedAt;
  let result: ActionResult;
  // The confirmation; none for an answer, whose delivery job replies once the platform answered.
  let done: ((code: string) => string) | undefined;
  if (post.purpose === 'close_reason') {
    result = await closeTicket(tx, post.ticketId, staff.id, now, text);
    done = (c) => closeTexts.closed(c, staff.displayName, text);
  } else if (post.purpose === 'reject_reason') {
    result = await rejectTicket(tx, post.ticketId, staff.id, text, now);
    done = (c) => adminTexts.rejected(c, staff.displayName);
  } else if (post.purpose === 'transfer_note') {
    result = await transferTicket(tx, post.ticketId, staff.id, text, now);
    done = (c) => adminTexts.transferred(c, staff.displayName);
  } else if (DUPLICATE_RE.test(text)) {
    // "/trung PA-2026-00012" (or "trùng …") in reply to a post: same matter as that ticket.
    const commune = await tx.commune.findUniqueOrThrow({ where: { id: communeId } });
    const other = parseTicketCode(text, commune.ticketCodePrefix);
    if (!other) return { status: 'ignored', note: 'duplicate_without_code', effects: [groupReply(m, adminTexts.duplicateUsage, key, m.platformMessageId)] };
    result = await markDuplicate(tx, post.ticketId, other, staff.id, now);
    done = (c) => adminTexts.duplicate(c, other, staff.displayName);
  } else {
    const confidential = (await tx.ticket.findUniqueOrThrow({ where: { id: post.ticketId } })).confidential;
    const report = { platform: m.platform, accountId: m.accountId, chatId: m.chatId, replyTo: m.platformMessageId, faq: !confidential };
    result = await answerTicket(tx, post.ticketId, staff.id, text, now, report);
  }
  if (!result.ok) return { status: 'ignored', note: result.reason, effects: [groupReply(m, result.message, key, m.platformMessageId)] };
  await tx.auditLog.create({ data: { communeId, actorKind: 'staff', actorStaffId: staff.id, action: `ticket.${post.purpose === 'ticket' ? 'answer' : post.purpose}`, entityType: 'Ticket', entityId: post.ticketId, data: { via: m.platform } } });
  const confirmation = done ? [groupReply(m, done(result.code), key, m.platformMessageId)] : [];
  // The question's reason buttons mean nothing once a reason was written.
  if (post.purpose === 'close_reason') confirmation.push(effect(removeButtonsJob, { platform: m.platform, accountId: m.accountId, chatId: m.chatId, messageId: post.platformMessageId }, `close-buttons-${inboundId}`));
  return { status: 'processed', note: `admin_${post.purpose}`, effects: [...result.effects, ...confirmation, refreshPosts(post.ticketId, inboundId)] };
}

export async function handleAdminAction(tx: Tx, deps: TicketDeps, inboundId: string, a: InboundAction, account: AccountInfo, communeId: string, now: Date): Promise<Outcome> {
  const answer = (text?: string, alert = false) =>
    effect(answerActionJob, { platform: a.platform, accountId: a.accountId, actionId: a.actionId, ...(text ? { text } : {}), alert }, `ack-${inboundId}`);
  const bulletinButton = parseBulletinButton(a.data);
  if (bulletinButton) {
    const staff = await communeStaff(tx, a.platform, a.userId, communeId);
    if (!staff) {
      await refuse(tx, communeId, a, { verb: `bulletin_${bulletinButton.verb}` });
      return { status: 'ignored', note: 'refused', effects: [answer(await refusalText(tx, { platform: a.platform, userId: a.userId, communeId }), true)] };
    }
    const r = await pressBulletinButton(deps.prisma, tx, { platform: a.platform, accountId: a.accountId, chatId: a.chatId, messageId: a.messageId, staffId: staff.id }, bulletinButton.bulletinId, bulletinButton.verb);
    return { status: 'processed', note: `bulletin_${bulletinButton.verb}`, effects: [answer(r.notice, r.effects.length === 0), ...r.effects] };
  }
  const provinceDecline = parseProvinceDeclineButton(a.data);
  if (provinceDecline) {
    const staff = await communeStaff(tx, a.platform, a.userId, communeId);
    if (!staff) {
      await refuse(tx, communeId, a, { verb: 'province_bulletin_decline' });
      return { status: 'ignored', note: 'refused', effects: [answer(await refusalText(tx, { platform: a.platform, userId: a.userId, communeId }), true)] };
    }
    const r = await pressDeclineButton(tx, { platform: a.platform, accountId: a.accountId, chatId: a.chatId, messageId: a.messageId, staffId: staff.id }, provinceDecline.provinceBulletinId, now);
    return { status: 'processed', note: 'province_bulletin_decline_ask', effects: [answer(r.notice, r.effects.length === 0), ...r.effects] };
  }
  const closing = parseCloseReasonButton(a.data);
  if (closing) return closeWithReason(tx, inboundId, a, communeId, now, closing, answer);
  const parsed = parseAdminButton(a.data);
  if (!parsed) return { status: 'ignored', note: 'unknown_action', effects: [answer()] };
  // The button must sit on this ticket's own post: a forged callback naming another ticket fails.
  const post = await tx.ticketAdminPost.findUnique({
    where: { platform_platformChatId_platformMessageId: { platform: a.platform, platformChatId: a.chatId, platformMessageId: a.messageId } },
  });
  const staff = post && post.ticketId === parsed.ticketId ? await actingStaff(tx, a.platform, a.userId, communeId, parsed.ticketId) : null;
  // "Đưa vào hỏi đáp" sits on the answer's confirmation; the other buttons on the ticket's post.
  if (post && (parsed.verb === 'faq') !== (post.purpose === 'confirmation')) {
    return { status: 'ignored', note: 'wrong_post', effects: [answer(refusalTexts.wrongButton, true)] };
  }
  if (!post || post.ticketId !== parsed.ticketId || !staff) {
    await refuse(tx, communeId, a, { ticketId: parsed.ticketId, verb: parsed.verb });
    // A forged button (not on this ticket's post) is refused as such; otherwise the person hears why.
    const why = post && post.ticketId === parsed.ticketId ? await refusalText(tx, { platform: a.platform, userId: a.userId, communeId, ticketId: parsed.ticketId }) : refusalTexts.wrongButton;
    return { status: 'ignored', note: 'refused', effects: [answer(why, true)] };
  }
  const ticket = await tx.ticket.findUniqueOrThrow({ where: { id: parsed.ticketId } });
  const key = `direct-${inboundId}`;
  const m = { platform: a.platform, accountId: a.accountId, chatId: a.chatId };
  switch (parsed.verb) {
    case 'take': {
      const r = await takeTicket(tx, ticket.id, staff.id, now);
      if (!r.ok) return { status: 'ignored', note: r.reason, effects: [answer(r.message, true)] };
      return { status: 'processed', note: 'admin_take', effects: [answer('Đã nhận xử lý'), ...r.effects, groupReply(m, adminTexts.taken(r.code, staff.displayName), key, a.messageId), refreshPosts(ticket.id, inboundId)] };
    }
    case 'close': {
      // Never answered: the reason first (buttons with the common ones, or a reply).
      if (ticket.status !== 'answered' && canChange(ticket.status, 'closed')) {
        const buttons = CLOSE_REASONS.map((label, i) => [{ label, data: closeReasonButtonData(ticket.id, i) }]);
        return { status: 'processed', note: 'admin_ask_close_reason', effects: [answer(), groupReply(m, closeTexts.ask(ticket.code), key, a.messageId, { ticketId: ticket.id, purpose: 'close_reason' }, buttons)] };
      }
      const r = await closeTicket(tx, ticket.id, staff.id, now);
      if (!r.ok) return { status: 'ignored', note: r.reason, effects: [answer(r.message, true)] };
      return { status: 'processed', note: 'admin_close', effects: [answer('Đã đóng'), ...r.effects, groupReply(m, closeTexts.closed(r.code, staff.displayName), key, a.messageId), refreshPosts(ticket.id, inboundId)] };
    }
    case 'faq': {
      const r = await publishFaq(tx, ticket.id, staff.id, now);
      if (!r.ok) return { status: 'ignored', note: 'faq_refused', effects: [answer(r.message.slice(0, 190), true)] };
      return { status: 'processed', note: 'admin_faq', effects: [answer('Đã đưa vào hỏi đáp'), groupReply(m, `📚 Phiếu ${r.code} đã được đưa vào hỏi đáp của xã (ẩn danh).`, key, a.messageId)] };
    }
    case 'reject':
    case 'transfer': {
      // The reason comes as a reply to the bot's question, recorded as a post with that purpose.
      const purpose = parsed.verb === 'reject' ? 'reject_reason' : 'transfer_note';
      const fields = (await tx.category.findMany({ where: { active: true, code: { not: 'KHAC' } }, orderBy: { sortOrder: 'asc' } })).map((c) => c.name).join('; ');
      const text = parsed.verb === 'reject' ? adminTexts.askReason(ticket.code) : adminTexts.askTransfer(ticket.code, fields);
      return { status: 'processed', note: `admin_ask_${purpose}`, effects: [answer(), groupReply(m, text, key, a.messageId, { ticketId: ticket.id, purpose })] };
    }
  }
}

/** A common reason pressed under the bot's "why close?" question: closes, tells the resident. */
async function closeWithReason(
  tx: Tx,
  inboundId: string,
  a: InboundAction,
  communeId: string,
  now: Date,
  closing: { ticketId: string; reason: string },
  answer: (text?: string, alert?: boolean) => Effect,
): Promise<Outcome> {
  const post = await tx.ticketAdminPost.findUnique({
    where: { platform_platformChatId_platformMessageId: { platform: a.platform, platformChatId: a.chatId, platformMessageId: a.messageId } },
  });
  const staff = post?.purpose === 'close_reason' && post.ticketId === closing.ticketId ? await actingStaff(tx, a.platform, a.userId, communeId, closing.ticketId) : null;
  if (!staff) {
    await refuse(tx, communeId, a, { ticketId: closing.ticketId, verb: 'close_reason' });
    const why = post?.ticketId === closing.ticketId ? await refusalText(tx, { platform: a.platform, userId: a.userId, communeId, ticketId: closing.ticketId }) : refusalTexts.wrongButton;
    return { status: 'ignored', note: 'refused', effects: [answer(why, true)] };
  }
  const r = await closeTicket(tx, closing.ticketId, staff.id, now, closing.reason);
  if (!r.ok) return { status: 'ignored', note: r.reason, effects: [answer(r.message.slice(0, 190), true)] };
  await tx.auditLog.create({ data: { communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'ticket.close', entityType: 'Ticket', entityId: closing.ticketId, data: { via: a.platform, reason: 'common' } } });
  const m = { platform: a.platform, accountId: a.accountId, chatId: a.chatId };
  return {
    status: 'processed',
    note: 'admin_close',
    effects: [
      answer('Đã đóng'),
      ...r.effects,
      effect(removeButtonsJob, { platform: a.platform, accountId: a.accountId, chatId: a.chatId, messageId: a.messageId }, `close-buttons-${inboundId}`),
      groupReply(m, closeTexts.closed(r.code, staff.displayName, closing.reason), `direct-${inboundId}`, a.messageId),
      refreshPosts(closing.ticketId, inboundId),
    ],
  };
}
