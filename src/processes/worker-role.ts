// The worker role: runs queued jobs. Several worker processes may run against one Redis (BullMQ
// hands each job to one of them); repeatable jobs are upserted by id, so every replica declaring
// them leaves exactly one schedule.
import type { Runtime } from './runtime.ts';
import type { RunningRole } from './run-roles.ts';
import { housekeepingPurgeSessions } from '../queues/job-definition.ts';
import { purgeExpiredSessions } from '../housekeeping/purge-expired-sessions.ts';

const HOUR_MS = 3600_000;

export async function startWorkerRole(rt: Runtime): Promise<RunningRole> {
  const { queues, db, log } = rt;
  const housekeeping = queues.startWorker(
    'housekeeping',
    {
      [housekeepingPurgeSessions.name]: async (_data, { log: jobLog }) => {
        const removed = await purgeExpiredSessions({ prisma: db.prisma });
        jobLog.info({ removed }, 'đã xoá phiên đăng nhập hết hạn');
        return { removed };
      },
    },
    { concurrency: 1 },
  );
  await queues.upsertRepeatable(housekeepingPurgeSessions, HOUR_MS, {});
  log.info({ queues: ['housekeeping'] }, 'worker đã nhận việc');
  return {
    // The queue kit drains running jobs when the runtime closes; stopping here stops taking new ones.
    stop: () => housekeeping.close(),
  };
}
