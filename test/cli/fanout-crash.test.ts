// A worker killed hard (SIGKILL) in the middle of a fan-out to 120 Telegram groups, against the
// real PostgreSQL and Redis: after a new worker takes over, every group has exactly one delivery
// marked sent, every group got the text and the audio, and a message is repeated only where a
// send was in flight at the moment of the kill (Telegram has no idempotency key; the figure is
// printed). The local Bot API enforces the real limits (30/s per bot, 20/min per group).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { createQueueKit, type QueueKit } from '../../src/queues/queue-kit.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { deliverJob, startRun } from '../../broadcasts/fanout/start-run.ts';
import { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { spawnLoaxa, type Running } from '../support/spawn-loaxa.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

const GROUPS = 120;
const CONCURRENCY = 8;
let db: MigratedTestDatabase;
let prisma: PrismaClient;
let queues: QueueKit;
let api: FakeBotApi;
const prefix = testRedisPrefix();
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-fanout-crash-'));
const running: Running[] = [];

beforeAll(async () => {
  db = await openMigratedTestDatabase('fanout_crash', 4);
  prisma = db.prisma;
  api = new FakeBotApi();
  await api.start();
  queues = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix, log: silentLogger });
});
afterAll(async () => {
  for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await queues?.close(1000);
  await deleteTestRedisKeys(prefix);
  await api?.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function worker(): Running {
  const r = spawnLoaxa(['worker'], {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    WORKER_CONCURRENCY: String(CONCURRENCY),
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
  });
  running.push(r);
  return r;
}

async function until(what: string, fn: () => Promise<boolean> | boolean, ms: number, r?: Running) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${r ? `; stderr: ${r.stderr().slice(-2000)}` : ''}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('a worker killed in the middle of a fan-out', () => {
  it('leaves each group with exactly one successful delivery after a new worker takes over', async () => {
    const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
    const staff = Object.fromEntries((await prisma.staff.findMany()).map((s) => [s.username, s.id]));
    await prisma.target.createMany({ data: Array.from({ length: GROUPS }, (_, i) => ({ communeId, kind: 'telegram_chat' as const, name: `Nhóm ${i + 1}`, platformChatId: String(-3000 - i), status: 'active' as const })) });
    const wf = createBulletinWorkflow(prisma);
    const b = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId, title: 'Lịch cắt điện', text: 'Điện lực thông báo: ngày 05/12/2026 cắt điện từ 7 giờ 30 đến 11 giờ để sửa đường dây.' });
    const targetIds = (await prisma.target.findMany({ where: { communeId, status: 'active' }, select: { id: true } })).map((t) => t.id);
    await wf.setAudience({ staffId: staff.vanhoa! }, b.id, { targetIds });
    await wf.submit({ staffId: staff.vanhoa! }, b.id);
    await wf.approve({ staffId: staff.chutich! }, b.id);

    const first = worker();
    const run = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
    expect(run.deliveryIds).toHaveLength(GROUPS);
    for (const id of run.deliveryIds) await queues.enqueue(deliverJob, { deliveryId: id }, { jobId: `dlv-${id}`, priority: run.priority });

    // Killed once about a quarter of the groups have their bulletin (one captioned voice note each).
    await until('the fan-out to start', () => api.sent.length >= GROUPS / 4, 120_000, first);
    first.child.kill('SIGKILL');
    await first.exited;
    const sentAtKill = await prisma.delivery.count({ where: { runId: run.runId, status: 'sent' } });
    const inFlight = await prisma.delivery.count({ where: { runId: run.runId, status: 'sending' } });
    expect(sentAtKill).toBeLessThan(GROUPS);

    const second = worker();
    // The killed worker's jobs come back when their locks lapse (BullMQ's stalled-job check).
    await until('the run to finish', async () => (await prisma.broadcastRun.findUniqueOrThrow({ where: { id: run.runId } })).status !== 'sending', 150_000, second);

    const deliveries = await prisma.delivery.findMany({ where: { runId: run.runId } });
    expect(deliveries.filter((d) => d.status === 'sent')).toHaveLength(GROUPS);
    expect(new Set(deliveries.map((d) => d.targetId)).size).toBe(GROUPS);
    let repeats = 0;
    for (let i = 0; i < GROUPS; i++) {
      const methods = api.sentTo(String(-3000 - i)).map((m) => m.method);
      expect(methods.filter((m) => m === 'sendVoice').length, `group ${i}`).toBeGreaterThanOrEqual(1);
      // A short bulletin is one message per group: anything more is a repeat.
      repeats += methods.length - 1;
    }
    // Only a send cut between Telegram's answer and our write can repeat: at most one per job in flight.
    expect(repeats).toBeLessThanOrEqual(Math.max(inFlight, CONCURRENCY));
    // eslint-disable-next-line no-console -- the repeat figure is worth reading in CI logs
    console.info(`fan-out crash: ${sentAtKill} sent before the kill, ${inFlight} in flight, ${repeats} message(s) repeated`);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 300_000);
});
