// A delivery to one subscriber's private chat (audience kind subscribers, resolved in
// start-run.ts): which channel sends it, and the check made before every part is sent — the
// resident may have stopped (/huy, "dừng") or been erased since the run started; their
// subscription row is then gone (Delivery.subscriptionId set null) and nothing more is sent.
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { Channel } from '../../bots/channel.ts';
import { SUBSCRIBER_TARGET_KIND, type BulletinTarget } from '../../bots/bulletin-delivery.ts';
import type { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { PermanentJobError } from '../../src/queues/job-errors.ts';


/** Thrown before a part is sent when the subscription is gone: the delivery is cancelled. */
export class SubscriptionStopped extends Error {
  constructor() {
    super('người nhận đã dừng đăng ký');
  }
}

interface SubscriberIdentity {
  platform: string;
  platformChatId: string | null;
  channelAccountId: string | null;
  channelAccount: { name: string } | null;
}

export function subscriberChat(channels: ChannelDirectory, deliveryId: string, identity: SubscriberIdentity): { ch: Channel; chatId: string; target: BulletinTarget } {
  const account = identity.channelAccount?.name ?? identity.platform;
  const ch = channels.get(identity.platform as Channel['platform'], account);
  if (!ch) throw new PermanentJobError(`kênh ${identity.platform} (${account}) chưa được cấu hình`);
  if (!identity.platformChatId) throw new PermanentJobError('người đăng ký không còn cuộc trò chuyện với bot');
  return { ch, chatId: identity.platformChatId, target: { deliveryId, kind: SUBSCRIBER_TARGET_KIND, chatId: identity.platformChatId, villageId: null, channelAccountId: identity.channelAccountId } };
}

/** Read at send time, never from the row loaded when the job began. */
export async function stillSubscribed(prisma: PrismaClient, deliveryId: string): Promise<boolean> {
  const d = await prisma.delivery.findUnique({ where: { id: deliveryId }, select: { subscriptionId: true } });
  return Boolean(d?.subscriptionId);
}

/** The platform refused the chat for good (bot blocked): the resident is unreachable there until they write again. */
export async function markSubscriberUnreachable(prisma: PrismaClient, residentIdentityId: string, now: Date): Promise<void> {
  await prisma.residentIdentity.updateMany({ where: { id: residentIdentityId, unreachableAt: null }, data: { unreachableAt: now } });
}
