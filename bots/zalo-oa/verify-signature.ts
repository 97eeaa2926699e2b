// Zalo signs every webhook POST: X-ZEvent-Signature is "mac=" + sha256(app id + raw body +
// timestamp + OA secret key), hex. The raw bytes are what was signed, so the check runs before
// any JSON parsing, and in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

export function zaloOaMac(appId: string, rawBody: string, timestamp: string, oaSecret: string): string {
  return `mac=${createHash('sha256').update(`${appId}${rawBody}${timestamp}${oaSecret}`).digest('hex')}`;
}

/** The event's own timestamp (body field) is the one signed; the header copy is a fallback. */
export function verifyZaloOaSignature(p: { appId: string; oaSecret: string; rawBody: string; signature: string | undefined; timestamp: string | undefined }): boolean {
  if (!p.signature || !p.timestamp) return false;
  const expected = Buffer.from(zaloOaMac(p.appId, p.rawBody, p.timestamp, p.oaSecret));
  const got = Buffer.from(p.signature.trim().toLowerCase());
  return got.length === expected.length && timingSafeEqual(got, expected);
}
