// The web role: HTTP server for health, metrics, the resident web chat, the Telegram webhook
// (when PUBLIC_BASE_URL is set), and (as issues land) the admin and the API. Listens on
// HOST:PORT; stopping closes the server first (in-flight requests finish).
import type { Runtime } from './runtime.ts';
import type { RunningRole } from './run-roles.ts';
import { buildApp } from '../web/app.ts';
import { createStandardHealthRegistry } from '../health/standard-checks.ts';
import { createRedisConnection } from '../redis/connection.ts';
import { OperatorError } from './operator-error.ts';
import { processChannels, telegramWebhookPath } from './channels.ts';

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
  const channels = await processChannels(rt);
  await channels.webchat.start(await channels.handlersFor('webchat', channels.webchat.accountId));
  const telegram = channels.telegram && settings.PUBLIC_BASE_URL && settings.TELEGRAM_BOT_TOKEN ? channels.telegram : undefined;
  if (telegram) await telegram.start(await channels.handlersFor('telegram', telegram.accountId));

  const app = await buildApp({
    log,
    db: rt.db,
    health,
    queueDepths: () => rt.queues.depths(),
    webchat: {
      channel: channels.webchat,
      subscriber: createRedisConnection(rt.redisUrl, 'webchat-sub', { log }),
      communeName: async () => (await rt.db.prisma.commune.findFirst({ orderBy: { createdAt: 'asc' } }))?.name ?? 'Ủy ban nhân dân xã',
      publicBaseUrl: settings.PUBLIC_BASE_URL,
    },
    ...(telegram ? { telegramWebhook: { path: telegramWebhookPath(settings.TELEGRAM_BOT_TOKEN!), channel: telegram } } : {}),
  });
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
  log.info({ url: `http://${settings.HOST}:${settings.PORT}/`, chat: `/chat` }, 'máy chủ web đã mở');
  return {
    stop: async () => {
      await app.close();
      await channels.webchat.stop();
      if (telegram) await telegram.stop();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
