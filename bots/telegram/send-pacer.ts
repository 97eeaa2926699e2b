// Keeps one bot under Telegram's limits: about 30 messages per second overall and 20 per minute
// in one group. Waiting here is cheaper than a 429; a wait longer than maxWaitMs is handed back
// to the queue as a rate-limit error so a worker slot is not held for a minute.
import { setTimeout as sleep } from 'node:timers/promises';
import { ChannelError } from '../channel.ts';

// A slightly longer second than Telegram's: our clock starts before the request travels, theirs
// when it arrives, so requests sent exactly a second apart can land inside one of their windows.
const SECOND = 1040;

export class SendPacer {
  private readonly global: number[] = [];
  private readonly perChat = new Map<string, number[]>();

  constructor(
    private readonly perSecond: number,
    private readonly perMinutePerGroup: number,
    private readonly maxWaitMs = 5000,
  ) {}

  /** Group chats have negative ids in Telegram. */
  private isGroup(chatId: string): boolean {
    return chatId.startsWith('-');
  }

  async wait(chatId: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      prune(this.global, now - SECOND);
      let until = this.global.length >= this.perSecond ? this.global[0]! + SECOND : now;
      let list: number[] | undefined;
      if (this.isGroup(chatId)) {
        list = this.perChat.get(chatId) ?? [];
        prune(list, now - 60_000);
        if (list.length >= this.perMinutePerGroup) until = Math.max(until, list[0]! + 60_000);
      }
      if (until <= now) {
        this.global.push(now);
        if (list) {
          list.push(now);
          this.perChat.set(chatId, list);
        }
        return;
      }
      if (until - now > this.maxWaitMs) throw new ChannelError('rate_limited', 'pacing: group limit reached', { retryAfterMs: until - now });
      await sleep(until - now);
    }
  }
}

function prune(list: number[], before: number): void {
  while (list.length && list[0]! <= before) list.shift();
}
