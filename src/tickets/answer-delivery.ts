// The truth about an answer's delivery, in one place: its state is what the platform said (sent,
// refused, failed after retries), the cadres are told that state once, in the admin chat and on
// the web page alike, and an answer that did not arrive is sent again when the resident is back.
import type { Prisma } from '../db/generated/client.ts';
import type { Platform } from '../../bots/channel.ts';
import { noticesUnderPosts } from './admin-notices.ts';
import { channelName } from '../channels/platform-names.ts';
import { adminButtonData } from './admin-post.ts';
import { effect, sendDirectJob, sendTicketMessageJob, type Effect, type TicketMessageJob } from './ticket-jobs.ts';

type Tx = Prisma.TransactionClient;

/** Delivery states of an outbound ticket message (TicketMessage.deliveryStatus). */
export type DeliveryState = 'pending' | 'sent' | 'refused' | 'failed';

/**
 * Where the cadre who wrote an answer in the admin chat hears how it went: a reply to their own
 * message; "Đưa vào hỏi đáp" under it for a non-confidential ticket.
 */
export type DeliveryReport = NonNullable<TicketMessageJob['report']>;

/** Why a send was refused, from the ChannelError kind stored in deliveryError. */
function refusalReason(error: string | null): string {
  if (error === 'blocked') return 'người dân đã chặn hoặc tắt tin nhắn của bot';
  if (error === 'not_found') return 'không còn cuộc trò chuyện với người dân trên kênh này';
  if (error === 'no_chat' || error === 'no_channel') return 'người dân không còn kênh liên lạc (có thể đã xoá dữ liệu)';
  if (error === 'bad_request') return 'nền tảng không nhận tin nhắn này';
  if (error === 'window_closed') return 'đã quá 7 ngày từ tin nhắn cuối của người dân, Zalo OA không cho trả lời nữa';
  return 'kênh nhắn tin lỗi nhiều lần';
}

/** The state as shown next to a message on the web page; the admin chat says the same. */
export function deliveryLabel(status: string | null, error: string | null): string | undefined {
  if (status === 'pending') return 'đang gửi';
  if (status === 'sent') return 'đã tới người dân';
  if (status === 'refused' || status === 'failed') return `chưa tới người dân: ${refusalReason(error)}; sẽ gửi lại khi người dân nhắn tin`;
  return undefined;
}

export const deliveryTexts = {
  sent: (code: string, who: string) => `✅ Đã gửi trả lời phiếu ${code} cho người dân (${who}).`,
  notDelivered: (code: string, who: string, status: string, error: string | null, otherChannels: string[]) =>
    `⚠️ Trả lời phiếu ${code} (${who}) chưa tới người dân: ${refusalReason(error)}.\n` +
    (status === 'failed' ? 'Hệ thống đã thử gửi nhiều lần. ' : '') +
    'Câu trả lời được giữ lại và sẽ tự gửi khi người dân nhắn tin lại.' +
    (otherChannels.length ? ` Đã gửi thử qua kênh khác của người dân: ${otherChannels.join(', ')}.` : ''),
  redelivered: (code: string, via: string) => `✅ Trả lời phiếu ${code} đã tới người dân (gửi lại qua ${via} khi người dân nhắn tin lại).`,
};

/** The report of a final state, as a reply to the cadre's answer or under the ticket's posts. */
async function reportEffects(tx: Tx, ticket: { id: string; communeId: string; code: string }, text: string, report: DeliveryReport | undefined, key: string, faq: boolean): Promise<Effect[]> {
  if (report) {
    const buttons = faq && report.faq ? [[{ label: 'Đưa vào hỏi đáp', data: adminButtonData(ticket.id, 'faq') }]] : undefined;
    return [
      effect(
        sendDirectJob,
        {
          platform: report.platform,
          accountId: report.accountId,
          chatId: report.chatId,
          text,
          ...(report.replyTo ? { replyTo: report.replyTo } : {}),
          ...(buttons ? { buttons, recordAs: { ticketId: ticket.id, purpose: 'confirmation' } } : {}),
        },
        key,
      ),
    ];
  }
  const posts = await tx.ticketAdminPost.findMany({ where: { ticketId: ticket.id, purpose: 'ticket' } });
  return (await noticesUnderPosts(tx, ticket.communeId, posts, text, (chatId) => `${key}-${chatId}`)).effects;
}

/**
 * Records what the platform said about one outbound message and returns what follows: the
 * resident marked unreachable, the answer offered on their other channels, the cadres told once.
 * Only answers (a staff author) are reported and re-delivered; acknowledgements are not.
 */
export async function settleDelivery(
  tx: Tx,
  p: { messageId: string; outcome: { state: 'sent'; platformMessageId: string } | { state: 'refused' | 'failed'; error: string }; report?: DeliveryReport; redelivery?: boolean; copy?: boolean; now: Date },
): Promise<Effect[]> {
  const row = await tx.ticketMessage.findUniqueOrThrow({ where: { id: p.messageId } });
  const o = p.outcome;
  if (o.state === 'sent') {
    await tx.ticketMessage.update({ where: { id: row.id }, data: { deliveryStatus: 'sent', platformMessageId: o.platformMessageId, sentAt: p.now, deliveryError: null } });
  } else {
    await tx.ticketMessage.update({ where: { id: row.id }, data: { deliveryStatus: o.state, deliveryError: o.error.slice(0, 200) } });
    if (o.error === 'blocked' || o.error === 'not_found') {
      // Refused by this bot: the same person's chat with another commune's bot is not affected.
      await tx.residentIdentity.updateMany({ where: { platform: row.channel, platformChatId: row.platformChatId, ...(row.channelAccountId ? { channelAccountId: row.channelAccountId } : {}) }, data: { unreachableAt: p.now } });
    }
  }
  // Copies offered on other channels are covered by the notice that offered them.
  if (!row.authorStaffId || p.copy) return [];
  // The ticket and the author are read for a cadre's answer only (acknowledgements are most sends).
  const msg = await tx.ticketMessage.findUniqueOrThrow({ where: { id: p.messageId }, include: { ticket: true, author: true } });
  const who = msg.author?.displayName ?? 'cán bộ';
  const key = `delivery-${msg.id}`;
  if (o.state === 'sent') {
    // A re-delivery is news to the cadres who were told it had not arrived; a first send is the
    // confirmation the cadre who answered in the chat waits for (one answered on the web page sees
    // it there; the group is not told every merged copy).
    if (p.redelivery) return reportEffects(tx, msg.ticket, deliveryTexts.redelivered(msg.ticket.code, channelName(msg.channel)), undefined, `${key}-again-${p.now.getTime()}`, false);
    return p.report ? reportEffects(tx, msg.ticket, deliveryTexts.sent(msg.ticket.code, who), p.report, `${key}-sent`, true) : [];
  }
  // Told once: a second failure of the same answer (a re-delivery that failed again) is silent.
  const told = await tx.ticketEvent.findFirst({ where: { ticketId: msg.ticketId, type: 'note', data: { path: ['undelivered'], equals: msg.id } } });
  if (told) return [];
  await tx.ticketEvent.create({ data: { ticketId: msg.ticketId, type: 'note', actorKind: 'system', data: { undelivered: msg.id, state: o.state, error: o.error.slice(0, 100) }, createdAt: p.now } });
  const offers = await offerOnOtherChannels(tx, msg, p.now);
  const text = deliveryTexts.notDelivered(msg.ticket.code, who, o.state, o.error, offers.channels);
  return [...offers.effects, ...(await reportEffects(tx, msg.ticket, text, p.report, `${key}-undelivered`, true))];
}

/** The same answer, sent on the resident's other channels that were not refused. */
async function offerOnOtherChannels(
  tx: Tx,
  msg: { id: string; ticketId: string; channel: Platform; channelAccountId: string | null; platformChatId: string | null; text: string | null; authorStaffId: string | null; ticket: { residentId: string } },
  now: Date,
): Promise<{ channels: string[]; effects: Effect[] }> {
  const others = await tx.residentIdentity.findMany({
    where: { residentId: msg.ticket.residentId, unreachableAt: null, platformChatId: { not: null }, NOT: { platform: msg.channel, platformChatId: msg.platformChatId, channelAccountId: msg.channelAccountId } },
    orderBy: { createdAt: 'asc' },
  });
  const effects: Effect[] = [];
  const channels: string[] = [];
  for (const i of others) {
    const copy = await tx.ticketMessage.create({
      data: { ticketId: msg.ticketId, direction: 'outbound', channel: i.platform, channelAccountId: i.channelAccountId, platformChatId: i.platformChatId, authorStaffId: msg.authorStaffId, text: msg.text, deliveryStatus: 'pending', createdAt: now },
    });
    effects.push(effect(sendTicketMessageJob, { messageId: copy.id, copy: true }, `msg-${copy.id}`));
    channels.push(channelName(i.platform));
  }
  return { channels: [...new Set(channels)], effects };
}

/**
 * The resident wrote (or pressed a button, or the platform said they are reachable again) on this
 * chat: their answers that did not arrive go out now, on this chat, once. A guarded update makes a
 * second message arriving at the same moment find nothing left to send.
 */
export async function redeliverOnContact(tx: Tx, p: { platform: Platform; userId: string; chatId: string; channelAccountId: string; communeId: string; now: Date }): Promise<Effect[]> {
  // The person as this bot knows them, else as another account of the same commune does.
  const identity = await tx.residentIdentity.findFirst({
    where: { platform: p.platform, platformUserId: p.userId, OR: [{ channelAccountId: p.channelAccountId }, { resident: { communeId: p.communeId } }] },
    orderBy: { createdAt: 'asc' },
    include: { resident: true },
  });
  if (!identity || identity.resident.blocked || !identity.resident.consentGivenAt) return [];
  if (identity.unreachableAt) await tx.residentIdentity.update({ where: { id: identity.id }, data: { unreachableAt: null } });
  const undelivered = await tx.ticketMessage.findMany({
    // Not the answers to what they asked to erase.
    where: { direction: 'outbound', authorStaffId: { not: null }, deliveryStatus: { in: ['refused', 'failed'] }, ticket: { residentId: identity.residentId, ...(identity.resident.erasedAt ? { createdAt: { gt: identity.resident.erasedAt } } : {}) } },
    orderBy: { createdAt: 'asc' },
    take: 20,
  });
  const effects: Effect[] = [];
  // Read only when there is something to re-deliver: this runs for every private message.
  const statusOf = undelivered.length ? new Map((await tx.ticket.findMany({ where: { id: { in: [...new Set(undelivered.map((m) => m.ticketId))] } }, select: { id: true, status: true } })).map((t) => [t.id, t.status])) : new Map<string, string>();
  for (const m of undelivered) {
    // The copy offered on another channel arrived: the resident has this answer already.
    const arrived = await tx.ticketMessage.count({ where: { ticketId: m.ticketId, direction: 'outbound', deliveryStatus: 'sent', text: m.text, createdAt: { gte: m.createdAt } } });
    if (arrived > 0) {
      await tx.ticketMessage.update({ where: { id: m.id }, data: { deliveryStatus: 'sent', deliveryError: 'sent_on_other_channel' } });
      continue;
    }
    const claimed = await tx.ticketMessage.updateMany({
      where: { id: m.id, deliveryStatus: m.deliveryStatus },
      data: { deliveryStatus: 'pending', channel: p.platform, platformChatId: p.chatId, channelAccountId: p.channelAccountId ?? identity.channelAccountId },
    });
    if (claimed.count !== 1) continue;
    effects.push(effect(sendTicketMessageJob, { messageId: m.id, redelivery: true, ...(statusOf.get(m.ticketId) === 'answered' ? { askRating: true } : {}) }, `msg-${m.id}-again-${p.now.getTime()}`));
  }
  return effects;
}
