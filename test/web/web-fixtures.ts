// Shared set-up of the web tests: a migrated PostgreSQL test database, a log that can be read
// back, and rows to hang tickets and deliveries on.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/logger.ts';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { SqlRunner } from '../../src/db/sql-runner.ts';
import { migrate } from '../../src/db/migrator.ts';

/** Applies the schema with the application's own migrator. */
export async function migrateForTest(sql: SqlRunner): Promise<void> {
  await migrate(sql);
}

export interface CapturedLog {
  log: Logger;
  lines: () => Array<Record<string, unknown>>;
}

/** A pino logger whose JSON lines the test can read. */
export function captureLog(): CapturedLog {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const log = pino({ level: 'debug' }, stream);
  return {
    log,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A commune with a resident, a bulletin version, a run and two targets: enough foreign keys. */
export async function seedMinimal(prisma: PrismaClient) {
  const commune = await prisma.commune.create({ data: { code: `c${Date.now().toString(36)}`, name: 'Xã Thử' } });
  const resident = await prisma.resident.create({ data: { communeId: commune.id } });
  const bulletin = await prisma.bulletin.create({ data: { communeId: commune.id, title: 'Bản tin thử' } });
  const version = await prisma.bulletinVersion.create({ data: { bulletinId: bulletin.id, revision: 1 } });
  const run = await prisma.broadcastRun.create({ data: { bulletinId: bulletin.id, revision: 1, scheduledFor: new Date() } });
  const targets = await Promise.all(
    ['a', 'b', 'c'].map((n) =>
      prisma.target.create({ data: { communeId: commune.id, kind: 'telegram_chat', name: `Nhóm ${n}`, platformChatId: `-100${n}` } }),
    ),
  );
  return { commune, resident, version, run, targets };
}
