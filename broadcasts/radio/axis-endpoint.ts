// Axis network speakers (C1310-E, C1410…) through their media-clip HTTP API (VAPIX
// mediaclip.cgi), as an example of a real vendor protocol: fetch our rendered audio and check its
// SHA-256, upload it as a clip (`action=upload`, multipart, answered "OK\nUploaded=<id>" or
// "Replaced=<id>"), then play it (`action=play&clip=<id>&volume=<v>`). Axis devices use HTTP Digest
// authentication. They cannot play at a later time nor report playback: the fan-out plays now,
// and "sent" means the speaker accepted the play command.
import { createHash } from 'node:crypto';
import { DigestClient } from 'digest-fetch';
import type { AudioItem, Endpoint } from './endpoint.ts';
import { EndpointError } from './endpoint.ts';

export interface AxisEndpointOptions {
  /** http(s)://speaker-address */
  baseUrl: string;
  username: string;
  password: string;
  timeoutMs?: number;
}

const MAX_CLIP_BYTES = 20 * 1024 * 1024;

export function createAxisEndpoint(opts: AxisEndpointOptions): Endpoint {
  const base = opts.baseUrl.replace(/\/$/, '');
  const client = new DigestClient(opts.username, opts.password);
  const timeout = opts.timeoutMs ?? 15_000;

  async function cgi(query: string, init: RequestInit = {}): Promise<string> {
    let res: Response;
    try {
      res = (await client.fetch(`${base}/axis-cgi/mediaclip.cgi?${query}`, { ...init, signal: AbortSignal.timeout(timeout) })) as Response;
    } catch (e) {
      throw new EndpointError('unreachable', `loa Axis không phản hồi: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) throw new EndpointError('rejected', `loa Axis từ chối tài khoản (${res.status}): kiểm tra tên đăng nhập và mật khẩu của cụm loa`);
    if (res.status === 404) throw new EndpointError('unknown_endpoint', 'địa chỉ này không có API mediaclip của Axis (404)');
    if (res.status >= 500) throw new EndpointError('unreachable', `loa Axis lỗi ${res.status}`);
    // VAPIX answers errors with 200 and a body that starts with "Error".
    if (!res.ok || !/^OK/i.test(text.trim())) throw new EndpointError('rejected', `loa Axis từ chối lệnh: ${text.trim().slice(0, 200) || res.status}`);
    return text;
  }

  async function fetchAudio(item: AudioItem): Promise<Buffer> {
    let res: Response;
    try {
      res = await fetch(item.url, { signal: AbortSignal.timeout(timeout) });
    } catch (e) {
      throw new EndpointError('unreachable', `không tải được âm thanh cho loa Axis: ${(e as Error).message}`);
    }
    if (!res.ok) throw new EndpointError('unreachable', `không tải được âm thanh cho loa Axis (${res.status})`);
    const audio = Buffer.from(await res.arrayBuffer());
    if (audio.length > MAX_CLIP_BYTES) throw new EndpointError('rejected', 'âm thanh quá lớn cho bộ nhớ của loa Axis');
    if (createHash('sha256').update(audio).digest('hex') !== item.sha256) throw new EndpointError('unreachable', 'âm thanh tải về sai mã SHA-256, sẽ thử lại');
    return audio;
  }

  return {
    kind: 'axis',
    async play(item) {
      if (item.playAt) throw new EndpointError('rejected', 'loa Axis không hẹn giờ phát được; chỉ phát ngay');
      const audio = await fetchAudio(item);
      const form = new FormData();
      // One clip per content: the same bulletin sent again replaces its clip instead of filling the speaker.
      form.append('file', new Blob([new Uint8Array(audio)], { type: 'audio/mpeg' }), `loaxa-${item.sha256.slice(0, 16)}.mp3`);
      const uploaded = await cgi('action=upload&media=audio', { method: 'POST', body: form });
      const clip = /(?:Uploaded|Replaced)=(\d+)/.exec(uploaded)?.[1];
      if (!clip) throw new EndpointError('bad_response', `loa Axis không trả mã clip: ${uploaded.trim().slice(0, 100)}`);
      const volume = item.volume != null ? `&volume=${Math.max(0, Math.min(100, Math.round(item.volume)))}` : '';
      await cgi(`action=play&clip=${clip}${volume}`);
      return { accepted: true };
    },
    async stop() {
      await cgi('action=stop');
    },
    async setVolume(volume) {
      // The media-clip API takes the volume with each play; the endpoint's stored volume is sent then.
      if (!Number.isInteger(volume) || volume < 0 || volume > 100) throw new EndpointError('rejected', 'âm lượng từ 0 đến 100');
    },
  };
}
