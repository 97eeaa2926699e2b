// `loaxa doctor`: which database, Redis, ffmpeg, speech engine and channels are in use, and
// whether each answers. Exit code 1 when something the system cannot run without is missing.
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import { openDatabase, redactUrl } from '../db/database.ts';
import { migrationStatus } from '../db/migrator.ts';
import { lockDataDir, DataDirLockedError, type DataDirLock } from '../runtime/data-dir-lock.ts';
import { assertRedisReachable } from '../redis/connection.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';
import { findOnPath, versionLine } from '../system/find-executable.ts';
import { telegramHealth, zaloBotHealth, zaloHealth, zaloOaHealth } from '../channels/channel-health.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { readLease } from '../db/process-lease.ts';
import { communeChannelReport, type CommuneChannels } from '../channels/commune-channels.ts';

type Mark = 'ok' | 'warn' | 'fail' | 'off';
interface Line {
  name: string;
  mark: Mark;
  text: string;
}
const SYMBOL: Record<Mark, string> = { ok: '✔', warn: '!', fail: '✘', off: '–' };

interface OpenedDatabase {
  prisma?: PrismaClient;
  close(): Promise<void>;
}

async function checkDatabase(settings: Settings, lines: Line[]): Promise<OpenedDatabase> {
  const none: OpenedDatabase = { close: async () => undefined };
  const label = settings.DATABASE_URL ? redactUrl(settings.DATABASE_URL) : `PGlite ${settings.DATA_DIR}/pglite`;
  let lock: DataDirLock | undefined;
  if (!settings.DATABASE_URL) {
    try {
      lock = await lockDataDir(settings.DATA_DIR);
    } catch (e) {
      if (e instanceof DataDirLockedError) {
        lines.push({ name: 'Cơ sở dữ liệu', mark: 'ok', text: `${label} — đang được Loa Xã dùng (pid ${e.holderPid ?? '?'})` });
        return none;
      }
      throw e;
    }
  }
  try {
    const db = await openDatabase({ databaseUrl: settings.DATABASE_URL, dataDir: settings.DATA_DIR, connectTimeoutMs: 3000 });
    const status = await migrationStatus(db.sql);
    const pending = status.pending.length;
    lines.push({
      name: 'Cơ sở dữ liệu',
      mark: pending ? 'warn' : 'ok',
      text: `${label} — ${status.applied.length} migration đã áp dụng${pending ? `, ${pending} đang chờ (chạy loaxa migrate)` : ''}`,
    });
    // Kept open for the channel checks; the caller closes it.
    return {
      prisma: db.prisma,
      close: async () => {
        await db.close();
        await lock?.release();
      },
    };
  } catch (e) {
    await lock?.release();
    lines.push({ name: 'Cơ sở dữ liệu', mark: 'fail', text: `${label} — không kết nối được: ${(e as Error).message}` });
    return none;
  }
}

/** The workers' last recovery pass: when, by whom, and what it had to queue again. */
async function checkRecovery(prisma: PrismaClient, lines: Line[], now = new Date()): Promise<void> {
  const lease = await readLease(prisma, 'reconcile').catch(() => null);
  if (!lease?.lastRunAt) {
    lines.push({ name: 'Phục hồi', mark: 'warn', text: 'chưa có worker nào chạy khôi phục (chạy loaxa worker hoặc npm start)' });
    return;
  }
  const ago = Math.round((now.getTime() - lease.lastRunAt.getTime()) / 1000);
  const r = lease.lastResult ?? {};
  const names: Record<string, string> = { deliveries: 'lượt gửi bản tin', inbound: 'tin nhắn đến', messages: 'tin gửi người dân', posts: 'bài đăng nhóm quản trị', followUps: 'tin bổ sung lên nhóm quản trị', timers: 'hẹn giờ phiếu', overdue: 'hạn quá giờ' };
  const restored = Object.entries(names).filter(([k]) => (r[k] ?? 0) > 0).map(([k, label]) => `${r[k]} ${label}`);
  // The pass runs every minute: much older means no worker is ticking.
  const stale = ago > 5 * 60;
  lines.push({
    name: 'Phục hồi',
    mark: stale ? 'warn' : 'ok',
    text: `lần cuối ${ago} giây trước (${lease.holder.split(':').slice(0, 2).join(' pid ')}) — ${restored.length ? `đã xếp lại ${restored.join(', ')}` : 'không có việc bị mất'}${stale ? '; không worker nào đang chạy?' : ''}`,
  });
}

async function checkRedis(settings: Settings, lines: Line[]): Promise<void> {
  if (settings.REDIS_URL) {
    try {
      await assertRedisReachable(settings.REDIS_URL, 3000);
      lines.push({ name: 'Redis', mark: 'ok', text: `${redactUrl(settings.REDIS_URL)} — trả lời` });
    } catch (e) {
      lines.push({ name: 'Redis', mark: 'fail', text: (e as Error).message });
    }
    return;
  }
  const bin = findOnPath(settings.REDIS_SERVER_BIN);
  if (!bin) {
    lines.push({ name: 'Redis', mark: 'fail', text: `không có ${settings.REDIS_SERVER_BIN}: cài bằng "apt-get install redis-server" hoặc đặt REDIS_URL` });
    return;
  }
  const version = await versionLine(bin, ['--version']).catch(() => '?');
  lines.push({ name: 'Redis', mark: 'ok', text: `redis-server riêng trong DATA_DIR (${bin}; ${version.replace(/ sha=.*/, '')})` });
}

async function checkFfmpeg(settings: Settings, lines: Line[]): Promise<void> {
  const ff = resolveFfmpeg(settings.FFMPEG_PATH);
  if (!ff) {
    lines.push({ name: 'ffmpeg', mark: 'warn', text: 'không tìm thấy: cài "apt-get install ffmpeg" hoặc đặt FFMPEG_PATH (cần để dựng âm thanh bản tin)' });
    return;
  }
  try {
    const v = await versionLine(ff.path, ['-version']);
    lines.push({ name: 'ffmpeg', mark: 'ok', text: `${ff.path} (${ff.source}) — ${v.replace(/ Copyright.*/, '')}` });
  } catch (e) {
    lines.push({ name: 'ffmpeg', mark: 'fail', text: `${ff.path} (${ff.source}) không chạy được: ${(e as Error).message}` });
  }
}

async function checkSpeech(settings: Settings, lines: Line[]): Promise<void> {
  if (settings.TTS_ENGINE !== 'espeak-ng') {
    const ok = Boolean(settings.TTS_API_KEY);
    lines.push({ name: 'Giọng đọc', mark: ok ? 'ok' : 'fail', text: ok ? `dịch vụ ${settings.TTS_ENGINE}${settings.TTS_VOICE ? `, giọng ${settings.TTS_VOICE}` : ''}` : `TTS_ENGINE=${settings.TTS_ENGINE} cần TTS_API_KEY` });
    return;
  }
  const bin = settings.ESPEAK_PATH.includes('/') ? settings.ESPEAK_PATH : findOnPath(settings.ESPEAK_PATH);
  if (!bin) {
    lines.push({ name: 'Giọng đọc', mark: 'warn', text: `không có ${settings.ESPEAK_PATH}: cài "apt-get install espeak-ng" để đọc bản tin chỉ có chữ` });
    return;
  }
  const voices = await versionLine(bin, ['--voices=vi']).catch(() => '');
  const version = await versionLine(bin, ['--version']).catch(() => settings.ESPEAK_PATH);
  lines.push({ name: 'Giọng đọc', mark: 'ok', text: `${version.split(' ').slice(0, 3).join(' ')}${voices ? '' : ' (chưa rõ có giọng tiếng Việt)'}` });
}

/** Every commune's channels, one line each, then what the commune lacks. */
function communeSection(report: CommuneChannels[]): string {
  const out = ['Kênh nhắn tin của từng xã:'];
  if (report.length === 0) out.push('  (chưa có xã nào: loaxa commune add hoặc loaxa seed-demo)');
  for (const c of report) {
    out.push(`  ${c.name}${c.code ? ` (${c.code})` : ''}`);
    const width = Math.max(0, ...c.channels.map((l) => l.label.length));
    for (const l of c.channels) out.push(`    ${SYMBOL[l.mark]} ${l.label.padEnd(width)}  ${l.text}`);
    for (const m of c.missing) out.push(`    ${SYMBOL.fail} thiếu: ${m}`);
  }
  return `${out.join('\n')}\n`;
}

export async function runDoctor({ settings }: { settings: Settings; log: Logger }): Promise<number> {
  const lines: Line[] = [];
  let communes: CommuneChannels[] | undefined;
  const database = await checkDatabase(settings, lines);
  await Promise.all([checkRedis(settings, lines), checkFfmpeg(settings, lines), checkSpeech(settings, lines)]);
  const tg = await telegramHealth(settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_API_ROOT);
  lines.push({ name: 'Telegram', mark: tg.status === 'ok' ? 'ok' : tg.status === 'off' ? 'off' : 'fail', text: tg.detail });
  const bot = await zaloBotHealth(settings.ZALO_BOT_TOKEN, settings.ZALO_BOT_API_ROOT);
  lines.push({ name: 'Zalo Bot', mark: bot.status === 'ok' ? 'ok' : bot.status === 'off' ? 'off' : 'fail', text: bot.detail });
  if (database.prisma) {
    await checkRecovery(database.prisma, lines);
    const zalo = await zaloHealth(database.prisma);
    lines.push({ name: 'Zalo', mark: zalo.status === 'ok' ? 'ok' : zalo.status === 'off' ? 'off' : 'warn', text: zalo.detail });
    const oa = await zaloOaHealth(database.prisma);
    lines.push({ name: 'Zalo OA', mark: oa.status === 'ok' ? 'ok' : oa.status === 'off' ? 'off' : 'warn', text: oa.detail });
    communes = await communeChannelReport(database.prisma, settings.ENCRYPTION_KEY, { telegramToken: Boolean(settings.TELEGRAM_BOT_TOKEN), zaloBotToken: Boolean(settings.ZALO_BOT_TOKEN) });
    const needing = communes.filter((c) => c.missing.length > 0 || c.channels.some((l) => l.mark !== 'ok')).length;
    const count = communes.reduce((n, c) => n + c.channels.length, 0);
    lines.push({ name: 'Kênh của xã', mark: needing ? 'warn' : 'ok', text: `${count} kênh, ${communes.filter((c) => c.code).length} xã${needing ? `; ${needing} nơi cần xử lý (xem dưới)` : ', không thiếu gì'}` });
  }
  await database.close();

  const width = Math.max(...lines.map((l) => l.name.length));
  process.stdout.write(`Loa Xã — kiểm tra hệ thống (DATA_DIR ${settings.DATA_DIR})\n`);
  for (const l of lines) process.stdout.write(`  ${SYMBOL[l.mark]} ${l.name.padEnd(width)}  ${l.text}\n`);
  if (communes) process.stdout.write(communeSection(communes));
  const failed = lines.some((l) => l.mark === 'fail' && (l.name === 'Cơ sở dữ liệu' || l.name === 'Redis'));
  return failed ? 1 : 0;
}
