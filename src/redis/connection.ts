// Redis connections for every part of Loa Xã, from one URL setting: redis://, rediss:// or
// unix:///path.sock (the private redis-server listens on a socket in DATA_DIR).
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.ts';

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(địa chỉ Redis không đọc được)';
  }
}

/**
 * ioredis options for a URL. Workers (BullMQ blocking commands) need maxRetriesPerRequest null;
 * everything else fails a command after a few retries instead of hanging while Redis is away.
 */
export function redisConnectionOptions(url: string, role: string, forWorker = false): RedisOptions {
  const u = new URL(url);
  const base: RedisOptions = {
    connectionName: `loaxa:${role}`,
    maxRetriesPerRequest: forWorker ? null : 3,
    enableReadyCheck: true,
    // Reconnect for ever with a capped delay: Redis restarting must not take the process down.
    retryStrategy: (times) => Math.min(times * 200, 5000),
  };
  const db = Number(u.searchParams.get('db') ?? (u.protocol === 'unix:' ? 0 : u.pathname.slice(1) || 0));
  if (Number.isInteger(db) && db > 0) base.db = db;
  if (u.password) base.password = decodeURIComponent(u.password);
  if (u.username) base.username = decodeURIComponent(u.username);
  if (u.protocol === 'unix:') return { ...base, path: decodeURIComponent(u.pathname) };
  return {
    ...base,
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
  };
}

/** A connection that logs an outage once (not on every retry) and its recovery. */
export function createRedisConnection(url: string, role: string, opts: { forWorker?: boolean; log?: Logger; lazy?: boolean } = {}): Redis {
  const redis = new Redis({ ...redisConnectionOptions(url, role, opts.forWorker ?? false), lazyConnect: opts.lazy ?? false });
  let down = false;
  redis.on('error', (e: Error) => {
    if (down) return;
    down = true;
    opts.log?.warn({ role, err: e.message }, 'mất kết nối Redis, đang thử lại');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    opts.log?.info({ role }, 'đã kết nối lại Redis');
  });
  return redis;
}

/**
 * Resolves once the connection has passed ioredis's ready check. A SUBSCRIBE sent earlier, while
 * the handshake is still running, puts the connection in subscriber mode before ioredis's own INFO;
 * that check then fails and the reconnect comes back without the subscription (ioredis 5.8.2+,
 * redis/ioredis#2037), so a subscriber must wait for this first.
 */
export async function untilReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') {
    await redis.connect();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`Redis not ready after ${timeoutMs} ms (status ${redis.status})`)), timeoutMs);
    const onReady = () => done();
    const onEnd = () => done(new Error('Redis connection ended before it was ready'));
    function done(err?: Error) {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    }
    redis.on('ready', onReady);
    redis.on('end', onEnd);
  });
}

/** Connects once, PINGs, disconnects; one clear line when Redis does not answer in time. */
export async function assertRedisReachable(url: string, timeoutMs: number): Promise<void> {
  const fail = (reason: string) =>
    new RedisUnavailableError(
      `Không kết nối được Redis tại ${redactRedisUrl(url)}: ${reason}. Kiểm tra REDIS_URL hoặc bỏ trống để Loa Xã tự chạy redis-server riêng.`,
    );
  let options: RedisOptions;
  try {
    options = redisConnectionOptions(url, 'check');
  } catch {
    throw fail('địa chỉ không hợp lệ');
  }
  const redis = new Redis({ ...options, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(fail(`không phản hồi sau ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([
      (async () => {
        await redis.connect();
        await redis.ping();
      })(),
      timeout,
    ]);
  } catch (e) {
    if (e instanceof RedisUnavailableError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw fail(err.code ?? err.message);
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}
