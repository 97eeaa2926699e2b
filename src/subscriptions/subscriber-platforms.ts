// Where a subscriber can receive bulletins one by one: a private chat the commune's bot may write
// into unasked. Telegram private chats, Zalo Bot users and Zalo OA followers; not a personal Zalo
// account (mass messages from one get it locked) nor the web chat (no way to reach a closed page).
import type { Platform } from '../../bots/channel.ts';

export const SUBSCRIBER_PLATFORMS: readonly Platform[] = ['telegram', 'zalo_bot', 'zalo_oa'];

export function canSubscribeOn(platform: string): boolean {
  return (SUBSCRIBER_PLATFORMS as readonly string[]).includes(platform);
}
