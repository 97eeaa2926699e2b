// The job that turns a stored inbound message or button press into what it means. One
// transaction: the row is locked, handled, marked processed; the sends it causes are queued
// after commit with ids derived from it, so running the job twice does nothing twice.
import { REACHABLE_ACTION, type InboundAction, type InboundMessage } from '../../bots/channel.ts';
import type { TicketDeps } from './ticket-deps.ts';
import type { StoredInbound } from './inbox.ts';
import { communeOfAccount, findAccount, isAdminChat } from './channel-accounts.ts';
import { handleGroupRegistration, isGroupRegistrationCommand } from '../bulletins/group-registration.ts';
import { handleResidentAction, handleResidentMessage, type Outcome } from './resident-conversation.ts';
import { handleAdminAction, handleAdminMessage } from './admin-conversation.ts';
import type { Effect } from './ticket-jobs.ts';
import { redeliverOnContact } from './answer-delivery.ts';
import { handleLinkCommand } from './link-command.ts';

export interface ProcessResult {
  status: 'processed' | 'ignored' | 'skipped';
  note?: string;
  effects: Effect[];
}

/** The stored payload, timed by when we stored it (ms precision, our clock), not the platform's. */
function revive(stored: StoredInbound, storedAt: Date): StoredInbound {
  if (stored.kind === 'message') return { kind: 'message', message: { ...stored.message, receivedAt: storedAt } };
  return stored;
}

/**
 * Handles a stored message, after every earlier pending message of the same chat: jobs run
 * concurrently, but a resident's "/moi" must take effect before the question that follows it.
 */
export async function processInbound(deps: TicketDeps, inboundId: string): Promise<ProcessResult> {
  const target = await deps.prisma.inboundMessage.findUnique({ where: { id: inboundId }, select: { channel: true, channelAccountId: true, platformChatId: true, receivedAt: true, status: true } });
  if (!target || target.status !== 'pending') return { status: 'skipped', effects: [] };
  const earlier = await deps.prisma.inboundMessage.findMany({
    where: { channel: target.channel, channelAccountId: target.channelAccountId, platformChatId: target.platformChatId, status: 'pending', receivedAt: { lt: target.receivedAt } },
    orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
    select: { id: true },
  });
  for (const e of earlier) await processOne(deps, e.id);
  return processOne(deps, inboundId);
}

async function processOne(deps: TicketDeps, inboundId: string): Promise<ProcessResult> {
  const result = await deps.prisma.$transaction(
    async (tx) => {
      // Locks the row: a second worker running the same job waits, then sees it processed.
      // The row comes with its lock: one round trip, not a second read.
      const rows = await tx.$queryRaw<Array<{ status: string; payload: unknown; receivedAt: Date }>>`SELECT status::text AS status, payload, "receivedAt" FROM "InboundMessage" WHERE id = ${inboundId}::uuid FOR UPDATE`;
      const inbound = rows[0];
      if (!inbound || inbound.status !== 'pending') return { status: 'skipped' as const, effects: [] };
      const stored = revive(inbound.payload as unknown as StoredInbound, inbound.receivedAt);
      const platform = stored.kind === 'message' ? stored.message.platform : stored.action.platform;
      const accountName = stored.kind === 'message' ? stored.message.accountId : stored.action.accountId;
      const chatKind = stored.kind === 'message' ? stored.message.chatKind : stored.action.chatKind;
      const chatId = stored.kind === 'message' ? stored.message.chatId : stored.action.chatId;
      const receivedAt = inbound.receivedAt;

      let outcome: Outcome;
      const account = await findAccount(tx, platform, accountName);
      const served = account ? await communeOfAccount(tx, account) : undefined;
      const communeId = served?.communeId ?? null;
      // Ids only: whoever wrote is none of the log's business.
      if (account && !communeId) deps.log.warn({ accountId: account.id, platform, communes: served!.communes }, 'tin nhắn bị bỏ qua: tài khoản chưa gắn với xã nào mà cài đặt có nhiều xã (gắn tài khoản với xã của nó)');
      const linkCommand = stored.kind === 'message' && stored.message.command?.name.toLowerCase() === 'lienket' ? stored.message : undefined;
      if (!account || !communeId) {
        outcome = { status: 'ignored', note: 'account_without_commune', effects: [] };
      } else if (linkCommand && (chatKind === 'private' || (await isAdminChat(tx, platform, chatId)))) {
        // A cadre linking their chat account with a code: not a resident's question, not a reply.
        outcome = await handleLinkCommand(tx, inboundId, linkCommand, receivedAt);
      } else if (chatKind === 'group') {
        const admin = await isAdminChat(tx, platform, chatId);
        if (!admin && stored.kind === 'message' && isGroupRegistrationCommand(stored.message as InboundMessage)) outcome = await handleGroupRegistration(tx, stored.message as InboundMessage, account, communeId, inboundId);
        else if (!admin || (admin.communeId && admin.communeId !== communeId)) outcome = { status: 'ignored', note: 'not_admin_chat', effects: [] };
        else if (stored.kind === 'message') outcome = await handleAdminMessage(tx, deps, inboundId, stored.message as InboundMessage, account, communeId);
        else outcome = await handleAdminAction(tx, deps, inboundId, stored.action as InboundAction, account, communeId, receivedAt);
      } else if (stored.kind === 'message') {
        outcome = await handleResidentMessage(tx, deps, inboundId, stored.message, account, communeId);
      } else if (stored.action.data === REACHABLE_ACTION) {
        outcome = { status: 'processed', note: 'reachable', effects: [] };
      } else {
        outcome = await handleResidentAction(tx, deps, inboundId, stored.action, account, communeId, receivedAt);
      }
      // Whoever writes to the bot is reachable there: answers that did not arrive go out now.
      if (account && communeId && chatKind === 'private') {
        const userId = stored.kind === 'message' ? stored.message.userId : stored.action.userId;
        outcome.effects.push(...(await redeliverOnContact(tx, { platform, userId, chatId, channelAccountId: account.id, communeId, now: receivedAt })));
      }
      await tx.inboundMessage.update({
        where: { id: inboundId },
        data: { status: outcome.status, error: outcome.status === 'ignored' ? (outcome.note ?? null) : null, ticketMessageId: outcome.ticketMessageId ?? null, processedAt: deps.now() },
      });
      return { status: outcome.status, ...(outcome.note ? { note: outcome.note } : {}), effects: outcome.effects };
    },
    { timeout: 20_000, maxWait: 10_000 },
  );
  await dispatchEffects(deps, result.effects);
  return result;
}

export async function dispatchEffects(deps: Pick<TicketDeps, 'enqueue' | 'cancelJob' | 'now'>, effects: Effect[]): Promise<void> {
  for (const e of effects) {
    if (e.cancel) {
      if (e.jobId) await deps.cancelJob(e.def, e.jobId);
      continue;
    }
    const delay = e.runAt ? Math.max(0, e.runAt.getTime() - deps.now().getTime()) : 0;
    await deps.enqueue(e.def, e.data, { ...(e.jobId ? { jobId: e.jobId } : {}), ...(delay ? { delay } : {}), ...(e.priority ? { priority: e.priority } : {}) });
  }
}
