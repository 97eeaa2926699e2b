// The web role: HTTP server for health, metrics, the resident web chat, the Telegram webhook
// (when PUBLIC_BASE_URL is set), and (as issues land) the admin and the API. Listens on
// HOST:PORT; stopping closes the server first (in-flight requests finish).
import { botTokenChecker } from './bot-token-checker.ts';
import { storeMedia } from '../media/media-store.ts';
import { defaultTicketPolicy } from '../tickets/ticket-deps.ts';
import type { Runtime } from './runtime.ts';
import type { RunningRole } from './run-roles.ts';
import { buildApp } from '../web/app.ts';
import { createStandardHealthRegistry } from '../health/standard-checks.ts';
import { createRedisConnection } from '../redis/connection.ts';
import { OperatorError } from './operator-error.ts';
import { processChannels, telegramWebhookPath, zaloBotWebhookPath } from './channels.ts';
import { bulletinRenderer, demoLoudspeakerKey, installationKey, mediaSigner, publicBaseUrl } from './broadcast-runtime.ts';
import { createSurveyLinkSigner } from '../surveys/survey-link.ts';
import { simulatorSecret } from '../../broadcasts/radio/endpoint-secret.ts';
import { RadioSimulator } from '../../broadcasts/radio/radio-simulator.ts';
import { redisNonceStore } from '../../broadcasts/radio/signing.ts';
import { loginWithQr } from '../../bots/zalo/zca-login.ts';
import { webChatRooms } from '../web/webchat/webchat-rooms.ts';

export async function startWebRole(rt: Runtime): Promise<RunningRole> {
  const { settings, log } = rt;
  // Its own connection, so a health probe never queues behind a worker's blocking command.
  const redis = createRedisConnection(rt.redisUrl, 'web');
  const health = createStandardHealthRegistry({
    db: rt.db,
    redis,
    telegram: { token: settings.TELEGRAM_BOT_TOKEN, apiRoot: settings.TELEGRAM_API_ROOT },
    zaloBot: { token: settings.ZALO_BOT_TOKEN, apiRoot: settings.ZALO_BOT_API_ROOT },
    log,
  });
  const channels = await processChannels(rt);
  await channels.webchat.start(await channels.handlersFor('webchat', channels.webchat.accountId));
  const telegram = channels.telegram && settings.PUBLIC_BASE_URL && settings.TELEGRAM_BOT_TOKEN ? channels.telegram : undefined;
  if (telegram) await telegram.start(await channels.handlersFor('telegram', telegram.accountId));
  // The Zalo Bot's webhook (registered with Zalo by this start) is served here, like Telegram's.
  const zaloBot = channels.zaloBot && settings.PUBLIC_BASE_URL && settings.ZALO_BOT_TOKEN ? channels.zaloBot : undefined;
  if (zaloBot) await zaloBot.start(await channels.handlersFor('zalo_bot', zaloBot.accountId));
  // Official Accounts only ever receive by webhook, here.
  // The communes' bots from the database: their webhooks are registered and served here too.
  if (settings.PUBLIC_BASE_URL) await channels.fleet.receive('webhook');
  const zaloOa = new Map(channels.zaloOa.map((c) => [c.accountId, c]));
  for (const c of zaloOa.values()) await c.start(await channels.handlersFor('zalo_oa', c.accountId));

  const signer = await mediaSigner(settings);
  const render = bulletinRenderer(settings, rt.db.prisma);
  const audio = render.pipeline ? { pipeline: render.pipeline, render, signer, dataDir: settings.DATA_DIR, maxUploadBytes: settings.MAX_AUDIO_UPLOAD_MB * 1024 * 1024 } : undefined;
  // Sign-in and web-chat limits count in Redis, so every replica shares them.
  const limits = { redis, prefix: settings.REDIS_PREFIX };
  const app = await buildApp({
    log,
    db: rt.db,
    health,
    queueDepths: () => rt.queues.depths(),
    trustProxy: settings.TRUST_PROXY,
    hsts: settings.PUBLIC_BASE_URL?.startsWith('https://') ?? false,
    webchat: {
      channel: channels.webchat,
      subscriber: createRedisConnection(rt.redisUrl, 'webchat-sub', { log }),
      // The commune the installation's own web chat serves (its home commune).
      communeName: async () => (await rt.db.prisma.channelAccount.findUnique({ where: { platform_name: { platform: 'webchat', name: channels.webchat.accountId } }, select: { commune: { select: { name: true } } } }))?.commune?.name ?? 'Ủy ban nhân dân xã',
      communes: webChatRooms({ prisma: rt.db.prisma, directory: channels.directory, handlersFor: channels.handlersFor }),
      publicBaseUrl: settings.PUBLIC_BASE_URL,
      frameAncestors: settings.CHAT_FRAME_ANCESTORS,
      limits,
      photos: { maxBytes: defaultTicketPolicy.maxPhotoBytes, store: (buffer, mime) => storeMedia(rt.db.prisma, settings.DATA_DIR, buffer, mime) },
    },
    ...(telegram ? { telegramWebhook: { path: telegramWebhookPath(settings.TELEGRAM_BOT_TOKEN!), channel: telegram } } : {}),
    ...(zaloBot ? { zaloBotWebhook: { path: zaloBotWebhookPath(settings.ZALO_BOT_TOKEN!), channel: zaloBot } } : {}),
    ...(zaloOa.size ? { zaloOaWebhook: { channels: zaloOa } } : {}),
    ...(settings.PUBLIC_BASE_URL ? { botWebhooks: { byId: (id: string) => channels.fleet.byId(id) } } : {}),
    media: { dataDir: settings.DATA_DIR, prisma: rt.db.prisma, signer },
    publicPage: { dataDir: settings.DATA_DIR, limits },
    radio: { prisma: rt.db.prisma, encryptionKey: settings.ENCRYPTION_KEY, demoKey: await demoLoudspeakerKey(settings), signer, publicBaseUrl: publicBaseUrl(settings), nonces: redisNonceStore(redis, settings.REDIS_PREFIX) },
    surveys: { prisma: rt.db.prisma, signer: createSurveyLinkSigner(await installationKey(settings)) },
    admin: {
      prisma: rt.db.prisma,
      secureCookies: settings.PUBLIC_BASE_URL?.startsWith('https://') ?? false,
      enqueue: rt.queues.enqueue.bind(rt.queues),
      cancelJob: rt.queues.cancel.bind(rt.queues),
      encryptionKey: settings.ENCRYPTION_KEY,
      maxAudioUploadBytes: settings.MAX_AUDIO_UPLOAD_MB * 1024 * 1024,
      limits,
      sessionIdleMinutes: settings.SESSION_IDLE_MINUTES,
      channelSetup: { checkToken: botTokenChecker(settings), zaloOa: { oauthRoot: settings.ZALO_OA_OAUTH_ROOT, publicBaseUrl: settings.PUBLIC_BASE_URL } },
    },
    api: { prisma: rt.db.prisma, enqueue: rt.queues.enqueue.bind(rt.queues), secureCookies: settings.PUBLIC_BASE_URL?.startsWith('https://') ?? false, encryptionKey: settings.ENCRYPTION_KEY, channels: channels.directory, zaloQrLogin: (events) => loginWithQr(events), zaloOa: { oauthRoot: settings.ZALO_OA_OAUTH_ROOT, publicBaseUrl: settings.PUBLIC_BASE_URL }, limits, sessionIdleMinutes: settings.SESSION_IDLE_MINUTES, ...(audio ? { audio } : {}) },
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
  const simulator = await startDemoLoudspeakers(rt);
  return {
    stop: async () => {
      await simulator?.close();
      await app.close();
      await channels.webchat.stop();
      if (telegram) await telegram.stop();
      if (zaloBot) await zaloBot.stop();
      if (settings.PUBLIC_BASE_URL) await channels.fleet.stopReceiving();
      for (const c of zaloOa.values()) await c.stop();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * The demo commune's loudspeakers (protocol "simulator") are played by an in-process simulator,
 * so `npm start` shows a bulletin reaching loudspeakers without any hardware.
 */
async function startDemoLoudspeakers(rt: Runtime): Promise<RadioSimulator | undefined> {
  const endpoints = await rt.db.prisma.endpoint.findMany({ where: { protocol: 'simulator' } });
  if (endpoints.length === 0) return undefined;
  const port = rt.settings.PORT;
  const demoKey = await demoLoudspeakerKey(rt.settings);
  const sim = new RadioSimulator(endpoints.map((e) => ({ id: e.id, secret: simulatorSecret(demoKey, e.id), callbackUrl: `http://127.0.0.1:${port}/radio/callback/${e.id}` })));
  await sim.start();
  for (const e of endpoints) await rt.db.prisma.endpoint.update({ where: { id: e.id }, data: { baseUrl: sim.urlOf(e.id) } });
  rt.log.info({ endpoints: endpoints.length }, 'đã bật loa mô phỏng cho các cụm loa mẫu');
  return sim;
}
