// One access-log line per request, in place of Fastify's two ("incoming request", "request
// completed"): the path without its query string (queries may carry personal data), no client
// address, the route pattern for grouping. Fastify's other lines (stream and serializer errors)
// are kept. Every line carries `reqId`, bound by Fastify to request.log.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Successful responses are logged at debug level (health probes, metric scrapes). */
    quietLog?: boolean;
  }
}

export class AccessLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      path: request.url.split('?', 1)[0],
      route: request.routeOptions.url,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      ...(error ? { err: error } : {}),
    };
    if (error) request.log.error(line, 'trả lời bị lỗi');
    else if (request.routeOptions.config.quietLog && reply.statusCode < 400) request.log.debug(line, 'đã trả lời');
    else request.log.info(line, 'đã trả lời');
  }
}
