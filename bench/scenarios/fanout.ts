// Fan-out: one approved bulletin to 2,000 Telegram groups (the local Bot API server enforcing
// Telegram's real limits: ~30 messages/s per bot, 20/min per group) and 500 simulated loudspeaker
// clusters. Reports the time to finish against the lower bound the limits impose (the messages the
// adapter sends per group — one captioned voice note when the words fit a caption, else text then
// voice — at 30 messages/s), the sends per group measured, the 429s received, and duplicates (must be 0).
import { simulatorSecret } from '../../broadcasts/radio/endpoint-secret.ts';
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
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { createTelegramChannel, telegramLimits } from '../../bots/telegram/telegram-channel.ts';
import { bulletinWords } from '../../bots/bulletin-delivery.ts';
import { createAudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';
import { createEspeakEngine } from '../../broadcasts/render/speech-engine.ts';
import { renderBulletinVersion, type AudioVariant } from '../../broadcasts/render/render-bulletin.ts';
import { deliverJob, startRun } from '../../broadcasts/fanout/start-run.ts';
import { deliverJobHandler } from '../../broadcasts/fanout/deliver.ts';
import { RadioSimulator } from '../../broadcasts/radio/radio-simulator.ts';
import { FakeBotApi } from '../../test/support/telegram-bot-api/fake-bot-api.ts';
// The demo loudspeakers' secrets derive from the installation key (endpoint-secret.ts).
const DEMO_KEY = Buffer.alloc(32, 9);

const TELEGRAM_PER_S = 30;

const scenario: Scenario = {
  name: 'fanout',
  description: 'one bulletin to 2,000 Telegram groups (real limits) and 500 simulated loudspeakers: time vs the limits\u2019 lower bound, 429s, duplicates',
  timeoutMs: 900_000,
  async run(ctx): Promise<BenchResult> {
    const groups = ctx.quick ? 100 : 2000;
    const loudspeakers = ctx.quick ? 50 : 500;
    const ffmpeg = resolveFfmpeg(process.env.FFMPEG_PATH);
    if (!ffmpeg) throw new Error('ffmpeg not found (apt-get install ffmpeg or FFMPEG_PATH)');
    const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-bench-fanout-'));
    const prefix = `loaxa-bench-${randomBytes(4).toString('hex')}`;
    try {
      return await withBenchDatabase(ctx.services.pgAdminUrl, 'fanout', async (db) => {
        const pool = new pg.Pool({ connectionString: db.url, max: 20 });
        pool.on('error', () => undefined);
        await migrate(pgRunner(pool));
        const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
        const { communeId } = await seedDemo(prisma, { password: 'MatKhauBench2026' });
        const editor = await prisma.staff.findUniqueOrThrow({ where: { username: 'vanhoa' } });
        const approver = await prisma.staff.findUniqueOrThrow({ where: { username: 'chutich' } });

        const api = new FakeBotApi();
        const { apiRoot } = await api.start();
        const telegram = createTelegramChannel({ token: api.token, apiRoot, log: silentLogger, mode: { kind: 'send-only' } });
        const signer = createMediaLinkSigner(randomBytes(32));
        const web = Fastify();
        await web.register(mediaPlugin, { dataDir, prisma, signer });
        await web.listen({ port: 0, host: '127.0.0.1' });
        const base = `http://127.0.0.1:${(web.server.address() as { port: number }).port}`;

        await prisma.target.deleteMany({ where: { communeId } });
        await prisma.endpoint.deleteMany({ where: { communeId } });
        await prisma.target.createMany({ data: Array.from({ length: groups }, (_, i) => ({ communeId, kind: 'telegram_chat' as const, name: `Nhóm ${i}`, platformChatId: String(-1_000_000 - i), status: 'active' as const })) });
        await prisma.endpoint.createMany({ data: Array.from({ length: loudspeakers }, (_, i) => ({ communeId, name: `Cụm loa ${i}`, protocol: 'simulator' as const })) });
        const endpoints = await prisma.endpoint.findMany({ where: { communeId } });
        const sim = new RadioSimulator(endpoints.map((e) => ({ id: e.id, secret: simulatorSecret(DEMO_KEY, e.id) })), { speed: 1000 });
        await sim.start();
        for (const e of endpoints) await prisma.endpoint.update({ where: { id: e.id }, data: { baseUrl: sim.urlOf(e.id) } });

        const pipeline = createAudioPipeline({ ffmpegPath: ffmpeg.path, cacheDir: join(dataDir, 'cache') });
        const queues = createQueueKit({ redisUrl: ctx.services.redisUrl, prefix, log: silentLogger });
        const deps = {
          demoKey: DEMO_KEY,
          prisma,
          channels: new ChannelDirectory().register(telegram),
          signer,
          publicBaseUrl: base,
          dataDir,
          render: (id: string, variant?: AudioVariant) => renderBulletinVersion({ prisma, pipeline, speech: createEspeakEngine(), dataDir }, id, variant),
          now: () => new Date(),
        };
        try {
          const wf = createBulletinWorkflow(prisma);
          const title = 'Phòng chống bão số 13';
          const text = 'Ban Chỉ huy phòng chống thiên tai xã đề nghị bà con gia cố nhà cửa trước 15 giờ hôm nay.';
          const b = await wf.createDraft({ staffId: editor.id }, { communeId, title, text });
          // What Telegram's sendBulletin sends per group (bots/bulletin-delivery.ts, captionedVoice).
          const perGroup = bulletinWords({ title, text }).length <= telegramLimits.maxCaptionLength ? 1 : 2;
          await wf.submit({ staffId: editor.id }, b.id);
          await wf.approve({ staffId: approver.id }, b.id);
          // Render first: the bound is about delivery, not about speech synthesis.
          const version = await prisma.bulletinVersion.findFirstOrThrow({ where: { bulletinId: b.id } });
          await deps.render(version.id);

          queues.startWorker('broadcast', { [deliverJob.name]: deliverJobHandler(deps) as never }, { concurrency: 16 });
          const t0 = Date.now();
          const run = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
          for (const id of run.deliveryIds) await queues.enqueue(deliverJob, { deliveryId: id }, { jobId: `dlv-${id}` });
          ctx.log(`${run.deliveryIds.length} deliveries queued`);
          let last = Date.now();
          for (;;) {
            if (ctx.signal.aborted) throw new Error('aborted');
            const open = await prisma.delivery.count({ where: { runId: run.runId, status: { in: ['pending', 'sending'] } } });
            if (open === 0) break;
            if (Date.now() - last > 10_000) {
              last = Date.now();
              ctx.log(`… ${open} deliveries open, ${api.sent.length} Telegram messages`);
            }
            await new Promise((r) => setTimeout(r, 100));
          }
          const seconds = (Date.now() - t0) / 1000;
          const failed = await prisma.delivery.count({ where: { runId: run.runId, status: 'failed' } });
          const perChat = new Map<string, number>();
          for (const m of api.sent) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
          const duplicates = [...perChat.values()].filter((n) => n > perGroup).length;
          const accepted = new Set(sim.reports.filter((r) => r.event === 'started').map((r) => r.itemId)).size;
          // The server lets the first second's 30 through at once, then 30 a second.
          const bound = Math.max(0, (groups * perGroup) / TELEGRAM_PER_S - 1);
          const tooMany = api.calls.length - api.sent.length - api.calls.filter((c) => !c.method.startsWith('send')).length;
          const figures: Record<string, Figure> = {
            time_to_finish: { value: round(seconds, 1), unit: 's' },
            lower_bound: { value: round(bound, 1), unit: 's' },
            sends_per_group: { value: round(api.sent.length / groups, 2), unit: 'messages' },
            responses_429: { value: Math.max(0, tooMany), unit: 'count' },
            duplicates: { value: duplicates, unit: 'groups' },
            failed_deliveries: { value: failed, unit: 'count' },
            loudspeakers_started: { value: accepted, unit: 'count' },
          };
          return {
            figures,
            comparisons: [withinLimit(figures, 'time_to_finish', round(bound * 1.1, 1), 'lower'), withinLimit(figures, 'duplicates', 0.5, 'lower')],
            meta: { groups, loudspeakers, telegram_messages: api.sent.length, bound: `${perGroup === 1 ? 'one captioned voice note' : 'text + voice note'} per group at 30 messages/s per bot, first second free (the 20/min per group limit does not bind: ${perGroup} per group)`, concurrency: 16 },
          };
        } finally {
          await queues.close(2000);
          await deleteRedisPrefix(ctx.services.redisUrl, prefix).catch(() => undefined);
          await sim.close();
          await web.close();
          await api.close();
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
