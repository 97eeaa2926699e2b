// Each commune's web chat (/chat/<slug>) by the commune's code: its web chat account (made on the
// first visit, webChatAccountOf), and its channel, receiving in this process from then on.
import type { WebChatChannel } from '../../../bots/webchat/webchat-channel.ts';
import type { ChannelHandlers, Platform } from '../../../bots/channel.ts';
import type { PrismaClient } from '../../db/generated/client.ts';
import type { ChannelDirectory } from '../../channels/channel-directory.ts';
import { webChatAccountOf } from '../../tickets/channel-accounts.ts';

export interface WebChatRoomDeps {
  prisma: PrismaClient;
  /** Builds the commune's web chat channel on first use (makeWith('webchat', …)). */
  directory: ChannelDirectory;
  handlersFor(platform: Platform, accountName: string): Promise<ChannelHandlers>;
}

export function webChatRooms(deps: WebChatRoomDeps) {
  return async (code: string): Promise<{ channel: WebChatChannel; communeName: string } | undefined> => {
    const commune = await deps.prisma.commune.findUnique({ where: { code }, select: { id: true, code: true, name: true } });
    if (!commune) return undefined;
    const account = await webChatAccountOf(deps.prisma, commune);
    const channel = deps.directory.get('webchat', account.name) as WebChatChannel | undefined;
    if (!channel) return undefined;
    if (!channel.handlers()) await channel.start(await deps.handlersFor('webchat', account.name));
    return { channel, communeName: commune.name };
  };
}
