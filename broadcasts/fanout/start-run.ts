// When a bulletin becomes due: one BroadcastRun per (bulletin, time) — the unique key makes a
// second scheduler firing the same slot a no-op — and, in the same transaction, one Delivery per
// target and loudspeaker of its audience, and per subscribed resident (the outbox). The delivery jobs are queued after commit;
// the reconciler re-queues pending deliveries if that step is lost.
import type { Prisma, PrismaClient } from '../../src/db/generated/client.ts';
import { AppError } from '../../src/errors.ts';
import { defineJob } from '../../src/queues/job-definition.ts';
import { subscribersOf } from '../../src/subscriptions/subscriber-audience.ts';

export const deliverJob = defineJob<{ deliveryId: string }>()('broadcast', 'deliver', { attempts: 8, backoff: { type: 'exponential', delay: 5000 } });

/** BullMQ priorities: lower runs first. Emergencies jump every queue. */
export const CLASS_PRIORITY = { emergency: 1, priority: 2, normal: 3 } as const;

export interface StartedRun {
  runId: string;
  created: boolean;
  /** Loudspeakers first: they play at once, while chat sends are paced by the platforms. */
  deliveryIds: string[];
  /** How many of the first deliveryIds are loudspeakers. */
  loudspeakers: number;
  skipped: Array<{ name: string; why: string }>;
  priority: number;
}

type Tx = Prisma.TransactionClient;

async function audienceOf(tx: Tx, bulletinId: string, communeId: string) {
  const audience = await tx.bulletinAudience.findMany({ where: { bulletinId } });
  const all = audience.length === 0 || audience.some((a) => a.kind === 'all');
  const villages = audience.filter((a) => a.kind === 'village').map((a) => a.villageId!);
  const targetIds = audience.filter((a) => a.kind === 'target').map((a) => a.targetId!);
  const endpointIds = audience.filter((a) => a.kind === 'endpoint').map((a) => a.endpointId!);
  const scope = <T extends object>(ids: string[]) =>
    (all ? { communeId } : { communeId, OR: [{ villageId: { in: villages } }, { id: { in: ids } }] }) as T;
  const targets = await tx.target.findMany({ where: scope<Prisma.TargetWhereInput>(targetIds) });
  const endpoints = await tx.endpoint.findMany({ where: scope<Prisma.EndpointWhereInput>(endpointIds) });
  // Subscribers only when named: "everything" means the groups and loudspeakers, not private chats.
  const subscribers = await subscribersOf(tx, communeId, audience.filter((a) => a.kind === 'subscribers'));
  return { targets, endpoints, subscribers };
}

export async function startRun(prisma: PrismaClient, p: { bulletinId: string; scheduledFor: Date; scheduleId?: string | null }): Promise<StartedRun> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Bulletin" WHERE id = ${p.bulletinId}::uuid FOR UPDATE`;
    const b = await tx.bulletin.findUnique({ where: { id: p.bulletinId } });
    if (!b) throw new AppError('NOT_FOUND', 'Không tìm thấy bản tin.');
    const existing = await tx.broadcastRun.findUnique({ where: { bulletinId_scheduledFor: { bulletinId: b.id, scheduledFor: p.scheduledFor } }, include: { deliveries: { select: { id: true, endpointId: true } } } });
    const priority = CLASS_PRIORITY[b.class];
    if (existing) return { runId: existing.id, created: false, ...loudspeakersFirst(existing.deliveries), skipped: [], priority };
    if (!['approved', 'scheduled', 'sending', 'done', 'partly_failed'].includes(b.status) || b.approvedRevision == null) {
      throw new AppError('CONFLICT', 'Bản tin chưa được duyệt (hoặc đã hủy), không phát được.');
    }
    if (b.expiresAt && b.expiresAt < p.scheduledFor) throw new AppError('CONFLICT', 'Bản tin đã hết hạn.');
    const versions = await tx.bulletinVersion.findMany({ where: { bulletinId: b.id, revision: b.approvedRevision } });
    // The Vietnamese version goes everywhere; other languages are played after it on loudspeakers.
    const vi = versions.find((v) => v.language === 'vi') ?? versions[0];
    if (!vi) throw new AppError('CONFLICT', 'Bản tin không có nội dung đã duyệt.');
    const others = versions.filter((v) => v.id !== vi.id);

    const run = await tx.broadcastRun.create({ data: { bulletinId: b.id, revision: b.approvedRevision, scheduleId: p.scheduleId ?? null, scheduledFor: p.scheduledFor, status: 'sending', startedAt: new Date() } });
    const { targets, endpoints, subscribers } = await audienceOf(tx, b.id, b.communeId);
    const skipped: StartedRun['skipped'] = [];
    const rows: Prisma.DeliveryCreateManyInput[] = [];
    for (const t of targets) {
      if (t.status !== 'active' || !t.platformChatId) {
        skipped.push({ name: t.name, why: t.status === 'broken' ? `hỏng: ${t.statusReason ?? ''}` : 'chưa kích hoạt' });
        continue;
      }
      rows.push({ runId: run.id, bulletinVersionId: vi.id, targetId: t.id });
    }
    for (const e of endpoints) {
      if (e.status === 'broken') {
        skipped.push({ name: e.name, why: `hỏng: ${e.statusReason ?? ''}` });
        continue;
      }
      for (const v of [vi, ...others]) rows.push({ runId: run.id, bulletinVersionId: v.id, endpointId: e.id });
    }
    for (const s of subscribers) rows.push({ runId: run.id, bulletinVersionId: vi.id, ...s });
    await tx.delivery.createMany({ data: rows });
    const deliveries = await tx.delivery.findMany({ where: { runId: run.id }, select: { id: true, endpointId: true } });
    if (deliveries.length === 0) await tx.broadcastRun.update({ where: { id: run.id }, data: { status: 'done', finishedAt: new Date() } });
    await tx.bulletin.update({ where: { id: b.id }, data: { status: deliveries.length ? 'sending' : b.status } });
    await tx.auditLog.create({ data: { communeId: b.communeId, actorKind: 'system', action: 'bulletin.run_started', entityType: 'Bulletin', entityId: b.id, data: { runId: run.id, deliveries: deliveries.length, skipped: skipped.length } } });
    return { runId: run.id, created: true, ...loudspeakersFirst(deliveries), skipped, priority };
    // Thousands of delivery rows in the one outbox transaction: Prisma's default 5 s ran out on a
    // busy box for 2,000 groups + 500 clusters (bench fanout), and the run never started.
  }, { timeout: 60_000, maxWait: 10_000 });
}

function loudspeakersFirst(deliveries: Array<{ id: string; endpointId: string | null }>): Pick<StartedRun, 'deliveryIds' | 'loudspeakers'> {
  const speakers = deliveries.filter((d) => d.endpointId).map((d) => d.id);
  return { deliveryIds: [...speakers, ...deliveries.filter((d) => !d.endpointId).map((d) => d.id)], loudspeakers: speakers.length };
}

type EnqueueDelivery = (def: typeof deliverJob, data: { deliveryId: string }, opts: { jobId: string; priority: number }) => Promise<unknown>;

/** Queues a started run's deliveries under their stable ids (a second call adds nothing). */
export async function queueRun(enqueue: EnqueueDelivery, run: StartedRun): Promise<void> {
  await queueRuns(enqueue, [run]);
}

/**
 * Several runs at once (a province bulletin: one run per commune): every run's loudspeakers are
 * queued before any chat group, so no loudspeaker waits behind another commune's paced groups.
 * Adds go out in parallel batches (one Redis round trip each would make thousands slow).
 */
export async function queueRuns(enqueue: EnqueueDelivery, runs: StartedRun[], part: 'all' | 'loudspeakers' | 'groups' = 'all'): Promise<void> {
  const jobs = [
    ...(part === 'groups' ? [] : runs.flatMap((r) => r.deliveryIds.slice(0, r.loudspeakers).map((id) => [id, r.priority] as const))),
    ...(part === 'loudspeakers' ? [] : runs.flatMap((r) => r.deliveryIds.slice(r.loudspeakers).map((id) => [id, r.priority] as const))),
  ];
  for (let i = 0; i < jobs.length; i += 200) {
    await Promise.all(jobs.slice(i, i + 200).map(([id, priority]) => enqueue(deliverJob, { deliveryId: id }, { jobId: `dlv-${id}`, priority })));
  }
}
