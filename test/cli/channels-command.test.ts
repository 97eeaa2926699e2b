// `loaxa channels add telegram … / list / remove` as an operator runs them, against the real
// PostgreSQL and the local Bot API server: the token is checked with getMe and saved sealed, the
// list shows it, a second add, a malformed or refused token, an unknown commune or bot and a
// missing ENCRYPTION_KEY each get a precise Vietnamese error and a non-zero exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBotApiHub } from '../support/telegram-bot-api/fake-bot-api-hub.ts';
import type { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { runLoaxa } from '../support/spawn-loaxa.ts';

let db: MigratedTestDatabase;
let hub: FakeBotApiHub;
let bot: FakeBotApi;
let env: Record<string, string>;
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-channels-cli-'));

beforeAll(async () => {
  db = await openMigratedTestDatabase('channelscli', 2);
  await db.prisma.commune.create({ data: { code: 'an-binh', name: 'Xã An Bình' } });
  hub = new FakeBotApiHub();
  await hub.start();
  bot = hub.addBot({ botUsername: 'anbinh_bot' });
  env = { DATABASE_URL: db.url, DATA_DIR: dataDir, ENCRYPTION_KEY: randomBytes(32).toString('base64'), TELEGRAM_API_ROOT: hub.apiRoot, LOG_LEVEL: 'warn' };
}, 60_000);

afterAll(async () => {
  await hub?.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const loaxa = (args: string[], extra: Record<string, string> = {}) => runLoaxa(['channels', ...args], { ...env, ...extra });

describe('loaxa channels', () => {
  it('adds a Telegram bot (getMe, sealed token), lists it, refuses it twice, removes it', async () => {
    const added = await loaxa(['add', 'telegram', '--commune', 'an-binh', '--token', bot.token, '--admin-chat', '-1001234567890']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Đã thêm bot @anbinh_bot');
    expect(bot.calls.some((c) => c.method === 'getMe')).toBe(true);
    const row = await db.prisma.channelAccount.findFirstOrThrow({ where: { platform: 'telegram' } });
    expect(row.credentialsEnc).toBeTruthy();
    expect(row.credentialsEnc).not.toContain(bot.token.split(':')[1]);

    const listed = await loaxa(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${row.id}\tan-binh\ttelegram\t@anbinh_bot\t-1001234567890`);

    // The admin chat changes without adding the bot again (a group id starts with "-": an option, not an argument).
    const moved = await loaxa(['admin-chat', row.id, '--chat', '-1009876543210/4']);
    expect(moved.stderr).toBe('');
    expect(moved.stdout).toContain('Bot @anbinh_bot: nhóm quản trị là -1009876543210/4.');
    expect((await loaxa(['list'])).stdout).toContain(`${row.id}\tan-binh\ttelegram\t@anbinh_bot\t-1009876543210/4`);
    const neither = await loaxa(['admin-chat', row.id]);
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toContain('--chat <mã nhóm>');
    expect((await loaxa(['admin-chat', row.id, '--clear'])).stdout).toContain('đã bỏ nhóm quản trị');
    expect((await loaxa(['list'])).stdout).toContain('(chưa có nhóm quản trị)');

    const again = await loaxa(['add', 'telegram', '--commune', 'an-binh', '--token', bot.token]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('đã được thêm của xã này');

    const removed = await loaxa(['remove', row.id]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Đã gỡ bot @anbinh_bot');
    expect((await db.prisma.channelAccount.findUniqueOrThrow({ where: { id: row.id } })).credentialsEnc).toBeNull();
    expect((await loaxa(['list'])).stdout).toContain('Chưa có bot nào.');
  }, 120_000);

  it('says precisely what is wrong: token shape, refused token, commune, bot id, platform, key', async () => {
    const shape = await loaxa(['add', 'telegram', '--commune', 'an-binh', '--token', 'not-a-token']);
    expect(shape.code).not.toBe(0);
    expect(shape.stderr).toContain('không đúng dạng');

    const revoked = hub.addBot();
    hub.revoke(revoked);
    const refused = await loaxa(['add', 'telegram', '--commune', 'an-binh', '--token', revoked.token]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('từ chối mã bot');

    const commune = await loaxa(['add', 'telegram', '--commune', 'khong-co', '--token', bot.token]);
    expect(commune.code).not.toBe(0);
    expect(commune.stderr).toContain('Không có xã mã "khong-co"');

    const unknown = await loaxa(['remove', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('Không tìm thấy bot này');

    const platform = await loaxa(['add', 'viber', '--commune', 'an-binh', '--token', bot.token]);
    expect(platform.code).not.toBe(0);
    expect(platform.stderr).toContain('Nền tảng "viber" không hỗ trợ');

    const noKey = await loaxa(['add', 'telegram', '--commune', 'an-binh', '--token', bot.token], { ENCRYPTION_KEY: '' });
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toContain('ENCRYPTION_KEY');
    expect(await db.prisma.channelAccount.count({ where: { credentialsEnc: { not: null } } })).toBe(0);
  }, 120_000);
});
