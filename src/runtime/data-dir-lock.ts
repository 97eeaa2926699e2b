// One process per data folder: PGlite and the private redis-server must never be opened twice.
//
// The lock is a listening unix socket in Linux's abstract namespace, named after the data folder.
// The kernel releases it the moment the holder dies (even on kill -9), so there is no stale lock
// to clean up and no race between two starts: bind() either succeeds or fails with EADDRINUSE.
// A second process connects to it to learn the holder's pid for its error message.
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import net from 'node:net';

export interface DataDirLock {
  release(): Promise<void>;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | undefined,
  ) {
    super(
      `Thư mục dữ liệu ${dataDir} đang được một tiến trình Loa Xã khác dùng` +
        (holderPid ? ` (pid ${holderPid})` : '') +
        '. Dừng tiến trình đó trước, hoặc đặt DATA_DIR khác; hai tiến trình cùng mở một cơ sở dữ liệu nhúng sẽ làm hỏng dữ liệu.',
    );
    this.name = 'DataDirLockedError';
  }
}

function lockAddress(dataDir: string): string {
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 32);
  return `\0loaxa-data-${hash}`;
}

function askHolderPid(address: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    let buf = '';
    const done = (pid?: number) => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(1000, () => done());
    socket.on('data', (d) => {
      buf += d.toString();
      const pid = Number(buf.trim());
      if (Number.isInteger(pid) && pid > 0) done(pid);
    });
    socket.on('error', () => done());
    socket.on('end', () => done());
  });
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const real = realpathSync(dataDir);
  const address = lockAddress(real);
  const server = net.createServer((socket) => {
    socket.end(String(process.pid));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE') throw new DataDirLockedError(dataDir, await askHolderPid(address));
    throw e;
  });
  // The lock must not keep the event loop alive on its own.
  server.unref();
  let released = false;
  return {
    release: () =>
      new Promise<void>((resolve) => {
        if (released) return resolve();
        released = true;
        server.close(() => resolve());
      }),
  };
}
