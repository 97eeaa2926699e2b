// Health of the official Zalo channels, as /healthz and doctor show it: the Zalo Bot asked with
// getMe (a refused token says which setting to check, never the token), the Official Accounts read
// from their rows (one whose refresh Zalo refused says "cần kết nối lại"); unconfigured is "off".
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zaloBotHealth, zaloOaHealth } from '../../src/channels/channel-health.ts';
import { saveZaloOaAccount } from '../../src/channels/zalo-oa-accounts.ts';
import { FakeZaloBotApi } from '../support/zalo-bot-api/fake-zalo-bot-api.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let bot: FakeZaloBotApi;
let apiRoot: string;
let db: MigratedTestDatabase;

beforeAll(async () => {
  bot = new FakeZaloBotApi();
  ({ apiRoot } = await bot.start());
  db = await openMigratedTestDatabase('zalohealth', 3);
});
afterAll(async () => {
  await bot?.close();
  await db?.close();
});

describe('official Zalo channels health', () => {
  it('Zalo Bot: off, ok with the bot name, down on 401 without printing the token', async () => {
    expect(await zaloBotHealth(undefined, apiRoot)).toEqual({ status: 'off', detail: 'chưa cấu hình ZALO_BOT_TOKEN' });
    expect(await zaloBotHealth(bot.token, apiRoot)).toEqual({ status: 'ok', detail: 'bot bot.LoaXaTest' });
    const wrong = await zaloBotHealth('1:WRONGtokenWRONGtoken', apiRoot);
    expect(wrong.status).toBe('down');
    expect(wrong.detail).toContain('ZALO_BOT_TOKEN');
    expect(wrong.detail).not.toContain('WRONG');
  });

  it('Zalo OA: off, ok, then "cần kết nối lại" for an account whose refresh was refused', async () => {
    expect(await zaloOaHealth(db.prisma)).toMatchObject({ status: 'off' });
    const creds = { appId: '1', appSecret: 's', oaSecret: 'o', accessToken: 'a', refreshToken: 'r', expiresAt: new Date().toISOString() };
    const key = randomBytes(32);
    await saveZaloOaAccount(db.prisma, key, { name: 'oa-1', credentials: creds });
    await saveZaloOaAccount(db.prisma, key, { name: 'oa-2', credentials: creds });
    expect(await zaloOaHealth(db.prisma)).toEqual({ status: 'ok', detail: '2 OA đang kết nối' });
    await db.prisma.channelAccount.update({ where: { platform_name: { platform: 'zalo_oa', name: 'oa-2' } }, data: { status: 'logged_out', statusReason: 'cần kết nối lại: refresh refused' } });
    expect(await zaloOaHealth(db.prisma)).toEqual({ status: 'degraded', detail: 'cần kết nối lại: oa-2' });
  });
});
