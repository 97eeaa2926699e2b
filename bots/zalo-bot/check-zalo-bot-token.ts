// Asks the Zalo Bot Platform who a token belongs to (getMe) before it is saved.
import { createZaloBotClient } from './zalo-bot-client.ts';
import type { BotIdentity } from '../telegram/check-telegram-token.ts';

export async function checkZaloBotToken(token: string, apiRoot: string): Promise<BotIdentity> {
  // No retries: the admin is waiting at the form and sees the failure at once.
  const me = await createZaloBotClient({ token, apiRoot, retries: 0 }).call('getMe', {}, { timeoutMs: 10_000 });
  return { botId: String(me.id), username: me.account_name };
}
