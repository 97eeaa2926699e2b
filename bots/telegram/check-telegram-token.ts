// Asks Telegram who a token belongs to (getMe), once, before the token is saved: a typo or a
// revoked token is caught while the admin is still at the form, not when a resident writes.
import { Telegram } from 'telegraf';
import { mapTelegramError } from './map-error.ts';

export interface BotIdentity {
  botId: string;
  username: string;
}

export async function checkTelegramToken(token: string, apiRoot: string): Promise<BotIdentity> {
  try {
    const me = await new Telegram(token, { apiRoot }).getMe();
    return { botId: String(me.id), username: me.username };
  } catch (e) {
    throw mapTelegramError(e);
  }
}
