// Findings 3 and 4 of issue 14, against the real PostgreSQL with real concurrency (a pool of
// ten connections, requests in parallel): every attempt is counted, the limit holds under a
// burst, an unknown username is answered like a known one, and a locked-out attacker does not
// lock the real user out of a fresh device for long.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import { signIn } from '../../src/auth/staff-sessions.ts';
import { isAppError } from '../../src/errors.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
const PASSWORD = 'Rung-tram-bac-ngan-2026';

beforeAll(async () => {
  db = await openMigratedTestDatabase('throttle', 10);
  const commune = await db.prisma.commune.create({ data: { code: 'thr', name: 'Xã Thử Khóa' } });
  const passwordHash = await hashPassword(PASSWORD);
  for (const username of ['burst', 'race', 'fresh', 'spread', 'known']) {
    await db.prisma.staff.create({ data: { communeId: commune.id, username, displayName: username, roles: ['editor'], passwordHash, mustChangePassword: false } });
  }
});
afterAll(async () => {
  await db?.close();
});

type Outcome = 'ok' | 'wrong' | 'locked';
async function attempt(username: string, password: string, ip = '203.0.113.7', now = new Date()): Promise<{ outcome: Outcome; message?: string }> {
  try {
    await signIn(db.prisma, { username, password, ip }, now);
    return { outcome: 'ok' };
  } catch (e) {
    if (!isAppError(e)) throw e;
    return { outcome: e.code === 'RATE_LIMITED' ? 'locked' : 'wrong', message: e.userMessage };
  }
}
const count = (rs: Array<{ outcome: Outcome }>, o: Outcome) => rs.filter((r) => r.outcome === o).length;

describe('sign-in throttle', () => {
  it('counts 100 parallel wrong passwords as 100: only the first five are even checked', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, () => attempt('burst', 'doan-bua-1234')));
    expect(count(results, 'wrong')).toBe(5);
    expect(count(results, 'locked')).toBe(95);
    const rows = await db.prisma.$queryRaw<Array<{ attempts: number }>>`SELECT max("attempts") AS attempts FROM "LoginThrottle"`;
    expect(Number(rows[0]!.attempts)).toBe(100);
  });

  it('refuses the right password sent with 39 wrong ones in parallel once the limit is crossed', async () => {
    const results = await Promise.all([...Array.from({ length: 39 }, () => attempt('race', 'doan-bua-1234')), attempt('race', PASSWORD)]);
    expect(count(results, 'wrong')).toBe(5);
    expect(results.at(-1)!.outcome).toBe('locked');
    expect((await attempt('race', PASSWORD)).outcome).toBe('locked');
  });

  it('answers an unknown username exactly like a known one, lockout included', async () => {
    const known: string[] = [];
    const unknown: string[] = [];
    for (let i = 0; i < 6; i++) {
      known.push((await attempt('known', 'doan-bua-1234', '198.51.100.9')).message!);
      unknown.push((await attempt('khong-ai-co', 'doan-bua-1234', '198.51.100.9')).message!);
    }
    expect(unknown).toEqual(known);
    expect(known[0]).toBe('Tên đăng nhập hoặc mật khẩu không đúng.');
    expect(known[5]).toContain('tạm khóa');
  });

  it('locks an attacker out of one device without locking the real user out of another', async () => {
    for (let i = 0; i < 5; i++) await attempt('fresh', 'doan-bua-1234', '192.0.2.50');
    expect((await attempt('fresh', PASSWORD, '192.0.2.50')).outcome).toBe('locked');
    expect((await attempt('fresh', PASSWORD, '100.64.9.9')).outcome).toBe('ok');
  });

  it('slows a spread attack on one account for everyone, but only for a short while', async () => {
    const t0 = new Date();
    for (let n = 0; n < 4; n++) for (let i = 0; i < 5; i++) await attempt('spread', 'doan-bua-1234', `10.${n}.0.1`, t0);
    const slowed = await attempt('spread', PASSWORD, '100.64.1.1', t0);
    expect(slowed.outcome).toBe('locked');
    expect(slowed.message).toMatch(/\d+ giây/);
    // A minute later the real user, on a device the attacker never used, gets in.
    expect((await attempt('spread', PASSWORD, '100.64.1.1', new Date(t0.getTime() + 61_000))).outcome).toBe('ok');
  });
});

describe('one lock rule', () => {
  it('the throttle is the only record of failed sign-ins: the staff row keeps no counter or lock of its own', async () => {
    const cols = await db.pool.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'Staff'`);
    const names = cols.rows.map((r) => r.column_name);
    expect(names).toContain('passwordHash');
    expect(names).not.toContain('failedLogins');
    expect(names).not.toContain('lockedUntil');
  });
});
