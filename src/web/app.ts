// The HTTP application, built in a function so tests drive it with inject() and every process
// role (web, start) gets the same app. Its dependencies come in; it opens and closes nothing of
// theirs (closing the app leaves the database and Redis to whoever opened them).
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import type { Database } from '../db/database.ts';
import type { HealthRegistry } from '../health/health-registry.ts';
import type { Logger } from '../logger.ts';
import { AccessLogController } from './access-log.ts';
import { installErrorHandler } from './error-handler.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { healthPlugin } from './plugins/health.ts';
import { homePlugin } from './plugins/home.ts';
import { publicPagePlugin, type PublicPageOptions } from './plugins/public-page.ts';
import { surveyFormPlugin, type SurveyFormOptions } from './plugins/survey-form.ts';
import { metricsPlugin, type QueueDepths } from './plugins/metrics.ts';
import { installRequestId, requestIdFor } from './request-id.ts';
import { webChatPlugin, type WebChatPluginOptions } from './plugins/webchat.ts';
import { telegramWebhookPlugin, type TelegramWebhookOptions } from './plugins/telegram-webhook.ts';
import { zaloBotWebhookPlugin, type ZaloBotWebhookOptions } from './plugins/zalo-bot-webhook.ts';
import { botWebhooksPlugin, type BotWebhooksOptions } from './plugins/bot-webhooks.ts';
import { zaloOaWebhookPlugin, type ZaloOaWebhookOptions } from './plugins/zalo-oa-webhook.ts';
import { mediaPlugin, type MediaPluginOptions } from './plugins/media.ts';
import { radioCallbackPlugin, type RadioCallbackOptions } from './plugins/radio-callback.ts';
import { bulletinApiPlugin, type BulletinApiOptions } from './plugins/bulletin-api.ts';
import { adminPlugin, type AdminPluginOptions } from './admin/admin-plugin.ts';

export type { QueueDepths };

export interface WebDeps {
  log: Logger;
  db: Database;
  health: HealthRegistry;
  queueDepths: QueueDepths;
  /** Behind nginx or a load balancer (TRUST_PROXY): the proxies whose X-Forwarded-For is believed. */
  trustProxy?: string[] | boolean;
  /** The resident web chat (/chat); absent in tests that do not need it. */
  webchat?: WebChatPluginOptions;
  telegramWebhook?: TelegramWebhookOptions;
  zaloBotWebhook?: ZaloBotWebhookOptions;
  /** The communes' bots from the database, one webhook path each. */
  botWebhooks?: BotWebhooksOptions;
  zaloOaWebhook?: ZaloOaWebhookOptions;
  /** Signed links to rendered audio (loudspeakers, Zalo voice). */
  media?: MediaPluginOptions;
  /** Loudspeaker reports. */
  radio?: RadioCallbackOptions;
  /** The bulletin API (/api/v1). */
  api?: BulletinApiOptions;
  /** The public page's audio folder and lookup limits (/cong-khai); figures and answers need neither. */
  publicPage?: Omit<PublicPageOptions, 'prisma'>;
  /** The web admin (/admin). */
  admin?: AdminPluginOptions;
  /** The survey web form behind its signed link (/khao-sat/…). */
  surveys?: SurveyFormOptions;
  /** PUBLIC_BASE_URL is https: send HSTS. */
  hsts?: boolean;
  /** Sees every route as it is registered (the role × route matrix test lists them this way). */
  onRoute?: (route: RouteOptions) => void;
}

export async function buildApp(deps: WebDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Typed as Fastify's base logger so the app stays a plain FastifyInstance for plugins.
    loggerInstance: deps.log as FastifyBaseLogger,
    // Request ids come from requestIdFor (validated); Fastify binds them as `reqId` in log lines.
    requestIdHeader: false,
    genReqId: requestIdFor,
    logController: new AccessLogController(),
    trustProxy: Array.isArray(deps.trustProxy) ? (deps.trustProxy.length ? deps.trustProxy : false) : (deps.trustProxy ?? false),
    // Without a proxy in front, a client that never finishes its request must not hold a socket
    // forever; generous for recordings uploaded over rural mobile networks.
    requestTimeout: 120_000,
  });

  // Cross-cutting concerns sit on the root instance so they cover every feature and the 404s.
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  installRequestId(app);
  installErrorHandler(app);
  installSecurityHeaders(app, { hsts: deps.hsts ?? false });

  // Features: one plugin each, in its own scope (its hooks and decorators stay inside it).
  // A new feature (admin, chat, API) is one more line here, with the deps it needs.
  await app.register(homePlugin, { prisma: deps.db.prisma });
  await app.register(publicPagePlugin, { prisma: deps.db.prisma, ...deps.publicPage });
  await app.register(healthPlugin, { health: deps.health });
  await app.register(metricsPlugin, { db: deps.db, health: deps.health, queueDepths: deps.queueDepths });
  if (deps.webchat) await app.register(webChatPlugin, deps.webchat);
  if (deps.telegramWebhook) await app.register(telegramWebhookPlugin, deps.telegramWebhook);
  if (deps.zaloBotWebhook) await app.register(zaloBotWebhookPlugin, deps.zaloBotWebhook);
  if (deps.botWebhooks) await app.register(botWebhooksPlugin, deps.botWebhooks);
  if (deps.zaloOaWebhook) await app.register(zaloOaWebhookPlugin, deps.zaloOaWebhook);
  if (deps.media) await app.register(mediaPlugin, deps.media);
  if (deps.radio) await app.register(radioCallbackPlugin, deps.radio);
  if (deps.api) await app.register(bulletinApiPlugin, deps.api);
  if (deps.admin) await app.register(adminPlugin, deps.admin);
  if (deps.surveys) await app.register(surveyFormPlugin, deps.surveys);

  return app;
}
