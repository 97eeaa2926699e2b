// One error type with stable codes, mapped once to HTTP status and to Vietnamese user messages.

export const errorCodes = {
  VALIDATION: { status: 400, message: 'Dữ liệu gửi lên không hợp lệ.' },
  UNAUTHENTICATED: { status: 401, message: 'Bạn cần đăng nhập.' },
  FORBIDDEN: { status: 403, message: 'Bạn không có quyền thực hiện thao tác này.' },
  NOT_FOUND: { status: 404, message: 'Không tìm thấy.' },
  CONFLICT: { status: 409, message: 'Dữ liệu đã thay đổi hoặc đã tồn tại.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Nội dung quá lớn.' },
  RATE_LIMITED: { status: 429, message: 'Bạn gửi quá nhanh, xin thử lại sau ít phút.' },
  DEPENDENCY_DOWN: { status: 503, message: 'Hệ thống tạm thời gián đoạn, xin thử lại sau.' },
  INTERNAL: { status: 500, message: 'Có lỗi xảy ra, xin thử lại sau.' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  readonly status: number;
  /** What a resident or staff member is shown (Vietnamese). */
  readonly userMessage: string;

  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(detail ?? errorCodes[code].message);
    this.name = 'AppError';
    this.status = errorCodes[code].status;
    this.userMessage = detail ?? errorCodes[code].message;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
