// A platform as people name it, for every text staff or residents read (never the internal code).
import type { Platform } from '../../bots/channel.ts';

const platformName: Record<Platform, string> = { telegram: 'Telegram', zalo: 'Zalo', zalo_oa: 'Zalo OA', zalo_bot: 'Zalo', webchat: 'trang hỏi đáp của xã' };

export function channelName(platform: string): string {
  return platformName[platform as Platform] ?? 'kênh nhắn tin';
}
