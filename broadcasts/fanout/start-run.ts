// When a bulletin becomes due: one BroadcastRun per (bulletin, time) — the unique key makes a
// second scheduler firing the same slot a no-op — and, in the same transaction, one Delivery per
// target and loudspeaker of its audience, and per subscribed resident (the outbox). The delivery jobs are queued after commit;
// the reconciler re-queues pending deliveries if that step is lost.
import type { Prisma, PrismaClient } from '../../src/db/generated/client.ts';
import { AppError } from '../../src/errors.ts';
import { defineJob } from '../../src/queues/job-definition.ts';
import { subscribersOf } from '../../src/subscriptions/subscriber-audience.ts';

/** One delivery, or several runs' loudspeakers played at once (play-loudspeakers.ts). */
export type DeliverJobData = { deliveryId: string } | { deliveryIds: string[] };

export const deliverJob = defineJob<DeliverJobData>()('broadcast', 'deliver', { attempts: 8, backoff: { type: 'exponential', delay: 5000 } });

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


interface RunRequest {
  bulletinId: string;
  scheduledFor: Date;
  scheduleId?: string | null;
}

type Audience = Array<{ bulletinId: string; kind: string; villageId: string | null; targetId: string | null; endpointId: string | null; topicCode: string | null }>;

/** Whether a target or loudspeaker of the bulletin's commune is in its audience (none named = all). */
function inAudience(audience: Audience) {
  const all = audience.length === 0 || audience.some((a) => a.kind === 'all');
  const villages = new Set(audience.filter((a) => a.kind === 'village').map((a) => a.villageId!));
  const ids = new Set(audience.flatMap((a) => (a.kind === 'target' ? [a.targetId!] : a.kind === 'endpoint' ? [a.endpointId!] : [])));
  return (x: { id: string; villageId: string | null }) => all || (x.villageId !== null && villages.has(x.villageId)) || ids.has(x.id);
}

export async function startRun(prisma: PrismaClient, p: RunRequest): Promise<StartedRun> {
  return (await startRuns(prisma, [p]))[0]!;
}

/**
 * Several runs in one transaction (a province bulletin: one copy per commune), each statement
 * covering every run at once, so a hundred communes' outbox is written in about as many round
 * trips as one commune's. Each run follows the same rules as a single one.
 */
export async function startRuns(prisma: PrismaClient, items: RunRequest[]): Promise<StartedRun[]> {
  if (items.length === 0) return [];
  return prisma.$transaction(async (tx) => {
    const ids = [...new Set(items.map((p) => p.bulletinId))];
    // In one order, so two overlapping batches wait for each other instead of deadlocking.
    await tx.$queryRaw`SELECT id FROM "Bulletin" WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
    const bulletins = new Map((await tx.bulletin.findMany({ where: { id: { in: ids } } })).map((b) => [b.id, b]));
    const existing = await tx.broadcastRun.findMany({
      where: { OR: items.map((p) => ({ bulletinId: p.bulletinId, scheduledFor: p.scheduledFor })) },
      include: { deliveries: { select: { id: true, endpointId: true } } },
    });
    const existingOf = (p: RunRequest) => existing.find((r) => r.bulletinId === p.bulletinId && r.scheduledFor.getTime() === p.scheduledFor.getTime());
    const fresh: RunRequest[] = [];
    for (const p of items) {
      const b = bulletins.get(p.bulletinId);
      if (!b) throw new AppError('NOT_FOUND', 'Không tìm thấy bản tin.');
      if (existingOf(p)) continue;
      if (!['approved', 'scheduled', 'sending', 'done', 'partly_failed'].includes(b.status) || b.approvedRevision == null) {
        throw new AppError('CONFLICT', 'Bản tin chưa được duyệt (hoặc đã hủy), không phát được.');
      }
      if (b.expiresAt && b.expiresAt < p.scheduledFor) throw new AppError('CONFLICT', 'Bản tin đã hết hạn.');
      if (!fresh.some((f) => f.bulletinId === p.bulletinId && f.scheduledFor.getTime() === p.scheduledFor.getTime())) fresh.push(p);
    }
    const freshBulletins = fresh.map((p) => bulletins.get(p.bulletinId)!);
    const versions = freshBulletins.length ? await tx.bulletinVersion.findMany({ where: { OR: freshBulletins.map((b) => ({ bulletinId: b.id, revision: b.approvedRevision! })) } }) : [];
    // The Vietnamese version goes everywhere; other languages are played after it on loudspeakers.
    const versionsOf = new Map<string, { vi: (typeof versions)[number]; others: typeof versions }>();
    for (const b of freshBulletins) {
      const mine = versions.filter((v) => v.bulletinId === b.id && v.revision === b.approvedRevision);
      const vi = mine.find((v) => v.language === 'vi') ?? mine[0];
      if (!vi) throw new AppError('CONFLICT', 'Bản tin không có nội dung đã duyệt.');
      versionsOf.set(b.id, { vi, others: mine.filter((v) => v.id !== vi.id) });
    }

    const startedAt = new Date();
    const runs = await tx.broadcastRun.createManyAndReturn({
      data: fresh.map((p) => ({ bulletinId: p.bulletinId, revision: bulletins.get(p.bulletinId)!.approvedRevision!, scheduleId: p.scheduleId ?? null, scheduledFor: p.scheduledFor, status: 'sending' as const, startedAt })),
      select: { id: true, bulletinId: true, scheduledFor: true },
    });
    const freshIds = [...new Set(fresh.map((p) => p.bulletinId))];
    const communeIds = [...new Set(freshBulletins.map((b) => b.communeId))];
    const audiences = freshIds.length ? await tx.bulletinAudience.findMany({ where: { bulletinId: { in: freshIds } } }) : [];
    const targets = communeIds.length ? await tx.target.findMany({ where: { communeId: { in: communeIds } } }) : [];
    const endpoints = communeIds.length ? await tx.endpoint.findMany({ where: { communeId: { in: communeIds } } }) : [];

    const skippedOf = new Map<string, StartedRun['skipped']>();
    const rows: Prisma.DeliveryCreateManyInput[] = [];
    for (const run of runs) {
      const b = bulletins.get(run.bulletinId)!;
      const { vi, others } = versionsOf.get(b.id)!;
      const audience = audiences.filter((a) => a.bulletinId === b.id);
      const included = inAudience(audience);
      const skipped: StartedRun['skipped'] = [];
      skippedOf.set(run.id, skipped);
      for (const t of targets) {
        if (t.communeId !== b.communeId || !included(t)) continue;
        if (t.status !== 'active' || !t.platformChatId) {
          skipped.push({ name: t.name, why: t.status === 'broken' ? `hỏng: ${t.statusReason ?? ''}` : 'chưa kích hoạt' });
          continue;
        }
        rows.push({ runId: run.id, bulletinVersionId: vi.id, targetId: t.id });
      }
      for (const e of endpoints) {
        if (e.communeId !== b.communeId || !included(e)) continue;
        if (e.status === 'broken') {
          skipped.push({ name: e.name, why: `hỏng: ${e.statusReason ?? ''}` });
          continue;
        }
        for (const v of [vi, ...others]) rows.push({ runId: run.id, bulletinVersionId: v.id, endpointId: e.id });
      }
      // Subscribers only when named: "everything" means the groups and loudspeakers, not private chats.
      const subscribers = await subscribersOf(tx, b.communeId, audience.filter((a) => a.kind === 'subscribers'));
      for (const sub of subscribers) rows.push({ runId: run.id, bulletinVersionId: vi.id, ...sub });
    }
    const created = rows.length ? await tx.delivery.createManyAndReturn({ data: rows, select: { id: true, runId: true, endpointId: true } }) : [];
    const deliveriesOf = new Map<string, Array<{ id: string; endpointId: string | null }>>(runs.map((r) => [r.id, []]));
    for (const d of created) deliveriesOf.get(d.runId)!.push(d);
    const empty = runs.filter((r) => deliveriesOf.get(r.id)!.length === 0).map((r) => r.id);
    if (empty.length) await tx.broadcastRun.updateMany({ where: { id: { in: empty } }, data: { status: 'done', finishedAt: new Date() } });
    const sending = [...new Set(runs.filter((r) => deliveriesOf.get(r.id)!.length > 0).map((r) => r.bulletinId))];
    if (sending.length) await tx.bulletin.updateMany({ where: { id: { in: sending } }, data: { status: 'sending' } });
    if (runs.length) {
      await tx.auditLog.createMany({
        data: runs.map((r) => ({ communeId: bulletins.get(r.bulletinId)!.communeId, actorKind: 'system' as const, action: 'bulletin.run_started', entityType: 'Bulletin', entityId: r.bulletinId, data: { runId: r.id, deliveries: deliveriesOf.get(r.id)!.length, skipped: skippedOf.get(r.id)!.length } })),
      });
    }
    return items.map((p): StartedRun => {
      const priority = CLASS_PRIORITY[bulletins.get(p.bulletinId)!.class];
      const old = existingOf(p);
      if (old) return { runId: old.id, created: false, ...loudspeakersFirst(old.deliveries), skipped: [], priority };
      const run = runs.find((r) => r.bulletinId === p.bulletinId && r.scheduledFor.getTime() === p.scheduledFor.getTime())!;
      return { runId: run.id, created: true, ...loudspeakersFirst(deliveriesOf.get(run.id)!), skipped: skippedOf.get(run.id)!, priority };
    });
    // Thousands of delivery rows in the one outbox transaction: Prisma's default 5 s ran out on a
    // busy box for 2,000 groups + 500 clusters (bench fanout), and the run never started.
  }, { timeout: 60_000, maxWait: 10_000 });
}

function loudspeakersFirst(deliveries: Array<{ id: string; endpointId: string | null }>): Pick<StartedRun, 'deliveryIds' | 'loudspeakers'> {
  const speakers = deliveries.filter((d) => d.endpointId).map((d) => d.id);
  return { deliveryIds: [...speakers, ...deliveries.filter((d) => !d.endpointId).map((d) => d.id)], loudspeakers: speakers.length };
}

type EnqueueDelivery = (def: typeof deliverJob, data: DeliverJobData, opts: { jobId: string; priority: number }) => Promise<unknown>;

/** Queues a started run's deliveries under their stable ids (a second call adds nothing). */
export async function queueRun(enqueue: EnqueueDelivery, run: StartedRun): Promise<void> {
  await queueRuns(enqueue, [run]);
}

/** Loudspeakers per play job: a province's clusters in a few jobs, each playing them side by side. */
const LOUDSPEAKERS_PER_JOB = 250;

/**
 * Several runs at once (a province bulletin: one run per commune): every run's loudspeakers are
 * queued before any chat group, so no loudspeaker waits behind another commune's paced groups, and
 * they go in a few jobs that play them side by side (play-loudspeakers.ts) rather than one job
 * each. Chat deliveries are one job each (their platforms pace them). Adds go out in parallel
 * batches (one Redis round trip each would make thousands slow).
 */
export async function queueRuns(enqueue: EnqueueDelivery, runs: StartedRun[], part: 'all' | 'loudspeakers' | 'groups' = 'all'): Promise<void> {
  if (part !== 'groups') {
    const speakers = runs.flatMap((r) => r.deliveryIds.slice(0, r.loudspeakers).map((id) => [id, r.priority] as const));
    const plays: Array<Promise<unknown>> = [];
    for (let i = 0; i < speakers.length; i += LOUDSPEAKERS_PER_JOB) {
      const chunk = speakers.slice(i, i + LOUDSPEAKERS_PER_JOB);
      // Named by its first delivery: the same runs queued again add nothing.
      plays.push(enqueue(deliverJob, { deliveryIds: chunk.map(([id]) => id) }, { jobId: `play-${chunk[0]![0]}`, priority: Math.min(...chunk.map(([, p]) => p)) }));
    }
    await Promise.all(plays);
  }
  if (part === 'loudspeakers') return;
  const jobs = runs.flatMap((r) => r.deliveryIds.slice(r.loudspeakers).map((id) => [id, r.priority] as const));
  for (let i = 0; i < jobs.length; i += 200) {
    await Promise.all(jobs.slice(i, i + 200).map(([id, priority]) => enqueue(deliverJob, { deliveryId: id }, { jobId: `dlv-${id}`, priority })));
  }
}
