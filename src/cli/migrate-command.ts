// `loaxa migrate`: applies pending migrations and says what it did.
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import { openRuntime } from '../processes/runtime.ts';

export async function runMigrate({ settings, log }: { settings: Settings; log: Logger }): Promise<number> {
  // openRuntime migrates as part of opening the database.
  const rt = await openRuntime(settings, log, { redis: false, migrate: true });
  try {
    process.stdout.write(`Cơ sở dữ liệu ${rt.db.label}: đã cập nhật lược đồ.\n`);
    return 0;
  } finally {
    await rt.close();
  }
}
