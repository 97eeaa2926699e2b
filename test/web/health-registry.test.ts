// The health registry on its own: summary rules, timeouts (fake timers), failures, sharing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FAILED_DETAIL, HealthRegistry, TIMEOUT_DETAIL } from '../../src/health/health-registry.ts';
import { databaseCheck, redisCheck } from '../../src/health/checks.ts';
import { captureLog } from './web-fixtures.ts';

const ok = async () => ({ status: 'ok' as const });
const off = async () => ({ status: 'off' as const, detail: 'chưa cấu hình' });
const down = async () => ({ status: 'down' as const, detail: 'hỏng' });
const never = () => new Promise<never>(() => undefined);

afterEach(() => {
  vi.useRealTimers();
});

describe('HealthRegistry', () => {
  it('is ok when critical checks are ok and optional ones ok or off', async () => {
    const reg = new HealthRegistry().register('database', ok, { critical: true }).register('telegram', off, { critical: false });
    const report = await reg.run();
    expect(report.status).toBe('ok');
    expect(report.healthy).toBe(true);
    expect(report.dependencies['database']).toMatchObject({ status: 'ok', critical: true });
    expect(report.dependencies['telegram']).toMatchObject({ status: 'off', detail: 'chưa cấu hình', critical: false });
    expect(typeof report.dependencies['database']!.latencyMs).toBe('number');
    expect(Number.isNaN(Date.parse(report.checkedAt))).toBe(false);
  });

  it('is degraded but healthy when only an optional dependency fails', async () => {
    const reg = new HealthRegistry().register('database', ok, { critical: true }).register('zalo', down, { critical: false });
    const report = await reg.run();
    expect(report).toMatchObject({ status: 'degraded', healthy: true });
  });

  it('is down when a critical dependency is down, degraded or not configured', async () => {
    for (const check of [down, off, async () => ({ status: 'degraded' as const })]) {
      const report = await new HealthRegistry().register('redis', check, { critical: true }).run();
      expect(report).toMatchObject({ status: 'down', healthy: false });
    }
  });

  it('times a hanging check out after 2 s by default', async () => {
    vi.useFakeTimers();
    const reg = new HealthRegistry().register('database', never, { critical: true }).register('redis', ok, { critical: true });
    const pending = reg.run();
    await vi.advanceTimersByTimeAsync(1999);
    let settled = false;
    void pending.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const report = await pending;
    expect(report.dependencies['database']).toMatchObject({ status: 'down', detail: TIMEOUT_DETAIL });
    expect(report.dependencies['redis']!.status).toBe('ok');
    expect(report.healthy).toBe(false);
  });

  it('honours a per-check timeout', async () => {
    vi.useFakeTimers();
    const reg = new HealthRegistry({ defaultTimeoutMs: 10_000 }).register('slow', never, { critical: false, timeoutMs: 300 });
    const pending = reg.run();
    await vi.advanceTimersByTimeAsync(300);
    expect((await pending).dependencies['slow']).toMatchObject({ status: 'down', detail: TIMEOUT_DETAIL });
  });

  it('reports a throwing check as down without showing its error, and logs it', async () => {
    const { log, lines } = captureLog();
    const reg = new HealthRegistry({ log }).register('database', async () => {
      throw new Error('connect to postgresql://u:secret@db.internal failed');
    }, { critical: true });
    const report = await reg.run();
    expect(report.dependencies['database']).toMatchObject({ status: 'down', detail: FAILED_DETAIL });
    expect(JSON.stringify(report)).not.toContain('secret');
    expect(lines().some((l) => l['dependency'] === 'database' && l['level'] === 40)).toBe(true);
  });

  it('does not start a second call of a check that is still running', async () => {
    vi.useFakeTimers();
    let calls = 0;
    let release: () => void = () => undefined;
    const reg = new HealthRegistry().register('database', () => {
      calls++;
      return new Promise((resolve) => (release = () => resolve({ status: 'ok' })));
    }, { critical: true, timeoutMs: 100 });
    const first = reg.run();
    await vi.advanceTimersByTimeAsync(100);
    expect((await first).dependencies['database']!.status).toBe('down');
    const second = reg.run();
    release();
    expect((await second).dependencies['database']!.status).toBe('ok');
    expect(calls).toBe(1);
  });

  it('reuses a result for cacheMs', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const reg = new HealthRegistry().register('telegram', async () => {
      calls++;
      return { status: 'ok' };
    }, { critical: false, cacheMs: 15_000 });
    await reg.run();
    await reg.run();
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(15_000);
    await reg.run();
    expect(calls).toBe(2);
  });

  it('refuses names that collide with the report fields, odd names and duplicates', () => {
    const reg = new HealthRegistry().register('database', ok, { critical: true });
    expect(() => reg.register('status', ok, { critical: false })).toThrow();
    expect(() => reg.register('checkedAt', ok, { critical: false })).toThrow();
    expect(() => reg.register('Bad Name', ok, { critical: false })).toThrow();
    expect(() => reg.register('database', ok, { critical: false })).toThrow();
  });
});

describe('ready-made checks', () => {
  it('databaseCheck names the kind and maps driver errors to a short phrase', async () => {
    expect(await databaseCheck({ kind: 'pglite', ping: async () => undefined })()).toMatchObject({ status: 'ok', kind: 'pglite' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    const result = await databaseCheck({ kind: 'postgres', ping: async () => Promise.reject(refused) })();
    expect(result).toMatchObject({ status: 'down', kind: 'postgres', detail: 'từ chối kết nối (ECONNREFUSED)' });
    expect(result.detail).not.toContain('10.0.0.5');
  });

  it('redisCheck does not wait on a client that is reconnecting or closed', async () => {
    const ping = vi.fn(async () => 'PONG');
    expect(await redisCheck({ status: 'reconnecting', ping })()).toMatchObject({ status: 'down' });
    expect(await redisCheck({ status: 'end', ping })()).toMatchObject({ status: 'down' });
    expect(ping).not.toHaveBeenCalled();
    expect(await redisCheck({ status: 'ready', ping })()).toMatchObject({ status: 'ok' });
  });
});
