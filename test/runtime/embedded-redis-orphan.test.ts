// The private redis-server dies with Loa Xã: a SIGKILL of the parent (the OOM killer, kill -9, a
// crashed container shell) leaves no redis-server behind holding the data folder. Linux asks the
// kernel (setpriv --pdeathsig); the portable watchdog is tested too.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
const pids: number[] = [];
afterAll(async () => {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  }
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the private redis-server and its parent', () => {
  for (const watchdogOnly of [false, true]) {
    it(`dies when its parent is SIGKILLed${watchdogOnly ? ' (portable watchdog)' : ''}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'loaxa-orphan-'));
      dirs.push(dir);
      const parent = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'redis-parent.fixture.ts')], {
        env: { ...process.env, DATA_DIR: dir, ...(watchdogOnly ? { WATCHDOG_ONLY: '1' } : {}) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      parent.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      const exited = new Promise((r) => parent.once('exit', r));
      await expect.poll(() => /redis (\d+)/.exec(out)?.[1], { timeout: 30_000 }).toBeTruthy();
      const pid = Number(/redis (\d+)/.exec(out)![1]);
      pids.push(pid);
      expect(alive(pid)).toBe(true);
      parent.kill('SIGKILL');
      await exited;
      await expect.poll(() => alive(pid), { timeout: 15_000, interval: 100 }).toBe(false);
    }, 60_000);
  }
});
