// The signature of Loa Xã's loudspeaker protocol, both ways: HMAC-SHA256 over
// "<unix seconds>.<raw JSON body>" with the endpoint's secret, hex, in X-Loaxa-Signature, the
// seconds in X-Loaxa-Timestamp. A message older than the tolerance is refused (replay).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-loaxa-signature';
export const TIMESTAMP_HEADER = 'x-loaxa-timestamp';
const TOLERANCE_S = 300;

export function sign(secret: string, body: string, nowS = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = createHmac('sha256', secret).update(`${nowS}.${body}`).digest('hex');
  return { [SIGNATURE_HEADER]: sig, [TIMESTAMP_HEADER]: String(nowS) };
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

export function verify(secret: string, body: string, headers: Record<string, string | string[] | undefined>, nowS = Math.floor(Date.now() / 1000)): VerifyResult {
  const sig = headers[SIGNATURE_HEADER];
  const ts = headers[TIMESTAMP_HEADER];
  if (typeof sig !== 'string' || typeof ts !== 'string' || !/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'missing' };
  if (Math.abs(nowS - Number(ts)) > TOLERANCE_S) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex'));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
