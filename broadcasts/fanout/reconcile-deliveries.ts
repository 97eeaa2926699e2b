// PostgreSQL is the truth for bulletins too: deliveries of a run still sending whose job was lost
// (Redis restarted empty, a crash between commit and enqueue) are queued again under the same id,
// and loudspeakers silent for three heartbeats are shown offline.
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { EnqueueOptions } from '../../src/queues/queue-kit.ts';
import type { JobDefinition } from '../../src/queues/job-definition.ts';
import { CLASS_PRIORITY, deliverJob } from './start-run.ts';

const HEARTBEAT_MS = 30_000;

export async function reconcileDeliveries(
  deps: { prisma: PrismaClient; enqueue: <D>(def: JobDefinition<D>, data: D, opts?: EnqueueOptions) => Promise<string>; now(): Date },
  opts: { olderThanMs: number },
): Promise<{ deliveries: number; offline: number }> {
  const before = new Date(deps.now().getTime() - opts.olderThanMs);
  const stuck = await deps.prisma.delivery.findMany({
    where: { status: { in: ['pending', 'sending'] }, updatedAt: { lt: before }, run: { status: 'sending' } },
    select: { id: true, run: { select: { bulletin: { select: { class: true } } } } },
    take: 2000,
  });
  for (const d of stuck) await deps.enqueue(deliverJob, { deliveryId: d.id }, { jobId: `dlv-${d.id}`, priority: CLASS_PRIORITY[d.run.bulletin.class] });
  const offline = await deps.prisma.endpoint.updateMany({
    where: { status: 'online', lastHeartbeatAt: { lt: new Date(deps.now().getTime() - 3 * HEARTBEAT_MS - 10_000) } },
    data: { status: 'offline' },
  });
  return { deliveries: stuck.length, offline: offline.count };
}
