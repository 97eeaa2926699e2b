// The channels this process can send through, by platform and account name. Built once per
// process: the bots role also starts them for receiving; workers only send.
import type { Channel, Platform } from '../../bots/channel.ts';

export class ChannelDirectory {
  private readonly channels = new Map<string, Channel>();

  register(channel: Channel): this {
    this.channels.set(`${channel.platform}:${channel.accountId}`, channel);
    return this;
  }

  get(platform: Platform, accountName: string): Channel | undefined {
    return this.channels.get(`${platform}:${accountName}`);
  }

  list(): Channel[] {
    return [...this.channels.values()];
  }
}
