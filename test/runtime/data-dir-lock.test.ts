import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../src/runtime/data-dir-lock.ts';

const here = new URL('.', import.meta.url).pathname;

describe('data folder lock', () => {
  it('refuses a second holder and names the first one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loaxa-lock-'));
    const lock = await lockDataDir(dir);
    const second = await lockDataDir(dir).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(DataDirLockedError);
    expect((second as DataDirLockedError).holderPid).toBe(process.pid);
    expect((second as Error).message).toContain(dir);
    await lock.release();
    const again = await lockDataDir(dir);
    await again.release();
  });

  it('is free the moment its holder is killed (no stale lock)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loaxa-lock-'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'hold-lock.fixture.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
      child.on('exit', (code) => reject(new Error(`fixture exited ${code}`)));
    });
    const refused = await lockDataDir(dir).catch((e: unknown) => e);
    expect((refused as DataDirLockedError).holderPid).toBe(child.pid);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const lock = await lockDataDir(dir);
    await lock.release();
  });

  it('treats two spellings of one folder as the same folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loaxa-lock-'));
    const lock = await lockDataDir(dir);
    await expect(lockDataDir(join(dir, '.', '..', dir.split('/').pop()!))).rejects.toBeInstanceOf(DataDirLockedError);
    await lock.release();
  });
});
