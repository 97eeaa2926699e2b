// What every chaos scenario stands on: split roles (`loaxa web|bots|worker`, `loaxa start`) as
// real processes against a fresh database on the machine's PostgreSQL, a private redis-server
// (its own socket, append-only file) and the local Telegram Bot API with its per-chat send log.
// Everything is created here and removed by close().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { Redis } from 'ioredis';
import { PrismaClient } from '../src/db/generated/client.ts';
import { migrate } from '../src/db/migrator.ts';
import { pgRunner } from '../src/db/sql-runner.ts';
import { seedDemo } from '../src/demo/seed-demo.ts';
import { silentLogger } from '../src/logger.ts';
import { createQueueKit, type QueueKit } from '../src/queues/queue-kit.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { createBulletinWorkflow } from '../src/bulletins/bulletin-workflow.ts';
import { queueRun, startRun } from '../broadcasts/fanout/start-run.ts';
import { FakeBotApi } from '../test/support/telegram-bot-api/fake-bot-api.ts';
import { freePort, spawnLoaxa, type Running } from '../test/support/spawn-loaxa.ts';
import { createBenchDatabase, type BenchDatabase } from '../bench/services.ts';

export interface Role {
  name: string;
  proc: Running;
  /** Exit code, or the signal's name when killed. */
  exit(): Promise<number | string>;
}

export interface FanOut {
  runId: string;
  chats: string[];
}

export interface Outcome {
  sent: number;
  missing: number;
  duplicates: number;
  possible_duplicates: number;
}

export class Cluster {
  readonly api = new FakeBotApi();
  readonly prefix = `chaos${Date.now().toString(36)}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'loaxa-chaos-'));
  db!: BenchDatabase;
  pool!: pg.Pool;
  prisma!: PrismaClient;
  redis!: EmbeddedRedis;
  queues!: QueueKit;
  communeId = '';
  private staff: Record<string, string> = {};
  private roles: Role[] = [];
  private nextChat = 1;

  static async open(pgAdminUrl: string): Promise<Cluster> {
    const c = new Cluster();
    await c.api.start();
    c.db = await createBenchDatabase(pgAdminUrl, 'chaos');
    // Named, so terminating the roles' connections spares the observer's own.
    c.pool = new pg.Pool({ connectionString: c.db.url, max: 4, application_name: 'chaos-observer' });
    c.pool.on('error', () => undefined);
    await migrate(pgRunner(c.pool));
    c.prisma = new PrismaClient({ adapter: new PrismaPg(c.pool) });
    c.communeId = (await seedDemo(c.prisma, { password: 'MatKhauChaos2026' })).communeId;
    for (const s of await c.prisma.staff.findMany()) c.staff[s.username] = s.id;
    c.redis = await startEmbeddedRedis({ dataDir: join(c.dir, 'redis-server') });
    c.queues = createQueueKit({ redisUrl: c.redis.url, prefix: c.prefix, log: silentLogger });
    return c;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.db.url,
      REDIS_URL: this.redis.url,
      REDIS_PREFIX: this.prefix,
      DATA_DIR: join(this.dir, 'data'),
      TELEGRAM_BOT_TOKEN: this.api.token,
      TELEGRAM_API_ROOT: this.api.apiRoot,
      WORKER_CONCURRENCY: '4',
      SHUTDOWN_TIMEOUT_MS: '3000',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
      ...extra,
    };
  }

  /** Starts `loaxa <args>` and waits until it says it is ready. */
  async start(name: string, args: string[], extra: Record<string, string> = {}): Promise<Role> {
    const port = String(await freePort());
    const proc = spawnLoaxa(args, this.env({ PORT: port, ...extra }));
    const exited = proc.exited.then((code) => code ?? proc.child.signalCode ?? 'signal');
    const role: Role = { name, proc, exit: () => exited };
    this.roles.push(role);
    const ready = args[0] === 'worker' ? 'worker đã nhận việc' : 'Loa Xã đã sẵn sàng';
    await waitFor(`${name} ready`, () => proc.stdout().includes(ready) || proc.child.exitCode !== null, 120_000);
    if (proc.child.exitCode !== null) throw new Error(`${name} exited at start: ${proc.stderr().slice(-1500)}${proc.stdout().slice(-1500)}`);
    return role;
  }

  /** A bulletin to `groups` new Telegram groups, run and queued now (or only written: queue=false). */
  async fanOut(groups: number, queue = true): Promise<FanOut> {
    const chats = Array.from({ length: groups }, () => String(-(7_000_000 + this.nextChat++)));
    const targets = await Promise.all(chats.map((chat, i) => this.prisma.target.create({ data: { communeId: this.communeId, kind: 'telegram_chat', name: `Nhóm hỗn loạn ${chat} ${i}`, platformChatId: chat, status: 'active' } })));
    const wf = createBulletinWorkflow(this.prisma);
    const b = await wf.createDraft({ staffId: this.staff.vanhoa! }, { communeId: this.communeId, title: 'Thông báo thử nghiệm', text: 'Xã thông báo lịch tiêm chủng mở rộng sáng thứ Bảy tại trạm y tế.' });
    await wf.setAudience({ staffId: this.staff.vanhoa! }, b.id, { targetIds: targets.map((t) => t.id) });
    await wf.submit({ staffId: this.staff.vanhoa! }, b.id);
    await wf.approve({ staffId: this.staff.chutich! }, b.id);
    const run = await startRun(this.prisma, { bulletinId: b.id, scheduledFor: new Date() });
    if (queue) await queueRun(this.queues.enqueue.bind(this.queues), run);
    return { runId: run.runId, chats };
  }

  /** Messages the local Bot API accepted for these chats. */
  sentTo(chats: string[]): number {
    const set = new Set(chats);
    return this.api.sent.filter((m) => set.has(m.chatId)).length;
  }

  /** Waits for the run to end (or the timeout) and counts what each group got. */
  async outcome(f: FanOut, timeoutMs: number): Promise<Outcome & { finished: boolean }> {
    const finished = await waitFor('run to finish', async () => (await this.prisma.broadcastRun.findUniqueOrThrow({ where: { id: f.runId } })).status !== 'sending', timeoutMs).then(
      () => true,
      () => false,
    );
    const deliveries = await this.prisma.delivery.findMany({ where: { runId: f.runId } });
    let duplicates = 0;
    let missing = 0;
    for (const chat of f.chats) {
      const sent = this.api.sentTo(chat);
      const texts = sent.filter((m) => m.method === 'sendMessage').length;
      const voices = sent.filter((m) => m.method === 'sendVoice');
      // A bulletin whose words fit a caption is one voice note carrying them; a longer one is its
      // text, then the voice note.
      const wordsArrived = texts > 0 || voices.some((m) => (m.caption ?? '').length > 0);
      if (!wordsArrived || voices.length === 0) missing += 1;
      duplicates += Math.max(0, texts - 1) + Math.max(0, voices.length - 1);
    }
    return { finished, sent: deliveries.filter((d) => d.status === 'sent').length, missing, duplicates, possible_duplicates: deliveries.filter((d) => d.possibleDuplicate).length };
  }

  async flushall(): Promise<void> {
    const c = new Redis(this.redis.socketPath);
    await c.flushall();
    c.disconnect();
  }

  /** Stops the private redis-server (it writes its append-only file) and starts it again. */
  async restartRedis(downMs: number): Promise<void> {
    await this.redis.stop();
    await new Promise((r) => setTimeout(r, downMs));
    this.redis = await startEmbeddedRedis({ dataDir: join(this.dir, 'redis-server') });
  }

  /** Ends every connection of the roles to the chaos database, as a failover or a DBA would. */
  async terminateConnections(): Promise<number> {
    const admin = new pg.Client({ connectionString: this.db.url, application_name: 'chaos-admin' });
    await admin.connect();
    try {
      const r = await admin.query('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name NOT LIKE $1', ['chaos-%']);
      return (r.rows[0] as { n: number }).n;
    } finally {
      await admin.end();
    }
  }

  async stopRoles(): Promise<Record<string, number | string>> {
    const codes: Record<string, number | string> = {};
    for (const r of this.roles.splice(0)) {
      if (r.proc.child.exitCode === null && r.proc.child.signalCode === null) r.proc.child.kill('SIGTERM');
      const code = await Promise.race([r.exit(), new Promise<string>((res) => setTimeout(() => res('hung'), 20_000))]);
      if (code === 'hung') r.proc.child.kill('SIGKILL');
      codes[r.name] = code;
    }
    return codes;
  }

  async close(): Promise<void> {
    await this.stopRoles().catch(() => undefined);
    await this.queues?.close(1000).catch(() => undefined);
    await this.redis?.stop().catch(() => undefined);
    await this.prisma?.$disconnect().catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
    await this.api.close().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function waitFor(what: string, fn: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
