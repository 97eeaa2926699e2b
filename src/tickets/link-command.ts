// "/lienket 123456" typed by a cadre, in the admin chat or in a private chat with the bot: the
// code an admin made links this chat account to their staff account (src/staff/staff-link-codes.ts).
import type { Prisma } from '../db/generated/client.ts';
import type { InboundMessage } from '../../bots/channel.ts';
import { redeemLinkCode } from '../staff/staff-link-codes.ts';
import { effect, sendDirectJob } from './ticket-jobs.ts';
import type { Outcome } from './resident-conversation.ts';

export async function handleLinkCommand(tx: Prisma.TransactionClient, inboundId: string, m: InboundMessage, now: Date): Promise<Outcome> {
  const r = await redeemLinkCode(tx, { platform: m.platform, userId: m.userId, ...(m.userName ? { userName: m.userName } : {}), args: m.command?.args ?? '', now });
  const reply = effect(sendDirectJob, { platform: m.platform, accountId: m.accountId, chatId: m.chatId, text: r.text, replyTo: m.platformMessageId }, `direct-${inboundId}`);
  return { status: r.ok ? 'processed' : 'ignored', note: r.ok ? 'staff_linked' : 'link_refused', effects: [reply] };
}
