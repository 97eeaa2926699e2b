// `loaxa seed-demo`: creates the demo commune if it is not there yet.
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import { openRuntime } from '../processes/runtime.ts';
import { formatDemoAccounts, seedDemo } from '../demo/seed-demo.ts';

export function simulatorBaseUrl(settings: Settings): string {
  const base = settings.PUBLIC_BASE_URL ?? `http://127.0.0.1:${settings.PORT}`;
  return `${base.replace(/\/$/, '')}/radio-sim`;
}

export async function runSeedDemo({ settings, log }: { settings: Settings; log: Logger }): Promise<number> {
  const rt = await openRuntime(settings, log, { redis: false, migrate: true });
  try {
    const result = await seedDemo(rt.db.prisma, { password: settings.DEMO_PASSWORD, simulatorBaseUrl: simulatorBaseUrl(settings), province: true });
    process.stdout.write(result.created ? `${formatDemoAccounts(result.accounts)}\n` : 'Dữ liệu mẫu đã có sẵn, không tạo lại.\n');
    return 0;
  } finally {
    await rt.close();
  }
}
