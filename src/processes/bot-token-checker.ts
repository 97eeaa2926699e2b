// getMe for `addChannelAccount`, over the installation's API roots (settings), with the
// platforms' errors turned into "the platform refused the token" or "could not ask".
import { ChannelError } from '../../bots/channel.ts';
import { checkTelegramToken } from '../../bots/telegram/check-telegram-token.ts';
import { checkZaloBotToken } from '../../bots/zalo-bot/check-zalo-bot-token.ts';
import { TokenCheckFailed, type BotAccountDeps } from '../channels/bot-accounts.ts';
import type { Settings } from '../config/settings.ts';

export function botTokenChecker(settings: Pick<Settings, 'TELEGRAM_API_ROOT' | 'ZALO_BOT_API_ROOT'>): BotAccountDeps['checkToken'] {
  return async (platform, token) => {
    try {
      return platform === 'telegram' ? await checkTelegramToken(token, settings.TELEGRAM_API_ROOT) : await checkZaloBotToken(token, settings.ZALO_BOT_API_ROOT);
    } catch (e) {
      const refused = e instanceof ChannelError && (e.opts.platformCode === 401 || e.opts.platformCode === 404);
      throw new TokenCheckFailed(refused, (e as Error).message);
    }
  };
}
