// The data folder holds the embedded database, the private Redis, rendered and uploaded media,
// the media signing key and the lock: nobody but the service's own user may read it. New files
// are private through the process's umask (inherited by redis-server, ffmpeg and espeak-ng);
// what an older version or a copy left readable is fixed at start.
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export const PRIVATE_UMASK = 0o077;

/** Makes `dataDir` (created if needed) 700, every folder in it 700 and every file 600; returns how many it changed. */
export async function makeDataDirPrivate(dataDir: string): Promise<number> {
  // Worker threads may not set the umask; the roles run on the main thread.
  process.umask(PRIVATE_UMASK);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  let changed = 0;
  async function fix(path: string): Promise<void> {
    const st = await lstat(path).catch(() => undefined);
    // Symlinks are left alone: chmod would follow them out of the folder.
    if (!st || st.isSymbolicLink()) return;
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o777) !== want && (st.isDirectory() || st.isFile())) {
      await chmod(path, want);
      changed += 1;
    }
    if (st.isDirectory()) for (const name of await readdir(path)) await fix(join(path, name));
  }
  await fix(dataDir);
  return changed;
}
