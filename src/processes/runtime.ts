// What every process role stands on: settings, the data-folder lock, the database (migrated),
// Redis (configured or private) and the queue kit. Opened in order, closed in reverse.
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import { openDatabase, redactUrl, type Database } from '../db/database.ts';
import { makeDataDirPrivate } from '../runtime/private-data-dir.ts';
import { migrate } from '../db/migrator.ts';
import { ensureCategories } from '../catalog/ensure-categories.ts';
import { lockDataDir, type DataDirLock } from '../runtime/data-dir-lock.ts';
import { startEmbeddedRedis } from '../runtime/embedded-redis.ts';
import { assertRedisReachable } from '../redis/connection.ts';
import { createQueueKit, type QueueKit } from '../queues/queue-kit.ts';
import { databaseUnavailable } from './operator-error.ts';
import { startControlSocket } from '../runtime/control-socket.ts';
import { linkStaff, type LinkStaffRequest } from '../staff/link-staff.ts';
import { addCommuneFromRequest, type CommuneAddRequest } from '../communes/commune-add-request.ts';
import { isAppError } from '../errors.ts';

export interface Runtime {
  settings: Settings;
  log: Logger;
  db: Database;
  redisUrl: string;
  /** True when Redis is the private redis-server in DATA_DIR. */
  redisEmbedded: boolean;
  queues: QueueKit;
  /** Registers something to close with the runtime (before what was opened earlier). */
  onClose(name: string, fn: () => Promise<void>): void;
  close(): Promise<void>;
}

export interface OpenRuntimeOptions {
  /** Apply pending migrations (every role does; the migrator serialises concurrent runs). */
  migrate?: boolean;
  /** Open Redis and the queues (not needed by `migrate` and `seed-demo`). */
  redis?: boolean;
}

/** Closers run in reverse order of opening; a failing closer does not stop the others. */
class Closers {
  private readonly list: Array<[string, () => Promise<void>]> = [];
  constructor(private readonly log: Logger) {}
  add(name: string, fn: () => Promise<void>): void {
    this.list.push([name, fn]);
  }
  async closeAll(): Promise<void> {
    while (this.list.length > 0) {
      const [name, fn] = this.list.pop()!;
      try {
        await fn();
      } catch (e) {
        this.log.warn({ err: e, component: name }, 'lỗi khi đóng thành phần');
      }
    }
  }
}

export async function openRuntime(settings: Settings, log: Logger, opts: OpenRuntimeOptions = {}): Promise<Runtime> {
  const wantRedis = opts.redis ?? true;
  const closers = new Closers(log);
  try {
    // Only DATA_DIR's owner may read it (what it holds is the commune's); fixed before anything opens.
    const fixed = await makeDataDirPrivate(settings.DATA_DIR);
    if (fixed > 0) log.warn({ dataDir: settings.DATA_DIR, fixed }, 'thư mục dữ liệu có tệp người khác đọc được: đã sửa quyền thành 700/600');
    // The embedded database and the private redis-server live in DATA_DIR: one process only.
    let locked = false;
    if (!settings.DATABASE_URL || (wantRedis && !settings.REDIS_URL)) {
      const lock: DataDirLock = await lockDataDir(settings.DATA_DIR);
      closers.add('data-dir-lock', () => lock.release());
      locked = true;
    }

    let db: Database;
    try {
      db = await openDatabase({ databaseUrl: settings.DATABASE_URL, dataDir: settings.DATA_DIR });
    } catch (e) {
      if (settings.DATABASE_URL) throw databaseUnavailable(redactUrl(settings.DATABASE_URL), e);
      throw e;
    }
    closers.add('database', () => db.close());
    // PGlite sets its files to 666 itself: fixed once it has opened (its 700 folders keep later
    // ones out of reach until the next start fixes them).
    if (db.kind === 'pglite') await makeDataDirPrivate(settings.DATA_DIR);
    log.info({ database: db.label, kind: db.kind }, 'đã mở cơ sở dữ liệu');

    if (opts.migrate ?? true) {
      const result = await migrate(db.sql, { log });
      if (result.applied.length > 0) log.info({ applied: result.applied }, 'đã áp dụng migration');
      await ensureCategories(db.prisma);
    }

    // Only this process can reach the embedded database: it answers `loaxa link-staff` and `loaxa commune add` meanwhile.
    if (locked && !settings.DATABASE_URL) {
      const control = await startControlSocket(settings.DATA_DIR, {
        'link-staff': (args) => linkStaff(db.prisma, args as unknown as LinkStaffRequest),
        'commune-add': (args) => addCommuneFromRequest(db.prisma, args as unknown as CommuneAddRequest),
      }, (e) => {
        if (isAppError(e)) return e.userMessage;
        log.error({ err: e }, 'lệnh quản trị qua socket lỗi');
        return 'Lỗi không mong đợi trong tiến trình Loa Xã đang chạy; xem nhật ký của nó.';
      });
      closers.add('control-socket', () => control.close());
    }

    let redisUrl = '';
    let redisEmbedded = false;
    let queues: QueueKit | undefined;
    if (wantRedis) {
      if (settings.REDIS_URL) {
        await assertRedisReachable(settings.REDIS_URL, 5000);
        redisUrl = settings.REDIS_URL;
      } else {
        const embedded = await startEmbeddedRedis({ dataDir: settings.DATA_DIR, bin: settings.REDIS_SERVER_BIN, log });
        closers.add('embedded-redis', () => embedded.stop());
        redisUrl = embedded.url;
        redisEmbedded = true;
      }
      const kit = createQueueKit({ redisUrl, prefix: settings.REDIS_PREFIX, log, shutdownTimeoutMs: settings.SHUTDOWN_TIMEOUT_MS });
      closers.add('queues', () => kit.close(settings.SHUTDOWN_TIMEOUT_MS));
      queues = kit;
    }

    return {
      settings,
      log,
      db,
      redisUrl,
      redisEmbedded,
      get queues(): QueueKit {
        if (!queues) throw new Error('Redis was not opened for this command');
        return queues;
      },
      onClose: (name, fn) => closers.add(name, fn),
      close: () => closers.closeAll(),
    };
  } catch (e) {
    await closers.closeAll();
    throw e;
  }
}
