// Request ids. A proxy or a caller may pass its own `x-request-id` so one id follows a request
// across systems; anything else is replaced, because the id is written into every log line and
// echoed in a header (no log injection, no header games).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Fastify's genReqId: the caller's id when it is safe, a fresh UUID otherwise. */
export function requestIdFor(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value !== undefined && SAFE_ID.test(value) ? value : randomUUID();
}

/** Installed on the root instance so the header is on every answer, 404s and errors included. */
export function installRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
}
