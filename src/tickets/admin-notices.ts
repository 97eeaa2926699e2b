// A notice about a ticket for the cadres, in every admin chat of the commune (Telegram, Zalo),
// posted as a reply under the ticket's own post there, so it stays with the ticket's thread.
import type { Prisma } from '../db/generated/client.ts';
import { adminChatsOf, type AdminChat } from './channel-accounts.ts';
import { effect, sendDirectJob, type Effect } from './ticket-jobs.ts';

export interface TicketPostRef {
  platform: string;
  platformChatId: string;
  platformMessageId: string;
}

export async function noticesUnderPosts(
  tx: Prisma.TransactionClient,
  communeId: string,
  posts: TicketPostRef[],
  text: string,
  jobKey: (chatId: string) => string,
): Promise<{ chats: AdminChat[]; effects: Effect[] }> {
  const chats = await adminChatsOf(tx, communeId);
  const effects = chats.map((chat) => {
    const post = posts.find((p) => p.platform === chat.platform && p.platformChatId === chat.chatId);
    return effect(sendDirectJob, { platform: chat.platform, accountId: chat.accountName, chatId: chat.chatId, text, ...(post ? { replyTo: post.platformMessageId } : {}) }, jobKey(chat.chatId));
  });
  return { chats, effects };
}
