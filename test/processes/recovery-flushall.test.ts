// Redis loses everything (FLUSHALL) in the middle of a fan-out, and nothing is restarted: the
// worker's own recovery pass (its minute tick, driven directly here) queues again what
// PostgreSQL says is pending. Every group gets the bulletin, every open ticket's deadline checks
// exist again, an overdue check fires exactly once. Against the real PostgreSQL and a private
// redis-server (FLUSHALL on the shared one would wipe other tests).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { openRuntime, type Runtime } from '../../src/processes/runtime.ts';
import { startWorkerRole } from '../../src/processes/worker-role.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { queueRun, startRun } from '../../broadcasts/fanout/start-run.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/runtime/embedded-redis.ts';
import { deadlinePlanner } from '../../src/tickets/ticket-runtime.ts';
import { defaultTicketPolicy } from '../../src/tickets/ticket-deps.ts';
import { deadlineEffects, planTicketDeadlines } from '../../src/tickets/ticket-intake.ts';
import { readLease } from '../../src/db/process-lease.ts';
import { DEFAULT_TIME_ZONE } from '../../src/calendar/time-zone.ts';
import { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

const GROUPS = 30;
const TICKETS = 12;
let db: MigratedTestDatabase;
let prisma: PrismaClient;
let api: FakeBotApi;
let redis: EmbeddedRedis;
let rt: Runtime;
let role: Awaited<ReturnType<typeof startWorkerRole>>;
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-flushall-'));

beforeAll(async () => {
  db = await openMigratedTestDatabase('flushall', 6);
  prisma = db.prisma;
  // Group limit shrunk so the fan-out is slow enough to be caught in the middle.
  api = new FakeBotApi();
  await api.start();
  redis = await startEmbeddedRedis({ dataDir });
}, 60_000);

afterAll(async () => {
  await role?.stop().catch(() => undefined);
  await rt?.close().catch(() => undefined);
  await redis?.stop();
  await api?.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function flushAll(): Promise<void> {
  const c = new Redis(redis.url.replace('unix://', ''), { lazyConnect: false });
  await c.flushall();
  c.disconnect();
}

describe('recovery from PostgreSQL after Redis lost its data', () => {
  it('delivers to every group and rebuilds every open ticket’s deadline checks, with nothing restarted', async () => {
    const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
    const staff = Object.fromEntries((await prisma.staff.findMany()).map((s) => [s.username, s.id]));
    await prisma.target.createMany({ data: Array.from({ length: GROUPS }, (_, i) => ({ communeId, kind: 'telegram_chat' as const, name: `Nhóm ${i + 1}`, platformChatId: String(-5000 - i), status: 'active' as const })) });

    // Open tickets as intake leaves them: due dates stored, checks queued as delayed jobs. One is
    // long overdue (its escalation never ran), one is answered (its checks must not come back).
    const resident = await prisma.resident.create({ data: { communeId } });
    const planner = { deadlines: deadlinePlanner(), policy: defaultTicketPolicy };
    const now = new Date();
    const ticketIds: string[] = [];
    for (let i = 0; i < TICKETS + 2; i++) {
      const receivedAt = i === TICKETS ? new Date(now.getTime() - 40 * 86_400_000) : new Date(now.getTime() - i * 60_000);
      const due = planTicketDeadlines(planner, { receivedAt, timezone: DEFAULT_TIME_ZONE, priority: 'normal', category: null });
      const t = await prisma.ticket.create({
        data: { code: `T-${i}`, communeId, year: 2026, seq: i + 1, residentId: resident.id, channel: 'telegram', status: i === TICKETS + 1 ? 'answered' : 'new', receiveDueAt: due.receiveDueAt, dueAt: due.dueAt, createdAt: receivedAt },
      });
      ticketIds.push(t.id);
    }
    const [overdueId, answeredId] = ticketIds.slice(TICKETS);

    const settings = loadSettings({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'flush',
      DATA_DIR: dataDir,
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      WORKER_CONCURRENCY: '4',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
    });
    rt = await openRuntime(settings, silentLogger);
    for (const id of ticketIds.slice(0, TICKETS)) {
      const t = await prisma.ticket.findUniqueOrThrow({ where: { id } });
      const due = planTicketDeadlines(planner, { receivedAt: t.createdAt, timezone: DEFAULT_TIME_ZONE, priority: 'normal', category: null });
      for (const e of deadlineEffects(id, due)) await rt.queues.enqueue(e.def, e.data, { jobId: e.jobId!, delay: Math.max(1, e.runAt!.getTime() - Date.now()) });
    }
    role = await startWorkerRole(rt);
    // The worker's first tick runs at once and takes the lease.
    await expect.poll(async () => (await readLease(prisma, 'reconcile'))?.lastRunAt ?? null, { timeout: 30_000 }).not.toBeNull();

    const wf = createBulletinWorkflow(prisma);
    const b = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId, title: 'Lịch tiêm chủng', text: 'Trạm y tế xã tiêm chủng mở rộng sáng thứ Bảy, ngày 05/12/2026.' });
    const targetIds = (await prisma.target.findMany({ where: { communeId, status: 'active' }, select: { id: true } })).map((t) => t.id);
    await wf.setAudience({ staffId: staff.vanhoa! }, b.id, { targetIds });
    await wf.submit({ staffId: staff.vanhoa! }, b.id);
    await wf.approve({ staffId: staff.chutich! }, b.id);
    const run = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
    await queueRun(rt.queues.enqueue.bind(rt.queues), run);

    await expect.poll(() => api.sent.length, { timeout: 120_000, interval: 50 }).toBeGreaterThanOrEqual(4);
    await flushAll();
    const sentAtFlush = await prisma.delivery.count({ where: { runId: run.runId, status: 'sent' } });
    expect(sentAtFlush).toBeLessThan(GROUPS);
    expect(await rt.queues.queue('reminders').getJobCountByTypes('delayed')).toBe(0);

    // The next ticks (driven here instead of waiting for the minute): rows older than the settle
    // time whose job is gone are queued again.
    await expect
      .poll(
        async () => {
          await role.recovery.run();
          return prisma.delivery.count({ where: { runId: run.runId, status: 'sent' } });
        },
        { timeout: 120_000, interval: 2000 },
      )
      .toBe(GROUPS);
    for (let i = 0; i < GROUPS; i++) {
      const methods = api.sentTo(String(-5000 - i)).map((m) => m.method);
      expect(methods.filter((m) => m === 'sendVoice').length, `group ${i}`).toBeGreaterThanOrEqual(1);
    }

    // Every open ticket's checks that are still ahead exist again, with the ids intake gave them.
    const reminders = rt.queues.queue('reminders');
    for (const id of ticketIds.slice(0, TICKETS)) {
      const t = await prisma.ticket.findUniqueOrThrow({ where: { id } });
      const due = planTicketDeadlines(planner, { receivedAt: t.createdAt, timezone: DEFAULT_TIME_ZONE, priority: 'normal', category: null });
      for (const e of deadlineEffects(id, due).filter((x) => x.runAt! > new Date())) {
        expect(await reminders.getJobState(e.jobId!), e.jobId).toBe('delayed');
      }
    }
    expect((await reminders.getJobs(['delayed', 'waiting', 'completed'])).filter((j) => j.id?.startsWith(`dl-${answeredId}`))).toHaveLength(0);
    // The long-overdue ticket is escalated once, now — not reminded of every step it missed.
    await expect.poll(() => prisma.ticketEvent.count({ where: { ticketId: overdueId, type: 'escalated' } }), { timeout: 30_000 }).toBe(1);
    expect(await prisma.ticketEvent.count({ where: { ticketId: overdueId, type: 'reminder_sent' } })).toBe(0);

    const lease = await readLease(prisma, 'reconcile');
    // Session purge and the nightly classifier training.
    expect(lease?.lastResult).toMatchObject({ repeatables: 2 });
    expect(await rt.queues.queue('housekeeping').getJobSchedulersCount()).toBe(2);

    // Lost once more: the overdue escalation ran and is recorded, so it does not run again.
    await flushAll();
    const again = await role.recovery.run();
    expect(again?.overdue).toBe(0);
    expect(again?.timers).toBeGreaterThan(0);
    expect(await prisma.ticketEvent.count({ where: { ticketId: overdueId, type: 'escalated' } })).toBe(1);
  }, 300_000);
});
