// The loudspeakers of one or several runs at once (an emergency plays on every cluster now): one
// job claims them in one statement, sends every play command side by side, and records them sent
// a few statements at a time as the clusters accept, instead of a job, a read and three writes per
// cluster queued one behind the other. What a failure means is failed-send.ts's, as for any
// delivery; a delivery this path does not cover (a pull-mode cluster, a cancelled bulletin, a
// chat) goes through deliver() in this job.
import { HandBackJob } from '../../src/queues/job-errors.ts';
import { markBroken } from '../../src/bulletins/broken-target-notice.ts';
import { classifySendFailure } from './failed-send.ts';
import { CLASS_PRIORITY, deliverJob } from './start-run.ts';
import { deliver, FINAL, finishRunAfterDelivery, playOnLoudspeaker, type DeliverDeps } from './deliver.ts';

/** Play commands in flight at once: a province's clusters answer in parallel, not one by one. */
const IN_FLIGHT = 16;
/** A cluster that could not be reached is asked again after this, under its own delivery job. */
const RETRY_DELAY_MS = 5000;

export interface PlayOutcome {
  sent: number;
  failed: number;
  /** Transient failures, back to pending: the job is tried again for them. */
  retry: number;
}

/**
 * `last`: the job's last attempt, so a transient failure becomes final (the run must end).
 * Throws after recording everything when some cluster may still be reached later (the job's
 * retry takes only those, the others being done).
 */
export async function playLoudspeakers(deps: DeliverDeps, deliveryIds: string[], opts: { signal?: AbortSignal; last?: boolean } = {}): Promise<PlayOutcome> {
  const { prisma } = deps;
  const rows = await prisma.delivery.findMany({ where: { id: { in: deliveryIds } }, include: { endpoint: true, run: { include: { bulletin: true } } } });
  const open = rows.filter((d) => !FINAL.includes(d.status));
  const direct = open.filter((d) => d.endpoint && !d.endpoint.pullMode && d.run.bulletin.status !== 'cancelled');
  // Pending ones only, so a second run of this job (a stalled lock) cannot take them again; one an
  // attempt left "sending" goes back through the reconciler to its own job, as a lost job does.
  const claimed = new Set(
    direct.length
      ? (
          await prisma.delivery.updateManyAndReturn({
            where: { id: { in: direct.map((d) => d.id) }, status: 'pending' },
            data: { status: 'sending', attempts: { increment: 1 }, lastAttemptAt: deps.now() },
            select: { id: true },
          })
        ).map((d) => d.id)
      : [],
  );

  const accepted: string[] = [];
  let writing: Promise<void> | undefined;
  // Accepted plays are recorded while others are still in flight: whatever came in since the last
  // write goes in the next one, so the gap between a play and its record stays about one round trip.
  const record = (): Promise<void> => {
    if (writing || accepted.length === 0) return writing ?? Promise.resolve();
    writing = (async () => {
      try {
        while (accepted.length) {
          const ids = accepted.splice(0);
          try {
            await prisma.delivery.updateMany({ where: { id: { in: ids } }, data: { status: 'sent', sentAt: deps.now(), error: null } });
          } catch (e) {
            accepted.unshift(...ids);
            throw e;
          }
        }
      } finally {
        writing = undefined;
      }
    })();
    return writing;
  };

  const failures: Array<{ id: string; endpointId: string; priority: number; e: unknown }> = [];
  const handBack: string[] = [];
  const queue = direct.filter((d) => claimed.has(d.id));
  const lane = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      // The worker is stopping: no new command, so none is left without its record at exit.
      if (opts.signal?.aborted) {
        handBack.push(d.id);
        continue;
      }
      try {
        await playOnLoudspeaker(deps, { ...d, endpoint: d.endpoint! }, d.run.bulletin);
        accepted.push(d.id);
        void record().catch(() => undefined);
      } catch (e) {
        failures.push({ id: d.id, endpointId: d.endpointId!, priority: CLASS_PRIORITY[d.run.bulletin.class], e });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, queue.length) }, lane));
  await writing?.catch(() => undefined);
  // Anything a failed write left behind, once more: throws (the job is retried) if it fails again.
  await record();

  let failed = 0;
  let retry = 0;
  for (const f of failures) {
    const c = classifySendFailure(f.e);
    if (c.kind === 'failed' || opts.last) {
      failed += 1;
      await prisma.delivery.update({ where: { id: f.id }, data: { status: 'failed', error: c.error.slice(0, 500) } });
      if (c.kind === 'failed' && c.brokenReason) await markBroken(prisma, deps.enqueue, { kind: 'endpoint', id: f.endpointId, reason: c.brokenReason });
    } else {
      await prisma.delivery.update({ where: { id: f.id }, data: { status: 'pending', error: c.error.slice(0, 500) } });
      // Tried again under the delivery's own job (its id, which the reconciler also uses, so the
      // two never run side by side); without a queue at hand, this job is tried again for it.
      if (deps.enqueue) await deps.enqueue(deliverJob, { deliveryId: f.id }, { jobId: `dlv-${f.id}`, delay: RETRY_DELAY_MS, priority: f.priority });
      else retry += 1;
    }
  }
  if (handBack.length) await prisma.delivery.updateMany({ where: { id: { in: handBack } }, data: { status: 'pending' } });

  // Everything else the job names, one by one through the general path.
  let thrown: unknown;
  for (const d of open.filter((x) => !direct.includes(x))) {
    try {
      await deliver(deps, d.id, opts.signal);
    } catch (e) {
      thrown ??= e;
    }
  }
  const runs = new Set(rows.filter((d) => claimed.has(d.id)).map((d) => d.runId));
  await Promise.all([...runs].map((runId) => finishRunAfterDelivery(prisma, runId, deps.now)));
  if (handBack.length) throw new HandBackJob();
  if (retry) throw new Error(`${retry} cụm loa chưa nhận lệnh phát; thử lại`);
  if (thrown) throw thrown;
  return { sent: claimed.size - failures.length - handBack.length, failed, retry };
}
