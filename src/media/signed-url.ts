// Links to rendered audio that loudspeakers and Zalo fetch: signed and expiring, so a link copied
// out of a log or a group chat stops working, and no one can list or guess files.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface MediaLinkSigner {
  /** Path and query for a stored file, valid for ttlSeconds. */
  link(sha256: string, ext: string, ttlSeconds?: number, now?: Date): string;
  check(file: string, expires: string | undefined, signature: string | undefined, now?: Date): 'ok' | 'expired' | 'bad';
}

const FILE_RE = /^([0-9a-f]{64})\.(mp3|ogg|m4a|jpg|png)$/;

export function createMediaLinkSigner(key: Buffer | string): MediaLinkSigner {
  const mac = (file: string, e: number) => createHmac('sha256', key).update(`${file}:${e}`).digest('base64url');
  return {
    link(sha256, ext, ttlSeconds = 7 * 24 * 3600, now = new Date()) {
      const file = `${sha256}.${ext}`;
      const e = Math.floor(now.getTime() / 1000) + ttlSeconds;
      return `/media/${file}?e=${e}&s=${mac(file, e)}`;
    },
    check(file, expires, signature, now = new Date()) {
      if (!FILE_RE.test(file) || !expires || !/^\d{1,12}$/.test(expires) || !signature) return 'bad';
      const expected = Buffer.from(mac(file, Number(expires)));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad';
      return Number(expires) * 1000 < now.getTime() ? 'expired' : 'ok';
    },
  };
}
