// The headers every response carries, set in one place on the root instance (404s and errors
// included): no MIME sniffing, no referrer leaving the site, HSTS once the site is served over
// https, and — unless a feature set its own stricter policy (/admin, /chat) — a CSP that lets a
// response load nothing and be framed by nobody. /chat sets frame-ancestors to the commune
// websites allowed to embed it (CHAT_FRAME_ANCESTORS).
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export interface SecurityHeaderOptions {
  /** PUBLIC_BASE_URL is https: browsers should never come back over plain http. */
  hsts: boolean;
}

const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function installSecurityHeaders(app: FastifyInstance, opts: SecurityHeaderOptions): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (opts.hsts) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', DEFAULT_CSP);
    // Old browsers without frame-ancestors: only pages that may be framed say nothing here.
    if (!reply.hasHeader('x-frame-options') && !/frame-ancestors (?!'none')/.test(String(reply.getHeader('content-security-policy')))) reply.header('x-frame-options', 'DENY');
    return payload;
  });
}

/** The sha256 source of an inline script or style, for a CSP that allows exactly that one. */
export function cspHash(content: string): string {
  return `'sha256-${createHash('sha256').update(content, 'utf8').digest('base64')}'`;
}
