import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, readEnvironment, SettingsError } from '../../src/config/settings.ts';

function errorOf(env: Record<string, string>): SettingsError {
  try {
    loadSettings(env);
  } catch (e) {
    return e as SettingsError;
  }
  throw new Error('expected a settings error');
}

describe('settings', () => {
  it('needs nothing: every setting has a working default', () => {
    const s = loadSettings({});
    expect(s.PORT).toBe(3000);
    expect(s.DATA_DIR).toBe(resolve('./data'));
    expect(s.DATABASE_URL).toBeUndefined();
    expect(s.REDIS_URL).toBeUndefined();
    expect(s.SEED_DEMO).toBe(true);
    expect(s.TELEGRAM_API_ROOT).toBe('https://api.telegram.org');
  });

  it('treats empty values as unset', () => {
    expect(loadSettings({ PORT: '', DATABASE_URL: '' }).PORT).toBe(3000);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', 'số nguyên từ 0 đến 65535'],
    [{ PORT: '70000' }, 'PORT', 'số nguyên'],
    [{ PORT: '3.5' }, 'PORT', 'số nguyên'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL', 'postgresql://'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL', 'postgresql://'],
    [{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL', 'redis://'],
    [{ PUBLIC_BASE_URL: 'loa.xa.gov.vn' }, 'PUBLIC_BASE_URL', 'https://'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', 'debug'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO', 'true hoặc false'],
    [{ TRUST_PROXY: 'proxy.xa.local' }, 'TRUST_PROXY', 'reverse proxy'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY', 'reverse proxy'],
    [{ DEMO_PASSWORD: 'short' }, 'DEMO_PASSWORD', '8 ký tự'],
    [{ ENCRYPTION_KEY: 'c2hvcnQ=' }, 'ENCRYPTION_KEY', '32 byte'],
    [{ TELEGRAM_BOT_TOKEN: 'nope' }, 'TELEGRAM_BOT_TOKEN', 'BotFather'],
    [{ TELEGRAM_ADMIN_CHAT_ID: 'group' }, 'TELEGRAM_ADMIN_CHAT_ID', 'mã số nhóm'],
    [{ WORKER_CONCURRENCY: '0' }, 'WORKER_CONCURRENCY', 'từ 1'],
  ])('rejects %j with one line naming the setting', (env, setting, expected) => {
    const e = errorOf(env as Record<string, string>);
    expect(e).toBeInstanceOf(SettingsError);
    expect(e.setting).toBe(setting);
    expect(e.message).toContain(setting);
    expect(e.message).toContain(expected);
    expect(e.message).not.toContain('\n');
  });

  it('never echoes a secret back', () => {
    const e = errorOf({ DATABASE_URL: 'mysql://admin:hunter2@db/loaxa' });
    expect(e.message).not.toContain('hunter2');
    const t = errorOf({ TELEGRAM_BOT_TOKEN: 'hunter2-token' });
    expect(t.message).not.toContain('hunter2');
  });

  it('shows the value it refused for ordinary settings', () => {
    expect(errorOf({ PORT: 'abc' }).message).toContain('"abc"');
  });

  it('accepts an encryption key as hex or base64', () => {
    const hex = 'ab'.repeat(32);
    expect(loadSettings({ ENCRYPTION_KEY: hex }).ENCRYPTION_KEY?.length).toBe(32);
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadSettings({ ENCRYPTION_KEY: b64 }).ENCRYPTION_KEY?.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it('reads .env under the real environment, which wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loaxa-env-'));
    writeFileSync(join(dir, '.env'), 'PORT=4100\nLOG_LEVEL=debug\n# comment\n');
    const env = readEnvironment({ LOG_LEVEL: 'warn' }, dir);
    const s = loadSettings(env);
    expect(s.PORT).toBe(4100);
    expect(s.LOG_LEVEL).toBe('warn');
  });
});

describe('TRUST_PROXY', () => {
  it('is a list of proxy addresses and networks, empty by default', () => {
    expect(loadSettings({}).TRUST_PROXY).toEqual([]);
    expect(loadSettings({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8 ::1 loopback' }).TRUST_PROXY).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'loopback']);
  });
});
