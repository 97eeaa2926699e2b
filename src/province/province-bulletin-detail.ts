// One province bulletin as its province's staff follow it: the text and recordings, who wrote and approved it,
// and per receiving commune its side — waiting (with the decline deadline), declined (when, by
// whom, why), the slot it took or the time it went out — with what the commune's runs delivered.
// Another province's bulletin answers as missing.
import { finalBulletinStatuses } from '../bulletins/bulletin-workflow.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { readableIds, type CommuneScope } from '../auth/commune-scope.ts';
import { dispatchStatusLabel, NOT_FOUND_TEXT, provinceBulletinStatusLabel } from './province-bulletin-status.ts';
import { secondPersonRequired } from './approve-province-bulletin.ts';

export async function provinceBulletinDetail(prisma: PrismaClient, scope: CommuneScope, id: string) {
  if (!scope.provinceId) throw new AppError('NOT_FOUND', NOT_FOUND_TEXT);
  const pb = await prisma.provinceBulletin.findUnique({
    where: { id },
    include: {
      author: { select: { displayName: true } },
      approvedBy: { select: { displayName: true } },
      recordings: { include: { createdBy: { select: { displayName: true } } }, orderBy: { language: 'asc' } },
      withdrawnBy: { select: { displayName: true } },
      communes: { include: { commune: { select: { name: true, code: true, requireSecondApprover: true } }, declinedBy: { select: { displayName: true } }, bulletin: { select: { status: true } } }, orderBy: { commune: { name: 'asc' } } },
    },
  });
  if (!pb || pb.provinceId !== scope.provinceId) throw new AppError('NOT_FOUND', NOT_FOUND_TEXT);
  const copyIds = pb.communes.flatMap((c) => (c.bulletinId ? [c.bulletinId] : []));
  const villageIds = pb.communes.flatMap((c) => c.villageIds);
  const [villages, runs, delivered, media] = await Promise.all([
    villageIds.length ? prisma.village.findMany({ where: { id: { in: villageIds }, communeId: { in: readableIds(scope) } }, select: { id: true, name: true } }) : [],
    copyIds.length ? prisma.broadcastRun.findMany({ where: { bulletinId: { in: copyIds } }, orderBy: { scheduledFor: 'desc' }, select: { bulletinId: true, scheduledFor: true, status: true } }) : [],
    copyIds.length
      ? prisma.$queryRaw<Array<{ bulletinId: string; sent: bigint; total: bigint }>>`
          SELECT r."bulletinId"::text AS "bulletinId", count(*) FILTER (WHERE d.status = 'sent') AS sent, count(*) AS total
          FROM "Delivery" d JOIN "BroadcastRun" r ON r.id = d."runId"
          WHERE r."bulletinId" = ANY(${copyIds}::uuid[]) GROUP BY r."bulletinId"`
      : [],
    pb.recordings.length ? prisma.mediaFile.findMany({ where: { sha256: { in: pb.recordings.map((r) => r.audioSha256) } }, select: { sha256: true, durationMs: true } }) : [],
  ]);
  const durationOf = new Map(media.map((m) => [m.sha256, m.durationMs]));
  const villageName = new Map(villages.map((v) => [v.id, v.name]));
  const lastRun = new Map<string, { scheduledFor: Date; status: string }>();
  for (const r of runs) if (!lastRun.has(r.bulletinId)) lastRun.set(r.bulletinId, r);
  const sent = new Map(delivered.map((d) => [d.bulletinId, { sent: Number(d.sent), total: Number(d.total) }]));
  return {
    ...pb,
    statusLabel: provinceBulletinStatusLabel[pb.status],
    author: pb.author.displayName,
    approvedBy: pb.approvedBy?.displayName ?? null,
    withdrawnBy: pb.withdrawnBy?.displayName ?? null,
    secondPersonRequired: secondPersonRequired(pb),
    // Who recorded it wrote it too (the second-person rule).
    wroteIt: (staffId: string) => pb.authorId === staffId || pb.recordings.some((r) => r.createdById === staffId),
    recordings: pb.recordings.map((r) => ({ language: r.language, by: r.createdBy?.displayName ?? '—', at: r.createdAt, durationMs: durationOf.get(r.audioSha256) ?? null })),
    communes: pb.communes.map((c) => ({
      communeId: c.communeId,
      name: c.commune.name,
      code: c.commune.code,
      villages: c.villageIds.map((v) => villageName.get(v) ?? '?'),
      status: c.status,
      statusLabel: dispatchStatusLabel[c.status],
      declinedAt: c.declinedAt,
      declinedBy: c.declinedBy?.displayName ?? null,
      declineReason: c.declineReason,
      scheduledAt: c.scheduledAt,
      // The copy may still play (what a withdrawal would cancel).
      copyOpen: !!c.bulletin && !finalBulletinStatuses.includes(c.bulletin.status),
      lastRun: c.bulletinId ? (lastRun.get(c.bulletinId) ?? null) : null,
      delivered: c.bulletinId ? (sent.get(c.bulletinId) ?? { sent: 0, total: 0 }) : { sent: 0, total: 0 },
    })),
  };
}
