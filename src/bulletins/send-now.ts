// An approver of the bulletin's commune sends it now (emergencies, or an approved bulletin out of
// its schedule): one run, its deliveries queued, audited. The API and the web admin both use this.
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { requireOwnCommune } from '../auth/commune-scope.ts';
import { queueRuns, startRuns, type StartedRun } from '../../broadcasts/fanout/start-run.ts';
import type { Enqueue } from '../tickets/ticket-deps.ts';
import { announceQaBulletin, queueEffects } from './qa-bulletin.ts';

export async function sendBulletinNow(prisma: PrismaClient, enqueue: Enqueue, p: { staffId: string; bulletinId: string; ip?: string }) {
  const staff = await prisma.staff.findUniqueOrThrow({ where: { id: p.staffId } });
  const b = await prisma.bulletin.findUnique({ where: { id: p.bulletinId } });
  if (!b) throw new AppError('NOT_FOUND', 'Không tìm thấy bản tin.');
  await requireOwnCommune(prisma, staff, b.communeId, 'Không tìm thấy bản tin.');
  if (!staff.roles.some((r) => r === 'approver' || r === 'admin')) throw new AppError('FORBIDDEN', 'Chỉ người duyệt của xã mới phát ngay được.');
  const run = await sendApprovedNow(prisma, enqueue, { bulletinId: b.id });
  // A "Dân hỏi – Lãnh đạo trả lời" bulletin: its askers hear it is on air now.
  await queueEffects(enqueue, await announceQaBulletin(prisma, { bulletinId: b.id, staffId: staff.id }));
  await prisma.auditLog.create({ data: { communeId: b.communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'bulletin.send_now', entityType: 'Bulletin', entityId: b.id, data: { runId: run.runId }, ip: p.ip ?? null } });
  return { runId: run.runId, deliveries: run.deliveryIds.length, skipped: run.skipped };
}

/**
 * The path every "now" takes once the right to send is settled (a commune approver above, a
 * bulletin from the province or an API key): one run, its deliveries queued. With a schedule (the
 * one-off "now" written with the bulletin), the run takes its time, so the scheduler's tick finds
 * it done, or starts it if this process died before it could.
 */
export async function sendApprovedNow(prisma: PrismaClient, enqueue: Enqueue, p: NowItem): Promise<StartedRun> {
  return (await sendApprovedNowMany(prisma, enqueue, [p]))[0]!;
}

export interface NowItem {
  bulletinId: string;
  scheduledFor?: Date;
  scheduleId?: string;
}

/**
 * Many at once (a province emergency: one bulletin per commune): the runs are written a batch of
 * communes per transaction (each statement covering the whole batch), and each batch's
 * loudspeakers are queued the moment it commits, so they play while the next batch is written;
 * the groups (paced by their platforms) follow once every run is started.
 */
export async function sendApprovedNowMany(prisma: PrismaClient, enqueue: Enqueue, items: NowItem[]): Promise<StartedRun[]> {
  const runs: StartedRun[] = [];
  for (let i = 0; i < items.length; i += RUNS_PER_TRANSACTION) {
    const batch = await startRuns(prisma, items.slice(i, i + RUNS_PER_TRANSACTION).map((p) => ({ bulletinId: p.bulletinId, scheduledFor: p.scheduledFor ?? new Date(), scheduleId: p.scheduleId ?? null })));
    await queueRuns(enqueue, batch, 'loudspeakers');
    runs.push(...batch);
  }
  await queueRuns(enqueue, runs, 'groups');
  return runs;
}

// 50 communes' outbox (about 1,250 rows) per transaction: well under PostgreSQL's 65,535
// parameters per statement, and the first loudspeakers need not wait for a whole province.
const RUNS_PER_TRANSACTION = 50;
