// Structured JSON logs. Never log message texts or personal data: log ids.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info', bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { app: 'loaxa', pid: process.pid, ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    // A last line of defence if a payload slips into a log call.
    redact: {
      paths: ['text', '*.text', 'password', '*.password', 'token', '*.token', 'phone', '*.phone', 'credentials', '*.credentials'],
      censor: '[ẩn]',
    },
  });
}

/** A logger that writes nothing, for tests and library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
