// Loa Xã's own loudspeaker protocol (README: "Loudspeaker protocol"): the server POSTs a signed JSON
// command to <baseUrl>/commands — {"type":"play", item} | {"type":"stop", itemId?} |
// {"type":"volume", volume} — and the endpoint answers 200 {"accepted":true}. 404 means the
// endpoint does not know this id (permanent); other 4xx a refused command; 5xx or no answer means
// try again.
import type { AudioItem, Endpoint } from './endpoint.ts';
import { EndpointError } from './endpoint.ts';
import { sign } from './signing.ts';

export interface LoaxaHttpEndpointOptions {
  baseUrl: string;
  secret: string;
  timeoutMs?: number;
}

export function createLoaxaHttpEndpoint(opts: LoaxaHttpEndpointOptions): Endpoint {
  async function command(payload: Record<string, unknown>): Promise<unknown> {
    const body = JSON.stringify(payload);
    let res: Response;
    try {
      res = await fetch(`${opts.baseUrl.replace(/\/$/, '')}/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...sign(opts.secret, body) },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
      });
    } catch (e) {
      throw new EndpointError('unreachable', `cụm loa không phản hồi: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (res.status === 404) throw new EndpointError('unknown_endpoint', 'cụm loa không nhận ra mã của mình (404)');
    if (res.status >= 500) throw new EndpointError('unreachable', `cụm loa lỗi ${res.status}`);
    if (!res.ok) throw new EndpointError('rejected', `cụm loa từ chối lệnh (${res.status}): ${text.slice(0, 200)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new EndpointError('bad_response', 'cụm loa trả lời không phải JSON');
    }
  }

  return {
    kind: 'loaxa_http',
    async play(item: AudioItem) {
      const r = (await command({ type: 'play', item })) as { accepted?: boolean };
      if (r?.accepted !== true) throw new EndpointError('rejected', 'cụm loa không nhận bản tin');
      return { accepted: true };
    },
    async stop(itemId) {
      await command({ type: 'stop', ...(itemId ? { itemId } : {}) });
    },
    async setVolume(volume) {
      if (!Number.isInteger(volume) || volume < 0 || volume > 100) throw new EndpointError('rejected', 'âm lượng từ 0 đến 100');
      await command({ type: 'volume', volume });
    },
  };
}
