// The one constant-time comparison of secrets (CSRF tokens, webhook secrets, OAuth state).
import { describe, expect, it } from 'vitest';
import { sameSecret } from '../../src/auth/same-secret.ts';

describe('sameSecret', () => {
  it('is true only for the same string', () => {
    expect(sameSecret('abc-123', 'abc-123')).toBe(true);
    expect(sameSecret('abc-124', 'abc-123')).toBe(false);
    expect(sameSecret('abc-1234', 'abc-123')).toBe(false);
    expect(sameSecret('', 'abc')).toBe(false);
    expect(sameSecret(undefined, 'abc')).toBe(false);
    expect(sameSecret(['abc'], 'abc')).toBe(false);
    // Nothing to compare with never matches, not even nothing.
    expect(sameSecret('', '')).toBe(false);
    expect(sameSecret('x', undefined)).toBe(false);
  });
});
