// PostgreSQL is the truth for bulletins too: deliveries of a run still sending whose job was lost
// (Redis restarted empty, a crash between commit and enqueue) are queued again under the same id,
// and loudspeakers silent for three heartbeats are shown offline.
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { EnqueueOptions } from '../../src/queues/queue-kit.ts';
import type { JobDefinition } from '../../src/queues/job-definition.ts';
import { CLASS_PRIORITY, deliverJob } from './start-run.ts';
import { finishRunIfDone } from './deliver.ts';
import { PULL_MARK } from '../radio/endpoint.ts';

const HEARTBEAT_MS = 30_000;
const PULL_WAIT_MS = 2 * 3600_000;

export async function reconcileDeliveries(
  deps: { prisma: PrismaClient; enqueue: <D>(def: JobDefinition<D>, data: D, opts?: EnqueueOptions) => Promise<string>; now(): Date },
  opts: { olderThanMs: number },
): Promise<{ deliveries: number; offline: number; unpulled: number }> {
  const before = new Date(deps.now().getTime() - opts.olderThanMs);
  // Waiting for a pull-mode cluster is not stuck; waiting too long is a failure staff should see.
  const unpulled = await deps.prisma.delivery.updateManyAndReturn({
    where: { status: 'sending', platformMessageId: PULL_MARK, lastAttemptAt: { lt: new Date(deps.now().getTime() - PULL_WAIT_MS) } },
    data: { status: 'failed', error: 'cụm loa không lấy bản tin về trong 2 giờ' },
    select: { runId: true },
  });
  for (const runId of new Set(unpulled.map((d) => d.runId))) await finishRunIfDone(deps.prisma, runId, deps.now());
  const stuck = await deps.prisma.delivery.findMany({
    where: { status: { in: ['pending', 'sending'] }, updatedAt: { lt: before }, run: { status: 'sending' }, OR: [{ platformMessageId: null }, { platformMessageId: { not: PULL_MARK } }] },
    select: { id: true, run: { select: { bulletin: { select: { class: true } } } } },
    take: 2000,
  });
  for (const d of stuck) await deps.enqueue(deliverJob, { deliveryId: d.id }, { jobId: `dlv-${d.id}`, priority: CLASS_PRIORITY[d.run.bulletin.class] });
  const offline = await deps.prisma.endpoint.updateMany({
    where: { status: 'online', lastHeartbeatAt: { lt: new Date(deps.now().getTime() - 3 * HEARTBEAT_MS - 10_000) } },
    data: { status: 'offline' },
  });
  return { deliveries: stuck.length, offline: offline.count, unpulled: unpulled.length };
}
