// Photos and files reach us on every Zalo kind as an address on Zalo's servers: one download,
// with the same timeout and the same failure kinds (404 is final, anything else may be retried).
import { ChannelError } from '../channel.ts';

export async function downloadZaloFile(url: string, noun: 'ảnh' | 'tệp'): Promise<{ buffer: Buffer; mime?: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(60_000) }).catch((e: Error) => {
    throw new ChannelError('network', `không tải được ${noun} từ Zalo: ${e.message}`);
  });
  if (!res.ok) throw new ChannelError(res.status === 404 ? 'not_found' : 'network', `không tải được ${noun} từ Zalo (${res.status})`);
  const mime = res.headers.get('content-type');
  return { buffer: Buffer.from(await res.arrayBuffer()), ...(mime ? { mime } : {}) };
}
