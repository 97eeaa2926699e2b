// Runs one or more process roles on one runtime. `start` is web + bots + worker in one process
// (single box); at province scale each role runs as its own process against the same
// PostgreSQL and Redis (docker-compose.yml).
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import { openRuntime, type Runtime } from './runtime.ts';
import { waitForSignal } from './wait-for-signal.ts';
import { startWebRole } from './web-role.ts';
import { startWorkerRole } from './worker-role.ts';
import { startBotsRole } from './bots-role.ts';
import { seedDemo, formatDemoAccounts } from '../demo/seed-demo.ts';
import { simulatorBaseUrl } from '../cli/seed-demo-command.ts';

export type Role = 'web' | 'bots' | 'worker';

export interface RunningRole {
  /** Stops taking new work and finishes or releases what is running. */
  stop(): Promise<void>;
}

const starters: Record<Role, (rt: Runtime) => Promise<RunningRole>> = {
  web: startWebRole,
  bots: startBotsRole,
  worker: startWorkerRole,
};

/** `npm start` on an empty database creates the demo commune, so there is something to see. */
async function seedIfEmpty(rt: Runtime): Promise<void> {
  if (!rt.settings.SEED_DEMO) return;
  if ((await rt.db.prisma.commune.count()) > 0) return;
  const result = await seedDemo(rt.db.prisma, { password: rt.settings.DEMO_PASSWORD, simulatorBaseUrl: simulatorBaseUrl(rt.settings), province: true });
  if (result.created) {
    rt.log.info({ communeId: result.communeId }, 'đã tạo dữ liệu mẫu');
    process.stdout.write(`\n${formatDemoAccounts(result.accounts)}\n\n`);
  }
}

export async function runRoles(roles: Role[], settings: Settings, log: Logger): Promise<never> {
  const rt = await openRuntime(settings, log);
  const running: RunningRole[] = [];
  try {
    if (roles.length === 3) await seedIfEmpty(rt);
    // Workers first, web last: the web answers health checks only once everything is up.
    for (const role of [...roles].sort((a, b) => order(a) - order(b))) {
      running.push(await starters[role](rt));
    }
  } catch (e) {
    for (const r of running.reverse()) await r.stop().catch(() => undefined);
    await rt.close();
    throw e;
  }
  log.info({ roles, database: rt.db.kind, redis: rt.redisEmbedded ? 'embedded' : 'external' }, 'Loa Xã đã sẵn sàng');
  return waitForSignal(
    log,
    async () => {
      // The web stops first (no new requests), then bots (no new updates), then workers drain.
      for (const r of running.reverse()) await r.stop();
      await rt.close();
    },
    settings.SHUTDOWN_TIMEOUT_MS,
  );
}

function order(role: Role): number {
  return role === 'worker' ? 0 : role === 'bots' ? 1 : 2;
}
