// Ready-made health checks. Details are short Vietnamese phrases meant for a public endpoint:
// they name what is wrong, never where it is (no host, URL, user name or token).
import type { Database } from '../db/database.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { communeBotsHealth, telegramHealth, zaloBotHealth, zaloHealth, zaloOaHealth, type ChannelHealth } from '../channels/channel-health.ts';
import type { HealthCheck, HealthOutcome } from './health-registry.ts';

/** The part of an ioredis client a health check needs (so tests and other clients fit). */
export interface RedisPinger {
  /** ioredis connection state: wait, connecting, connect, ready, reconnecting, close, end. */
  readonly status: string;
  ping(): Promise<string>;
}

// Driver error codes are safe to show and tell the operator where to look.
function reason(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' && /^[A-Z0-9_]{2,32}$/.test(err.code) ? err.code : undefined;
  const message = typeof err?.message === 'string' ? err.message : '';
  if (code === 'ECONNREFUSED') return 'từ chối kết nối (ECONNREFUSED)';
  if (code === 'ETIMEDOUT' || /timeout/i.test(message)) return 'không phản hồi';
  if (/after calling end|closed|terminated/i.test(message)) return 'kết nối đã đóng';
  return code ? `không truy vấn được (${code})` : 'không truy vấn được';
}

export function databaseCheck(db: Pick<Database, 'kind' | 'ping'>): HealthCheck {
  const kind = db.kind;
  return async () => {
    try {
      await db.ping();
      return { status: 'ok', kind, detail: kind === 'pglite' ? 'PGlite (nhúng)' : 'PostgreSQL' };
    } catch (e) {
      return { status: 'down', kind, detail: reason(e) };
    }
  };
}

export function redisCheck(redis: RedisPinger): HealthCheck {
  return async () => {
    // ioredis queues commands while it reconnects, so a ping would only wait for the timeout.
    if (redis.status === 'end' || redis.status === 'close') return { status: 'down', detail: 'kết nối đã đóng' };
    if (redis.status === 'reconnecting') return { status: 'down', detail: 'đang kết nối lại' };
    try {
      const pong = await redis.ping();
      return pong === 'PONG' ? { status: 'ok' } : { status: 'degraded', detail: 'trả lời lạ' };
    } catch (e) {
      return { status: 'down', detail: reason(e) };
    }
  };
}

function fromChannel(fn: () => Promise<ChannelHealth>): HealthCheck {
  return async (): Promise<HealthOutcome> => {
    const h = await fn();
    return { status: h.status, detail: h.detail };
  };
}

/**
 * Telegram getMe (through TELEGRAM_API_ROOT). Its own timeout stays under the registry's default
 * so a slow Telegram reads "không phản hồi" from channel-health rather than a generic timeout.
 */
export function telegramCheck(token: string | undefined, apiRoot: string, timeoutMs = 1500): HealthCheck {
  return fromChannel(() => telegramHealth(token, apiRoot, timeoutMs));
}

export function zaloCheck(prisma: PrismaClient): HealthCheck {
  return fromChannel(() => zaloHealth(prisma));
}

export function zaloBotCheck(token: string | undefined, apiRoot: string, timeoutMs = 1500): HealthCheck {
  return fromChannel(() => zaloBotHealth(token, apiRoot, timeoutMs));
}

export function communeBotsCheck(prisma: PrismaClient): HealthCheck {
  return fromChannel(() => communeBotsHealth(prisma));
}

export function zaloOaCheck(prisma: PrismaClient): HealthCheck {
  return fromChannel(() => zaloOaHealth(prisma));
}
