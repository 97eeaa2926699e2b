// A normal province bulletin in each receiving commune's admin chats (Telegram buttons, Zalo numbered
// choices): the notice says when the decline window closes and carries "Từ chối"; a press by the
// commune's approver asks for the reason as a reply to a recorded question, and the reply declines.
// Who may decline, and until when, is decline-province-bulletin.ts's rule; the buttons go once the
// commune declined or the window closed.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import type { Platform } from '../../bots/channel.ts';
import { AppError } from '../errors.ts';
import { adminChatsOf } from '../tickets/channel-accounts.ts';
import { effect, removeButtonsJob, sendDirectJob, type Effect } from '../tickets/ticket-jobs.ts';
import { declinableBy, declineProvinceBulletin, REASON_REQUIRED_TEXT } from './decline-province-bulletin.ts';
import { localTimeText } from './province-bulletin-status.ts';

type Tx = Prisma.TransactionClient;

export function parseProvinceDeclineButton(data: string): { provinceBulletinId: string } | undefined {
  const m = /^pbd:([0-9a-f-]{36})$/.exec(data);
  return m ? { provinceBulletinId: m[1]! } : undefined;
}

/** After approval: every receiving commune's admin chats hear of it, with the decline button. */
export async function announceToDecline(prisma: PrismaClient | Tx, provinceBulletinId: string): Promise<Effect[]> {
  const pb = await prisma.provinceBulletin.findUniqueOrThrow({ where: { id: provinceBulletinId }, include: { province: true, communes: { where: { status: 'waiting', bulletinId: { not: null } }, include: { commune: true } } } });
  if (pb.class !== 'normal' || !pb.declineDeadline) return [];
  const out: Effect[] = [];
  for (const d of pb.communes) {
    const villages = d.villageIds.length ? await prisma.village.findMany({ where: { id: { in: d.villageIds } }, orderBy: { sortOrder: 'asc' }, select: { name: true } }) : [];
    const deadline = localTimeText(pb.declineDeadline, d.commune.timezone);
    const text = [
      `📣 Bản tin của tỉnh (${pb.province.name}): ${pb.title}`,
      `Nơi nhận: ${villages.length ? villages.map((v) => v.name).join(', ') : 'toàn xã'}`,
      `Sau ${deadline} bản tin tự vào khung giờ phát trống tiếp theo của xã, trừ khi người duyệt của xã từ chối trước giờ đó (cần ghi lý do).`,
      '',
      pb.text.slice(0, 1500),
    ].join('\n');
    for (const c of await adminChatsOf(prisma as Tx, d.communeId)) {
      out.push(
        effect(
          sendDirectJob,
          { platform: c.platform, accountId: c.accountName, chatId: c.chatId, ...(c.threadId ? { threadId: c.threadId } : {}), text, buttons: [[{ label: 'Từ chối', data: `pbd:${pb.id}` }]], recordBulletinAs: { bulletinId: d.bulletinId!, purpose: 'province_announcement' as const } },
          `pbd-announce-${d.bulletinId}-${c.chatId}`.replace(/:/g, '_'),
        ),
      );
    }
  }
  return out;
}

/** The decline buttons go from the commune's notices (declined, or the window closed). */
export async function removeDeclineButtons(prisma: PrismaClient | Tx, bulletinId: string): Promise<Effect[]> {
  const posts = await prisma.bulletinChatPost.findMany({ where: { bulletinId, purpose: 'province_announcement' } });
  return posts.map((p) => effect(removeButtonsJob, { platform: p.platform, accountId: p.accountName, chatId: p.platformChatId, messageId: p.platformMessageId }, `pbd-buttons-${p.id}`));
}

export interface ChatPlace {
  platform: Platform;
  accountId: string;
  chatId: string;
  messageId: string;
  staffId: string;
}

/** "Từ chối" pressed: the same checks as the decline itself, then the question for the reason. */
export async function pressDeclineButton(tx: Tx, c: ChatPlace, provinceBulletinId: string, now: Date): Promise<{ notice: string; effects: Effect[] }> {
  try {
    const { d } = await declinableBy(tx, c.staffId, provinceBulletinId, now);
    const deadline = localTimeText(d.provinceBulletin.declineDeadline!, d.commune.timezone);
    const question = {
      platform: c.platform,
      accountId: c.accountId,
      chatId: c.chatId,
      text: `Trả lời tin này để ghi lý do xã từ chối bản tin của tỉnh "${d.provinceBulletin.title}" (trước ${deadline}).`,
      replyTo: c.messageId,
      recordBulletinAs: { bulletinId: d.bulletinId, purpose: 'province_decline_reason' as const },
    };
    return { notice: 'Trả lời tin của bot để ghi lý do', effects: [effect(sendDirectJob, question, `pbd-ask-${d.bulletinId}-${c.messageId}`.replace(/:/g, '_'))] };
  } catch (e) {
    if (e instanceof AppError) return { notice: e.userMessage.slice(0, 190), effects: [] };
    throw e;
  }
}

/** The province bulletin whose "reason for declining" question this message replies to, if any. */
export async function declineReasonReply(tx: Tx, m: { platform: Platform; chatId: string; replyTo?: { platformMessageId: string } }): Promise<string | undefined> {
  if (!m.replyTo) return undefined;
  const post = await tx.bulletinChatPost.findUnique({
    where: { platform_platformChatId_platformMessageId: { platform: m.platform, platformChatId: m.chatId, platformMessageId: m.replyTo.platformMessageId } },
    include: { bulletin: { select: { provinceBulletinId: true } } },
  });
  return post?.purpose === 'province_decline_reason' ? (post.bulletin.provinceBulletinId ?? undefined) : undefined;
}

/** The reply with the reason: declines (or says why not), and the buttons go. */
export async function declineFromReply(tx: Tx, c: ChatPlace, provinceBulletinId: string, reason: string, now: Date): Promise<{ text: string; effects: Effect[] }> {
  if (!reason.trim()) return { text: REASON_REQUIRED_TEXT, effects: [] };
  try {
    const d = await declineProvinceBulletin(tx, { actor: { staffId: c.staffId }, provinceBulletinId, reason, now });
    return { text: `🚫 Xã đã từ chối bản tin của tỉnh "${d.title}": ${reason.trim()}`, effects: await removeDeclineButtons(tx, d.bulletinId) };
  } catch (e) {
    if (e instanceof AppError) return { text: e.userMessage, effects: [] };
    throw e;
  }
}
