// The first thing done with anything a person sends: store it, deduplicated on the platform's
// ids, then queue it. Only after this resolves does the adapter acknowledge the update to the
// platform, so a crash at any point loses nothing and a redelivered update changes nothing.
import type { PrismaClient } from '../db/generated/client.ts';
import type { ChannelHandlers, InboundAction, InboundMessage, Platform } from '../../bots/channel.ts';
import type { Enqueue } from './ticket-deps.ts';
import { processInboundJob } from './ticket-jobs.ts';
import { cleanDeep } from '../text/clean-text.ts';
import { recordFailedUpdate } from './quarantine.ts';

export type StoredInbound = { kind: 'message'; message: InboundMessage } | { kind: 'action'; action: InboundAction };

export interface StoreResult {
  inboundId: string;
  duplicate: boolean;
}

export async function storeInbound(prisma: PrismaClient, enqueue: Enqueue, received: StoredInbound, channelAccountId: string | null): Promise<StoreResult> {
  // The one place every platform's input passes: cleaned here, stored clean everywhere after.
  const item = cleanDeep(received);
  const platform = item.kind === 'message' ? item.message.platform : item.action.platform;
  const chatId = item.kind === 'message' ? item.message.chatId : item.action.chatId;
  // Button presses have their own ids; prefixed so they can never collide with message ids.
  const platformMessageId = item.kind === 'message' ? item.message.platformMessageId : `action:${item.action.actionId}`;
  const userId = item.kind === 'message' ? item.message.userId : item.action.userId;
  const key = { channel: platform, platformChatId: chatId, platformMessageId };

  const created = await prisma.inboundMessage.createMany({
    data: [{ ...key, channelAccountId, platformUserId: userId, payload: JSON.parse(JSON.stringify(item)) }],
    skipDuplicates: true,
  });
  const row = await prisma.inboundMessage.findUniqueOrThrow({ where: { channel_platformChatId_platformMessageId: key }, select: { id: true, status: true } });
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
    onFailure: async (f) => recordFailedUpdate(prisma, enqueue, { platform, channelAccountId, ...f }),
  };
}
