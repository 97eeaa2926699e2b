// Province fan-out: one province emergency bulletin to N communes (default 100, `--communes n`),
// each commune with its own Telegram bot (its own local Bot API server, enforcing that bot's
// ~30 messages/s and 20/min per group), 20 groups and 5 simulated loudspeaker clusters. The clock
// starts when the province approver approves (the commune copies, their runs and outbox are part
// of it); the audio is rendered before, as in `fanout`. Figures: time until every delivery is
// done against the bound the limits impose (bots in parallel: a bot's messages at 30/s, a group's
// at 20/min), duplicates (groups or loudspeakers that got it twice: must be 0), and the time until
// every loudspeaker reported "started" (goal: all of them within 2 s).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { round, withinLimit, type BenchResult, type Figure, type Scenario } from '../harness.ts';
import { deleteRedisPrefix, withBenchDatabase } from '../services.ts';
import { PrismaClient } from '../../src/db/generated/client.ts';
import { migrate } from '../../src/db/migrator.ts';
import { pgRunner } from '../../src/db/sql-runner.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { createQueueKit } from '../../src/queues/queue-kit.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { mediaPlugin } from '../../src/web/plugins/media.ts';
import { createTelegramChannel } from '../../bots/telegram/telegram-channel.ts';
import { createAudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';
import { createEspeakEngine } from '../../broadcasts/render/speech-engine.ts';
import { renderBulletinVersion, type AudioVariant } from '../../broadcasts/render/render-bulletin.ts';
import { deliverJob } from '../../broadcasts/fanout/start-run.ts';
import { deliverJobHandler } from '../../broadcasts/fanout/deliver.ts';
import { simulatorSecret } from '../../broadcasts/radio/endpoint-secret.ts';
import { RadioSimulator } from '../../broadcasts/radio/radio-simulator.ts';
import { createProvinceBulletin } from '../../src/province/create-province-bulletin.ts';
import { approveProvinceBulletin } from '../../src/province/approve-province-bulletin.ts';
import { FakeBotApi } from '../../test/support/telegram-bot-api/fake-bot-api.ts';

const DEMO_KEY = Buffer.alloc(32, 9);
const GROUPS_PER_COMMUNE = 20;
const SPEAKERS_PER_COMMUNE = 5;
const BOT_PER_S = 30;
const GROUP_PER_MIN = 20;
const CONCURRENCY = 32;
const TEXT = 'Ban Chỉ huy phòng thủ dân sự tỉnh thông báo khẩn: bão số 13 đổ bộ trong đêm nay, bà con gia cố nhà cửa, không ra khơi, sơ tán khỏi vùng trũng trước 17 giờ.';

const scenario: Scenario = {
  name: 'province-fanout',
  description: 'one province emergency to N communes (own bot each, 20 groups + 5 loudspeakers each): time vs the per-bot bound, duplicates, time until every loudspeaker started',
  timeoutMs: 900_000,
  async run(ctx): Promise<BenchResult> {
    const n = ctx.communes ?? (ctx.quick ? 10 : 100);
    const ffmpeg = resolveFfmpeg(process.env.FFMPEG_PATH);
    if (!ffmpeg) throw new Error('ffmpeg not found (apt-get install ffmpeg or FFMPEG_PATH)');
    const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-bench-province-fanout-'));
    const prefix = `loaxa-bench-${randomBytes(4).toString('hex')}`;
    try {
      return await withBenchDatabase(ctx.services.pgAdminUrl, 'province_fanout', async (db) => {
        const pool = new pg.Pool({ connectionString: db.url, max: 24 });
        pool.on('error', () => undefined);
        await migrate(pgRunner(pool));
        const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
        const demo = await seedDemo(prisma, { password: 'MatKhauBench2026' });
        const provinceId = (await prisma.commune.findUniqueOrThrow({ where: { id: demo.communeId } })).provinceId!;
        const editor = await prisma.staff.create({ data: { username: 'tinh_bientap', displayName: 'Biên tập tỉnh', roles: [], provinceId, provinceRoles: ['editor'] } });
        const approver = await prisma.staff.create({ data: { username: 'tinh_duyet', displayName: 'Duyệt tỉnh', roles: [], provinceId, provinceRoles: ['approver'] } });

        const signer = createMediaLinkSigner(randomBytes(32));
        const web = Fastify();
        await web.register(mediaPlugin, { dataDir, prisma, signer });
        await web.listen({ port: 0, host: '127.0.0.1' });
        const base = `http://127.0.0.1:${(web.server.address() as { port: number }).port}`;

        ctx.log(`seeding ${n} communes, ${n * GROUPS_PER_COMMUNE} groups, ${n * SPEAKERS_PER_COMMUNE} loudspeakers, ${n} bots`);
        const communes = await prisma.commune.createManyAndReturn({ data: Array.from({ length: n }, (_, i) => ({ code: `XA-BENCH-${i}`, name: `Xã Thử ${i}`, provinceId })), select: { id: true } });
        const accounts = await prisma.channelAccount.createManyAndReturn({
          data: communes.map((c, i) => ({ communeId: c.id, platform: 'telegram' as const, name: `bot-xa-${i}`, status: 'connected' as const })),
          select: { id: true, communeId: true, name: true },
        });
        await prisma.target.createMany({
          data: accounts.flatMap((a, i) =>
            Array.from({ length: GROUPS_PER_COMMUNE }, (_, g) => ({ communeId: a.communeId!, kind: 'telegram_chat' as const, name: `Nhóm ${g}`, platformChatId: String(-1_000_000_000 - i * 1000 - g), status: 'active' as const, channelAccountId: a.id })),
          ),
        });
        await prisma.endpoint.createMany({ data: communes.flatMap((c) => Array.from({ length: SPEAKERS_PER_COMMUNE }, (_, e) => ({ communeId: c.id, name: `Cụm loa ${e}`, protocol: 'simulator' as const, status: 'online' as const }))) });
        const endpoints = await prisma.endpoint.findMany({ where: { communeId: { in: communes.map((c) => c.id) } } });
        const sim = new RadioSimulator(endpoints.map((e) => ({ id: e.id, secret: simulatorSecret(DEMO_KEY, e.id) })), { speed: 1000 });
        await sim.start();
        await Promise.all(endpoints.map((e) => prisma.endpoint.update({ where: { id: e.id }, data: { baseUrl: sim.urlOf(e.id) } })));

        // One Bot API server per bot: each enforces its own bot's limits, as Telegram does per token.
        const bots: FakeBotApi[] = [];
        const channels = new ChannelDirectory();
        for (const [i, a] of accounts.entries()) {
          const bot = new FakeBotApi({ token: `${7_000_000 + i}:BENCH-province-${i}`, botUsername: `xa_${i}_bot`, perSecondLimit: BOT_PER_S, groupLimit: GROUP_PER_MIN, groupWindowMs: 60_000 });
          const { apiRoot } = await bot.start();
          bots.push(bot);
          channels.register(createTelegramChannel({ token: bot.token, apiRoot, log: silentLogger, accountId: a.name, mode: { kind: 'send-only' } }));
        }

        const pipeline = createAudioPipeline({ ffmpegPath: ffmpeg.path, cacheDir: join(dataDir, 'cache') });
        const speech = createEspeakEngine();
        const queues = createQueueKit({ redisUrl: ctx.services.redisUrl, prefix, log: silentLogger });
        const deps = {
          demoKey: DEMO_KEY,
          prisma,
          channels,
          signer,
          publicBaseUrl: base,
          dataDir,
          render: (id: string, variant?: AudioVariant) => renderBulletinVersion({ prisma, pipeline, speech, dataDir }, id, variant),
          now: () => new Date(),
        };
        try {
          // Render first, the same words in a throwaway commune bulletin (speech is shared by words):
          // the bound is about delivery, not about speech synthesis.
          const r0 = Date.now();
          const warm = await prisma.bulletin.create({ data: { communeId: demo.communeId, title: 'Làm nóng', status: 'approved', approvedRevision: 1, versions: { create: { revision: 1, text: TEXT } } }, include: { versions: true } });
          await deps.render(warm.versions[0]!.id);
          await deps.render(warm.versions[0]!.id, { format: 'opus' });
          const renderMs = Date.now() - r0;

          queues.startWorker('broadcast', { [deliverJob.name]: deliverJobHandler(deps) as never }, { concurrency: CONCURRENCY });
          const pb = await createProvinceBulletin(prisma, { actor: { staffId: editor.id }, title: 'Khẩn cấp: bão số 13', text: TEXT, class: 'emergency', communeIds: communes.map((c) => c.id) });
          const enqueue = queues.enqueue.bind(queues) as Parameters<typeof approveProvinceBulletin>[0]['enqueue'];
          const t0 = Date.now();
          const approved = await approveProvinceBulletin({ prisma, enqueue }, { actor: { staffId: approver.id }, provinceBulletinId: pb.id });
          const approveMs = Date.now() - t0;
          const deliveries = approved.sentNow.reduce((s, r) => s + r.deliveries, 0);
          ctx.log(`approved and queued in ${approveMs} ms: ${approved.sentNow.length} runs, ${deliveries} deliveries`);
          const runWhere = { run: { bulletin: { provinceBulletinId: pb.id } } };
          let last = Date.now();
          for (;;) {
            if (ctx.signal.aborted) throw new Error('aborted');
            const open = await prisma.delivery.count({ where: { ...runWhere, status: { in: ['pending', 'sending'] } } });
            if (open === 0) break;
            if (Date.now() - last > 10_000) {
              last = Date.now();
              ctx.log(`… ${open} deliveries open, ${bots.reduce((s, b) => s + b.sent.length, 0)} Telegram messages`);
            }
            await new Promise((r) => setTimeout(r, 100));
          }
          const seconds = (Date.now() - t0) / 1000;
          const failed = await prisma.delivery.count({ where: { ...runWhere, status: 'failed' } });

          const starts = sim.reports.filter((r) => r.event === 'started');
          const firstStart = new Map<string, number>();
          const startsPerSpeaker = new Map<string, number>();
          for (const r of starts) {
            const at = Date.parse(r.at);
            firstStart.set(r.endpointId, Math.min(firstStart.get(r.endpointId) ?? Infinity, at));
            startsPerSpeaker.set(r.endpointId, (startsPerSpeaker.get(r.endpointId) ?? 0) + 1);
          }
          const speakersStarted = firstStart.size;
          // When the last loudspeaker accepted its play command (the delivery marked sent).
          const commanded = await prisma.delivery.aggregate({ where: { ...runWhere, endpointId: { not: null } }, _max: { sentAt: true } });
          const commandedMs = commanded._max.sentAt ? commanded._max.sentAt.getTime() - t0 : NaN;
          const startedMs = speakersStarted ? Math.max(...firstStart.values()) - t0 : NaN;
          const perChat = new Map<string, number>();
          for (const b of bots) for (const m of b.sent) perChat.set(`${b.token}:${m.chatId}`, (perChat.get(`${b.token}:${m.chatId}`) ?? 0) + 1);
          const messagesPerGroup = 1; // a captioned voice note: the words fit 1,024 characters
          const duplicates = [...perChat.values()].filter((c) => c > messagesPerGroup).length + [...startsPerSpeaker.values()].filter((c) => c > 1).length;
          const sent = bots.reduce((s, b) => s + b.sent.length, 0);
          const calls = bots.reduce((s, b) => s + b.calls.filter((c) => c.method.startsWith('send')).length, 0);
          // Bots send in parallel: the slowest bot's messages at 30/s, and no group faster than 20/min.
          const perBot = GROUPS_PER_COMMUNE * messagesPerGroup;
          const bound = Math.max(perBot / BOT_PER_S, ((messagesPerGroup - 1) * 60) / GROUP_PER_MIN);
          const figures: Record<string, Figure> = {
            time_to_finish: { value: round(seconds, 2), unit: 's' },
            lower_bound: { value: round(bound, 2), unit: 's' },
            ratio: { value: round(seconds / bound, 2), unit: '×' },
            duplicates: { value: duplicates, unit: 'count' },
            loudspeakers_started_ms: { value: Math.round(startedMs), unit: 'ms' },
            loudspeakers_started: { value: speakersStarted, unit: 'count' },
            loudspeakers_commanded_ms: { value: Math.round(commandedMs), unit: 'ms' },
            approve_and_queue_ms: { value: approveMs, unit: 'ms' },
            responses_429: { value: Math.max(0, calls - sent), unit: 'count' },
            failed_deliveries: { value: failed, unit: 'count' },
            render_ms: { value: renderMs, unit: 'ms' },
          };
          return {
            figures,
            comparisons: [
              withinLimit(figures, 'time_to_finish', round(bound * 1.1, 2), 'lower'),
              withinLimit(figures, 'duplicates', 0.5, 'lower'),
              withinLimit(figures, 'loudspeakers_started_ms', 2000, 'lower'),
            ],
            meta: {
              communes: n,
              groups: n * GROUPS_PER_COMMUNE,
              loudspeakers: endpoints.length,
              bots: n,
              telegram_messages: sent,
              deliveries,
              concurrency: CONCURRENCY,
              bound: `per bot ${perBot} message(s) at ${BOT_PER_S}/s, bots in parallel; one message per group (20/min does not bind); audio rendered before the clock starts`,
            },
          };
        } finally {
          await queues.close(2000);
          await deleteRedisPrefix(ctx.services.redisUrl, prefix).catch(() => undefined);
          await sim.close();
          await web.close();
          for (const b of bots) await b.close();
          await prisma.$disconnect();
          await pool.end();
        }
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

export default scenario;
