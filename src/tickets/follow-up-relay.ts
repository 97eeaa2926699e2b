// A resident's follow-up to an open ticket (more words, a photo, a file, the reason after "Chưa
// hài lòng") goes to the cadres, under the ticket's post in every admin chat it was posted to (in
// its topic where the group uses topics). Each part sent is recorded on a post row naming the
// message, so a retry (a 429, a rate-limited group, a crash) resumes where it stopped and nothing
// shows twice; a message the ticket's post already shows (the burst) is not relayed again.
import { RetryJobLater } from '../queues/job-errors.ts';
import type { JobContext } from '../queues/queue-kit.ts';
import type { MediaRef, OutboundContent } from '../../bots/channel.ts';
import { adminChatsOf } from './channel-accounts.ts';
import type { StoredAttachment } from './attachments.ts';
import { mediaRefFor, onSendError, type OutboundDeps } from './outbound-delivery.ts';
import { splitText } from '../text/split-text.ts';
import { ticketAccess, visibleAttachments, visibleText, type Access } from './ticket-visibility.ts';

// A ticket whose post never went out (its job gave up) stops holding its follow-ups after this.
const WAIT_FOR_POST_MS = 24 * 3600_000;
// A photo another platform must fetch first (its copy lands in the media store) is waited for.
const WAIT_FOR_FILE_MS = 10 * 60_000;
const CAPTION_MAX = 1024;

export const followUpTexts = {
  added: (code: string) => `➕ Người dân bổ sung cho phiếu ${code}:`,
  files: (code: string, n: number) => `➕ Người dân gửi thêm ${n} ảnh/tệp cho phiếu ${code}.`,
  hidden: (code: string) => `🔒 Người dân đã bổ sung thông tin cho phiếu ${code} (bảo mật — xem trên trang quản trị).`,
};

export interface FollowUpView {
  text: string;
  files: StoredAttachment[];
}

/**
 * What the admin chat may see of a follow-up, as the visibility rule decides for the group: a
 * confidential ticket's follow-ups (text or photo) are never shown, only that one arrived.
 */
export function followUpForGroup(access: Access, ticket: { code: string }, msg: { text: string | null; attachments: unknown }): FollowUpView {
  if (access !== 'full') return { text: followUpTexts.hidden(ticket.code), files: [] };
  const files = visibleAttachments(access, (msg.attachments ?? []) as StoredAttachment[]).filter((a) => a.kind === 'photo' || a.kind === 'file');
  const words = visibleText(access, msg.text)?.trim();
  return { text: words ? `${followUpTexts.added(ticket.code)}\n${words}` : followUpTexts.files(ticket.code, files.length), files };
}

type Part = { text: string } | { text?: string; file: StoredAttachment };

/** The messages a follow-up becomes in one chat: the words (split to the limit), then each file. */
function partsOf(view: FollowUpView, maxText: number): Part[] {
  if (view.files.length && view.text.length <= CAPTION_MAX) {
    // One photo with the words as its caption, like the resident sent it.
    return view.files.map((file, i) => (i === 0 ? { text: view.text, file } : { file }));
  }
  return [...splitText(view.text, maxText).map((text) => ({ text })), ...view.files.map((file) => ({ file }))];
}

export async function relayFollowUp(deps: OutboundDeps, data: { ticketMessageId: string }, ctx: JobContext): Promise<{ sent: number }> {
  const { prisma } = deps;
  const msg = await prisma.ticketMessage.findUnique({ where: { id: data.ticketMessageId }, include: { ticket: true } });
  if (!msg || msg.direction !== 'inbound') return { sent: 0 };
  const ticket = msg.ticket;
  const chats = await adminChatsOf(prisma, ticket.communeId);
  const view = followUpForGroup(await ticketAccess(prisma, { kind: 'group', communeId: ticket.communeId }, ticket), ticket, msg);
  let waitMs = 0;
  let sent = 0;
  for (const chat of chats) {
    const where = { ticketId: ticket.id, platform: chat.platform, platformChatId: chat.chatId };
    const posts = await prisma.ticketAdminPost.findMany({ where });
    const main = posts.find((p) => p.purpose === 'ticket');
    if (!main) {
      // The ticket's post is still to come (the burst window): it will show this message, or
      // this job posts it under the post once the post is there.
      if (deps.now().getTime() - ticket.createdAt.getTime() < WAIT_FOR_POST_MS) waitMs = Math.max(waitMs, 2000);
      continue;
    }
    if (main.ticketMessageIds.includes(msg.id)) continue;
    const ch = await deps.channels.find(chat.platform, chat.accountName);
    if (!ch) continue;
    const parts = partsOf(view, ch.limits.maxTextLength);
    const done = posts.filter((p) => p.purpose === 'follow_up' && p.ticketMessageIds.includes(msg.id)).length;
    for (let i = done; i < parts.length; i++) {
      const part = parts[i]!;
      const content: OutboundContent = { replyTo: main.platformMessageId, ...(chat.threadId ? { threadId: chat.threadId } : {}), ...(part.text ? { text: part.text } : {}) };
      if ('file' in part) {
        const ref: MediaRef | undefined = await mediaRefFor(prisma, deps.dataDir, part.file, chat.platform);
        if (!ref) {
          // Another platform's photo not fetched yet: wait for it; one that failed is left out.
          if (!part.file.error && deps.now().getTime() - msg.createdAt.getTime() < WAIT_FOR_FILE_MS) throw new RetryJobLater(2000, 'attachment not stored yet');
          if (!part.text) {
            await prisma.ticketAdminPost.create({ data: { ...where, platformMessageId: `skipped:${msg.id}:${i}`, purpose: 'follow_up', ticketMessageIds: [msg.id] } });
            continue;
          }
        } else {
          content[part.file.kind === 'photo' ? 'photo' : 'file'] = ref;
        }
      }
      let result;
      try {
        result = await ch.send(chat.chatId, content);
      } catch (e) {
        return onSendError(e, ctx, async (err) => {
          ctx.log.error({ platform: chat.platform, kind: err.kind, ticketId: ticket.id }, 'không chuyển được tin bổ sung vào nhóm quản trị');
        });
      }
      await prisma.ticketAdminPost.create({ data: { ...where, platformMessageId: result.platformMessageId, purpose: 'follow_up', ticketMessageIds: [msg.id] } });
      sent += 1;
    }
  }
  if (waitMs) throw new RetryJobLater(waitMs, 'ticket post not sent yet');
  return { sent };
}
