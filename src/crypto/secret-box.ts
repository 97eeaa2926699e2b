// Encryption at rest for channel credentials and endpoint secrets: AES-256-GCM with a random
// 96-bit IV per value. Stored as "v1:<iv>:<tag>:<ciphertext>" (base64 parts) so the format can
// change later without guessing.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';

const VERSION = 'v1';

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new AppError('INTERNAL', 'Khóa mã hóa phải dài đúng 32 byte (ENCRYPTION_KEY).');
}

export function encryptSecret(key: Buffer, plaintext: string): string {
  checkKey(key);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
}

export function decryptSecret(key: Buffer, sealed: string): string {
  checkKey(key);
  const [version, iv, tag, ct] = sealed.split(':');
  if (version !== VERSION || !iv || !tag || ct === undefined) {
    throw new AppError('VALIDATION', 'Dữ liệu bí mật đã lưu không đúng định dạng.');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    // GCM authentication fails for a wrong key and for tampered data alike.
    throw new AppError('FORBIDDEN', 'Không giải mã được dữ liệu bí mật: ENCRYPTION_KEY sai hoặc dữ liệu bị sửa.');
  }
}
