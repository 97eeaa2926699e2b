// A worker process for the shutdown tests, stopped the way `loaxa worker` is: SIGTERM → the role
// closes its workers, then the runtime closes the queue kit with SHUTDOWN_TIMEOUT_MS. Its job
// takes SLOW_MS (700 ms unless set); CONCURRENCY jobs run at once.
import { setTimeout as sleep } from 'node:timers/promises';
import { createQueueKit } from '../../src/queues/queue-kit.ts';
import { waitForSignal } from '../../src/processes/wait-for-signal.ts';
import { createLogger } from '../../src/logger.ts';

const budget = Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 5000);
const slowMs = Number(process.env.SLOW_MS ?? 700);
const kit = createQueueKit({ redisUrl: process.env.REDIS_URL!, prefix: process.env.PREFIX ?? 'loaxa', shutdownTimeoutMs: budget });
const handle = kit.startWorker(
  'outbound',
  {
    slow: async (_data, ctx) => {
      process.stdout.write(`started ${ctx.job.id}\n`);
      await sleep(slowMs);
      process.stdout.write(`finished ${ctx.job.id}\n`);
    },
  },
  { concurrency: Number(process.env.CONCURRENCY ?? 1) },
);
void waitForSignal(
  createLogger('warn'),
  async () => {
    const { handedBack } = await handle.close();
    process.stdout.write(`handed back ${handedBack}\n`);
    await kit.close(budget);
  },
  budget,
);
process.stdout.write('ready\n');
