// Keeps one bot under Telegram's limits: about 30 messages per second overall and 20 per minute
// in one group. Every process of an installation (web, bots, each worker) sends for the same bot,
// so the pace lives in Redis: one atomic script per send checks the bot's spacing and the group's
// window and records the send, with Redis's own clock. A 429's retry_after pauses the group (or the bot) for everyone.
// Waiting here is cheaper than a 429; a wait longer than maxWaitMs is handed back to the queue
// as a rate-limit error so a worker slot is not held for a minute.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { ChannelError } from '../channel.ts';

// Sends of a bot are spaced evenly rather than let through 30 at once and then held: our clock
// starts when a send is allowed, Telegram's when it arrives, and requests from several processes
// travel with different delays, so a burst allowed over one second here can land inside one
// second there. At 40 ms apart (25/s), arrivals may bunch by 200 ms and still stay under 30/s.
const SPACING_RATIO = 30 / 25;
// The window of the in-process pacer, for the same reason.
const SECOND = 1200;
// Groups: at most 20 in any minute (a sliding window), with half a second to spare.
const MINUTE = 60_000 + 500;
// Of a group's sends in a minute, these are left to new work: a backlog (a fresh demo's history,
// work restored after Redis lost it) never fills the minute a resident's new ticket needs.
export const BACKGROUND_RESERVE = 5;

export interface TelegramPacer {
  /** Resolves when one message to chatId may go now (and counts it); throws rate_limited for long waits. */
  wait(chatId: string, background?: boolean): Promise<void>;
  /** Telegram answered 429 for this chat: hold the chat (a group) or the bot for `ms`, for every process. */
  pause(chatId: string, ms: number): Promise<void>;
}

export interface PacerLimits {
  perSecond: number;
  perMinutePerGroup: number;
  maxWaitMs?: number;
}

/** Group chats have negative ids in Telegram. */
function isGroup(chatId: string): boolean {
  return chatId.startsWith('-');
}

function tooLong(ms: number, maxWaitMs: number): void {
  if (ms > maxWaitMs) throw new ChannelError('rate_limited', 'pacing: Telegram limit reached', { retryAfterMs: ms });
}

// KEYS: bot's next free time, group window, bot pause, group pause. ARGV: bot spacing (ms), per
// minute, is group, member id. Returns 0 when the send may go now (recorded), otherwise the
// milliseconds to wait. Times are Redis's own clock, the same for every process and host.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local group = ARGV[3] == '1'
local wait = 0
local p = tonumber(redis.call('GET', KEYS[3]) or '0')
if p > now then wait = p - now end
if group then
  local gp = tonumber(redis.call('GET', KEYS[4]) or '0')
  if gp - now > wait then wait = gp - now end
end
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextAt - now > wait then wait = nextAt - now end
if group then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ${MINUTE})
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    local w = tonumber(oldest[2]) + ${MINUTE} - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return math.max(1, wait) end
redis.call('SET', KEYS[1], now + tonumber(ARGV[1]), 'PX', 60000)
if group then
  redis.call('ZADD', KEYS[2], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ${MINUTE * 2})
end
return 0
`;

const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > cur then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000) end
return 1
`;

/** The pace of one bot shared through Redis by every process; `key` names the bot (not its token). */
export function createRedisTelegramPacer(redis: Redis, key: string, limits: PacerLimits): TelegramPacer {
  const maxWaitMs = limits.maxWaitMs ?? 5000;
  let seq = 0;
  const keysFor = (chatId: string) => [`${key}:next`, `${key}:g:${chatId}`, `${key}:pause`, `${key}:pause:${chatId}`];
  const spacingMs = Math.ceil((1000 / limits.perSecond) * SPACING_RATIO);
  return {
    async wait(chatId, background = false) {
      const perMinute = background ? Math.max(1, limits.perMinutePerGroup - BACKGROUND_RESERVE) : limits.perMinutePerGroup;
      for (;;) {
        const ms = Number(await redis.eval(ACQUIRE, 4, ...keysFor(chatId), spacingMs, perMinute, isGroup(chatId) ? '1' : '0', `${process.pid}-${Date.now()}-${seq++}`));
        if (ms <= 0) return;
        tooLong(ms, maxWaitMs);
        await sleep(ms);
      }
    },
    async pause(chatId, ms) {
      const [, , botPause, groupPause] = keysFor(chatId);
      // A group's 429 is that group's minute; anything else is the bot's own flood limit. A group's
      // 429 also holds the bot for a second, in case the bot-wide limit was the cause.
      if (isGroup(chatId)) {
        await redis.eval(PAUSE, 1, groupPause!, Math.max(1, Math.round(ms)));
        await redis.eval(PAUSE, 1, botPause!, Math.min(1000, Math.max(1, Math.round(ms))));
      } else {
        await redis.eval(PAUSE, 1, botPause!, Math.max(1, Math.round(ms)));
      }
    },
  };
}

/** The same pace kept in this process only: tests and tools that talk to a bot without Redis. */
export class SendPacer implements TelegramPacer {
  private readonly global: number[] = [];
  private readonly perChat = new Map<string, number[]>();
  private readonly paused = new Map<string, number>();

  constructor(
    private readonly perSecond: number,
    private readonly perMinutePerGroup: number,
    private readonly maxWaitMs = 5000,
  ) {}

  async wait(chatId: string, background = false): Promise<void> {
    const perMinute = background ? Math.max(1, this.perMinutePerGroup - BACKGROUND_RESERVE) : this.perMinutePerGroup;
    for (;;) {
      const now = Date.now();
      prune(this.global, now - SECOND);
      let until = Math.max(now, this.paused.get('') ?? 0, isGroup(chatId) ? (this.paused.get(chatId) ?? 0) : 0);
      if (this.global.length >= this.perSecond) until = Math.max(until, this.global[0]! + SECOND);
      let list: number[] | undefined;
      if (isGroup(chatId)) {
        list = this.perChat.get(chatId) ?? [];
        prune(list, now - MINUTE);
        if (list.length >= perMinute) until = Math.max(until, list[0]! + MINUTE);
      }
      if (until <= now) {
        this.global.push(now);
        if (list) {
          list.push(now);
          this.perChat.set(chatId, list);
        }
        return;
      }
      tooLong(until - now, this.maxWaitMs);
      await sleep(until - now);
    }
  }

  async pause(chatId: string, ms: number): Promise<void> {
    const now = Date.now();
    if (isGroup(chatId)) {
      this.paused.set(chatId, Math.max(this.paused.get(chatId) ?? 0, now + ms));
      this.paused.set('', Math.max(this.paused.get('') ?? 0, now + Math.min(ms, 1000)));
    } else {
      this.paused.set('', Math.max(this.paused.get('') ?? 0, now + ms));
    }
  }
}

function prune(list: number[], before: number): void {
  while (list.length && list[0]! <= before) list.shift();
}
