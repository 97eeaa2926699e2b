// The communes' own bots (Telegram bots and Zalo Bots added with addChannelAccount: web admin or
// `loaxa channels add`), kept in step with their ChannelAccount rows while the process runs. Every
// process registers them in its ChannelDirectory (workers send through them); the process that
// receives (bots role: polling; web role: webhooks) also starts them. Driven by PostgreSQL only:
// one small query every BOTS_SYNC_MS, so an added bot starts, a removed one stops within seconds,
// whichever process or replica changed the row. A bot whose token the platform refuses (401) is
// stopped and marked logged_out (health shows it); the others go on.
import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../db/generated/client.ts';
import type { ChannelHandlers, ChannelLimits } from '../../bots/channel.ts';
import type { ChannelDirectory } from '../channels/channel-directory.ts';
import type { Logger } from '../logger.ts';
import type { Settings } from '../config/settings.ts';
import type { Enqueue } from '../tickets/ticket-deps.ts';
import { inboxHandlers } from '../tickets/inbox.ts';
import { openBotToken } from '../channels/bot-accounts.ts';
import { createTelegramChannel, EDITS_PER_SECOND, telegramLimits, type TelegramChannel } from '../../bots/telegram/telegram-channel.ts';
import { createRedisTelegramPacer } from '../../bots/telegram/send-pacer.ts';
import { createZaloBotChannel, type ZaloBotChannel } from '../../bots/zalo-bot/zalo-bot-channel.ts';
import { redisChoices } from '../../bots/zalo/numbered-choices.ts';
import { residentTexts } from '../tickets/resident-texts.ts';

export type FleetPlatform = 'telegram' | 'zalo_bot';
export type ReceiveMode = 'polling' | 'webhook';

export interface FleetBot {
  /** ChannelAccount id: also the bot's webhook path segment. */
  id: string;
  name: string;
  platform: FleetPlatform;
  communeId: string | null;
  channel: TelegramChannel | ZaloBotChannel;
  /** ok: receiving (or ready to send); down: the platform refused the token. */
  state: 'ok' | 'down';
  detail: string;
}

export interface BotFleetOptions {
  prisma: PrismaClient;
  settings: Pick<Settings, 'ENCRYPTION_KEY' | 'PUBLIC_BASE_URL' | 'TELEGRAM_API_ROOT' | 'ZALO_BOT_API_ROOT' | 'REDIS_PREFIX' | 'BOTS_SYNC_MS' | 'TELEGRAM_BOT_TOKEN'>;
  log: Logger;
  redis: Redis;
  enqueue: Enqueue;
  directory: ChannelDirectory;
  /** Long-polling timeout of each bot (seconds); tests shrink it so a removed bot stops at once. */
  pollTimeoutSeconds?: number;
  /** Sending pace of this process's own (not shared) instead of the platform's; benches lift it. */
  limits?: Partial<Pick<ChannelLimits, 'messagesPerSecond' | 'messagesPerMinutePerGroup'>>;
}

export interface BotFleet {
  /** One look at the rows: new bots built (and started when receiving), removed ones stopped. */
  sync(): Promise<void>;
  /** Starts receiving on every bot, now and as they are added (one process of the installation does). */
  receive(mode: ReceiveMode): Promise<void>;
  /** Stops receiving (the role stops); the bots stay registered for sending. */
  stopReceiving(): Promise<void>;
  /** A bot of this process by its ChannelAccount id (the webhook routes look it up). */
  byId(id: string): FleetBot | undefined;
  list(): FleetBot[];
  close(): Promise<void>;
}

/** The webhook path of a commune's bot: its row id, never its token. */
export function botWebhookPath(platform: FleetPlatform, accountId: string): string {
  return `/webhooks/${platform === 'telegram' ? 'telegram' : 'zalo-bot'}/${accountId}`;
}

/** What the platform sends with each webhook call; derived from the token, so every replica agrees. */
export function botWebhookSecret(token: string, accountId: string): string {
  return createHmac('sha256', token).update(`loaxa-webhook:${accountId}`).digest('hex').slice(0, 48);
}

interface Row {
  id: string;
  name: string;
  platform: FleetPlatform;
  communeId: string | null;
  credentialsEnc: string;
  status: string;
}

const envBotId = (token: string | undefined) => (token ? token.split(':')[0] : undefined);

export function createBotFleet(opts: BotFleetOptions): BotFleet {
  const { prisma, settings, log, redis, directory } = opts;
  const prefix = settings.REDIS_PREFIX;
  const base = settings.PUBLIC_BASE_URL?.replace(/\/$/, '');
  const bots = new Map<string, FleetBot & { sealed: string; started: boolean }>();
  let receiving: ReceiveMode | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  function handlersOf(bot: FleetBot): ChannelHandlers {
    return inboxHandlers(prisma, opts.enqueue, bot.id, bot.platform);
  }

  /** The platform refused the token: stop this bot, say so in its row (health, web admin). */
  function markDown(id: string, detail: string): void {
    const bot = bots.get(id);
    if (!bot) return;
    bot.state = 'down';
    bot.detail = detail;
    void bot.channel.stop().catch(() => undefined);
    bot.started = false;
    void prisma.channelAccount
      .updateMany({ where: { id, credentialsEnc: bot.sealed }, data: { status: 'logged_out', statusReason: detail } })
      .catch((e: Error) => log.warn({ account: id, err: e.message }, 'chưa ghi được trạng thái bot'));
  }

  function build(row: Row, token: string): TelegramChannel | ZaloBotChannel {
    const webhook = base ? { kind: 'webhook' as const, url: `${base}${botWebhookPath(row.platform, row.id)}`, secretToken: botWebhookSecret(token, row.id) } : undefined;
    const timeoutSeconds = opts.pollTimeoutSeconds ?? 30;
    if (row.platform === 'telegram') {
      // One pace per bot for every process of the installation, keyed by the bot's id (not its token).
      const botId = token.split(':')[0] ?? row.id;
      const perMinutePerGroup = telegramLimits.messagesPerMinutePerGroup;
      return createTelegramChannel({
        token,
        accountId: row.name,
        apiRoot: settings.TELEGRAM_API_ROOT,
        log,
        mode: webhook ?? { kind: 'polling', timeoutSeconds },
        ...(opts.limits
          ? { limits: opts.limits }
          : {
              pacer: createRedisTelegramPacer(redis, `${prefix}:tg-pace:${botId}`, { perSecond: telegramLimits.messagesPerSecond, perMinutePerGroup }),
              editPacer: createRedisTelegramPacer(redis, `${prefix}:tg-edit-pace:${botId}`, { perSecond: EDITS_PER_SECOND, perMinutePerGroup }),
            }),
        onUnauthorized: (detail) => markDown(row.id, detail),
      });
    }
    return createZaloBotChannel({
      token,
      accountId: row.name,
      apiRoot: settings.ZALO_BOT_API_ROOT,
      mode: webhook ?? { kind: 'polling', timeoutSeconds },
      texts: { disclosure: residentTexts.botDisclosure, unsupported: residentTexts.protectedUser(base ? `${base}/chat` : undefined) },
      memory: redisChoices(redis, `${prefix}:zalo-bot-memory`),
      log: log.child({ channel: 'zalo_bot', account: row.name }),
      onUnauthorized: (detail) => markDown(row.id, detail),
    });
  }

  async function start(bot: FleetBot & { started: boolean }): Promise<void> {
    if (!receiving || bot.started || bot.state === 'down') return;
    bot.started = true;
    try {
      await bot.channel.start(handlersOf(bot));
    } catch (e) {
      bot.started = false;
      // 401 at deleteWebhook/setWebhook: the token is gone; anything else: tried again next sync.
      const code = (e as { opts?: { platformCode?: number } }).opts?.platformCode;
      if (code === 401) markDown(bot.id, `nền tảng từ chối mã bot (401): ${(e as Error).message}`);
      else log.warn({ account: bot.id, err: (e as Error).message }, 'chưa bật được bot; thử lại sau');
    }
  }

  async function drop(id: string): Promise<void> {
    const bot = bots.get(id);
    if (!bot) return;
    bots.delete(id);
    directory.unregister(bot.platform, bot.name);
    await bot.channel.stop().catch(() => undefined);
    log.info({ account: id, platform: bot.platform }, 'đã ngừng bot đã gỡ');
  }

  async function syncOnce(): Promise<void> {
    const rows = (await prisma.channelAccount.findMany({
      where: { platform: { in: ['telegram', 'zalo_bot'] }, credentialsEnc: { not: null }, status: { not: 'inactive' } },
      select: { id: true, name: true, platform: true, communeId: true, credentialsEnc: true, status: true },
      orderBy: { createdAt: 'asc' },
    })) as Row[];
    const wanted = new Map(rows.map((r) => [r.id, r]));
    for (const id of [...bots.keys()]) {
      const row = wanted.get(id);
      // Removed, or added again with another token: the old channel stops.
      if (!row || row.credentialsEnc !== bots.get(id)!.sealed) await drop(id);
    }
    for (const row of rows) {
      const have = bots.get(row.id);
      if (have) {
        await start(have);
        continue;
      }
      let token: string;
      try {
        token = openBotToken(settings.ENCRYPTION_KEY, row);
      } catch (e) {
        log.warn({ account: row.id, err: (e as Error).message }, 'không mở được mã bot (ENCRYPTION_KEY?)');
        continue;
      }
      // The same bot as TELEGRAM_BOT_TOKEN is already run by the shortcut: two pollers would conflict.
      if (row.platform === 'telegram' && envBotId(settings.TELEGRAM_BOT_TOKEN) === token.split(':')[0]) continue;
      const down = row.status === 'logged_out';
      const bot = { id: row.id, name: row.name, platform: row.platform, communeId: row.communeId, channel: build(row, token), state: down ? ('down' as const) : ('ok' as const), detail: down ? 'nền tảng từ chối mã bot' : '', sealed: row.credentialsEnc, started: false };
      bots.set(row.id, bot);
      directory.register(bot.channel);
      await start(bot);
      log.info({ account: row.id, platform: row.platform, receiving: receiving ?? 'send-only' }, 'đã bật bot của xã');
    }
  }

  // One sync at a time; a caller arriving meanwhile waits for the one under way.
  function sync(): Promise<void> {
    if (closed) return Promise.resolve();
    running ??= syncOnce().finally(() => (running = undefined));
    return running;
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => {
      sync()
        .catch((e: Error) => log.warn({ err: e.message }, 'chưa đọc được danh sách bot; thử lại sau'))
        .finally(schedule);
    }, settings.BOTS_SYNC_MS);
    timer.unref();
  }

  directory.refreshWith(sync);
  schedule();

  return {
    sync,
    async receive(mode) {
      receiving = mode;
      await sync();
    },
    async stopReceiving() {
      receiving = undefined;
      await running?.catch(() => undefined);
      await Promise.all(
        [...bots.values()].map(async (b) => {
          b.started = false;
          await b.channel.stop().catch(() => undefined);
        }),
      );
    },
    byId: (id) => bots.get(id),
    list: () => [...bots.values()],
    async close() {
      closed = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      await Promise.all([...bots.values()].map((b) => b.channel.stop().catch(() => undefined)));
    },
  };
}
