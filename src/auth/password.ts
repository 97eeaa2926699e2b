// Staff passwords: argon2id (OWASP's first choice), through a prebuilt native module that
// installs from the npm registry with no compiler and no download.
import { randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// argon2id, 19 MiB, 2 passes: OWASP's recommended minimum, ~20 ms here.
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// No 0/O, 1/l/I: first-login passwords are read off a screen or paper and typed by hand.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function generatePassword(length = 12): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}
