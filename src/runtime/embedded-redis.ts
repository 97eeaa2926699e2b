// A private redis-server for the single-box mode (no REDIS_URL): unix socket in DATA_DIR, no TCP
// port, append-only file so queued and delayed jobs survive a restart. The caller holds the
// data-folder lock, so any redis-server still serving this folder is an orphan of a crashed run.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { silentLogger } from '../logger.ts';
import { findOnPath } from '../system/find-executable.ts';

export class EmbeddedRedisError extends Error {
  override name = 'EmbeddedRedisError';
}

export interface EmbeddedRedis {
  url: string;
  socketPath: string;
  pid: number;
  stop(): Promise<void>;
}

export interface EmbeddedRedisOptions {
  dataDir: string;
  bin?: string;
  log?: Logger;
  /** How long to wait for the server to answer. */
  startTimeoutMs?: number;
  /** Ask the kernel to stop the server when we die (Linux, setpriv); false: the portable watchdog only. */
  parentDeathSignal?: boolean;
}

/**
 * How to start redis-server so that it dies with this process, even after a SIGKILL that gives
 * us no chance to stop it. Node cannot call prctl(PR_SET_PDEATHSIG) itself; util-linux's setpriv
 * (present on every Debian/Ubuntu) sets it and then execs redis-server under the same pid.
 * Elsewhere a shell watchdog polls our pid every second and sends SIGTERM (redis-server writes
 * its append-only file out and exits) once we are gone, then execs redis-server the same way.
 */
function dyingWithUs(bin: string, args: string[], usePdeathsig: boolean): { cmd: string; argv: string[] } {
  const setpriv = usePdeathsig && process.platform === 'linux' ? findOnPath('setpriv') : undefined;
  if (setpriv) return { cmd: setpriv, argv: ['--pdeathsig', 'TERM', '--', bin, ...args] };
  const watchdog = 'p=$1; shift; (while kill -0 "$p" && kill -0 $$; do sleep 1; done 2>/dev/null; kill -0 "$p" 2>/dev/null || kill -TERM $$ 2>/dev/null) </dev/null >/dev/null 2>&1 & exec "$@"';
  return { cmd: '/bin/sh', argv: ['-c', watchdog, 'loaxa-redis', String(process.pid), bin, ...args] };
}

// sun_path holds 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH = 107;

function socketPathFor(redisDir: string): { path: string; moved: boolean } {
  const inDir = join(redisDir, 'redis.sock');
  if (Buffer.byteLength(inDir) <= MAX_SOCKET_PATH) return { path: inDir, moved: false };
  const id = createHash('sha256').update(redisDir).digest('hex').slice(0, 16);
  return { path: join(tmpdir(), `loaxa-redis-${id}.sock`), moved: true };
}

async function ping(socketPath: string, timeoutMs = 500): Promise<boolean> {
  const client = new Redis({ path: socketPath, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function isRedisProcess(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('redis-server');
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await sleep(50);
  }
  return !alive(pid);
}

/** Stops a redis-server left running by a crashed earlier process on this data folder. */
async function takeOverOrphan(pidFile: string, socketPath: string, log: Logger): Promise<void> {
  let pid: number | undefined;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim());
  } catch {
    pid = undefined;
  }
  if (pid && Number.isInteger(pid) && alive(pid) && (await isRedisProcess(pid))) {
    log.warn({ pid }, 'redis-server riêng của lần chạy trước vẫn còn; tắt nó để chạy lại');
    // SHUTDOWN writes the append-only file out before exiting; SIGTERM does the same.
    if (await ping(socketPath)) {
      const c = new Redis({ path: socketPath, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => undefined);
      await c.connect().then(() => c.shutdown()).catch(() => undefined);
      c.disconnect();
    } else {
      process.kill(pid, 'SIGTERM');
    }
    if (!(await waitGone(pid, 10_000))) {
      process.kill(pid, 'SIGKILL');
      await waitGone(pid, 2_000);
    }
  }
  await rm(pidFile, { force: true });
  await rm(socketPath, { force: true });
}

async function logTail(logFile: string): Promise<string> {
  try {
    const lines = (await readFile(logFile, 'utf8')).trim().split('\n');
    return lines.slice(-3).map((l) => l.replace(/^\d+:[A-Z] [^*#]*[*#] /, '')).join(' | ');
  } catch {
    return '';
  }
}

export async function startEmbeddedRedis(opts: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const log = opts.log ?? silentLogger;
  const name = opts.bin ?? 'redis-server';
  const bin = isAbsolute(name) ? (existsSync(name) ? name : undefined) : findOnPath(name);
  if (!bin) {
    throw new EmbeddedRedisError(
      `Không tìm thấy redis-server (${name}). Cài bằng "sudo apt-get install redis-server" hoặc đặt REDIS_URL tới một Redis có sẵn.`,
    );
  }
  const dir = join(opts.dataDir, 'redis');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const socket = socketPathFor(dir);
  if (socket.moved) log.info({ socket: socket.path }, 'đường dẫn DATA_DIR quá dài cho unix socket; đặt socket Redis trong thư mục tạm');
  const pidFile = join(dir, 'redis.pid');
  const logFile = join(dir, 'redis.log');
  await takeOverOrphan(pidFile, socket.path, log);

  const args = [
    '--port', '0',
    '--unixsocket', socket.path,
    '--unixsocketperm', '700',
    '--dir', dir,
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    '--daemonize', 'no',
    '--pidfile', pidFile,
    '--logfile', logFile,
    // BullMQ must never have its keys evicted.
    '--maxmemory-policy', 'noeviction',
  ];
  // Not detached: it shares our process group, so Ctrl-C in a terminal reaches it too; a hard kill
  // of Loa Xã alone stops it too (dyingWithUs). Should one survive anyway, the next start takes it over.
  const launch = dyingWithUs(bin, args, opts.parentDeathSignal ?? true);
  const child: ChildProcess = spawn(launch.cmd, launch.argv, { stdio: 'ignore' });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });

  const until = Date.now() + (opts.startTimeoutMs ?? 10_000);
  while (!(await ping(socket.path, 300))) {
    if (exited || Date.now() > until) {
      if (!exited) child.kill('SIGKILL');
      const tail = await logTail(logFile);
      throw new EmbeddedRedisError(`redis-server riêng không khởi động được (${bin})${tail ? `: ${tail}` : ''}. Xem ${logFile} hoặc đặt REDIS_URL.`);
    }
    await sleep(50);
  }
  log.info({ socket: socket.path, pid: child.pid }, 'đã chạy redis-server riêng trong DATA_DIR');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exited) return;
      const c = new Redis({ path: socket.path, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => undefined);
      // SHUTDOWN flushes the append-only file; the reply never comes because the server exits.
      await c.connect().then(() => c.shutdown()).catch(() => undefined);
      c.disconnect();
      const done = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exit;
      }
      log.info('đã tắt redis-server riêng');
    })();
    return stopping;
  };

  return { url: `unix://${socket.path}`, socketPath: socket.path, pid: child.pid!, stop };
}
