// Inbound: simulated residents write to the commune bot through the local Telegram Bot API server;
// each message goes the real way (telegraf long polling → stored → queued → classified, routed,
// ticket created → acknowledgement to the resident and a post in the admin chat). Figures:
// messages/s and latency from the update to its admin-chat post, next to the platform baseline
// (BullMQ + one INSERT) measured in the same run.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { againstBaseline, round, summarize, type BenchContext, type BenchResult, type Figure, type Scenario } from '../harness.ts';
import { deleteRedisPrefix, withBenchDatabase } from '../services.ts';
import { measureBaseline, queueFigures } from './queue-baseline.ts';
import { PrismaClient } from '../../src/db/generated/client.ts';
import { migrate } from '../../src/db/migrator.ts';
import { pgRunner } from '../../src/db/sql-runner.ts';
import { ensureCategories } from '../../src/catalog/ensure-categories.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { createQueueKit } from '../../src/queues/queue-kit.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createTelegramChannel } from '../../bots/telegram/telegram-channel.ts';
import { ensureChannelAccount } from '../../src/tickets/channel-accounts.ts';
import { inboxHandlers } from '../../src/tickets/inbox.ts';
import { createTicketDeps } from '../../src/tickets/ticket-runtime.ts';
import { processInbound } from '../../src/tickets/process-inbound.ts';
import { outboundHandlers } from '../../src/tickets/outbound-delivery.ts';
import { processInboundJob } from '../../src/tickets/ticket-jobs.ts';
import { FakeBotApi } from '../../test/support/telegram-bot-api/fake-bot-api.ts';

const ADMIN_CHAT = -1009000001;
const CONCURRENCY = 8;
// Telegram lets one bot send about 30 messages a second; every ticket costs two (acknowledgement
// and admin post). The local server lifts that limit to measure our own cost; this figure says
// how long the real platform would need for the same load.
const TELEGRAM_MSGS_PER_S = 30;

interface Phase {
  latencies: number[];
  seconds: number;
}

interface Stages {
  stored: number[];
  processed: number[];
}

async function runInbound(ctx: BenchContext, residents: number, perResident: number, pacedMessages: number): Promise<{ burst: Phase; paced: Phase; tickets: number; stages: Stages }> {
  return withBenchDatabase(ctx.services.pgAdminUrl, 'inbound', async (db) => {
    const pool = new pg.Pool({ connectionString: db.url, max: CONCURRENCY * 2 + 2 });
    pool.on('error', () => undefined);
    await migrate(pgRunner(pool));
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    await ensureCategories(prisma);
    const demo = await seedDemo(prisma, { password: 'MatKhauBench2026' });
    const api = new FakeBotApi({ perSecondLimit: 1e9, groupLimit: 1e9 });
    const { apiRoot } = await api.start();
    const prefix = `loaxa-bench-${randomBytes(4).toString('hex')}`;
    const queues = createQueueKit({ redisUrl: ctx.services.redisUrl, prefix, log: silentLogger });
    const enqueue = queues.enqueue.bind(queues);
    // The post's wait for the rest of a burst (TICKET_BURST_SECONDS, 20 s by default) is a chosen
    // delay, not a cost: left out, so the figure is the system's own time to the post.
    const settings = loadSettings({ DATA_DIR: '/tmp/loaxa-bench-unused', RESIDENT_MESSAGES_PER_MINUTE: '1000', TICKET_BURST_SECONDS: '0' });
    const deps = await createTicketDeps({ prisma, log: silentLogger, settings, enqueue, cancelJob: queues.cancel.bind(queues) });
    // Every message becomes its own ticket (and so its own admin post), the heaviest path.
    deps.policy.followUpWindowMs = 0;
    const telegram = createTelegramChannel({ token: api.token, apiRoot, log: silentLogger, mode: { kind: 'polling', timeoutSeconds: 1 }, limits: { messagesPerSecond: 1e9, messagesPerMinutePerGroup: 1e9 } });
    const account = await ensureChannelAccount(prisma, { platform: 'telegram', name: telegram.accountId, adminChatId: String(ADMIN_CHAT) });
    const directory = new ChannelDirectory().register(telegram);

    // Residents who already consented, as after their first conversation.
    const userIds = Array.from({ length: residents }, (_, i) => 100_000 + i);
    for (let i = 0; i < userIds.length; i += 500) {
      await prisma.$transaction(
        userIds.slice(i, i + 500).map((uid) =>
          prisma.resident.create({
            data: { communeId: demo.communeId, consentGivenAt: new Date(), consentVersion: 'bench', identities: { create: { platform: 'telegram', platformUserId: String(uid), platformChatId: String(uid), channelAccountId: account.id } } },
          }),
        ),
      );
    }
    await telegram.start(inboxHandlers(prisma, enqueue, account.id, 'telegram'));
    const workers = [
      queues.startWorker('inbound', { [processInboundJob.name]: async (d: { inboundId: string }) => processInbound(deps, d.inboundId) }, { concurrency: CONCURRENCY }),
      queues.startWorker('outbound', outboundHandlers({ ...deps, channels: directory, dataDir: '/tmp/loaxa-bench-unused' }), { concurrency: CONCURRENCY }),
    ];

    const questions = readFileSync(join(ctx.root, 'test/fixtures/shared/questions.dev.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { text: string }).text);
    const sentAt = new Map<number, number>();
    const postedAt = new Map<number, number>();
    let scanned = 0;
    // A post carries the message's "#N" marker, except a denunciation's, which shows only its
    // ticket code to the group (by design): those are matched through the ticket's own text.
    const byCode = new Map<string, number>();
    const collect = async () => {
      for (; scanned < api.sent.length; scanned++) {
        const m = api.sent[scanned]!;
        if (m.chatId !== String(ADMIN_CHAT)) continue;
        const seq = /#(\d+)\b/.exec(m.text ?? '')?.[1];
        if (seq) postedAt.set(Number(seq), m.at);
        else {
          const code = /PA-\d{4}-\d+/.exec(m.text ?? '')?.[0];
          if (code && !byCode.has(code)) byCode.set(code, m.at);
        }
      }
      if (!byCode.size) return;
      const tickets = await prisma.ticket.findMany({ where: { code: { in: [...byCode.keys()] } }, select: { code: true, messages: { select: { text: true }, orderBy: { createdAt: 'asc' }, take: 1 } } });
      for (const t of tickets) {
        const seq = /#(\d+)\b/.exec(t.messages[0]?.text ?? '')?.[1];
        if (seq && !postedAt.has(Number(seq))) postedAt.set(Number(seq), byCode.get(t.code)!);
        byCode.delete(t.code);
      }
    };
    let seq = 0;
    const send = (uid: number) => {
      seq += 1;
      sentAt.set(seq, Date.now());
      api.residentSends({ userId: uid, text: `${questions[seq % questions.length]} #${seq}` });
      return seq;
    };
    const waitPosted = async (upTo: number) => {
      let lastReport = Date.now();
      while (postedAt.size < upTo) {
        if (ctx.signal.aborted) throw new Error('aborted');
        await collect();
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          const pending = await prisma.inboundMessage.count({ where: { status: 'pending' } });
          const byStatus = await prisma.inboundMessage.groupBy({ by: ['status', 'error'], _count: { _all: true } });
          ctx.log(`… ${postedAt.size}/${upTo} posted, ${pending} messages pending, ${JSON.stringify(byStatus.map((b) => [b.status, b.error, b._count._all]))}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    try {
      // Warm-up: connections, JIT, prepared plans.
      for (let i = 0; i < 50; i++) send(userIds[i % userIds.length]!);
      await waitPosted(50);
      postedAt.clear();
      sentAt.clear();

      ctx.log(`burst: ${residents} residents × ${perResident} messages`);
      const burstFirst = seq + 1;
      const t0 = Date.now();
      for (let r = 0; r < perResident; r++) for (const uid of userIds) send(uid);
      const burstLast = seq;
      await waitPosted(burstLast - burstFirst + 1);
      const burstSeconds = (Date.now() - t0) / 1000;
      const burst = { seconds: burstSeconds, latencies: [...postedAt.entries()].map(([s, at]) => at - sentAt.get(s)!) };
      const tickets = await prisma.ticket.count();
      // Where the time goes: update → stored (polling, insert), stored → processed (the job).
      const rows = await prisma.inboundMessage.findMany({ select: { payload: true, receivedAt: true, processedAt: true } });
      const stages: Stages = { stored: [], processed: [] };
      for (const row of rows) {
        const s = Number(/#(\d+)\b/.exec((row.payload as { message?: { text?: string } }).message?.text ?? '')?.[1]);
        const at = sentAt.get(s);
        if (!at || !row.processedAt) continue;
        stages.stored.push(row.receivedAt.getTime() - at);
        stages.processed.push(row.processedAt.getTime() - row.receivedAt.getTime());
      }

      const rate = Math.max(1, (burstLast - burstFirst + 1) / burstSeconds / 2);
      ctx.log(`paced: ${pacedMessages} messages at ${Math.round(rate)}/s`);
      postedAt.clear();
      sentAt.clear();
      const p0 = Date.now();
      for (let i = 0; i < pacedMessages; i++) {
        send(userIds[i % userIds.length]!);
        const due = p0 + ((i + 1) * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await collect();
      }
      await waitPosted(pacedMessages);
      const paced = { seconds: (Date.now() - p0) / 1000, latencies: [...postedAt.entries()].map(([s, at]) => at - sentAt.get(s)!) };
      return { burst, paced, tickets, stages };
    } finally {
      await telegram.stop();
      await Promise.all(workers.map((w) => w.close()));
      deps.stop();
      await queues.close(2000);
      await deleteRedisPrefix(ctx.services.redisUrl, prefix).catch(() => undefined);
      await api.close();
      await prisma.$disconnect();
      await pool.end();
    }
  });
}

const scenario: Scenario = {
  name: 'inbound',
  description: 'residents → Telegram (local Bot API) → stored, classified, routed ticket → admin-chat post, against the BullMQ+INSERT baseline',
  timeoutMs: 900_000,
  async run(ctx): Promise<BenchResult> {
    const residents = ctx.quick ? 100 : 1000;
    const perResident = ctx.quick ? 3 : 10;
    const messages = residents * perResident;
    const base = queueFigures(await measureBaseline(ctx, { jobs: ctx.quick ? 1000 : 5000, concurrency: CONCURRENCY }));
    const r = await runInbound(ctx, residents, perResident, ctx.quick ? 200 : 1000);
    if (r.tickets < messages) throw new Error(`expected at least ${messages} tickets, found ${r.tickets}`);
    const burst = summarize(r.burst.latencies);
    const paced = summarize(r.paced.latencies);
    const figures: Record<string, Figure> = {
      throughput: { value: round(messages / r.burst.seconds, 1), unit: 'jobs/s' },
      latency_p50: { value: round(paced.p50), unit: 'ms' },
      latency_p99: { value: round(paced.p99), unit: 'ms' },
      burst_latency_p50: { value: round(burst.p50), unit: 'ms' },
      burst_latency_p99: { value: round(burst.p99), unit: 'ms' },
      // Where the burst's time goes: waiting to be stored (the polling loop stores one update at
      // a time while workers compete for the CPU), then the job itself.
      burst_update_to_stored_p50: { value: round(summarize(r.stages.stored).p50), unit: 'ms' },
      burst_stored_to_processed_p50: { value: round(summarize(r.stages.processed).p50), unit: 'ms' },
      telegram_bound_s: { value: round((messages * 2) / TELEGRAM_MSGS_PER_S, 0), unit: 's' },
    };
    return {
      figures,
      comparisons: [
        againstBaseline(figures, 'throughput', base.throughput!, 'queue-baseline throughput (same run)', 'higher'),
        againstBaseline(figures, 'latency_p50', base.latency_p50!, 'queue-baseline latency_p50 (same run)', 'lower'),
        againstBaseline(figures, 'latency_p99', base.latency_p99!, 'queue-baseline latency_p99 (same run)', 'lower'),
      ],
      meta: {
        residents,
        messages,
        concurrency: CONCURRENCY,
        throughput_unit: 'messages/s (one ticket each)',
        latency: 'update pushed → admin-chat post received by the Bot API server (without the burst window, TICKET_BURST_SECONDS=0); latency_* paced at half the burst rate, burst_* all at once',
        telegram_bound: 'time real Telegram would need at 30 messages/s per bot (ack + post per ticket)',
      },
    };
  },
};

export default scenario;
