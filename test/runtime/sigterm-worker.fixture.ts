// A worker process for the shutdown test: one slow job, SIGTERM → queue kit close → exit 0.
import { setTimeout as sleep } from 'node:timers/promises';
import { createQueueKit } from '../../src/queues/queue-kit.ts';

const kit = createQueueKit({ redisUrl: process.env.REDIS_URL!, prefix: 'loaxa' });
kit.startWorker('outbound', {
  slow: async () => {
    process.stdout.write('started\n');
    await sleep(700);
    process.stdout.write('finished\n');
  },
});
process.once('SIGTERM', () => {
  void kit.close(5000).then(() => process.exit(0));
});
process.stdout.write('ready\n');
