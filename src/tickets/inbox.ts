// The first thing done with anything a person sends: store it, deduplicated on the platform's
// ids, then queue it. Only after this resolves does the adapter acknowledge the update to the
// platform, so a crash at any point loses nothing and a redelivered update changes nothing.
import type { PrismaClient } from '../db/generated/client.ts';
import type { Prisma } from '../db/generated/client.ts';
import type { ChannelHandlers, InboundItem, Platform } from '../../bots/channel.ts';
import type { Enqueue } from './ticket-deps.ts';
import { processInboundJob } from './ticket-jobs.ts';
import { cleanDeep } from '../text/clean-text.ts';
import { recordFailedUpdate } from './quarantine.ts';

export type StoredInbound = InboundItem;

export interface StoreResult {
  inboundId: string;
  duplicate: boolean;
}

// With the account: one Telegram user's private chats with two bots share chat id and message ids.
interface InboundKey {
  channel: Platform;
  channelAccountId: string | null;
  platformChatId: string;
  platformMessageId: string;
}

/** The row of what arrived: cleaned, with the key it is deduplicated on. */
function inboundRow(received: StoredInbound, channelAccountId: string | null): { key: InboundKey; platformUserId: string; payload: Prisma.InputJsonValue } {
  // The one place every platform's input passes: cleaned here, stored clean everywhere after.
  const item = cleanDeep(received);
  const platform = item.kind === 'message' ? item.message.platform : item.action.platform;
  const chatId = item.kind === 'message' ? item.message.chatId : item.action.chatId;
  // Button presses have their own ids; prefixed so they can never collide with message ids.
  const platformMessageId = item.kind === 'message' ? item.message.platformMessageId : `action:${item.action.actionId}`;
  const userId = item.kind === 'message' ? item.message.userId : item.action.userId;
  return { key: { channel: platform, channelAccountId, platformChatId: chatId, platformMessageId }, platformUserId: userId, payload: JSON.parse(JSON.stringify(item)) as Prisma.InputJsonValue };
}

const keyOf = (k: InboundKey) => `${k.channel}\u0000${k.channelAccountId ?? ''}\u0000${k.platformChatId}\u0000${k.platformMessageId}`;

// A chat's messages are handled in receivedAt order: rows of one batch get increasing stamps
// (a transaction's now() is one instant), never going back from one batch to the next.
let lastStamp = 0;
function stamps(n: number): Date[] {
  const out: Date[] = [];
  for (let i = 0; i < n; i++) {
    lastStamp = Math.max(Date.now(), lastStamp + 1);
    out.push(new Date(lastStamp));
  }
  return out;
}

/** Queue priority of a batch's jobs (higher waits longer); none for a message on its own. */
export function backlogPriority(batchSize: number): number | undefined {
  return batchSize > 1 ? Math.min(batchSize, 1000) : undefined;
}

/**
 * Stores a whole poll's updates in one INSERT (one transaction, one round trip), duplicates
 * skipped, then queues each new or still pending row with its deterministic job id. A replay of
 * the same batch (stored, then the process died before acknowledging) stores nothing twice.
 */
export async function storeInboundBatch(prisma: PrismaClient, enqueue: Enqueue, received: StoredInbound[], channelAccountId: string | null): Promise<StoreResult[]> {
  if (received.length === 0) return [];
  const seen = new Set<string>();
  const rows = received.map((r) => inboundRow(r, channelAccountId)).filter((r) => !seen.has(keyOf(r.key)) && seen.add(keyOf(r.key)));
  const at = stamps(rows.length);
  const created = await prisma.inboundMessage.createManyAndReturn({
    data: rows.map((r, i) => ({ ...r.key, platformUserId: r.platformUserId, payload: r.payload, receivedAt: at[i]! })),
    skipDuplicates: true,
    select: { id: true, channel: true, channelAccountId: true, platformChatId: true, platformMessageId: true },
  });
  const createdKeys = new Set(created.map(keyOf));
  const repeated = rows.filter((r) => !createdKeys.has(keyOf(r.key)));
  // A repeat still pending (the first enqueue may have been lost in a crash) is queued again;
  // the job id makes that a no-op when the job exists.
  const again = repeated.length
    ? await prisma.inboundMessage.findMany({ where: { OR: repeated.map((r) => r.key) }, select: { id: true, status: true, channel: true, channelAccountId: true, platformChatId: true, platformMessageId: true } })
    : [];
  const toQueue = [...created.map((r) => r.id), ...again.filter((r) => r.status === 'pending').map((r) => r.id)];
  // One shared queue serves every commune: a bot's backlog (a big batch) waits behind the
  // smaller ones, so one commune's flood does not hold back another's single message. Order
  // within a chat is kept by processInbound itself (earlier pending messages first).
  const priority = backlogPriority(rows.length);
  await Promise.all(toQueue.map((id) => enqueue(processInboundJob, { inboundId: id }, { jobId: `in-${id}`, ...(priority ? { priority } : {}) })));
  return [...created.map((r) => ({ inboundId: r.id, duplicate: false })), ...again.map((r) => ({ inboundId: r.id, duplicate: true }))];
}

export async function storeInbound(prisma: PrismaClient, enqueue: Enqueue, received: StoredInbound, channelAccountId: string | null): Promise<StoreResult> {
  const { key, platformUserId, payload } = inboundRow(received, channelAccountId);
  const created = await prisma.inboundMessage.createMany({
    data: [{ ...key, platformUserId, payload }],
    skipDuplicates: true,
  });
  const row = await prisma.inboundMessage.findFirstOrThrow({ where: key, select: { id: true, status: true } });
  // A duplicate still pending (the first enqueue may have been lost in a crash) is queued again;
  // the job id makes that a no-op when the job exists.
  if (created.count === 1 || row.status === 'pending') await enqueue(processInboundJob, { inboundId: row.id }, { jobId: `in-${row.id}` });
  return { inboundId: row.id, duplicate: created.count === 0 };
}

/** What a channel calls with what arrives for one account: store it, then acknowledge. */
export function inboxHandlers(prisma: PrismaClient, enqueue: Enqueue, channelAccountId: string | null, platform: Platform): ChannelHandlers {
  return {
    onMessage: async (message) => void (await storeInbound(prisma, enqueue, { kind: 'message', message }, channelAccountId)),
    onAction: async (action) => void (await storeInbound(prisma, enqueue, { kind: 'action', action }, channelAccountId)),
    onBatch: async (items) => void (await storeInboundBatch(prisma, enqueue, items, channelAccountId)),
    onFailure: async (f) => recordFailedUpdate(prisma, enqueue, { platform, channelAccountId, ...f }),
  };
}
