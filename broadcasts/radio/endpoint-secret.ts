// Which secret signs the messages of a loudspeaker endpoint, in one place for both directions
// (commands sent, reports and pulls received). A real endpoint's is the one staff entered,
// stored sealed with ENCRYPTION_KEY. The demo's simulated ones have a generated secret, derived
// from the installation's own key (never from anything in the callback address); an endpoint
// with neither has no secret and is refused — its id is no secret.
import { createHmac } from 'node:crypto';
import { decryptSecret } from '../../src/crypto/secret-box.ts';

export interface EndpointKeys {
  /** ENCRYPTION_KEY: opens stored secrets. */
  encryptionKey?: Buffer | undefined;
  /** The installation key (media-link key material): derives the simulator endpoints' secrets. */
  demoKey?: Buffer | undefined;
}

export type SecretResult = { ok: true; secret: string } | { ok: false; reason: 'no-key' | 'no-secret' };

/** The generated secret of a simulated (demo) endpoint, for the simulator and the server alike. */
export function simulatorSecret(demoKey: Buffer, endpointId: string): string {
  return createHmac('sha256', demoKey).update(`loaxa-demo-loudspeaker:${endpointId}`).digest('hex');
}

export function endpointSecret(e: { id: string; protocol: string; secretEnc: string | null }, keys: EndpointKeys): SecretResult {
  if (e.secretEnc) {
    if (!keys.encryptionKey) return { ok: false, reason: 'no-key' };
    return { ok: true, secret: decryptSecret(keys.encryptionKey, e.secretEnc) };
  }
  if (e.protocol === 'simulator' && keys.demoKey) return { ok: true, secret: simulatorSecret(keys.demoKey, e.id) };
  return { ok: false, reason: 'no-secret' };
}
