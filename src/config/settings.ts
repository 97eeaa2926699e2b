// Every setting of Loa Xã, read from the environment (and an optional .env), validated once at
// start. A wrong value stops the process with one line naming the setting and what is expected.
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
      error: 'cần true hoặc false',
    })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(v)));

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `cần một số nguyên từ ${min} đến ${max}` });
        return z.NEVER;
      }
      return n;
    });

const decimal = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v.replace(',', '.'));
      if (!Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `cần một số từ ${min} đến ${max}` });
        return z.NEVER;
      }
      return n;
    });

const url = (protocols: string[], hint: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      let parsed: URL;
      try {
        parsed = new URL(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: `cần một địa chỉ dạng ${hint}` });
        return z.NEVER;
      }
      if (!protocols.includes(parsed.protocol)) {
        ctx.addIssue({ code: 'custom', message: `cần một địa chỉ dạng ${hint}` });
        return z.NEVER;
      }
      return v;
    });

const text = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

// A 32-byte key, given as 64 hex characters or base64.
const encryptionKey = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const buf = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
    if (buf.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'cần 32 byte ngẫu nhiên, viết bằng 64 ký tự hex hoặc base64 (openssl rand -base64 32)' });
      return z.NEVER;
    }
    return buf;
  });

// Reverse proxies whose X-Forwarded-For is believed: addresses or networks (CIDR), or the names
// loopback, linklocal, uniquelocal. Empty: the connecting address is the client.
const proxyList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const items = (v ?? '').split(/[\s,]+/).filter(Boolean);
    for (const item of items) {
      const [addr, bits, extra] = item.split('/');
      const family = isIP(addr ?? '');
      const okBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
      if (!(['loopback', 'linklocal', 'uniquelocal'].includes(item) || (family !== 0 && okBits && extra === undefined))) {
        ctx.addIssue({ code: 'custom', message: 'cần danh sách địa chỉ của reverse proxy, cách nhau bởi dấu phẩy (ví dụ 127.0.0.1, 10.0.0.0/8)' });
        return z.NEVER;
      }
    }
    return items;
  });

// Websites allowed to show the web chat in a frame (CSP frame-ancestors): origins such as
// https://xa-abc.gov.vn, a subdomain wildcard https://*.xa-abc.gov.vn.
const originList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const items = (v ?? '').split(/[\s,]+/).filter(Boolean);
    for (const item of items) {
      if (!/^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/.test(item)) {
        ctx.addIssue({ code: 'custom', message: 'cần danh sách địa chỉ trang web dạng https://xa-abc.gov.vn, cách nhau bởi dấu phẩy' });
        return z.NEVER;
      }
    }
    return items;
  });

export const settingsSchema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test'], { error: 'cần production, development hoặc test' }).default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'cần fatal, error, warn, info, debug, trace hoặc silent' }).default('info'),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(3000, 0, 65535),
  DATA_DIR: z.string().default('./data').transform((v) => resolve(v)),
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgresql://user:pass@host:5432/db'),
  REDIS_URL: url(['redis:', 'rediss:', 'unix:'], 'redis://host:6379 hoặc unix:///đường/dẫn/redis.sock'),
  REDIS_SERVER_BIN: z.string().default('redis-server'),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_:-]{1,40}$/, 'cần 1–40 ký tự chữ, số, _ : -').default('loaxa'),
  PUBLIC_BASE_URL: url(['http:', 'https:'], 'https://loa.xa-abc.gov.vn'),
  TRUST_PROXY: proxyList,
  SESSION_IDLE_MINUTES: int(60, 5, 24 * 60),
  CHAT_FRAME_ANCESTORS: originList,
  DEMO_PASSWORD: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.length >= 8, 'cần ít nhất 8 ký tự'),
  SEED_DEMO: bool(true),
  ENCRYPTION_KEY: encryptionKey,
  WORKER_CONCURRENCY: int(4, 1, 256),
  BOTS_SYNC_MS: int(3000, 100, 600000),
  SHUTDOWN_TIMEOUT_MS: int(15000, 100, 600000),
  FFMPEG_PATH: text,
  TTS_ENGINE: z.enum(['espeak-ng', 'viettel', 'fpt'], { error: 'cần espeak-ng, viettel hoặc fpt' }).default('espeak-ng'),
  TTS_VOICE: text,
  TTS_SPEED: decimal(1, 0.5, 2),
  TTS_API_KEY: text,
  TTS_API_URL: url(['http:', 'https:'], 'https://viettelai.vn/tts/speech_synthesis'),
  ESPEAK_PATH: z.string().default('espeak-ng'),
  LOUDNESS_TARGET_LUFS: int(-16, -30, -9),
  CHIME_PATH: text,
  MAX_AUDIO_UPLOAD_MB: int(100, 1, 2000),
  TICKET_FOLLOWUP_HOURS: int(72, 1, 24 * 90),
  TICKET_BURST_SECONDS: int(20, 0, 600),
  RESIDENT_MESSAGES_PER_MINUTE: int(10, 1, 1000),
  SLA_RECEIVE_WORKING_HOURS: int(8, 1, 240),
  SLA_ANSWER_WORKING_DAYS: int(5, 1, 90),
  SLA_URGENT_WORKING_HOURS: int(4, 1, 240),
  // The commune the web chat and the TELEGRAM_BOT_TOKEN / ZALO_BOT_TOKEN bots serve when the
  // installation has several (a province); empty: the only commune, or the demo commune.
  COMMUNE_CODE: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^[a-z0-9][a-z0-9-]{1,31}$/.test(v), 'cần mã xã viết thường, không dấu, ví dụ tan-lap'),
  TELEGRAM_BOT_TOKEN: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^\d+:[A-Za-z0-9_-]{20,}$/.test(v), 'cần mã bot dạng 123456:ABC… do @BotFather cấp'),
  TELEGRAM_API_ROOT: url(['http:', 'https:'], 'https://api.telegram.org').transform((v) => v ?? 'https://api.telegram.org'),
  TELEGRAM_ADMIN_CHAT_ID: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^-?\d+$/.test(v), 'cần mã số nhóm Telegram, ví dụ -1001234567890'),
  // Zalo Bot Platform: one bot for a one-commune install (token "id:secret" from Zalo Bot Manager).
  ZALO_BOT_TOKEN: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^\d+:[A-Za-z0-9_-]{10,}$/.test(v), 'cần mã bot Zalo dạng 1234567890:AbC… do Zalo Bot Manager cấp'),
  // bot-api.zapps.me in older documents; a local fake in tests.
  ZALO_BOT_API_ROOT: url(['http:', 'https:'], 'https://bot-api.zaloplatforms.com').transform((v) => v ?? 'https://bot-api.zaloplatforms.com'),
  // Zalo Official Accounts (connected from the web admin; these only move the servers, for tests).
  ZALO_OA_API_ROOT: url(['http:', 'https:'], 'https://openapi.zalo.me').transform((v) => v ?? 'https://openapi.zalo.me'),
  ZALO_OA_OAUTH_ROOT: url(['http:', 'https:'], 'https://oauth.zaloapp.com').transform((v) => v ?? 'https://oauth.zaloapp.com'),
  TELEGRAM_ADMIN_THREAD_ID: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^\d+$/.test(v), 'cần mã số chủ đề (topic) trong nhóm Telegram, ví dụ 12'),
});

export type Settings = z.infer<typeof settingsSchema>;

/** A settings error: `message` is the one line shown to the operator. */
export class SettingsError extends Error {
  constructor(
    readonly setting: string,
    readonly expected: string,
    readonly received: string | undefined,
  ) {
    const shown = received === undefined ? 'chưa đặt' : `đang là "${received.length > 60 ? received.slice(0, 57) + '…' : received}"`;
    super(`Cấu hình không hợp lệ: ${setting} ${expected} (${shown}).`);
    this.name = 'SettingsError';
  }
}

// Values a setting must never echo back in an error line.
const SECRET_SETTINGS = new Set(['DATABASE_URL', 'REDIS_URL', 'ENCRYPTION_KEY', 'TELEGRAM_BOT_TOKEN', 'ZALO_BOT_TOKEN', 'DEMO_PASSWORD']);

/** Reads `.env` from `cwd` (if present) under the real environment, which wins. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Record<string, string | undefined> {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

export function loadSettings(env: Record<string, string | undefined> = readEnvironment()): Settings {
  // Empty strings count as unset, as in most deployment tools.
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(settingsSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') cleaned[key] = v;
  }
  const result = settingsSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? '?');
    const received = SECRET_SETTINGS.has(key) ? (cleaned[key] === undefined ? undefined : '***') : cleaned[key];
    throw new SettingsError(key, issue.message, received);
  }
  return result.data;
}

/** The settings documented in the README (kept here so a test can check the table is complete). */
export const settingNames = Object.keys(settingsSchema.shape);
