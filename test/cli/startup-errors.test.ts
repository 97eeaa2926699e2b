// What the operator sees when the process cannot start: one line, non-zero exit, no stack —
// including Zalo credentials saved under one ENCRYPTION_KEY and opened without it or with another.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';
import { runLoaxa } from '../support/spawn-loaxa.ts';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/db/generated/client.ts';
import { saveZaloCredentials } from '../../src/channels/zalo-accounts.ts';

const dataDir = () => mkdtempSync(join(tmpdir(), 'loaxa-err-'));
let pg: TestDatabase;

beforeAll(async () => {
  pg = await createTestDatabase('cli');
});
afterAll(async () => {
  await pg?.drop();
});

function expectOneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('start-up errors', () => {
  it('an invalid setting names the setting', async () => {
    const r = await runLoaxa(['start'], { DATA_DIR: dataDir(), PORT: 'tám nghìn' });
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toMatch(/^Cấu hình không hợp lệ: PORT /);
  });

  it('an unreachable PostgreSQL is named, without its password', async () => {
    const r = await runLoaxa(['start'], { DATA_DIR: dataDir(), DATABASE_URL: 'postgresql://loaxa:secretpw@127.0.0.1:1/loaxa', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(r.code).toBe(1);
    const line = expectOneLine(r.stderr);
    expect(line).toContain('Không kết nối được PostgreSQL');
    expect(line).toContain('127.0.0.1:1');
    expect(line).not.toContain('secretpw');
  });

  it('an unreachable Redis is named', async () => {
    const r = await runLoaxa(['start'], { DATA_DIR: dataDir(), DATABASE_URL: pg.url, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toContain('Không kết nối được Redis');
  });

  it('migrate twice on PostgreSQL: the second run changes nothing', async () => {
    const a = await runLoaxa(['migrate'], { DATABASE_URL: pg.url, DATA_DIR: dataDir() });
    expect(a.code, a.stderr).toBe(0);
    const b = await runLoaxa(['migrate'], { DATABASE_URL: pg.url, DATA_DIR: dataDir() });
    expect(b.code, b.stderr).toBe(0);
  });

  it('seed-demo then doctor on PostgreSQL', async () => {
    const seeded = await runLoaxa(['seed-demo'], { DATABASE_URL: pg.url, DATA_DIR: dataDir(), DEMO_PASSWORD: 'MotHaiBa123' });
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(seeded.stdout).toContain('chutich');
    const again = await runLoaxa(['seed-demo'], { DATABASE_URL: pg.url, DATA_DIR: dataDir() });
    expect(again.stdout).toContain('đã có sẵn');
    const doctor = await runLoaxa(['doctor'], { DATABASE_URL: pg.url, REDIS_URL: 'redis://127.0.0.1:6379', DATA_DIR: dataDir() });
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toMatch(/✔ Cơ sở dữ liệu/);
    expect(doctor.stdout).toMatch(/✔ Redis/);
    // Channels nobody configured read "off", the official Zalo ones included.
    expect(doctor.stdout).toMatch(/Zalo Bot\s+chưa cấu hình ZALO_BOT_TOKEN/);
    expect(doctor.stdout).toMatch(/Zalo OA\s+chưa kết nối Zalo OA nào/);
    expect(doctor.stdout).toMatch(/– Telegram/);
  });
});

describe('Zalo accounts and the encryption key', () => {
  const KEY = Buffer.alloc(32, 7).toString('base64');
  const OTHER = Buffer.alloc(32, 9).toString('base64');

  it('`zalo login` refuses to start without ENCRYPTION_KEY; bad names and group ids are refused', async () => {
    const r = await runLoaxa(['zalo', 'login'], { DATABASE_URL: pg.url, DATA_DIR: dataDir() });
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toContain('ENCRYPTION_KEY');
    const bad = await runLoaxa(['zalo', 'login', '--account', 'Tài khoản'], { DATABASE_URL: pg.url, DATA_DIR: dataDir(), ENCRYPTION_KEY: KEY });
    expect(expectOneLine(bad.stderr)).toContain('không hợp lệ');
    const group = await runLoaxa(['zalo', 'admin-group', '123'], { DATABASE_URL: pg.url, DATA_DIR: dataDir() });
    expect(expectOneLine(group.stderr)).toContain('g:123');
  });

  it('a saved Zalo account stops the processes without the key, or with a different one', async () => {
    const migrated = await runLoaxa(['migrate'], { DATABASE_URL: pg.url, DATA_DIR: dataDir() });
    expect(migrated.code, migrated.stderr).toBe(0);
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: pg.url }) });
    await saveZaloCredentials(prisma, Buffer.from(KEY, 'base64'), 'zalo-xa', { imei: 'i', userAgent: 'ua', cookie: [] });
    const row = await prisma.channelAccount.findFirstOrThrow({ where: { platform: 'zalo' } });
    expect(row.credentialsEnc).not.toContain('ua');
    await prisma.$disconnect();
    const env = { DATABASE_URL: pg.url, REDIS_URL: 'redis://127.0.0.1:6379', DATA_DIR: dataDir(), SEED_DEMO: 'false', PORT: '0' };
    const without = await runLoaxa(['worker'], env);
    expect(without.code).toBe(1);
    expect(expectOneLine(without.stderr)).toContain('ENCRYPTION_KEY');
    const wrong = await runLoaxa(['worker'], { ...env, ENCRYPTION_KEY: OTHER });
    expect(wrong.code).toBe(1);
    expect(expectOneLine(wrong.stderr)).toContain('Không giải mã được');
  });
});
