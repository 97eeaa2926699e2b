// The all-in-one process with embedded defaults, spawned as a real process: no settings at all
// but a data folder and a port.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { DEMO_COMMUNE_CODE, DEMO_COMMUNES } from '../../src/demo/demo-communes.ts';
import { freePort, spawnLoaxa, waitForHttp, type Running } from '../support/spawn-loaxa.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-start-'));
const started: Running[] = [];

afterAll(() => {
  for (const r of started) if (r.child.exitCode === null) r.child.kill('SIGKILL');
});

async function start(port: number): Promise<Running> {
  const r = spawnLoaxa(['start'], { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DEMO_PASSWORD: 'MatKhauMau2026' });
  started.push(r);
  return r;
}

async function stop(r: Running): Promise<number | null> {
  r.child.kill('SIGINT');
  return r.exited;
}

describe('npm start with no configuration', () => {
  it('serves /healthz, seeds the demo once, refuses a second process, stops cleanly and keeps its data', async () => {
    const port = await freePort();
    const first = await start(port);
    const res = await waitForHttp(`http://127.0.0.1:${port}/healthz`, 200, 60_000, () => first.child.exitCode === null);
    const health = (await res.json()) as Record<string, { status: string }>;
    expect(health.database?.status).toBe('ok');
    expect(health.redis?.status).toBe('ok');
    expect(health.telegram?.status).toBe('off');
    expect(first.stdout()).toContain('quantri');
    // The resident web chat is part of the single-box start.
    const chat = await fetch(`http://127.0.0.1:${port}/chat`);
    expect(chat.status).toBe(200);
    expect(await chat.text()).toContain('Hỏi đáp, phản ánh');
    expect(first.stdout()).toContain('MatKhauMau2026');

    // A second process on the same data folder must not open PGlite twice.
    const second = spawnLoaxa(['start'], { DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    const lines = second.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('đang được một tiến trình Loa Xã khác dùng');
    expect(lines[0]).toContain(String(first.child.pid));

    expect(await stop(first)).toBe(0);

    // Restart: same data, no second seeding.
    const again = await start(port);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 200, 60_000, () => again.child.exitCode === null);
    expect(again.stdout()).not.toContain('MatKhauMau2026');
    expect(await stop(again)).toBe(0);

    const db = await openDatabase({ dataDir });
    try {
      // The demo province, seeded once: its communes with their villages and staff; fields are shared.
      const communes = await db.prisma.commune.findMany({ include: { _count: { select: { villages: true, staff: true } } } });
      expect(communes).toHaveLength(DEMO_COMMUNES.length);
      const demo = communes.find((c) => c.code === DEMO_COMMUNE_CODE)!;
      expect(demo._count.villages).toBe(7);
      expect(demo._count.staff).toBeGreaterThanOrEqual(5);
      expect(await db.prisma.category.count()).toBe(11);
    } finally {
      await db.close();
    }
  }, 180_000);
});
