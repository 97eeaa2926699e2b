// Scheduling on the real PostgreSQL and Redis: one-off and recurring firings found by the tick at
// the right local times, missed firings within grace still go out once and older ones are recorded
// as missed, several schedulers ticking at once fire once, and bad schedules are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { createQueueKit, type QueueKit } from '../../src/queues/queue-kit.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { scheduleBulletin } from '../../src/bulletins/bulletin-schedule.ts';
import { dueFirings, fire, fireJob, fireJobId, tick } from '../../broadcasts/schedule/scheduler.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let queues: QueueKit;
let communeId = '';
const staff: Record<string, string> = {};
const prefix = testRedisPrefix();
const local = (s: string) => new Date(`${s}+07:00`);
const GRACE = 30 * 60_000;

beforeAll(async () => {
  db = await openMigratedTestDatabase('sched');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
  queues = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix, log: silentLogger });
});
afterAll(async () => {
  await queues?.close(1000);
  await deleteTestRedisKeys(prefix);
  await db?.close();
});

async function approved(title: string) {
  const wf = createBulletinWorkflow(prisma);
  const b = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId, title, text: `${title}: thông báo tới bà con.` });
  await wf.submit({ staffId: staff.vanhoa! }, b.id);
  await wf.approve({ staffId: staff.chutich! }, b.id);
  return b;
}

describe('scheduling', () => {
  it('refuses a time in the past, a bad time of day, bad weekdays and reversed dates', async () => {
    const b = await approved('Lịch họp');
    const now = local('2026-11-24T10:00:00');
    await expect(scheduleBulletin(prisma, { staffId: staff.vanhoa! }, b.id, { kind: 'once', runAt: local('2026-11-24T08:00:00') }, now)).rejects.toMatchObject({ code: 'VALIDATION', message: 'Thời điểm phát đã qua.' });
    await expect(scheduleBulletin(prisma, { staffId: staff.vanhoa! }, b.id, { kind: 'recurring', timeOfDay: '25:99', daysOfWeek: [1] })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(scheduleBulletin(prisma, { staffId: staff.vanhoa! }, b.id, { kind: 'recurring', timeOfDay: '06:00', daysOfWeek: [0, 8] })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(scheduleBulletin(prisma, { staffId: staff.vanhoa! }, b.id, { kind: 'recurring', timeOfDay: '06:00', daysOfWeek: [1], startsOn: '2026-12-31', endsOn: '2026-12-01' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(scheduleBulletin(prisma, { staffId: staff.giamsat! }, b.id, { kind: 'once', runAt: local('2026-11-25T08:00:00') }, now)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('finds one-off and recurring firings at local time, missed ones beyond the grace window', async () => {
    const once = await approved('Tiêm chủng');
    const slot = await prisma.broadcastSlot.findFirstOrThrow({ where: { communeId, timeOfDay: '06:00' } });
    const daily = await approved('Phòng chống lừa đảo');
    const weekdays = await approved('Thu gom rác');
    const t0 = local('2026-11-24T05:00:00'); // a Tuesday
    await scheduleBulletin(prisma, { staffId: staff.vanhoa! }, once.id, { kind: 'once', runAt: local('2026-11-24T07:30:00') }, t0);
    await scheduleBulletin(prisma, { staffId: staff.vanhoa! }, daily.id, { kind: 'recurring', slotId: slot.id });
    await scheduleBulletin(prisma, { staffId: staff.vanhoa! }, weekdays.id, { kind: 'recurring', timeOfDay: '17:00', daysOfWeek: [1, 3, 5], startsOn: '2026-11-20' });

    const at = async (s: string) => (await dueFirings(prisma, local(s), { graceMs: GRACE, lookbackMs: 3600_000 })).map((f) => `${f.bulletinId === once.id ? 'once' : f.bulletinId === daily.id ? 'daily' : 'weekdays'}@${f.scheduledFor.toISOString()}${f.missed ? ' missed' : ''}`);
    expect(await at('2026-11-24T05:59:00')).toEqual([]);
    expect(await at('2026-11-24T06:00:30')).toEqual([`daily@${local('2026-11-24T06:00:00').toISOString()}`]);
    expect(await at('2026-11-24T07:31:00')).toEqual(expect.arrayContaining([`once@${local('2026-11-24T07:30:00').toISOString()}`]));
    // Tuesday is not one of the weekday slot's days; Wednesday is.
    expect((await at('2026-11-24T17:01:00')).some((x) => x.startsWith('weekdays'))).toBe(false);
    expect(await at('2026-11-25T17:00:10')).toContain(`weekdays@${local('2026-11-25T17:00:00').toISOString()}`);
    // Down for two hours: the 06:00 firing is beyond the 30-minute grace.
    const late = await dueFirings(prisma, local('2026-11-24T08:00:00'), { graceMs: GRACE });
    expect(late.find((f) => f.bulletinId === daily.id && f.scheduledFor.getTime() === local('2026-11-24T06:00:00').getTime())?.missed).toBe(true);
  });

  it('several schedulers ticking at once queue one firing, which starts one run; a missed one is recorded', async () => {
    const b = await approved('Họp dân thôn 2');
    const now = local('2026-11-26T09:00:00');
    await scheduleBulletin(prisma, { staffId: staff.vanhoa! }, b.id, { kind: 'once', runAt: local('2026-11-26T08:50:00') }, local('2026-11-26T08:00:00'));
    const q = queues.enqueue.bind(queues);
    await Promise.all([1, 2, 3].map(() => tick({ prisma, enqueue: q, log: silentLogger, graceMs: GRACE }, now)));
    const id = fireJobId(b.id, local('2026-11-26T08:50:00'));
    const jobs = (await queues.queue('broadcast').getJobs(['waiting', 'prioritized', 'delayed'])).filter((j) => j.name === fireJob.name && j.data.bulletinId === b.id);
    expect(jobs.map((j) => j.id)).toEqual([id]);
    const results = await Promise.all([fire({ prisma, enqueue: q, log: silentLogger }, jobs[0]!.data), fire({ prisma, enqueue: q, log: silentLogger }, jobs[0]!.data)]);
    expect(results[0]!.runId).toBe(results[1]!.runId);
    expect(await prisma.broadcastRun.count({ where: { bulletinId: b.id } })).toBe(1);

    const late = await approved('Thông báo cũ');
    await scheduleBulletin(prisma, { staffId: staff.vanhoa! }, late.id, { kind: 'once', runAt: local('2026-11-26T06:00:00') }, local('2026-11-26T05:00:00'));
    const [missed] = (await dueFirings(prisma, now, { graceMs: GRACE })).filter((f) => f.bulletinId === late.id);
    expect(missed!.missed).toBe(true);
    await fire({ prisma, enqueue: q, log: silentLogger }, { bulletinId: late.id, scheduleId: missed!.scheduleId, scheduledFor: missed!.scheduledFor.toISOString(), missed: true });
    expect((await prisma.broadcastRun.findFirstOrThrow({ where: { bulletinId: late.id } })).status).toBe('missed');
    // Recorded once: the next tick no longer sees it.
    expect((await dueFirings(prisma, now, { graceMs: GRACE })).some((f) => f.bulletinId === late.id)).toBe(false);
  });
});
