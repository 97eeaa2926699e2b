// When a group or loudspeaker refuses for good (bot removed, cluster does not know its id, wrong
// account), staff must hear of it, not find it in a report weeks later: an audit entry, and a
// message in each admin chat of the commune, once per breakage.
import type { PrismaClient } from '../db/generated/client.ts';
import type { Enqueue } from '../tickets/ticket-deps.ts';
import { adminChatsOf } from '../tickets/channel-accounts.ts';
import { sendDirectJob } from '../tickets/ticket-jobs.ts';

export interface BrokenTarget {
  kind: 'target' | 'endpoint';
  id: string;
  reason: string;
}

export const brokenTargetText = (kind: BrokenTarget['kind'], name: string, reason: string) =>
  `⚠️ Bản tin không tới được ${kind === 'endpoint' ? 'cụm loa' : 'nhóm'} "${name}": ${reason}. ` +
  `Nơi này được đánh dấu hỏng và sẽ bị bỏ qua ở các lần phát sau cho tới khi được sửa` +
  (kind === 'endpoint' ? ' (quản trị sửa địa chỉ hoặc khóa của cụm loa).' : ' (thêm lại bot vào nhóm rồi gõ /dangkynhom trong nhóm).');

/**
 * Marks the target broken; only the call that changes it from working to broken tells staff, so
 * retries and parallel deliveries to the same place say it once.
 */
export async function markBroken(prisma: PrismaClient, enqueue: Enqueue | undefined, b: BrokenTarget): Promise<boolean> {
  const reason = b.reason.slice(0, 300);
  const data = { status: 'broken' as const, statusReason: reason };
  const where = { id: b.id, status: { not: 'broken' as const } };
  const changed = b.kind === 'target' ? await prisma.target.updateMany({ where, data }) : await prisma.endpoint.updateMany({ where, data });
  if (changed.count === 0) return false;
  const row = b.kind === 'target' ? await prisma.target.findUniqueOrThrow({ where: { id: b.id } }) : await prisma.endpoint.findUniqueOrThrow({ where: { id: b.id } });
  await prisma.auditLog.create({ data: { communeId: row.communeId, actorKind: 'system', action: `${b.kind}.broken`, entityType: b.kind === 'target' ? 'Target' : 'Endpoint', entityId: b.id, data: { name: row.name, reason } } });
  if (enqueue) {
    const text = brokenTargetText(b.kind, row.name, reason);
    for (const chat of await adminChatsOf(prisma, row.communeId)) {
      await enqueue(sendDirectJob, { platform: chat.platform, accountId: chat.accountName, chatId: chat.chatId, text }, { jobId: `broken-${b.id}-${Date.now()}-${chat.platform}` });
    }
  }
  return true;
}
