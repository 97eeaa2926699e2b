// `loaxa doctor` on a province installation lists every commune's bots and accounts from the
// database with their state and the exact thing missing — a refused token, an OA to reconnect, a
// commune without admin chat or without any channel, a secret sealed under another key, an account
// of no commune — and never prints a token or a stored secret.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase, TEST_REDIS_URL, type MigratedTestDatabase } from '../support/services.ts';
import { runLoaxa } from '../support/spawn-loaxa.ts';
import { sealBotToken } from '../../src/channels/bot-accounts.ts';
import { encryptSecret } from '../../src/crypto/secret-box.ts';

let db: MigratedTestDatabase;
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-doctor-ch-'));
const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);
const SECRETS = ['AAHsecretAnBinhTelegram0001', 'AAHsecretAnBinhZaloBot00002', 'AAHsecretBinhMinhTelegram03', 'AAHsecretDongHoaTelegram004', 'AAHsecretStrayZaloBot000005', 'oa-secret-binh-minh-0006', 'oa-refresh-binh-minh-0007'];
let out = '';
let code = -1;

beforeAll(async () => {
  db = await openMigratedTestDatabase('doctorch', 2);
  const p = db.prisma;
  const commune = (code: string, name: string) => p.commune.create({ data: { code, name } });
  const anBinh = await commune('an-binh', 'Xã An Bình');
  const binhMinh = await commune('binh-minh', 'Xã Bình Minh');
  await commune('cat-tien', 'Xã Cát Tiên');
  const dongHoa = await commune('dong-hoa', 'Xã Đông Hòa');
  const bot = (communeId: string | null, platform: 'telegram' | 'zalo_bot', n: number, extra: Record<string, unknown> = {}, key = KEY) =>
    p.channelAccount.create({
      data: { communeId, platform, name: `${platform}-10${n}`, credentialsEnc: sealBotToken(key, `10${n}:${SECRETS[n - 1]}`), status: 'connected', settings: { botId: `10${n}`, username: `bot${n}`, ...extra } },
    });
  await bot(anBinh.id, 'telegram', 1, { adminChatId: '-1001111' });
  await p.channelAccount.update({ where: { id: (await bot(anBinh.id, 'zalo_bot', 2)).id }, data: { status: 'logged_out', statusReason: `401 Unauthorized for bot102:${SECRETS[1]}` } });
  await bot(binhMinh.id, 'telegram', 3);
  await p.channelAccount.create({ data: { communeId: binhMinh.id, platform: 'zalo_oa', name: 'oa-binh-minh', credentialsEnc: encryptSecret(KEY, JSON.stringify({ appId: '1', oaSecret: SECRETS[5], refreshToken: SECRETS[6] })), status: 'logged_out', statusReason: 'Zalo từ chối mã làm mới (-14014)' } });
  await bot(dongHoa.id, 'telegram', 4, { adminChatId: '-1004444' }, OTHER_KEY);
  // Removed: no token, inactive. Not a channel any more.
  await p.channelAccount.create({ data: { communeId: dongHoa.id, platform: 'telegram', name: 'telegram-999', status: 'inactive', settings: { botId: '999', username: 'go_roi_bot' } } });
  await bot(null, 'zalo_bot', 5);
  const r = await runLoaxa(['doctor'], { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, DATA_DIR: dataDir, ENCRYPTION_KEY: KEY.toString('base64'), LOG_LEVEL: 'warn' });
  out = r.stdout;
  code = r.code ?? -1;
}, 90_000);

afterAll(async () => {
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The lines of one commune's block (its heading to the next heading). */
function block(heading: string): string {
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l === `  ${heading}`);
  expect(at, `${heading} in:\n${out}`).toBeGreaterThan(-1);
  const end = lines.findIndex((l, i) => i > at && /^ {2}\S/.test(l));
  return lines.slice(at + 1, end === -1 ? undefined : end).join('\n');
}

describe('loaxa doctor lists the communes’ channels', () => {
  it('sums them up and exits 0 (nothing the system cannot run without is missing)', () => {
    expect(code, out).toBe(0);
    expect(out).toMatch(/! Kênh của xã\s+6 kênh, 4 xã; 5 nơi cần xử lý/);
  });

  it('each commune with each channel’s state and what to do', () => {
    const anBinh = block('Xã An Bình (an-binh)');
    expect(anBinh).toMatch(/✔ Telegram @bot1\s+đang kết nối · nhóm quản trị -1001111/);
    expect(anBinh).toMatch(/✘ Zalo Bot bot2\s+nền tảng từ chối mã bot \(401\), bot đã dừng: loaxa channels remove [0-9a-f-]{36}, rồi loaxa channels add zalo-bot --commune an-binh --token <mã mới> \(401 Unauthorized for bot…\)/);
    expect(anBinh).not.toContain('thiếu');

    const binhMinh = block('Xã Bình Minh (binh-minh)');
    expect(binhMinh).toMatch(/✔ Telegram @bot3\s+đang kết nối$/m);
    expect(binhMinh).toMatch(/✘ Zalo OA oa-binh-minh\s+Zalo không nhận mã làm mới nữa: quản trị viên xã bấm Kết nối Zalo OA ở trang Cụm loa & nhóm \(Zalo từ chối mã làm mới \(-14014\)\)/);
    // The command names the commune's own bot (its id), ready to paste.
    expect(binhMinh).toMatch(/✘ thiếu: chưa có nhóm quản trị: phản ánh không được đăng cho cán bộ; gắn nhóm ở trang Cụm loa & nhóm, hoặc loaxa channels admin-chat [0-9a-f-]{36} --chat <mã nhóm>/);

    expect(block('Xã Cát Tiên (cat-tien)')).toMatch(/^ {4}✘ thiếu: chưa có kênh nào để người dân nhắn tin: loaxa channels add telegram --commune cat-tien/);

    const dongHoa = block('Xã Đông Hòa (dong-hoa)');
    expect(dongHoa).toMatch(/✘ Telegram @bot4\s+mã đã lưu không mở được bằng ENCRYPTION_KEY này \(khóa đã đổi\?\)/);
    expect(dongHoa).toContain('thiếu: không kênh nào đang chạy');
    expect(dongHoa).toContain('thiếu: nhóm quản trị chỉ gắn với kênh đang hỏng');
    expect(dongHoa).not.toContain('go_roi_bot');

    const stray = block('Chưa gắn với xã nào');
    expect(stray).toMatch(/✔ Zalo Bot bot5\s+đang kết nối/);
    // Several communes: nothing tells which one such an account serves, and the operator is told why.
    expect(stray).toMatch(/thiếu: tin nhắn tới các kênh này bị bỏ qua \(cài đặt có \d+ xã, không biết kênh thuộc xã nào\): gắn từng kênh với xã của nó/);
  });

  it('prints no token and no stored secret', () => {
    for (const s of SECRETS) expect(out).not.toContain(s);
    expect(out).not.toContain(KEY.toString('base64'));
  });
});
