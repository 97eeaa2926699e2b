// PostgreSQL is the truth for bulletins too: deliveries of a run still sending whose job was lost
// (Redis restarted empty, a crash between commit and enqueue) are queued again under the same id,
// and loudspeakers silent for three heartbeats are shown offline.
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { EnqueueOptions } from '../../src/queues/queue-kit.ts';
import type { JobDefinition } from '../../src/queues/job-definition.ts';
import { CLASS_PRIORITY, deliverJob } from './start-run.ts';
import { finishRunIfDone } from './deliver.ts';
import { PULL_MARK } from '../radio/endpoint.ts';
import type { RestoreJob } from '../../src/tickets/ticket-deps.ts';

const HEARTBEAT_MS = 30_000;
const PULL_WAIT_MS = 2 * 3600_000;

export async function reconcileDeliveries(
  deps: { prisma: PrismaClient; enqueue: <D>(def: JobDefinition<D>, data: D, opts?: EnqueueOptions) => Promise<string>; now(): Date; restore?: RestoreJob },
  opts: { olderThanMs: number; sendingOlderThanMs?: number },
): Promise<{ deliveries: number; offline: number; unpulled: number }> {
  const before = new Date(deps.now().getTime() - opts.olderThanMs);
  // A delivery "sending" may be in a worker's hands even when Redis lost its job: give it the
  // time a job's lock would last before another job takes it.
  const sendingBefore = new Date(deps.now().getTime() - (opts.sendingOlderThanMs ?? opts.olderThanMs));
  // Waiting for a pull-mode cluster is not stuck; waiting too long is a failure staff should see.
  const unpulled = await deps.prisma.delivery.updateManyAndReturn({
    where: { status: 'sending', platformMessageId: PULL_MARK, lastAttemptAt: { lt: new Date(deps.now().getTime() - PULL_WAIT_MS) } },
    data: { status: 'failed', error: 'cụm loa không lấy bản tin về trong 2 giờ' },
    select: { runId: true },
  });
  for (const runId of new Set(unpulled.map((d) => d.runId))) await finishRunIfDone(deps.prisma, runId, deps.now());
  const stuck = await deps.prisma.delivery.findMany({
    where: {
      run: { status: 'sending' },
      OR: [
        { status: 'pending', updatedAt: { lt: before } },
        { status: 'sending', updatedAt: { lt: sendingBefore }, OR: [{ platformMessageId: null }, { platformMessageId: { not: PULL_MARK } }] },
      ],
    },
    select: { id: true, run: { select: { bulletin: { select: { class: true } } } } },
    take: 2000,
  });
  // With `restore`, only deliveries whose job is gone (or finished while the row says pending) count.
  let restored = 0;
  for (const d of stuck) {
    const opts = { jobId: `dlv-${d.id}`, priority: CLASS_PRIORITY[d.run.bulletin.class] };
    if (deps.restore) {
      if (await deps.restore(deliverJob, { deliveryId: d.id }, opts, true)) restored += 1;
    } else {
      await deps.enqueue(deliverJob, { deliveryId: d.id }, opts);
      restored += 1;
    }
  }
  const offline = await deps.prisma.endpoint.updateMany({
    where: { status: 'online', lastHeartbeatAt: { lt: new Date(deps.now().getTime() - 3 * HEARTBEAT_MS - 10_000) } },
    data: { status: 'offline' },
  });
  return { deliveries: restored, offline: offline.count, unpulled: unpulled.length };
}
