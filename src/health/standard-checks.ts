// The checks every process role reports: the database and Redis are critical (nothing works
// without them), the messaging channels are not (a commune may not use Telegram at all, and a
// broken Zalo login must not take the web admin out of the load balancer).
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { communeBotsCheck, databaseCheck, redisCheck, telegramCheck, zaloBotCheck, zaloCheck, zaloOaCheck, type RedisPinger } from './checks.ts';
import { HealthRegistry } from './health-registry.ts';

export interface StandardChecksOptions {
  db: Database;
  redis: RedisPinger;
  telegram: { token: string | undefined; apiRoot: string };
  /** ZALO_BOT_TOKEN and ZALO_BOT_API_ROOT; absent: the Zalo Bot check reads "off". */
  zaloBot?: { token: string | undefined; apiRoot: string };
  log?: Logger;
}

// Channel checks ask remote servers or scan accounts; probes every few seconds need not repeat it.
const CHANNEL_CACHE_MS = 15_000;

export function createStandardHealthRegistry(opts: StandardChecksOptions): HealthRegistry {
  return new HealthRegistry({ log: opts.log })
    .register('database', databaseCheck(opts.db), { critical: true })
    .register('redis', redisCheck(opts.redis), { critical: true })
    .register('telegram', telegramCheck(opts.telegram.token, opts.telegram.apiRoot), { critical: false, cacheMs: CHANNEL_CACHE_MS })
    .register('zalo', zaloCheck(opts.db.prisma), { critical: false, cacheMs: CHANNEL_CACHE_MS })
    .register('zalo_bot', zaloBotCheck(opts.zaloBot?.token, opts.zaloBot?.apiRoot ?? 'https://bot-api.zaloplatforms.com'), { critical: false, cacheMs: CHANNEL_CACHE_MS })
    .register('zalo_oa', zaloOaCheck(opts.db.prisma), { critical: false, cacheMs: CHANNEL_CACHE_MS })
    .register('commune_bots', communeBotsCheck(opts.db.prisma), { critical: false, cacheMs: CHANNEL_CACHE_MS });
}
