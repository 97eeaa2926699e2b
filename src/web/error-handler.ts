// The one place where errors become HTTP answers: `{ error: { code, message, field? } }` with a
// stable code (src/errors.ts) and a Vietnamese message. Internal messages never reach the
// client; they are logged with the request id so a user's "mã yêu cầu" finds the log line.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errorCodes, isAppError, type ErrorCode } from '../errors.ts';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

// "body.villages.0.name": where the request part and the JSON pointer meet, as a UI would name it.
function fieldOf(error: FastifyError): string | undefined {
  const issue = (error.validation as ValidationIssue[] | undefined)?.[0];
  if (!issue) return undefined;
  const parts = (issue.instancePath ?? '').split('/').filter(Boolean);
  const missing = issue.params?.['missingProperty'];
  if (typeof missing === 'string') parts.push(missing);
  const extra = issue.params?.['additionalProperty'];
  if (typeof extra === 'string') parts.push(extra);
  return [error.validationContext ?? 'body', ...parts].join('.');
}

const BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

/** Maps anything thrown in a request to an AppError, or undefined for an internal failure. */
export function toAppError(error: unknown): { appError: AppError; field?: string; status?: number } | undefined {
  if (isAppError(error)) return { appError: error };
  const e = error as Partial<FastifyError>;
  if (e?.validation) return { appError: new AppError('VALIDATION'), field: fieldOf(e as FastifyError) };
  switch (e?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { appError: new AppError('VALIDATION', 'Nội dung gửi lên không phải JSON hợp lệ.') };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { appError: new AppError('VALIDATION', 'Nội dung JSON gửi lên đang trống.') };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { appError: new AppError('VALIDATION', 'Kiểu nội dung gửi lên không được hỗ trợ.'), status: 415 };
  }
  // Other client errors raised by Fastify or a plugin (statusCode 4xx): keep the status, give a
  // stable code. 5xx and errors without a status are ours to fix, so they are internal.
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 0;
  if (status >= 400 && status < 500) {
    const code = BY_STATUS[status] ?? 'VALIDATION';
    return { appError: new AppError(code), status };
  }
  return undefined;
}

export function sendError(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = toAppError(error);
    if (!mapped) {
      request.log.error({ err: error }, 'lỗi không lường trước');
      return sendError(reply, 500, { error: { code: 'INTERNAL', message: errorCodes.INTERNAL.message } });
    }
    const { appError } = mapped;
    // A use case names the field it refused in its details (AppError('VALIDATION', …, { field })).
    const field = mapped.field ?? (typeof appError.details?.field === 'string' ? appError.details.field : undefined);
    const status = mapped.status ?? appError.status;
    // Client mistakes are routine (info); a dependency being down is worth a warning.
    if (status >= 500) request.log.warn({ err: error, code: appError.code }, 'yêu cầu thất bại');
    else request.log.info({ code: appError.code, statusCode: status, field }, 'yêu cầu bị từ chối');
    const body: ErrorBody = { error: { code: appError.code, message: appError.userMessage } };
    if (field) body.error.field = field;
    return sendError(reply, status, body);
  });

  // The access log (access-log.ts) already records the 404.
  app.setNotFoundHandler((_request, reply) => {
    return sendError(reply, 404, { error: { code: 'NOT_FOUND', message: errorCodes.NOT_FOUND.message } });
  });
}
