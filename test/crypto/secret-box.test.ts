import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from '../../src/crypto/secret-box.ts';
import { AppError } from '../../src/errors.ts';

describe('secret box (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('round-trips, with a fresh IV each time', () => {
    const secret = JSON.stringify({ cookie: 'zpw_sek=abc; …', imei: 'x-1', ua: 'Mozilla/5.0' });
    const a = encryptSecret(key, secret);
    const b = encryptSecret(key, secret);
    expect(a).not.toBe(b);
    expect(a.startsWith('v1:')).toBe(true);
    expect(a).not.toContain('zpw_sek');
    expect(decryptSecret(key, a)).toBe(secret);
  });

  it('refuses a wrong key and tampered data', () => {
    const sealed = encryptSecret(key, 'bí mật');
    expect(() => decryptSecret(randomBytes(32), sealed)).toThrow(AppError);
    const parts = sealed.split(':');
    const ct = Buffer.from(parts[3]!, 'base64');
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString('base64');
    expect(() => decryptSecret(key, parts.join(':'))).toThrow(/ENCRYPTION_KEY sai/);
  });

  it('refuses malformed values and short keys', () => {
    expect(() => decryptSecret(key, 'plain text')).toThrow(/định dạng/);
    expect(() => encryptSecret(Buffer.alloc(16), 'x')).toThrow(/32 byte/);
  });
});
