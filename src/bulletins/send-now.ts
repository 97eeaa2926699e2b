// An approver of the bulletin's commune sends it now (emergencies, or an approved bulletin out of
// its schedule): one run, its deliveries queued, audited. The API and the web admin both use this.
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { requireOwnCommune } from '../auth/commune-scope.ts';
import { queueRun, startRun } from '../../broadcasts/fanout/start-run.ts';
import type { Enqueue } from '../tickets/ticket-deps.ts';

export async function sendBulletinNow(prisma: PrismaClient, enqueue: Enqueue, p: { staffId: string; bulletinId: string; ip?: string }) {
  const staff = await prisma.staff.findUniqueOrThrow({ where: { id: p.staffId } });
  const b = await prisma.bulletin.findUnique({ where: { id: p.bulletinId } });
  if (!b) throw new AppError('NOT_FOUND', 'Không tìm thấy bản tin.');
  await requireOwnCommune(prisma, staff, b.communeId, 'Không tìm thấy bản tin.');
  if (!staff.roles.some((r) => r === 'approver' || r === 'admin')) throw new AppError('FORBIDDEN', 'Chỉ người duyệt của xã mới phát ngay được.');
  const run = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
  await queueRun(enqueue, run);
  await prisma.auditLog.create({ data: { communeId: b.communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'bulletin.send_now', entityType: 'Bulletin', entityId: b.id, data: { runId: run.runId }, ip: p.ip ?? null } });
  return { runId: run.runId, deliveries: run.deliveryIds.length, skipped: run.skipped };
}
