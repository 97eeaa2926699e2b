// Delivers what the listening flow sends: answers and acknowledgements to residents, ticket posts
// to admin chats, short replies, button acknowledgements. A message marked sent is never sent
// again; a platform's "retry after" is honored by delaying the job; what the platform finally said
// about an answer is settled by answer-delivery.ts (recorded, reported, re-delivered later).
import { PermanentJobError, RetryJobLater } from '../queues/job-errors.ts';
import { ChannelError, type Channel, type Platform } from '../../bots/channel.ts';
import type { ChannelDirectory } from '../channels/channel-directory.ts';
import type { JobContext, JobHandler } from '../queues/queue-kit.ts';
import { join } from 'node:path';
import type { TicketDeps } from './ticket-deps.ts';
import type { StoredAttachment } from './attachments.ts';
import { adminChatsOf } from './channel-accounts.ts';
import { renderAdminPost, adminButtons } from './admin-post.ts';
import { visibleAttachments } from './ticket-visibility.ts';
import { residentTextsOf } from './resident-texts.ts';
import { relayFollowUp } from './follow-up-relay.ts';
import {
  BACKLOG_PRIORITY,
  answerActionJob,
  refreshRatingButtonsJob,
  removeButtonsJob,
  postTicketJob,
  refreshAdminPostsJob,
  relayFollowUpJob,
  sendDirectJob,
  sendTicketMessageJob,
  type DirectMessage,
  type TicketMessageJob,
} from './ticket-jobs.ts';
import { settleDelivery } from './answer-delivery.ts';
import { ratingButtons, ratingButtonsLeft } from './rating-buttons.ts';

export type OutboundDeps = Pick<TicketDeps, 'prisma' | 'log' | 'enqueue' | 'now'> & { channels: ChannelDirectory; dataDir: string };
type Deps = OutboundDeps;

async function channelFor(deps: Deps, platform: Platform, accountName: string): Promise<Channel> {
  const ch = await deps.channels.find(platform, accountName);
  // Not configured in this process (e.g. the token was removed): retrying will not help.
  if (!ch) throw new PermanentJobError(`channel ${platform}:${accountName} is not configured`);
  return ch;
}

/** Turns a platform error into the job's fate: delay (retry_after), give up, or retry later. */
export async function onSendError(e: unknown, ctx: JobContext, onPermanent: (err: ChannelError) => Promise<void>): Promise<never> {
  if (e instanceof ChannelError) {
    if (e.kind === 'rate_limited') throw new RetryJobLater(e.retryAfterMs ?? 1000, e.message);
    if (e.permanent) {
      await onPermanent(e);
      throw new PermanentJobError(`${e.kind}: ${e.message}`);
    }
  }
  throw e;
}

/** A restored backlog's send leaves the group's last sends of the minute to new work. */
function backlog(ctx: JobContext): { background?: true } {
  return (ctx.job.opts.priority ?? 0) >= BACKLOG_PRIORITY ? { background: true } : {};
}

function isLastAttempt(ctx: JobContext): boolean {
  return ctx.job.attemptsMade + 1 >= (ctx.job.opts.attempts ?? 1);
}

/** The same platform re-sends by its file id; another platform gets the stored copy. */
export async function mediaRefFor(
  prisma: TicketDeps['prisma'],
  dataDir: string,
  a: StoredAttachment,
  platform: Platform,
): Promise<{ platformFileId: string } | { path: string } | undefined> {
  if (a.kind !== 'photo' && a.kind !== 'file') return undefined;
  if (a.platform === platform) return { platformFileId: a.fileId };
  if (!a.sha256) return undefined;
  const file = await prisma.mediaFile.findUnique({ where: { sha256: a.sha256 } });
  return file ? { path: join(dataDir, file.path) } : undefined;
}

export function outboundHandlers(deps: Deps): Record<string, JobHandler<never>> {
  const { prisma } = deps;

  /** The platform's answer made final: recorded, and what follows it queued. */
  const settle = async (data: TicketMessageJob, outcome: Parameters<typeof settleDelivery>[1]['outcome']) => {
    const effects = await prisma.$transaction((tx) => settleDelivery(tx, { messageId: data.messageId, outcome, ...(data.report ? { report: data.report } : {}), ...(data.redelivery ? { redelivery: true } : {}), ...(data.copy ? { copy: true } : {}), now: deps.now() }));
    for (const e of effects) await deps.enqueue(e.def, e.data, e.jobId ? { jobId: e.jobId } : {});
  };

  const sendTicketMessage = async (data: TicketMessageJob, ctx: JobContext) => {
    const msg = await prisma.ticketMessage.findUnique({ where: { id: data.messageId }, include: { channelAccount: true } });
    if (!msg || msg.deliveryStatus !== 'pending') return { skipped: true };
    if (!msg.platformChatId || !msg.channelAccount) {
      await settle(data, { state: 'failed', error: 'no_channel' });
      return { failed: 'no_channel' };
    }
    const ch = await channelFor(deps, msg.channel, msg.channelAccount.name);
    // Recorded before the platform call: one found set without a result means an earlier attempt
    // may have reached the resident, so this one is marked as a possible repeat.
    await prisma.ticketMessage.update({ where: { id: msg.id }, data: { sendingAt: deps.now(), ...(msg.sendingAt ? { possibleDuplicate: true } : {}) } });
    let sent;
    try {
      sent = await ch.send(msg.platformChatId, { text: msg.text ?? '' });
    } catch (e) {
      // Refused before anything was sent: the next attempt is not a repeat.
      if (e instanceof ChannelError && e.kind === 'rate_limited') await prisma.ticketMessage.update({ where: { id: msg.id }, data: { sendingAt: null } });
      return onSendError(e, ctx, async (err) => {
        await settle(data, { state: 'refused', error: err.kind });
      }).catch(async (err: unknown) => {
        if (!(err instanceof RetryJobLater) && !(err instanceof PermanentJobError) && isLastAttempt(ctx)) {
          await settle(data, { state: 'failed', error: e instanceof ChannelError ? e.kind : (err as Error).message });
        }
        throw err;
      });
    }
    await settle(data, { state: 'sent', platformMessageId: sent.platformMessageId });
    if (data.askRating) {
      const id = msg.ticketId;
      await deps.enqueue(
        sendDirectJob,
        {
          platform: msg.channel,
          accountId: msg.channelAccount.name,
          chatId: msg.platformChatId,
          text: (await residentTextsOf(prisma, (await prisma.ticket.findUniqueOrThrow({ where: { id }, select: { communeId: true } })).communeId, msg.channel)).rateQuestion,
          buttons: ratingButtons(id),
        },
        { jobId: `rate-${msg.id}` },
      );
    }
    return { platformMessageId: sent.platformMessageId };
  };

  const postTicket = async (data: { ticketId: string }, ctx: JobContext) => {
    const ticket = await prisma.ticket.findUnique({ where: { id: data.ticketId } });
    if (!ticket) return { skipped: true };
    const chats = await adminChatsOf(prisma, ticket.communeId);
    let posted = 0;
    for (const chat of chats) {
      const ch = await deps.channels.find(chat.platform, chat.accountName);
      if (!ch) {
        ctx.log.warn({ platform: chat.platform }, 'nhóm quản trị chưa có kênh gửi trong tiến trình này');
        continue;
      }
      const where = { ticketId: ticket.id, platform: chat.platform, platformChatId: chat.chatId };
      let main = await prisma.ticketAdminPost.findFirst({ where: { ...where, purpose: 'ticket' } });
      // A retry after the post went out renders the same messages, so its parts match.
      const post = await renderAdminPost(prisma, ticket.id, { maxLength: ch.limits.maxTextLength, ...(main ? { messageIds: main.ticketMessageIds } : {}) });
      const fail = (e: unknown) =>
        onSendError(e, ctx, async (err) => {
          ctx.log.error({ platform: chat.platform, kind: err.kind }, 'không đăng được phiếu vào nhóm quản trị');
        });
      const thread = chat.threadId ? { threadId: chat.threadId } : {};
      if (!main) {
        let sent;
        try {
          sent = await ch.send(chat.chatId, { text: post.text, buttons: post.buttons, ...thread, ...backlog(ctx) });
        } catch (e) {
          return fail(e);
        }
        main = await prisma.ticketAdminPost.create({ data: { ...where, platformMessageId: sent.platformMessageId, purpose: 'ticket', ticketMessageIds: post.messageIds } });
        posted += 1;
      }
      // A text too long for one message goes on under the post, each part recorded once sent.
      const already = post.continuation.length ? await prisma.ticketAdminPost.count({ where: { ...where, purpose: 'continuation' } }) : 0;
      for (let i = already; i < post.continuation.length; i++) {
        let sent;
        try {
          sent = await ch.send(chat.chatId, { text: post.continuation[i]!, replyTo: main.platformMessageId, ...thread, ...backlog(ctx) });
        } catch (e) {
          return fail(e);
        }
        await prisma.ticketAdminPost.create({ data: { ...where, platformMessageId: sent.platformMessageId, purpose: 'continuation' } });
      }
      // The resident's photos follow the post, as replies to it, so cadres see what was reported.
      // The render read them: the messages the post shows (the same ones on a retry).
      for (const [k, m] of post.shown.entries()) {
        const atts = visibleAttachments(post.access, (m.attachments ?? []) as unknown as StoredAttachment[]);
        for (const [i, a] of atts.entries()) {
          const media = await mediaRefFor(prisma, deps.dataDir, a, chat.platform);
          if (!media) continue;
          await deps.enqueue(
            sendDirectJob,
            { platform: chat.platform, accountId: chat.accountName, chatId: chat.chatId, text: `Ảnh/tệp kèm phiếu ${ticket.code}`, replyTo: main.platformMessageId, ...thread, media: { kind: a.kind === 'photo' ? 'photo' : 'file', ref: media } },
            { jobId: k === 0 ? `postatt-${ticket.id}-${chat.chatId}-${i}` : `postatt-${ticket.id}-${chat.chatId}-${m.id}-${i}` },
          );
        }
      }
    }
    return { posted };
  };

  const sendDirect = async (data: DirectMessage, ctx: JobContext) => {
    if (data.unlessVillageKnown) {
      const t = await prisma.ticket.findUnique({ where: { id: data.unlessVillageKnown }, select: { villageId: true } });
      if (!t || t.villageId) return { skipped: 'village_known' };
    }
    if (data.surveyInvitationId) {
      const inv = await prisma.surveyInvitation.findUnique({ where: { id: data.surveyInvitationId }, select: { status: true } });
      if (inv?.status !== 'pending') return { skipped: 'survey_invitation_settled' };
    }
    const invitationFailed = async () => {
      if (data.surveyInvitationId) await prisma.surveyInvitation.update({ where: { id: data.surveyInvitationId }, data: { status: 'failed' } });
    };
    const ch = await channelFor(deps, data.platform, data.accountId);
    let sent;
    try {
      const media = data.media ? { [data.media.kind]: data.media.ref } : {};
      sent = await ch.send(data.chatId, {
        text: data.text,
        ...media,
        ...(data.buttons ? { buttons: data.buttons } : {}),
        ...(data.replyTo ? { replyTo: data.replyTo } : {}),
        ...(data.threadId ? { threadId: data.threadId } : {}),
        ...backlog(ctx),
      });
    } catch (e) {
      return onSendError(e, ctx, async (err) => {
        if (err.kind === 'blocked' || err.kind === 'not_found') {
          // Refused by this bot only: the person's chat with another commune's bot is not affected.
          await prisma.residentIdentity.updateMany({ where: { platform: data.platform, platformChatId: data.chatId, channelAccount: { platform: data.platform, name: data.accountId } }, data: { unreachableAt: deps.now() } });
        }
        await invitationFailed();
      }).catch(async (err: unknown) => {
        // Out of attempts: an invitation is not queued again by the tick.
        if (!(err instanceof RetryJobLater) && !(err instanceof PermanentJobError) && isLastAttempt(ctx)) await invitationFailed();
        throw err;
      });
    }
    if (data.surveyInvitationId) {
      await prisma.surveyInvitation.update({ where: { id: data.surveyInvitationId }, data: { status: 'sent', sentAt: deps.now(), platformMessageId: sent.platformMessageId } });
    }
    if (data.recordAs) {
      await prisma.ticketAdminPost.create({
        data: { ticketId: data.recordAs.ticketId, platform: data.platform, platformChatId: data.chatId, platformMessageId: sent.platformMessageId, purpose: data.recordAs.purpose },
      });
    }
    if (data.recordBulletinAs) {
      await prisma.bulletinChatPost.create({
        data: { bulletinId: data.recordBulletinAs.bulletinId, purpose: data.recordBulletinAs.purpose, platform: data.platform, platformChatId: data.chatId, platformMessageId: sent.platformMessageId, accountName: data.accountId },
      });
    }
    return { platformMessageId: sent.platformMessageId };
  };

  const removeButtons = async (data: { platform: Platform; accountId: string; chatId: string; messageId: string }, ctx: JobContext) => {
    try {
      await (await channelFor(deps, data.platform, data.accountId)).editButtons(data.chatId, data.messageId, null);
    } catch (e) {
      // Already without buttons, or gone: nothing to remove.
      if (e instanceof ChannelError && e.permanent) ctx.log.debug({ kind: e.kind }, 'không bỏ được nút của tin nhắn');
      else throw e;
    }
  };

  const answerAction = async (data: { platform: Platform; accountId: string; actionId: string; text?: string; alert?: boolean }, ctx: JobContext) => {
    const ch = await channelFor(deps, data.platform, data.accountId);
    try {
      await ch.answerAction(data.actionId, data.text, data.alert);
    } catch (e) {
      // An expired button press cannot be answered any more; nothing else depends on it.
      ctx.log.debug({ err: (e as Error).message }, 'không trả lời được nút bấm');
    }
  };

  const refreshRatingButtons = async (data: { platform: Platform; accountId: string; chatId: string; messageId: string; ticketId: string }, ctx: JobContext) => {
    const t = await prisma.ticket.findUnique({ where: { id: data.ticketId } });
    if (!t) return;
    const left = ratingButtonsLeft(t);
    try {
      await (await channelFor(deps, data.platform, data.accountId)).editButtons(data.chatId, data.messageId, left.length ? left : null);
    } catch (e) {
      // Already as wanted, or the message is gone: nothing left to change.
      if (e instanceof ChannelError && e.permanent) ctx.log.debug({ kind: e.kind }, 'không sửa được nút đánh giá');
      else throw e;
    }
  };

  // The post's header (status, assignee, village) and buttons follow the ticket; the words stay.
  const refreshPosts = async (data: { ticketId: string }, ctx: JobContext) => {
    const ticket = await prisma.ticket.findUnique({ where: { id: data.ticketId }, include: { adminPosts: { where: { purpose: 'ticket' } } } });
    if (!ticket) return;
    const chats = await adminChatsOf(prisma, ticket.communeId);
    for (const p of ticket.adminPosts) {
      const ch = await deps.channels.find(p.platform, chats.find((c) => c.platform === p.platform && c.chatId === p.platformChatId)?.accountName ?? '');
      if (!ch) continue;
      try {
        if (ch.editText) {
          const post = await renderAdminPost(prisma, ticket.id, { maxLength: ch.limits.maxTextLength, messageIds: p.ticketMessageIds });
          await ch.editText(p.platformChatId, p.platformMessageId, post.text, post.buttons.length ? post.buttons : null);
        } else {
          const buttons = adminButtons(ticket.id, ticket.status);
          await ch.editButtons(p.platformChatId, p.platformMessageId, buttons.length ? buttons : null);
        }
      } catch (e) {
        if (e instanceof ChannelError && e.kind === 'rate_limited') throw new RetryJobLater(e.retryAfterMs ?? 1000, e.message);
        if (e instanceof ChannelError && e.permanent) ctx.log.debug({ kind: e.kind }, 'không sửa được bài đăng');
        else throw e;
      }
    }
  };

  return {
    [sendTicketMessageJob.name]: sendTicketMessage as JobHandler<never>,
    [postTicketJob.name]: postTicket as JobHandler<never>,
    [sendDirectJob.name]: sendDirect as JobHandler<never>,
    [answerActionJob.name]: answerAction as JobHandler<never>,
    [refreshAdminPostsJob.name]: refreshPosts as JobHandler<never>,
    [refreshRatingButtonsJob.name]: refreshRatingButtons as JobHandler<never>,
    [removeButtonsJob.name]: removeButtons as JobHandler<never>,
    [relayFollowUpJob.name]: ((d: { ticketMessageId: string }, ctx: JobContext) => relayFollowUp(deps, d, ctx)) as JobHandler<never>,
  };
}
