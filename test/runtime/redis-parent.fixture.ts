// A parent process for the orphan test: starts the private redis-server, prints its pid, and
// waits to be killed.
import { startEmbeddedRedis } from '../../src/runtime/embedded-redis.ts';

const r = await startEmbeddedRedis({ dataDir: process.env.DATA_DIR!, ...(process.env.WATCHDOG_ONLY ? { parentDeathSignal: false } : {}) });
process.stdout.write(`redis ${r.pid}\n`);
setInterval(() => undefined, 60_000);
