// Comparing a secret a client sent (CSRF token, signature) with the one we hold, in time that
// tells nothing about how many leading characters matched, nor (hashed first) about its length.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function sameSecret(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== 'string' || !expected) return false;
  return timingSafeEqual(digest(given), digest(expected));
}
