// The channels of this process, built once from the settings: the web chat always, Telegram when
// a token is set (the one-commune shortcut), every commune's bots from the database (bot-fleet.ts,
// kept in step while the process runs), Zalo for each account logged in with `loaxa zalo login`. Every role can send
// through them; the bots role also receives (Telegram polling, Zalo listeners), the web role
// receives the web chat (and Telegram's webhook).
import { createHmac } from 'node:crypto';
import { ChannelDirectory } from '../channels/channel-directory.ts';
import { createWebChatChannel, type WebChatChannel } from '../../bots/webchat/webchat-channel.ts';
import { createTelegramChannel, EDITS_PER_SECOND, telegramLimits, type TelegramChannel } from '../../bots/telegram/telegram-channel.ts';
import { createRedisTelegramPacer } from '../../bots/telegram/send-pacer.ts';
import { createRedisConnection } from '../redis/connection.ts';
import { ensureChannelAccount } from '../tickets/channel-accounts.ts';
import { inboxHandlers } from '../tickets/inbox.ts';
import type { ChannelHandlers, Platform } from '../../bots/channel.ts';
import type { Runtime } from './runtime.ts';
import type { ChannelAccountStatus } from '../db/generated/enums.ts';
import { createZaloChannel, type ZaloChannel } from '../../bots/zalo/zalo-channel.ts';
import { createZaloPacer, DEFAULT_ZALO_PACING } from '../../bots/zalo/zalo-pacer.ts';
import { redisChoices } from '../../bots/zalo/numbered-choices.ts';
import { loginWithCredentials } from '../../bots/zalo/zca-login.ts';
import type { ZaloCredentials } from '../../bots/zalo/zalo-api.ts';
import { createZaloBotChannel, type ZaloBotChannel } from '../../bots/zalo-bot/zalo-bot-channel.ts';
import { residentTexts } from '../tickets/resident-texts.ts';
import { createZaloOaChannel, type ZaloOaChannel } from '../../bots/zalo-oa/zalo-oa-channel.ts';
import { oaTokenSource, openOaCredentials } from '../channels/zalo-oa-accounts.ts';
import { recordOaFollow } from '../channels/oa-followers.ts';
import { openZaloCredentials, recordZaloHealth, type ZaloPacingSettings } from '../channels/zalo-accounts.ts';
import { createBotFleet, type BotFleet } from './bot-fleet.ts';

export interface ProcessChannels {
  directory: ChannelDirectory;
  webchat: WebChatChannel;
  telegram?: TelegramChannel;
  /** The Zalo Bot of ZALO_BOT_TOKEN, if set. */
  zaloBot?: ZaloBotChannel;
  /** One per connected Official Account (web admin → Kết nối Zalo OA); they receive by webhook. */
  zaloOa: ZaloOaChannel[];
  /** One per Zalo account with saved credentials (`loaxa zalo login`). */
  zalo: Array<{ channel: ZaloChannel; status: ChannelAccountStatus }>;
  /** The communes' Telegram bots and Zalo Bots from the database, added and removed as the rows change. */
  fleet: BotFleet;
  /** Handlers that store what arrives and queue it (the adapter acknowledges after they resolve). */
  handlersFor(platform: Platform, accountName: string): Promise<ChannelHandlers>;
  /** Idempotent; the runtime calls it after every role stopped. */
  close(): Promise<void>;
}

const built = new WeakMap<Runtime, Promise<ProcessChannels>>();

export function processChannels(rt: Runtime): Promise<ProcessChannels> {
  let p = built.get(rt);
  if (!p) {
    p = build(rt);
    built.set(rt, p);
  }
  return p;
}

/** Webhook path secret: the token must not appear in URLs or logs, so a hash-like id is used. */
export function telegramWebhookPath(token: string): string {
  return `/telegram/webhook/${Buffer.from(token.split(':')[0] ?? 'bot').toString('hex')}`;
}

/** The Zalo Bot's webhook path: from the bot's public id, never its secret. */
export function zaloBotWebhookPath(token: string): string {
  return `/zalo-bot/webhook/${Buffer.from(token.split(':')[0] ?? 'bot').toString('hex')}`;
}

async function build(rt: Runtime): Promise<ProcessChannels> {
  const { settings, log, db } = rt;
  const directory = new ChannelDirectory();
  const redis = createRedisConnection(rt.redisUrl, 'webchat', { log });
  const webchat = createWebChatChannel({ redis, prefix: settings.REDIS_PREFIX });
  directory.register(webchat);
  // Each commune's own web chat (webChatAccountOf): built when first asked for, to send or receive.
  directory.makeWith('webchat', (name) => createWebChatChannel({ redis, prefix: settings.REDIS_PREFIX, accountId: name }));
  await ensureChannelAccount(db.prisma, { platform: 'webchat', name: webchat.accountId, communeCode: settings.COMMUNE_CODE });

  let telegram: TelegramChannel | undefined;
  if (settings.TELEGRAM_BOT_TOKEN) {
    const webhook = settings.PUBLIC_BASE_URL
      ? {
          kind: 'webhook' as const,
          url: `${settings.PUBLIC_BASE_URL.replace(/\/$/, '')}${telegramWebhookPath(settings.TELEGRAM_BOT_TOKEN)}`,
          // The bots role sets it, web replicas check it: all derive the same one from the token.
          secretToken: createHmac('sha256', settings.TELEGRAM_BOT_TOKEN).update('loaxa-webhook').digest('hex').slice(0, 48),
        }
      : { kind: 'polling' as const };
    // One pace per bot for every process of the installation, keyed by the bot's id (not its token).
    const botId = settings.TELEGRAM_BOT_TOKEN.split(':')[0] ?? 'bot';
    const pacer = createRedisTelegramPacer(redis, `${settings.REDIS_PREFIX}:tg-pace:${botId}`, { perSecond: telegramLimits.messagesPerSecond, perMinutePerGroup: telegramLimits.messagesPerMinutePerGroup });
    const editPacer = createRedisTelegramPacer(redis, `${settings.REDIS_PREFIX}:tg-edit-pace:${botId}`, { perSecond: EDITS_PER_SECOND, perMinutePerGroup: telegramLimits.messagesPerMinutePerGroup });
    telegram = createTelegramChannel({ token: settings.TELEGRAM_BOT_TOKEN, apiRoot: settings.TELEGRAM_API_ROOT, log, mode: webhook, pacer, editPacer });
    directory.register(telegram);
    await ensureChannelAccount(db.prisma, { platform: 'telegram', name: telegram.accountId, adminChatId: settings.TELEGRAM_ADMIN_CHAT_ID, adminThreadId: settings.TELEGRAM_ADMIN_THREAD_ID, communeCode: settings.COMMUNE_CODE });
  }

  // Zalo Bot: polling without a public address, else a webhook every web replica can check (the
  // secret is derived from the token, as for Telegram).
  let zaloBot: ZaloBotChannel | undefined;
  if (settings.ZALO_BOT_TOKEN) {
    const token = settings.ZALO_BOT_TOKEN;
    const base = settings.PUBLIC_BASE_URL?.replace(/\/$/, '');
    zaloBot = createZaloBotChannel({
      token,
      apiRoot: settings.ZALO_BOT_API_ROOT,
      mode: base
        ? { kind: 'webhook', url: `${base}${zaloBotWebhookPath(token)}`, secretToken: createHmac('sha256', token).update('loaxa-zalo-bot-webhook').digest('hex').slice(0, 48) }
        : { kind: 'polling' },
      texts: { disclosure: residentTexts.botDisclosure, unsupported: residentTexts.protectedUser(base ? `${base}/chat` : undefined) },
      memory: redisChoices(redis, `${settings.REDIS_PREFIX}:zalo-bot-memory`),
      log: log.child({ channel: 'zalo_bot' }),
    });
    directory.register(zaloBot);
    await ensureChannelAccount(db.prisma, { platform: 'zalo_bot', name: zaloBot.accountId, communeCode: settings.COMMUNE_CODE });
  }

  // Zalo OA: every connected Official Account; tokens refresh under the row's lock (any process).
  const zaloOa: ZaloOaChannel[] = [];
  const oaRows = await db.prisma.channelAccount.findMany({ where: { platform: 'zalo_oa', credentialsEnc: { not: null } }, orderBy: { createdAt: 'asc' } });
  for (const row of oaRows) {
    const c = openOaCredentials(settings.ENCRYPTION_KEY, row);
    const channel = createZaloOaChannel({
      accountId: row.name,
      appId: c.appId,
      oaSecret: c.oaSecret,
      tokens: oaTokenSource({ prisma: db.prisma, key: settings.ENCRYPTION_KEY, name: row.name, oauthRoot: settings.ZALO_OA_OAUTH_ROOT }),
      apiRoot: settings.ZALO_OA_API_ROOT,
      memory: redisChoices(redis, `${settings.REDIS_PREFIX}:zalo-oa-memory`),
      texts: { anonymousRefused: residentTexts.oaAnonymousRefused },
      log: log.child({ channel: 'zalo_oa', account: row.name }),
      prisma: db.prisma,
      onFollow: (userId, followed, at) => recordOaFollow(db.prisma, row.id, userId, followed, at),
    });
    directory.register(channel);
    zaloOa.push(channel);
  }

  // Zalo: every account that has logged in once; its pace and numbered choices live in Redis so
  // all processes of the installation share them.
  const zalo: ProcessChannels['zalo'] = [];
  const zaloRows = await db.prisma.channelAccount.findMany({ where: { platform: 'zalo', credentialsEnc: { not: null } }, orderBy: { createdAt: 'asc' } });
  for (const row of zaloRows) {
    const credentials = openZaloCredentials<ZaloCredentials>(settings.ENCRYPTION_KEY, row);
    const pacing = { ...DEFAULT_ZALO_PACING, ...((row.settings as { pacing?: ZaloPacingSettings } | null)?.pacing ?? {}) };
    const channel = createZaloChannel({
      accountId: row.name,
      login: () => loginWithCredentials(credentials),
      choices: redisChoices(redis, `${settings.REDIS_PREFIX}:zalo-choices`),
      pacer: createZaloPacer(redis, `${settings.REDIS_PREFIX}:zalo-pace:${row.name}`, pacing),
      log: log.child({ channel: 'zalo', account: row.name }),
      onHealth: (status, detail) => void recordZaloHealth(db.prisma, rt.queues.enqueue.bind(rt.queues), row.name, status, detail).catch(() => undefined),
    });
    directory.register(channel);
    zalo.push({ channel, status: row.status });
  }

  const fleet = createBotFleet({ prisma: db.prisma, settings, log, redis, enqueue: rt.queues.enqueue.bind(rt.queues), directory });
  await fleet.sync();

  const accountIds = new Map<string, string>();
  async function handlersFor(platform: Platform, accountName: string): Promise<ChannelHandlers> {
    const key = `${platform}:${accountName}`;
    if (!accountIds.has(key)) {
      const row = await db.prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform, name: accountName } } });
      accountIds.set(key, row.id);
    }
    const accountId = accountIds.get(key)!;
    return inboxHandlers(db.prisma, rt.queues.enqueue.bind(rt.queues), accountId, platform);
  }

  let closed: Promise<void> | undefined;
  const close = () => (closed ??= fleet.close().then(() => redis.quit()).then(() => undefined, () => redis.disconnect()));
  // Every role of the process shares these channels: they close with the runtime, after the roles.
  rt.onClose('channels', close);
  return { directory, webchat, ...(telegram ? { telegram } : {}), ...(zaloBot ? { zaloBot } : {}), zaloOa, zalo, fleet, handlersFor, close };
}
