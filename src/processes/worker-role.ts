// The worker role: runs queued jobs. Several worker processes may run against one Redis (BullMQ
// hands each job to one of them); repeatable jobs are upserted by id, so every replica declaring
// them leaves exactly one schedule.
import type { Runtime } from './runtime.ts';
import type { RunningRole } from './run-roles.ts';
import { housekeepingPurgeSessions } from '../queues/job-definition.ts';
import { purgeExpiredSessions } from '../housekeeping/purge-expired-sessions.ts';
import { processChannels } from './channels.ts';
import { createTicketDeps } from '../tickets/ticket-runtime.ts';
import { processInbound } from '../tickets/process-inbound.ts';
import { outboundHandlers } from '../tickets/outbound-delivery.ts';
import { deadlineJob, fetchAttachmentJob, processInboundJob } from '../tickets/ticket-jobs.ts';
import { fetchAttachment } from '../tickets/attachments.ts';
import { runDeadlineCheck } from '../tickets/deadlines.ts';
import { reconcileJob, reconcileListening } from '../tickets/reconcile.ts';
import { deliverJob } from '../../broadcasts/fanout/start-run.ts';
import { deliverJobHandler } from '../../broadcasts/fanout/deliver.ts';
import { fire, fireJob, startScheduler } from '../../broadcasts/schedule/scheduler.ts';
import { deliverDeps } from './broadcast-runtime.ts';
import { reconcileDeliveries } from '../../broadcasts/fanout/reconcile-deliveries.ts';

// A firing later than this after its time is recorded as missed instead of going out.
const FIRING_GRACE_MS = 30 * 60_000;

const HOUR_MS = 3600_000;

export async function startWorkerRole(rt: Runtime): Promise<RunningRole> {
  const { queues, db, log, settings } = rt;
  const channels = await processChannels(rt);
  const enqueue = queues.enqueue.bind(queues);
  const deps = await createTicketDeps({ prisma: db.prisma, log, settings, enqueue, cancelJob: queues.cancel.bind(queues), concurrentConnections: db.kind === 'postgres' });

  const workers = [
    queues.startWorker(
      'housekeeping',
      {
        [housekeepingPurgeSessions.name]: async (_data, { log: jobLog }) => {
          const removed = await purgeExpiredSessions({ prisma: db.prisma });
          jobLog.info({ removed }, 'đã xoá phiên đăng nhập hết hạn');
          return { removed };
        },
        [reconcileJob.name]: async (_data, { log: jobLog }) => {
          const r = await reconcileListening(deps, { olderThanMs: 60_000 });
          const b = await reconcileDeliveries({ prisma: db.prisma, enqueue, now: () => new Date() }, { olderThanMs: 120_000 });
          if (r.inbound + r.messages + r.posts + b.deliveries > 0) jobLog.warn({ ...r, ...b }, 'đã xếp lại việc bị sót');
          return { ...r, ...b };
        },
      },
      { concurrency: 1 },
    ),
    // One inbound job per stored message; a row lock makes a duplicate job harmless.
    queues.startWorker(
      'inbound',
      {
        [processInboundJob.name]: async (data: { inboundId: string }) => processInbound(deps, data.inboundId),
        [fetchAttachmentJob.name]: async (data: { ticketMessageId: string; index: number }) => fetchAttachment({ ...deps, channels: channels.directory, dataDir: settings.DATA_DIR }, data),
      },
      { concurrency: settings.WORKER_CONCURRENCY },
    ),
    queues.startWorker('outbound', outboundHandlers({ ...deps, channels: channels.directory, dataDir: settings.DATA_DIR }), { concurrency: settings.WORKER_CONCURRENCY }),
    queues.startWorker('reminders', { [deadlineJob.name]: async (data: Parameters<typeof runDeadlineCheck>[1]) => runDeadlineCheck(deps, data) }, { concurrency: 2 }),
  ];
  const broadcast = await deliverDeps(rt, channels);
  workers.push(
    queues.startWorker(
      'broadcast',
      {
        [deliverJob.name]: deliverJobHandler(broadcast) as never,
        [fireJob.name]: async (data: Parameters<typeof fire>[1]) => fire({ prisma: db.prisma, enqueue, log, graceMs: FIRING_GRACE_MS }, data),
      },
      { concurrency: settings.WORKER_CONCURRENCY },
    ),
  );
  const scheduler = startScheduler({ prisma: db.prisma, enqueue, log, graceMs: FIRING_GRACE_MS });
  await queues.upsertRepeatable(housekeepingPurgeSessions, HOUR_MS, {});
  await queues.upsertRepeatable(reconcileJob, 60_000, {});
  log.info({ queues: ['housekeeping', 'inbound', 'outbound', 'reminders', 'broadcast'] }, 'worker đã nhận việc');
  return {
    // The queue kit drains running jobs when the runtime closes; stopping here stops taking new ones.
    stop: async () => {
      await scheduler.stop();
      await Promise.all(workers.map((w) => w.close()));
      deps.stop();
    },
  };
}
