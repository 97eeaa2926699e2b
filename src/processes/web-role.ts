// The web role: HTTP server for health, metrics and (as issues land) the admin, the web chat and
// the API. Listens on HOST:PORT; stopping closes the server first (in-flight requests finish).
import type { Runtime } from './runtime.ts';
import type { RunningRole } from './run-roles.ts';
import { buildApp } from '../web/app.ts';
import { createStandardHealthRegistry } from '../health/standard-checks.ts';
import { createRedisConnection } from '../redis/connection.ts';
import { OperatorError } from './operator-error.ts';

export async function startWebRole(rt: Runtime): Promise<RunningRole> {
  const { settings, log } = rt;
  // Its own connection, so a health probe never queues behind a worker's blocking command.
  const redis = createRedisConnection(rt.redisUrl, 'web');
  const health = createStandardHealthRegistry({
    db: rt.db,
    redis,
    telegram: { token: settings.TELEGRAM_BOT_TOKEN, apiRoot: settings.TELEGRAM_API_ROOT },
    log,
  });
  const app = await buildApp({ log, db: rt.db, health, queueDepths: () => rt.queues.depths() });
  try {
    await app.listen({ host: settings.HOST, port: settings.PORT });
  } catch (e) {
    await app.close().catch(() => undefined);
    redis.disconnect();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new OperatorError(`Cổng ${settings.PORT} trên ${settings.HOST} đang bị chương trình khác dùng: đặt PORT khác hoặc tắt chương trình đó`);
    if (code === 'EACCES') throw new OperatorError(`Không được phép mở cổng ${settings.PORT}: dùng cổng trên 1024 hoặc chạy sau nginx`);
    throw e;
  }
  log.info({ url: `http://${settings.HOST}:${settings.PORT}/` }, 'máy chủ web đã mở');
  return {
    stop: async () => {
      await app.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
