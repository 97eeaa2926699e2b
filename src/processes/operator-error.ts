// Errors the operator can fix (settings, services down, folder in use) are shown as one line,
// without a stack trace; anything else is a bug and keeps its stack.

/** An error whose message is a complete, actionable sentence for the operator. */
export class OperatorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OperatorError';
  }
}

const OPERATOR_ERROR_NAMES = new Set(['OperatorError', 'SettingsError', 'DataDirLockedError', 'RedisUnavailableError', 'EmbeddedRedisError', 'MigrationError']);

export function isOperatorError(e: unknown): e is Error {
  return e instanceof Error && OPERATOR_ERROR_NAMES.has(e.name);
}

function describeCause(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { errors?: unknown[] };
  if (err?.code) return err.code;
  // pg reports "connect ECONNREFUSED" for each address as an AggregateError.
  if (Array.isArray(err?.errors) && err.errors.length > 0) return describeCause(err.errors[0]);
  return err?.message ?? String(e);
}

export function databaseUnavailable(label: string, cause: unknown): OperatorError {
  return new OperatorError(
    `Không kết nối được PostgreSQL tại ${label}: ${describeCause(cause)}. Kiểm tra DATABASE_URL, hoặc bỏ trống để dùng cơ sở dữ liệu nhúng trong DATA_DIR.`,
    { cause },
  );
}
