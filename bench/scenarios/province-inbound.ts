// Province inbound: one installation, N communes each with its own Telegram bot (ChannelAccount
// rows added with addChannelAccount), every commune's residents writing at once through the
// local Bot API server. The `bots` role runs as its own process (`loaxa bots`, as at province
// scale) and stores what its bots receive; the workers (in this process, the platform's send
// limits lifted to measure our own cost) turn each message into a ticket and post it in the
// commune's admin chat. Figures: messages/s, update→stored and update→admin-post p50/p99 of the
// burst; then whether one bot's flood delays the others (p99 of quiet bots' messages while one
// bot floods, against the same quiet load without the flood); and the resident set of the bots
// process with all the bots polling.
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { Redis } from 'ioredis';
import { round, summarize, type BenchContext, type BenchResult, type Figure, type Scenario } from '../harness.ts';
import { deleteRedisPrefix, withBenchDatabase } from '../services.ts';
import { PrismaClient } from '../../src/db/generated/client.ts';
import { migrate } from '../../src/db/migrator.ts';
import { pgRunner } from '../../src/db/sql-runner.ts';
import { ensureCategories } from '../../src/catalog/ensure-categories.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { createQueueKit } from '../../src/queues/queue-kit.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { addChannelAccount } from '../../src/channels/bot-accounts.ts';
import { botTokenChecker } from '../../src/processes/bot-token-checker.ts';
import { createBotFleet } from '../../src/processes/bot-fleet.ts';
import { createTicketDeps } from '../../src/tickets/ticket-runtime.ts';
import { processInbound } from '../../src/tickets/process-inbound.ts';
import { outboundHandlers } from '../../src/tickets/outbound-delivery.ts';
import { processInboundJob } from '../../src/tickets/ticket-jobs.ts';
import { FakeBotApiHub } from '../../test/support/telegram-bot-api/fake-bot-api-hub.ts';
import type { FakeBotApi } from '../../test/support/telegram-bot-api/fake-bot-api.ts';

const CONCURRENCY = 8;
// Telegram's own bound on the posts: 20 messages a minute into one group (the admin chat).
const GROUP_POSTS_PER_MIN = 20;

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface Commune {
  index: number;
  api: FakeBotApi;
  adminChat: string;
  userIds: number[];
}

async function runProvince(ctx: BenchContext, bots: number, residents: number, flood: number) {
  return withBenchDatabase(ctx.services.pgAdminUrl, 'province_inbound', async (db) => {
    const pool = new pg.Pool({ connectionString: db.url, max: CONCURRENCY * 2 + 4 });
    pool.on('error', () => undefined);
    await migrate(pgRunner(pool));
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    await ensureCategories(prisma);
    const hub = new FakeBotApiHub();
    const { apiRoot } = await hub.start();
    const prefix = `loaxa-bench-${randomBytes(4).toString('hex')}`;
    const key = randomBytes(32);
    const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-bench-province-'));
    const redis = new Redis(ctx.services.redisUrl);
    const queues = createQueueKit({ redisUrl: ctx.services.redisUrl, prefix, log: silentLogger });
    let child: ChildProcess | undefined;
    let fleet: ReturnType<typeof createBotFleet> | undefined;
    let workers: Array<{ close(): Promise<unknown> }> = [];
    let deps: Awaited<ReturnType<typeof createTicketDeps>> | undefined;
    try {
      // The communes, each with its bot (getMe, sealed token) and consented residents.
      ctx.log(`setup: ${bots} communes × ${residents} residents`);
      const communes: Commune[] = [];
      const checkToken = botTokenChecker({ TELEGRAM_API_ROOT: apiRoot, ZALO_BOT_API_ROOT: apiRoot });
      for (let b = 0; b < bots; b++) {
        // Ticket codes are unique per commune only: each commune gets its own prefix so that a code
        // seen in an admin chat names its commune (the scan below matches on it).
        const c = await prisma.commune.create({ data: { code: `xa-${b}`, name: `Xã Số ${b + 1}`, ticketCodePrefix: `X${b}` } });
        const api = hub.addBot({ perSecondLimit: 1e9, groupLimit: 1e9 });
        const adminChat = String(-1009000000 - b);
        const account = await addChannelAccount({ prisma, key, checkToken }, { communeId: c.id, platform: 'telegram', token: api.token, adminChatId: adminChat });
        const userIds = Array.from({ length: residents }, (_, i) => 10_000_000 + b * 10_000 + i);
        const ids = userIds.map(() => randomUUID());
        await prisma.resident.createMany({ data: ids.map((id) => ({ id, communeId: c.id, consentGivenAt: new Date(), consentVersion: 'bench' })) });
        await prisma.residentIdentity.createMany({ data: userIds.map((u, i) => ({ residentId: ids[i]!, platform: 'telegram' as const, platformUserId: String(u), platformChatId: String(u), channelAccountId: account.id })) });
        communes.push({ index: b, api, adminChat, userIds });
      }

      // The bots role, its own process, as a province runs it.
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, REDIS_URL: ctx.services.redisUrl, REDIS_PREFIX: prefix, DATA_DIR: dataDir, ENCRYPTION_KEY: key.toString('base64'), TELEGRAM_API_ROOT: apiRoot, LOG_LEVEL: 'warn', SEED_DEMO: 'false' };
      for (const k of ['TELEGRAM_BOT_TOKEN', 'ZALO_BOT_TOKEN', 'PUBLIC_BASE_URL']) delete env[k];
      child = spawn(process.execPath, [join(ctx.root, 'bin', 'loaxa.js'), 'bots'], { cwd: ctx.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
      child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
      const t0 = Date.now();
      while (!communes.every((c) => hub.polls(c.api) > 0)) {
        if (child.exitCode !== null) throw new Error(`loaxa bots exited: ${out}`);
        if (ctx.signal.aborted || Date.now() - t0 > 120_000) throw new Error(`not every bot polled within 120 s: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const allPollingS = (Date.now() - t0) / 1000;
      ctx.log(`all ${bots} bots polling after ${round(allPollingS, 1)} s`);

      // Workers here: the same handlers, the platform's send limits lifted (own cost only).
      const settings = loadSettings({ DATA_DIR: dataDir, ENCRYPTION_KEY: key.toString('base64'), TELEGRAM_API_ROOT: apiRoot, RESIDENT_MESSAGES_PER_MINUTE: '1000', TICKET_BURST_SECONDS: '0', REDIS_PREFIX: prefix });
      const enqueue = queues.enqueue.bind(queues);
      deps = await createTicketDeps({ prisma, log: silentLogger, settings, enqueue, cancelJob: queues.cancel.bind(queues) });
      deps.policy.followUpWindowMs = 0;
      const directory = new ChannelDirectory();
      fleet = createBotFleet({ prisma, settings, log: silentLogger, redis, enqueue, directory, limits: { messagesPerSecond: 1e9, messagesPerMinutePerGroup: 1e9 } });
      await fleet.sync();
      workers = [
        queues.startWorker('inbound', { [processInboundJob.name]: async (d: { inboundId: string }) => processInbound(deps!, d.inboundId) }, { concurrency: CONCURRENCY }),
        queues.startWorker('outbound', outboundHandlers({ ...deps, channels: directory, dataDir }), { concurrency: CONCURRENCY }),
      ];

      const questions = readFileSync(join(ctx.root, 'test/fixtures/shared/questions.dev.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { text: string }).text);
      const sentAt = new Map<number, number>();
      const botOf = new Map<number, number>();
      const postedAt = new Map<number, number>();
      const scanned = new Map<FakeBotApi, number>();
      const byCode = new Map<string, number>();
      let seq = 0;
      const send = (c: Commune, uid: number) => {
        seq += 1;
        sentAt.set(seq, Date.now());
        botOf.set(seq, c.index);
        c.api.residentSends({ userId: uid, text: `${questions[seq % questions.length]} #${seq}` });
        return seq;
      };
      // A post carries the message's "#N", except a denunciation's (only its code): matched by ticket.
      const collect = async () => {
        for (const c of communes) {
          let i = scanned.get(c.api) ?? 0;
          for (; i < c.api.sent.length; i++) {
            const m = c.api.sent[i]!;
            if (m.chatId !== c.adminChat) continue;
            const s = /#(\d+)\b/.exec(m.text ?? '')?.[1];
            if (s) postedAt.set(Number(s), m.at);
            else {
              const code = /\bX\d+-\d{4}-\d+/.exec(m.text ?? '')?.[0];
              if (code) byCode.set(`${c.index}:${code}`, m.at);
            }
          }
          scanned.set(c.api, i);
        }
        if (!byCode.size) return;
        const tickets = await prisma.ticket.findMany({ where: { code: { in: [...byCode.keys()].map((k) => k.split(':')[1]!) } }, select: { code: true, commune: { select: { code: true } }, messages: { select: { text: true }, orderBy: { createdAt: 'asc' }, take: 1 } } });
        for (const t of tickets) {
          const k = `${t.commune.code.slice(3)}:${t.code}`;
          const s = /#(\d+)\b/.exec(t.messages[0]?.text ?? '')?.[1];
          if (s && byCode.has(k)) {
            postedAt.set(Number(s), byCode.get(k)!);
            byCode.delete(k);
          }
        }
      };
      const waitPosted = async (seqs: number[], label: string) => {
        let last = Date.now();
        while (!seqs.every((s) => postedAt.has(s))) {
          if (ctx.signal.aborted) throw new Error('aborted');
          if (child!.exitCode !== null) throw new Error(`loaxa bots exited: ${out}`);
          await collect();
          if (Date.now() - last > 10_000) {
            last = Date.now();
            const byStatus = await prisma.inboundMessage.groupBy({ by: ['status', 'error'], _count: { _all: true } });
            ctx.log(`… ${label}: ${seqs.filter((s) => postedAt.has(s)).length}/${seqs.length} posted, stored ${JSON.stringify(byStatus.map((b) => [b.status, b.error, b._count._all]))}, ${await prisma.ticket.count()} tickets, bots rss ${round(rssMb(child!.pid!), 0)} MB`);
          }
          await new Promise((r) => setTimeout(r, 25));
        }
      };
      const storedAt = async (seqs: Set<number>) => {
        const rows = await prisma.$queryRaw<Array<{ text: string; at: Date }>>`SELECT payload->'message'->>'text' AS text, "receivedAt" AS at FROM "InboundMessage"`;
        const m = new Map<number, number>();
        for (const r of rows) {
          const s = Number(/#(\d+)\b/.exec(r.text ?? '')?.[1]);
          if (seqs.has(s)) m.set(s, r.at.getTime());
        }
        return m;
      };
      const latencies = async (seqs: number[]) => {
        const stored = await storedAt(new Set(seqs));
        return {
          stored: seqs.filter((s) => stored.has(s)).map((s) => stored.get(s)! - sentAt.get(s)!),
          posted: seqs.map((s) => postedAt.get(s)! - sentAt.get(s)!),
          lastStored: Math.max(...seqs.map((s) => stored.get(s) ?? 0)),
        };
      };

      // Warm-up: one message per bot (connections, JIT, plans).
      await waitPosted(communes.map((c) => send(c, c.userIds[0]!)), 'warm-up');
      const idleRss = rssMb(child.pid!);

      // Burst: every resident of every commune writes at once.
      ctx.log(`burst: ${bots * residents} messages`);
      let peakRss = idleRss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(child!.pid!))), 200);
      const b0 = Date.now();
      const burst: number[] = [];
      for (let i = 0; i < residents; i++) for (const c of communes) burst.push(send(c, c.userIds[i]!));
      await waitPosted(burst, 'burst');
      const burstS = (Date.now() - b0) / 1000;
      clearInterval(sampler);
      const burstLat = await latencies(burst);
      const storedS = (burstLat.lastStored - b0) / 1000;

      // Quiet load: each other bot gets one message, spread over 2 s; first alone, then while
      // bot 0's residents flood it with `flood` messages at once.
      const quietRound = async () => {
        const seqs: number[] = [];
        const others = communes.slice(1);
        for (let i = 0; i < others.length; i++) {
          const due = Date.now() + 2000 / others.length;
          seqs.push(send(others[i]!, others[i]!.userIds[1 % residents]!));
          const wait = due - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        return seqs;
      };
      ctx.log('quiet bots alone');
      const alone = await quietRound();
      await waitPosted(alone, 'quiet alone');
      const aloneLat = await latencies(alone);
      ctx.log(`quiet bots while bot 0 floods (${flood} messages)`);
      const floodSeqs: number[] = [];
      for (let i = 0; i < flood; i++) floodSeqs.push(send(communes[0]!, communes[0]!.userIds[i % residents]!));
      const during = await quietRound();
      await waitPosted([...during, ...floodSeqs], 'flood');
      const duringLat = await latencies(during);
      const floodLat = await latencies(floodSeqs);
      const tickets = await prisma.ticket.count();
      return { burstS, storedS, burstLat, aloneLat, duringLat, floodLat, idleRss, peakRss, allPollingS, tickets, messages: seq };
    } finally {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => (child!.exitCode !== null ? r(undefined) : child!.once('exit', r)));
      }
      await fleet?.close();
      await Promise.all(workers.map((w) => w.close()));
      deps?.stop();
      await queues.close(2000);
      redis.disconnect();
      await deleteRedisPrefix(ctx.services.redisUrl, prefix).catch(() => undefined);
      await hub.close();
      await prisma.$disconnect();
      await pool.end();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

const ms = (v: number): Figure => ({ value: round(v), unit: 'ms' });

const scenario: Scenario = {
  name: 'province-inbound',
  description: 'N communes × their own Telegram bot (one `loaxa bots` process) × residents writing at once → stored → ticket → admin-chat post; one bot flooding vs the others; RSS of the bots role',
  timeoutMs: 1_500_000,
  async run(ctx): Promise<BenchResult> {
    const bots = Number(process.env.BENCH_PROVINCE_BOTS ?? (ctx.quick ? 20 : 100));
    const residents = Number(process.env.BENCH_PROVINCE_RESIDENTS ?? (ctx.quick ? 10 : 100));
    const flood = Number(process.env.BENCH_PROVINCE_FLOOD ?? residents * 10);
    const r = await runProvince(ctx, bots, residents, flood);
    const messages = bots * residents;
    if (r.tickets < messages) throw new Error(`expected at least ${messages} tickets, found ${r.tickets}`);
    const stored = summarize(r.burstLat.stored);
    const posted = summarize(r.burstLat.posted);
    const alone = { stored: summarize(r.aloneLat.stored), posted: summarize(r.aloneLat.posted) };
    const during = { stored: summarize(r.duringLat.stored), posted: summarize(r.duringLat.posted) };
    const figures: Record<string, Figure> = {
      messages_per_s: { value: round(messages / r.burstS, 1), unit: 'messages/s' },
      stored_per_s: { value: round(messages / r.storedS, 1), unit: 'messages/s' },
      update_to_stored_p50: ms(stored.p50),
      update_to_stored_p99: ms(stored.p99),
      update_to_admin_post_p50: ms(posted.p50),
      update_to_admin_post_p99: ms(posted.p99),
      quiet_stored_p99_alone: ms(alone.stored.p99),
      quiet_stored_p99_during_flood: ms(during.stored.p99),
      quiet_post_p99_alone: ms(alone.posted.p99),
      quiet_post_p99_during_flood: ms(during.posted.p99),
      flood_stored_p99: ms(summarize(r.floodLat.stored).p99),
      bots_rss_mb: { value: round(r.idleRss, 0), unit: 'MB' },
      bots_rss_peak_mb: { value: round(r.peakRss, 0), unit: 'MB' },
      all_bots_polling_s: { value: round(r.allPollingS, 1), unit: 's' },
      telegram_group_bound_s: { value: round((residents / GROUP_POSTS_PER_MIN) * 60, 0), unit: 's' },
      // Every commune's admin chat fills at once: the whole burst's posts at most this fast on real Telegram.
      telegram_posts_per_s_bound: { value: round((bots * GROUP_POSTS_PER_MIN) / 60, 1), unit: 'messages/s' },
    };
    return {
      figures,
      meta: {
        bots,
        residents_per_bot: residents,
        messages,
        flood,
        worker_concurrency: CONCURRENCY,
        stored: 'update pushed to the local Bot API → row committed by the `loaxa bots` process (InboundMessage.receivedAt)',
        admin_post: 'update pushed → ticket post received in the commune’s admin chat (TICKET_BURST_SECONDS=0; the workers’ send limits lifted)',
        quiet: 'one message for each other bot spread over 2 s, alone and while bot 0 gets `flood` messages at once',
        bots_rss: 'resident set of the `loaxa bots` process with every bot polling, after the warm-up; peak during the burst',
        telegram_group_bound: 'what real Telegram needs to post one commune’s burst into its admin chat at 20 messages/min per group; telegram_posts_per_s_bound: every bot’s admin chat at that rate in parallel (the 30 messages/s per bot does not bind: R posts and R acknowledgements per bot over the same time)',
      },
    };
  },
};

export default scenario;
