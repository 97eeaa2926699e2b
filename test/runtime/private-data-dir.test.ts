// Finding 9 of issue 14: the data folder is the service user's alone. A folder left readable by
// an older version is fixed at start, and what the runtime then creates there (the embedded
// database, files of child programs) is 700/600 from the start.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.ts';
import { silentLogger } from '../../src/logger.ts';
import { openRuntime } from '../../src/processes/runtime.ts';

const dir = mkdtempSync(join(tmpdir(), 'loaxa-private-'));
const umask = process.umask();
afterAll(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

function modes(root: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (p: string) => {
    const st = statSync(p);
    out.push([p.slice(root.length) || '/', (st.mode & 0o777).toString(8)]);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(root);
  return out;
}

describe('data folder permissions', () => {
  it('fixes what was readable and creates the rest private', async () => {
    process.umask(0o022);
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'media', 'ab'), { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, 'media', 'ab', 'old.mp3'), 'x', { mode: 0o644 });
    writeFileSync(join(dir, 'media-signing.key'), 'k', { mode: 0o666 });
    chmodSync(join(dir, 'media-signing.key'), 0o666);

    const settings = loadSettings({ DATA_DIR: dir, SEED_DEMO: 'false', LOG_LEVEL: 'silent' });
    const rt = await openRuntime(settings, silentLogger, { redis: false });
    try {
      // A child program writing into the folder (redis-server, ffmpeg) inherits the umask.
      execFileSync('sh', ['-c', `echo x > "${join(dir, 'media', 'from-child.wav')}"`]);
      writeFileSync(join(dir, 'media', 'ab', 'new.mp3'), 'y');
    } finally {
      await rt.close();
    }
    const all = modes(dir);
    expect(all.length).toBeGreaterThan(10);
    const isDir = (p: string) => statSync(join(dir, p)).isDirectory();
    expect(all.filter(([p, m]) => isDir(p) && m !== '700')).toEqual([]);
    // PGlite sets its own files to 666 as it creates them; its folders are 700 so nobody else
    // can reach them, and the next start makes every one 600.
    expect(all.filter(([p, m]) => !isDir(p) && !p.startsWith('/pglite/') && m !== '600')).toEqual([]);
    const again = await openRuntime(settings, silentLogger, { redis: false });
    const afterStart = modes(dir);
    await again.close();
    const existedBefore = new Set(all.map(([p]) => p));
    expect(afterStart.filter(([p, m]) => existedBefore.has(p) && !isDir(p) && m !== '600')).toEqual([]);
  });
});
