// The listening flow wired as in production (real PostgreSQL, real Redis, real telegraf against
// the local Bot API server, the same workers), inside the test process so tests can look at the
// database and the queues directly.
import { Redis } from 'ioredis';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { ensureCategories } from '../../src/catalog/ensure-categories.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { createQueueKit, type QueueKit, type WorkerHandle } from '../../src/queues/queue-kit.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createTelegramChannel, type TelegramChannel } from '../../bots/telegram/telegram-channel.ts';
import { createWebChatChannel, type WebChatChannel } from '../../bots/webchat/webchat-channel.ts';
import { ensureChannelAccount } from '../../src/tickets/channel-accounts.ts';
import { inboxHandlers } from '../../src/tickets/inbox.ts';
import { createTicketDeps } from '../../src/tickets/ticket-runtime.ts';
import { processInbound } from '../../src/tickets/process-inbound.ts';
import { outboundHandlers } from '../../src/tickets/outbound-delivery.ts';
import { deadlineJob, fetchAttachmentJob, processInboundJob } from '../../src/tickets/ticket-jobs.ts';
import { fetchAttachment } from '../../src/tickets/attachments.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDeadlineCheck } from '../../src/tickets/deadlines.ts';
import type { TicketDeps } from '../../src/tickets/ticket-deps.ts';
import type { ChannelHandlers, Platform } from '../../bots/channel.ts';
import { FakeBotApi } from './telegram-bot-api/fake-bot-api.ts';
import { FakeZaloApi } from './zalo/fake-zalo-api.ts';
import { createZaloChannel, type ZaloChannel } from '../../bots/zalo/zalo-channel.ts';
import { createZaloPacer } from '../../bots/zalo/zalo-pacer.ts';
import { inMemoryChoices } from '../../bots/zalo/numbered-choices.ts';
import { createZaloBotChannel, type ZaloBotChannel } from '../../bots/zalo-bot/zalo-bot-channel.ts';
import { residentTexts } from '../../src/tickets/resident-texts.ts';
import { FakeZaloBotApi } from './zalo-bot-api/fake-zalo-bot-api.ts';
import Fastify from 'fastify';
import { randomBytes } from 'node:crypto';
import { createZaloOaChannel, type ZaloOaChannel } from '../../bots/zalo-oa/zalo-oa-channel.ts';
import { oaTokenSource, saveZaloOaAccount } from '../../src/channels/zalo-oa-accounts.ts';
import { zaloOaWebhookPlugin } from '../../src/web/plugins/zalo-oa-webhook.ts';
import type { ZaloOaEvent } from '../../bots/zalo-oa/zalo-oa-types.ts';
import { FakeZaloOaApi } from './zalo-oa-api/fake-zalo-oa-api.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix } from './services.ts';

export const ADMIN_CHAT = -1001234567;
/** The Zalo admin group (with `zalo: true`), as the adapter names group chats. */
export const ZALO_ADMIN_GROUP = 'g:5500000000000000099';

export interface ListeningHarness {
  prisma: PrismaClient;
  dataDir: string;
  api: FakeBotApi;
  queues: QueueKit;
  deps: TicketDeps & { stop(): void };
  telegram: TelegramChannel;
  webchat: WebChatChannel;
  webchatHandlers: ChannelHandlers;
  /** Every channel the workers send through, as the processes build it. */
  directory: ChannelDirectory;
  handlersFor(platform: Platform, accountName: string): Promise<ChannelHandlers>;
  /** With `zalo: true`: the Zalo channel over the fake zca-js API, with its admin group. */
  zalo?: { channel: ZaloChannel; api(): FakeZaloApi };
  /** With `zaloBot: true`: the Zalo Bot channel polling the local Bot Platform fake. */
  zaloBot?: { channel: ZaloBotChannel; api: FakeZaloBotApi };
  /** With `zaloOa: true`: an Official Account over the local OA fake; `deliver` POSTs a signed event to the webhook route. */
  zaloOa?: { channel: ZaloOaChannel; api: FakeZaloOaApi; deliver(e: ZaloOaEvent): Promise<number> };
  communeId: string;
  /** Waits until every queue is empty (nothing waiting, active or delayed). */
  settle(timeoutMs?: number): Promise<void>;
  /** Links a Telegram (or Zalo) user to a demo staff account (as the web admin will). */
  linkStaff(username: string, userId: number | string, platform?: 'telegram' | 'zalo'): Promise<string>;
  stopWorkers(): Promise<void>;
  startWorkers(): void;
  close(): Promise<void>;
}

export async function startListeningHarness(opts: { env?: Record<string, string>; zalo?: boolean; zaloBot?: boolean; zaloOa?: boolean } = {}): Promise<ListeningHarness> {
  const db = await openMigratedTestDatabase('listen', 8);
  const prisma = db.prisma;
  await ensureCategories(prisma);
  const demo = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });

  const api = new FakeBotApi();
  const { apiRoot } = await api.start();
  const prefix = testRedisPrefix();
  // A short burst window keeps tests quick; tests of the burst itself set their own.
  const settings = loadSettings({ DATA_DIR: '/tmp/loaxa-unused', TICKET_BURST_SECONDS: '1', ...opts.env });
  const queues = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix, log: silentLogger });
  const enqueue = queues.enqueue.bind(queues);
  const deps = await createTicketDeps({ prisma, log: silentLogger, settings, enqueue, cancelJob: queues.cancel.bind(queues) });

  const redis = new Redis(TEST_REDIS_URL);
  const webchat = createWebChatChannel({ redis, prefix });
  const telegram = createTelegramChannel({ token: api.token, apiRoot, log: silentLogger, mode: { kind: 'polling', timeoutSeconds: 1 } });
  // As in production (src/processes/channels.ts): each commune's own web chat is built on first use.
  const directory = new ChannelDirectory().register(webchat).register(telegram).makeWith('webchat', (name) => createWebChatChannel({ redis, prefix, accountId: name }));
  const tgAccount = await ensureChannelAccount(prisma, { platform: 'telegram', name: telegram.accountId, adminChatId: String(ADMIN_CHAT) });
  const wcAccount = await ensureChannelAccount(prisma, { platform: 'webchat', name: webchat.accountId });
  const handlers = (accountId: string, platform: Platform = 'telegram'): ChannelHandlers => inboxHandlers(prisma, enqueue, accountId, platform);
  await telegram.start(handlers(tgAccount.id));
  const webchatHandlers = handlers(wcAccount.id, 'webchat');
  await webchat.start(webchatHandlers);

  let zalo: ListeningHarness['zalo'];
  if (opts.zalo) {
    let current: FakeZaloApi | undefined;
    const channel = createZaloChannel({
      accountId: 'zalo-xa',
      login: async () => (current = new FakeZaloApi()),
      choices: inMemoryChoices(),
      pacer: createZaloPacer(redis, `${prefix}:zalo-pace`, { minSpacingMs: 0, jitterMs: 0, perHour: 10_000, perDay: 10_000 }),
      log: silentLogger,
    });
    directory.register(channel);
    const account = await ensureChannelAccount(prisma, { platform: 'zalo', name: channel.accountId, adminChatId: ZALO_ADMIN_GROUP });
    await channel.start(handlers(account.id, 'zalo'));
    zalo = { channel, api: () => current! };
  }

  let zaloBot: ListeningHarness['zaloBot'];
  if (opts.zaloBot) {
    const botApi = new FakeZaloBotApi();
    const { apiRoot: botRoot } = await botApi.start();
    const channel = createZaloBotChannel({
      token: botApi.token,
      apiRoot: botRoot,
      mode: { kind: 'polling', timeoutSeconds: 1 },
      texts: { disclosure: residentTexts.botDisclosure, unsupported: residentTexts.protectedUser('https://loa.example.vn/chat') },
      memory: inMemoryChoices(),
      log: silentLogger,
      client: { baseBackoffMs: 20 },
    });
    directory.register(channel);
    const account = await ensureChannelAccount(prisma, { platform: 'zalo_bot', name: channel.accountId });
    await channel.start(handlers(account.id));
    zaloBot = { channel, api: botApi };
  }

  let zaloOa: ListeningHarness['zaloOa'];
  let closeOa = async () => undefined as void;
  if (opts.zaloOa) {
    const oaApi = new FakeZaloOaApi();
    const roots = await oaApi.start();
    const key = randomBytes(32);
    const t = oaApi.issueTokens();
    const name = 'oa-xa';
    await saveZaloOaAccount(prisma, key, { name, communeId: demo.communeId, credentials: { appId: oaApi.appId, appSecret: oaApi.appSecret, oaSecret: oaApi.oaSecret, accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt.toISOString() } });
    const channel = createZaloOaChannel({
      accountId: name,
      appId: oaApi.appId,
      oaSecret: oaApi.oaSecret,
      tokens: oaTokenSource({ prisma, key, name, oauthRoot: roots.oauthRoot, now: () => oaApi.now() }),
      apiRoot: roots.apiRoot,
      memory: inMemoryChoices(),
      texts: { anonymousRefused: residentTexts.oaAnonymousRefused },
      log: silentLogger,
      now: () => oaApi.now(),
    });
    directory.register(channel);
    const row = await prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo_oa', name } } });
    await channel.start(handlers(row.id));
    const app = Fastify();
    await app.register(zaloOaWebhookPlugin, { channels: new Map([[name, channel]]) });
    const deliver = async (e: ZaloOaEvent) => {
      const { rawBody, signature } = oaApi.signed(e);
      const res = await app.inject({ method: 'POST', url: `/zalo-oa/webhook/${name}`, headers: { 'content-type': 'application/json', 'x-zevent-signature': signature }, payload: rawBody });
      return res.statusCode;
    };
    zaloOa = { channel, api: oaApi, deliver };
    closeOa = async () => {
      await app.close();
      await oaApi.close();
    };
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-listen-'));
  let workers: WorkerHandle[] = [];
  const startWorkers = () => {
    workers = [
      queues.startWorker(
        'inbound',
        {
          [processInboundJob.name]: async (d: { inboundId: string }) => processInbound(deps, d.inboundId),
          [fetchAttachmentJob.name]: async (d: { ticketMessageId: string; index: number }) => fetchAttachment({ ...deps, channels: directory, dataDir }, d),
        },
        { concurrency: 4 },
      ),
      queues.startWorker('outbound', outboundHandlers({ ...deps, channels: directory, dataDir }), { concurrency: 4 }),
      queues.startWorker('reminders', { [deadlineJob.name]: async (d: Parameters<typeof runDeadlineCheck>[1]) => runDeadlineCheck(deps, d) }, { concurrency: 2 }),
    ];
  };
  startWorkers();

  async function settle(timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    let quiet = 0;
    while (Date.now() < end) {
      const pending = await prisma.inboundMessage.count({ where: { status: 'pending' } });
      const depths = await queues.depths();
      // Deadline checks wait days by design: only their running ones count as busy.
      const busy = pending + Object.entries(depths).reduce((s, [q, d]) => s + d.waiting + d.active + d.prioritized + (q === 'reminders' ? 0 : d.delayed), 0);
      // Quiet twice in a row: a finished job may still be enqueueing its follow-ups.
      quiet = busy === 0 ? quiet + 1 : 0;
      if (quiet >= 3) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('listening harness: queues did not settle');
  }

  return {
    prisma,
    dataDir,
    api,
    queues,
    deps,
    telegram,
    webchat,
    webchatHandlers,
    directory,
    async handlersFor(platform, accountName) {
      const row = await prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform, name: accountName } } });
      return handlers(row.id, platform);
    },
    ...(zalo ? { zalo } : {}),
    ...(zaloBot ? { zaloBot } : {}),
    ...(zaloOa ? { zaloOa } : {}),
    communeId: demo.communeId,
    settle,
    async linkStaff(username, userId, platform = 'telegram') {
      const staff = await prisma.staff.findUniqueOrThrow({ where: { username } });
      await prisma.staffIdentity.create({ data: { staffId: staff.id, platform, platformUserId: String(userId) } });
      return staff.id;
    },
    async stopWorkers() {
      await Promise.all(workers.map((w) => w.close()));
      workers = [];
    },
    startWorkers,
    async close() {
      await telegram.stop();
      await zalo?.channel.stop();
      await zaloBot?.channel.stop();
      await zaloBot?.api.close();
      await zaloOa?.channel.stop();
      await closeOa();
      await webchat.stop();
      deps.stop();
      await queues.close(2000);
      await deleteTestRedisKeys(prefix);
      redis.disconnect();
      await api.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
