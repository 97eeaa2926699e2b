// The signature of Loa Xã's loudspeaker protocol, both ways: HMAC-SHA256 over
// "<unix seconds>.<nonce>.<raw JSON body>" with the endpoint's secret, hex, in X-Loaxa-Signature,
// the seconds in X-Loaxa-Timestamp and a random nonce in X-Loaxa-Nonce. A message more than
// 5 minutes off is refused; within that window the receiver keeps the nonces it has seen and
// refuses one seen again (replay).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-loaxa-signature';
export const TIMESTAMP_HEADER = 'x-loaxa-timestamp';
export const NONCE_HEADER = 'x-loaxa-nonce';
export const TOLERANCE_S = 300;

const mac = (secret: string, ts: string, nonce: string, body: string) => createHmac('sha256', secret).update(`${ts}.${nonce}.${body}`).digest('hex');

export function sign(secret: string, body: string, nowS = Math.floor(Date.now() / 1000)): Record<string, string> {
  const nonce = randomBytes(16).toString('hex');
  return { [SIGNATURE_HEADER]: mac(secret, String(nowS), nonce, body), [TIMESTAMP_HEADER]: String(nowS), [NONCE_HEADER]: nonce };
}

export type VerifyResult = { ok: true; nonce: string } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

export function verify(secret: string, body: string, headers: Record<string, string | string[] | undefined>, nowS = Math.floor(Date.now() / 1000)): VerifyResult {
  const sig = headers[SIGNATURE_HEADER];
  const ts = headers[TIMESTAMP_HEADER];
  const nonce = headers[NONCE_HEADER];
  if (typeof sig !== 'string' || typeof ts !== 'string' || !/^\d{1,12}$/.test(ts) || typeof nonce !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) return { ok: false, reason: 'missing' };
  if (Math.abs(nowS - Number(ts)) > TOLERANCE_S) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(mac(secret, ts, nonce, body));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { ok: true, nonce } : { ok: false, reason: 'mismatch' };
}

/** Remembers nonces for the window; `claim` is true only the first time a nonce is seen. */
export interface NonceStore {
  claim(key: string): Promise<boolean>;
}

/** In Redis (SET NX with expiry): every web replica refuses a replay seen by another. */
export function redisNonceStore(redis: { set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<string | null> }, prefix: string): NonceStore {
  return { claim: async (key) => (await redis.set(`${prefix}:radio-nonce:${key}`, '1', 'PX', 2 * TOLERANCE_S * 1000, 'NX')) === 'OK' };
}

/** One process's memory: the loudspeaker simulator, and tests without Redis. */
export function memoryNonceStore(nowMs = () => Date.now()): NonceStore {
  const seen = new Map<string, number>();
  return {
    claim: async (key) => {
      const now = nowMs();
      for (const [k, until] of seen) if (until < now) seen.delete(k);
      if (seen.has(key)) return false;
      seen.set(key, now + 2 * TOLERANCE_S * 1000);
      return true;
    },
  };
}
