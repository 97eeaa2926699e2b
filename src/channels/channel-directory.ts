// The channels this process can send through, by platform and account name. Built once per
// process: the bots role also starts them for receiving; workers only send. The communes' bots
// come and go while the process runs (bot-fleet.ts keeps them in step with the database).
import type { Channel, Platform } from '../../bots/channel.ts';

export class ChannelDirectory {
  private readonly channels = new Map<string, Channel>();
  /** Looks at the database again when a channel is asked for that this process does not know yet. */
  private refresh: (() => Promise<void>) | undefined;
  /** Platforms whose accounts cost nothing to build (the communes' web chats): made when first asked for. */
  private readonly makers = new Map<Platform, (accountName: string) => Channel>();

  register(channel: Channel): this {
    this.channels.set(`${channel.platform}:${channel.accountId}`, channel);
    return this;
  }

  unregister(platform: Platform, accountName: string): void {
    this.channels.delete(`${platform}:${accountName}`);
  }

  get(platform: Platform, accountName: string): Channel | undefined {
    const known = this.channels.get(`${platform}:${accountName}`);
    if (known) return known;
    const make = this.makers.get(platform);
    if (!make) return undefined;
    const made = make(accountName);
    this.register(made);
    return made;
  }

  /** Every account of the platform is built on first use by `make` (one per account name). */
  makeWith(platform: Platform, make: (accountName: string) => Channel): this {
    this.makers.set(platform, make);
    return this;
  }

  /** Like get, but a bot added a moment ago (not yet seen by this process) is looked up first. */
  async find(platform: Platform, accountName: string): Promise<Channel | undefined> {
    const known = this.get(platform, accountName);
    if (known || !this.refresh) return known;
    await this.refresh();
    return this.get(platform, accountName);
  }

  refreshWith(fn: () => Promise<void>): void {
    this.refresh = fn;
  }

  list(): Channel[] {
    return [...this.channels.values()];
  }
}
