// The Endpoint that speaks a cluster's protocol (ours over HTTP, Axis), built from its stored row:
// the one place that tells vendors apart, so the fan-out plays to every cluster alike.
import { PermanentJobError } from '../../src/queues/job-errors.ts';
import { createAxisEndpoint } from './axis-endpoint.ts';
import { endpointSecret, type EndpointKeys } from './endpoint-secret.ts';
import type { Endpoint } from './endpoint.ts';
import { createLoaxaHttpEndpoint } from './loaxa-http-endpoint.ts';

export function endpointFor(e: { id: string; protocol: string; baseUrl: string | null; secretEnc: string | null }, keys: EndpointKeys): Endpoint {
  if (!e.baseUrl) throw new PermanentJobError('cụm loa chưa có địa chỉ');
  const noAxisAccount = 'cụm loa Axis chưa có tài khoản (tên:mật khẩu)';
  const found = endpointSecret(e, keys);
  if (!found.ok) {
    if (found.reason === 'no-key') throw new PermanentJobError('thiếu ENCRYPTION_KEY để đọc khóa của cụm loa');
    // An Axis speaker's stored secret is its account, so a missing one is named as such.
    throw new PermanentJobError(e.protocol === 'axis' ? noAxisAccount : 'cụm loa chưa có khóa bí mật riêng');
  }
  const secret = found.secret;
  if (e.protocol === 'axis') {
    // Axis credentials are stored as "user:password".
    const colon = secret.indexOf(':');
    if (colon < 1) throw new PermanentJobError(noAxisAccount);
    return createAxisEndpoint({ baseUrl: e.baseUrl, username: secret.slice(0, colon), password: secret.slice(colon + 1) });
  }
  return createLoaxaHttpEndpoint({ baseUrl: e.baseUrl, secret });
}
