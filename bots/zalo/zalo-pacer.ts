// Zalo bans accounts that send too fast, and every process of an installation may send for the
// same account (web, workers). The pace is therefore kept in Redis, per account, for all of them:
// a minimum spacing with random jitter between two sends, and caps per rolling hour and day. A
// send that would pass a cap is refused as a quota ChannelError (another account of the commune
// may take over); one that only has to wait a little waits; a pause after Zalo's own "too fast"
// answer holds every process of that account.
import type { Redis } from 'ioredis';
import { ChannelError } from '../channel.ts';

export interface ZaloPacing {
  minSpacingMs: number;
  jitterMs: number;
  perHour: number;
  perDay: number;
}

/** Conservative on purpose: an unofficial client sending like a person, not like a bot. */
export const DEFAULT_ZALO_PACING: ZaloPacing = { minSpacingMs: 2500, jitterMs: 2500, perHour: 120, perDay: 600 };

// Returns {0,0} when the send may go now (and records it), {1,ms} to wait, {2,ms} when a cap is reached.
const ACQUIRE = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 86400000)
local pause = tonumber(redis.call('GET', KEYS[3]) or '0')
if pause > now then return {1, pause - now} end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[5]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {2, tonumber(oldest[2]) + 86400000 - now}
end
if redis.call('ZCOUNT', KEYS[1], now - 3600000, '+inf') >= tonumber(ARGV[4]) then
  local first = redis.call('ZRANGEBYSCORE', KEYS[1], now - 3600000, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return {2, tonumber(first[2]) + 3600000 - now}
end
local nextAt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nextAt > now then return {1, nextAt - now} end
redis.call('SET', KEYS[2], now + tonumber(ARGV[2]) + tonumber(ARGV[3]), 'PX', 86400000)
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('PEXPIRE', KEYS[1], 90000000)
return {0, 0}
`;

export interface ZaloPacer {
  /** Resolves when this account may send one message now; throws a rate ChannelError otherwise. */
  acquire(): Promise<void>;
  /** Holds every send of the account for `ms` (after Zalo said "too fast"). */
  pause(ms: number): Promise<void>;
  usage(): Promise<{ lastHour: number; lastDay: number }>;
}

export function createZaloPacer(redis: Redis, key: string, pacing: ZaloPacing, opts: { maxWaitMs?: number; random?: () => number } = {}): ZaloPacer {
  const keys = [`${key}:sends`, `${key}:next`, `${key}:pause`];
  const maxWait = opts.maxWaitMs ?? 60_000;
  const random = opts.random ?? Math.random;
  let seq = 0;
  return {
    async acquire() {
      for (;;) {
        const now = Date.now();
        const jitter = Math.floor(random() * pacing.jitterMs);
        const [code, ms] = (await redis.eval(ACQUIRE, 3, ...keys, now, pacing.minSpacingMs, jitter, pacing.perHour, pacing.perDay, `${now}-${process.pid}-${seq++}`)) as [number, number];
        if (code === 0) return;
        if (code === 2) throw new ChannelError('rate_limited', `Tài khoản Zalo đã gửi tới giới hạn (${pacing.perHour}/giờ, ${pacing.perDay}/ngày)`, { retryAfterMs: ms, quota: true });
        // A long wait is better spent by the queue than by a worker slot.
        if (ms > maxWait) throw new ChannelError('rate_limited', 'Tài khoản Zalo đang tạm dừng gửi', { retryAfterMs: ms });
        await new Promise((r) => setTimeout(r, ms));
      }
    },
    async pause(ms) {
      await redis.set(keys[2]!, String(Date.now() + ms), 'PX', ms);
    },
    async usage() {
      const now = Date.now();
      const [hour, day] = await Promise.all([redis.zcount(keys[0]!, now - 3600_000, '+inf'), redis.zcount(keys[0]!, now - 86_400_000, '+inf')]);
      return { lastHour: hour, lastDay: day };
    },
  };
}
