// Which platform a bulletin target lives on: the one place that knows. A new target kind is added
// to the Prisma enum and here (the Record makes the compiler ask); its adapter's sendBulletin
// does the rest (bots/bulletin-delivery.ts).
import type { TargetKind } from '../../src/db/generated/enums.ts';
import type { Channel, Platform } from '../../bots/channel.ts';
import type { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { PermanentJobError } from '../../src/queues/job-errors.ts';
import { channelName } from '../../src/channels/platform-names.ts';

export const TARGET_PLATFORM: Record<TargetKind, Platform> = {
  telegram_chat: 'telegram',
  zalo_group: 'zalo',
  zalo_oa_followers: 'zalo_oa',
  zalo_oa_group: 'zalo_oa',
};

/** The channel that sends to this target: its own account, or the platform's default one. */
export function channelForTarget(channels: ChannelDirectory, target: { kind: TargetKind; channelAccount: { name: string } | null }): Channel {
  const platform = TARGET_PLATFORM[target.kind];
  const account = target.channelAccount?.name ?? platform;
  const ch = channels.get(platform, account);
  if (!ch) throw new PermanentJobError(`kênh ${channelName(platform)} (${account}) chưa được cấu hình`);
  return ch;
}
