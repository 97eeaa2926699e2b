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
import { reconcileJob } from '../tickets/reconcile.ts';
import { deliverJob } from '../../broadcasts/fanout/start-run.ts';
import { deliverJobHandler } from '../../broadcasts/fanout/deliver.ts';
import { fire, fireJob, startScheduler } from '../../broadcasts/schedule/scheduler.ts';
import { deliverDeps, installationKey, publicBaseUrl } from './broadcast-runtime.ts';
import { createSurveyLinkSigner } from '../surveys/survey-link.ts';
import { createRecovery, type Recovery } from './recovery.ts';
import { classifierTrainingHandlers } from '../tickets/classification/training-handlers.ts';
import { NIGHTLY_TRAINING_CRON, trainClassifiersNightlyJob } from '../tickets/classification/classifier-jobs.ts';

// A firing later than this after its time is recorded as missed instead of going out.
const FIRING_GRACE_MS = 30 * 60_000;

const HOUR_MS = 3600_000;

export async function startWorkerRole(rt: Runtime): Promise<RunningRole & { recovery: Recovery }> {
  const { queues, db, log, settings } = rt;
  const channels = await processChannels(rt);
  const enqueue = queues.enqueue.bind(queues);
  const deps = await createTicketDeps({ prisma: db.prisma, log, settings, enqueue, cancelJob: queues.cancel.bind(queues), concurrentConnections: db.kind === 'postgres' });

  const surveyLinks = createSurveyLinkSigner(await installationKey(settings));
  const recovery = createRecovery({
    prisma: db.prisma,
    queues,
    tickets: deps,
    log,
    surveys: { link: (surveyId, residentId) => `${publicBaseUrl(settings)}${surveyLinks.path(surveyId, residentId)}` },
    repeatables: [
      { def: housekeepingPurgeSessions as never, every: HOUR_MS, data: {} },
      { def: trainClassifiersNightlyJob as never, every: NIGHTLY_TRAINING_CRON, data: {} },
    ],
  });
  const workers = [
    queues.startWorker(
      'housekeeping',
      {
        [housekeepingPurgeSessions.name]: async (_data, { log: jobLog }) => {
          const removed = await purgeExpiredSessions({ prisma: db.prisma });
          jobLog.info({ removed }, 'đã xoá phiên đăng nhập hết hạn');
          return { removed };
        },
        // Left by versions that reconciled from a repeatable job; the tick does it now.
        [reconcileJob.name]: async () => recovery.run(),
        ...classifierTrainingHandlers({ prisma: db.prisma, log, enqueue }),
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
  await queues.removeRepeatable(reconcileJob);
  // The first tick runs at once: repeating jobs are declared and lost work queued before anything else.
  const scheduler = startScheduler({ prisma: db.prisma, enqueue, log, graceMs: FIRING_GRACE_MS, onTick: () => recovery.run() });
  log.info({ queues: ['housekeeping', 'inbound', 'outbound', 'reminders', 'broadcast'] }, 'worker đã nhận việc');
  return {
    recovery,
    // Stops taking jobs, lets running ones finish within SHUTDOWN_TIMEOUT_MS, hands the rest back.
    stop: async () => {
      await scheduler.stop();
      await recovery.release();
      await Promise.all(workers.map((w) => w.close()));
      deps.stop();
    },
  };
}
