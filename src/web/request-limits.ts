// Request limits shared by every web replica: counters live in Redis (@fastify/rate-limit's
// Redis store), keyed by what is limited (a client address, its network, a chat session, or one
// global key), so adding a replica does not multiply what an attacker may send.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';

export interface LimitStore {
  redis: Redis;
  /** REDIS_PREFIX: keys are `<prefix>:limit:…`. */
  prefix: string;
}

export interface Limit {
  /** Part of the Redis key; two routes with the same name share one counter. */
  name: string;
  max: number;
  windowMs: number;
  /** Who is counted (a client address, a session id, 'all'). */
  key: (req: FastifyRequest) => string;
  /** The Vietnamese refusal; "{wait}" becomes "N giây" / "N phút". */
  message: string;
}

/** Registers the limiter in this plugin's scope: Redis, or (a test without it) this process's memory. */
export async function registerLimitStore(app: FastifyInstance, store: LimitStore | undefined): Promise<void> {
  await app.register(rateLimit, { global: false, skipOnError: false, ...(store ? { redis: store.redis, nameSpace: `${store.prefix}:limit:` } : {}) });
}

const waitText = (s: number) => (s < 120 ? `${s} giây` : `${Math.ceil(s / 60)} phút`);

/** A preHandler counting one request against every limit; the first exceeded one refuses it. */
export function enforceLimits(app: FastifyInstance, limits: Limit[]) {
  const checks = limits.map((l) => ({ l, check: app.createRateLimit({ max: l.max, timeWindow: l.windowMs, keyGenerator: (req: FastifyRequest) => `${l.name}:${l.key(req)}` }) }));
  return async (req: FastifyRequest, reply: import('fastify').FastifyReply): Promise<void> => {
    for (const { l, check } of checks) {
      const r = await check(req);
      if (!r.isAllowed && r.isExceeded) {
        const wait = Math.max(1, r.ttlInSeconds);
        reply.header('retry-after', String(wait));
        throw new AppError('RATE_LIMITED', l.message.replace('{wait}', waitText(wait)), { limit: l.name, retryAfterSeconds: wait });
      }
    }
  };
}
