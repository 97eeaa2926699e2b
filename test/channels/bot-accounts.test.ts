// Bots per commune from the database (issue 17): a Telegram bot or Zalo Bot is added with its
// token checked by getMe and sealed with ENCRYPTION_KEY; the same bot cannot be added twice; a
// removed bot forgets its token and can be added again on its old row.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { addChannelAccount, listChannelAccounts, openBotToken, removeChannelAccount, setBotAdminChat, type BotAccountDeps } from '../../src/channels/bot-accounts.ts';
import { isAdminChat } from '../../src/tickets/channel-accounts.ts';
import { botTokenChecker } from '../../src/processes/bot-token-checker.ts';
import { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { FakeZaloBotApi } from '../support/zalo-bot-api/fake-zalo-bot-api.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let deps: BotAccountDeps;
const key = randomBytes(32);
const tg = new FakeBotApi({ token: '7001234567:AAH-secret-part-of-the-telegram-token_x', botUsername: 'xa_an_binh_bot' });
const zb = new FakeZaloBotApi();
let communeA: string;
let communeB: string;

beforeAll(async () => {
  db = await openMigratedTestDatabase('bot_accounts');
  prisma = db.prisma;
  await tg.start();
  await zb.start();
  deps = { prisma, key, checkToken: botTokenChecker({ TELEGRAM_API_ROOT: tg.apiRoot, ZALO_BOT_API_ROOT: zb.apiRoot }) };
  communeA = (await prisma.commune.create({ data: { code: 'an-binh', name: 'Xã An Bình' } })).id;
  communeB = (await prisma.commune.create({ data: { code: 'binh-minh', name: 'Xã Bình Minh' } })).id;
});
afterAll(async () => {
  await tg.close();
  await zb.close();
  await db?.close();
});

describe('addChannelAccount', () => {
  it('checks a Telegram token with getMe, keeps it sealed, and remembers the admin chat', async () => {
    const a = await addChannelAccount(deps, { communeId: communeA, platform: 'telegram', token: tg.token, adminChatId: '-1001234567890/7' });
    expect(a).toMatchObject({ communeId: communeA, platform: 'telegram', name: 'telegram-7001234567', username: 'xa_an_binh_bot', adminChatId: '-1001234567890/7', active: true });
    const row = await prisma.channelAccount.findUniqueOrThrow({ where: { id: a.id } });
    expect(row.credentialsEnc).toMatch(/^v1:/);
    // Neither the secret part nor the whole token is readable anywhere in the row.
    expect(JSON.stringify(row)).not.toContain('AAH-secret-part');
    expect(openBotToken(key, row)).toBe(tg.token);
    expect(() => openBotToken(randomBytes(32), row)).toThrow(/giải mã/);
    expect(row.settings).toMatchObject({ adminChatId: '-1001234567890', adminThreadId: '7', botId: '7001234567' });
    expect(tg.calls.filter((c) => c.method === 'getMe')).toHaveLength(1);
  });

  it('checks a Zalo Bot token the same way', async () => {
    const a = await addChannelAccount(deps, { communeId: communeB, platform: 'zalo-bot', token: zb.token });
    expect(a).toMatchObject({ platform: 'zalo-bot', name: 'zalo-bot-1459232241454765289', username: 'bot.LoaXaTest', active: true });
    expect((await prisma.channelAccount.findUniqueOrThrow({ where: { id: a.id } })).platform).toBe('zalo_bot');
  });

  it('refuses a malformed token without asking the platform, and a bad admin chat id', async () => {
    const calls = tg.calls.length;
    for (const token of ['', '   ', 'abc', '123:short', `7001234567:${'x'.repeat(500)}`, '7001234567:AAH secret with spaces'])
      await expect(addChannelAccount(deps, { communeId: communeA, platform: 'telegram', token })).rejects.toMatchObject({ reason: 'bad_token', code: 'VALIDATION' });
    await expect(addChannelAccount(deps, { communeId: communeA, platform: 'telegram', token: tg.token, adminChatId: '@nhom' })).rejects.toMatchObject({ reason: 'bad_admin_chat' });
    expect(tg.calls.length).toBe(calls);
  });

  it('says the platform refused a well-formed token it does not know', async () => {
    await expect(addChannelAccount(deps, { communeId: communeA, platform: 'telegram', token: '7009999999:AAH-a-token-telegram-does-not-know' })).rejects.toMatchObject({ reason: 'token_refused', message: expect.stringContaining('Telegram từ chối') });
    await expect(addChannelAccount(deps, { communeId: communeA, platform: 'zalo-bot', token: '1459232241454765289:WRONGsecretXYZ123' })).rejects.toMatchObject({ reason: 'token_refused' });
    expect(await prisma.channelAccount.count({ where: { name: 'telegram-7009999999' } })).toBe(0);
  });

  it('says getMe could not be asked when the platform is down, and saves nothing', async () => {
    tg.failNext('getMe', { error_code: 502, description: 'Bad Gateway' });
    await expect(addChannelAccount(deps, { communeId: communeA, platform: 'telegram', token: tg.token })).rejects.toMatchObject({ reason: 'get_me_failed' });
    expect(await prisma.channelAccount.count({ where: { name: 'telegram-7001234567', credentialsEnc: { not: null } } })).toBe(1);
    const other = new FakeBotApi({ token: '7005555555:AAH-another-bot-token-for-the-test' });
    await expect(addChannelAccount({ ...deps, checkToken: botTokenChecker({ TELEGRAM_API_ROOT: 'http://127.0.0.1:9', ZALO_BOT_API_ROOT: zb.apiRoot }) }, { communeId: communeA, platform: 'telegram', token: other.token })).rejects.toMatchObject({ reason: 'get_me_failed', code: 'DEPENDENCY_DOWN' });
    expect(await prisma.channelAccount.count({ where: { name: 'telegram-7005555555' } })).toBe(0);
  });

  it('refuses the same bot twice, for the same or another commune, even added at once', async () => {
    await expect(addChannelAccount(deps, { communeId: communeA, platform: 'telegram', token: tg.token })).rejects.toMatchObject({ reason: 'duplicate', code: 'CONFLICT', message: expect.stringContaining('của xã này') });
    await expect(addChannelAccount(deps, { communeId: communeB, platform: 'telegram', token: `  ${tg.token} ` })).rejects.toMatchObject({ reason: 'duplicate', message: expect.stringContaining('một xã khác') });
    const row = await prisma.channelAccount.findFirstOrThrow({ where: { name: 'telegram-7001234567' } });
    expect(row.communeId).toBe(communeA);

    const fresh = new FakeBotApi({ token: '7006666666:AAH-concurrent-bot-token-for-test', botUsername: 'moi_bot' });
    await fresh.start();
    try {
      const d = { ...deps, checkToken: botTokenChecker({ TELEGRAM_API_ROOT: fresh.apiRoot, ZALO_BOT_API_ROOT: zb.apiRoot }) };
      const results = await Promise.allSettled([communeA, communeB, communeA].map((communeId) => addChannelAccount(d, { communeId, platform: 'telegram', token: fresh.token })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ reason: 'duplicate' });
      expect(await prisma.channelAccount.count({ where: { name: 'telegram-7006666666' } })).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('refuses an unknown commune and a missing ENCRYPTION_KEY', async () => {
    await expect(addChannelAccount(deps, { communeId: '00000000-0000-0000-0000-000000000000', platform: 'telegram', token: tg.token })).rejects.toMatchObject({ reason: 'unknown_commune' });
    await expect(addChannelAccount({ ...deps, key: undefined }, { communeId: communeA, platform: 'telegram', token: tg.token })).rejects.toMatchObject({ reason: 'no_key' });
  });
});

describe('removeChannelAccount', () => {
  it('only the commune that owns a bot removes it; the token is forgotten; it can be added again on its row', async () => {
    const [bot] = (await listChannelAccounts(prisma, { communeId: communeA })).filter((a) => a.name === 'telegram-7001234567');
    await expect(removeChannelAccount(prisma, { accountId: 'khong-phai-uuid' })).rejects.toMatchObject({ reason: 'not_found' });
    await expect(removeChannelAccount(prisma, { accountId: bot!.id, communeId: communeB })).rejects.toMatchObject({ reason: 'not_found' });
    const removed = await removeChannelAccount(prisma, { accountId: bot!.id, communeId: communeA });
    expect(removed.active).toBe(false);
    expect((await prisma.channelAccount.findUniqueOrThrow({ where: { id: bot!.id } })).credentialsEnc).toBeNull();
    expect((await listChannelAccounts(prisma)).map((a) => a.name)).not.toContain('telegram-7001234567');
    expect((await listChannelAccounts(prisma, { includeRemoved: true })).map((a) => a.name)).toContain('telegram-7001234567');

    const again = await addChannelAccount(deps, { communeId: communeB, platform: 'telegram', token: tg.token });
    expect(again).toMatchObject({ id: bot!.id, communeId: communeB, active: true });
    expect(again.adminChatId).toBeUndefined();
  });
});

describe('audit of adding and removing a bot', () => {
  it('is written with the change, in its transaction: one line for each add and remove, none for a refused add', async () => {
    const staffId = (await prisma.staff.create({ data: { communeId: communeA, username: 'qt-audit', displayName: 'Quản trị', roles: ['admin'] } })).id;
    const bot = new FakeBotApi({ token: '7008888888:AAH-audited-bot-token-for-the-test', botUsername: 'audit_bot' });
    await bot.start();
    try {
      const d = { ...deps, checkToken: botTokenChecker({ TELEGRAM_API_ROOT: bot.apiRoot, ZALO_BOT_API_ROOT: zb.apiRoot }) };
      const added = await addChannelAccount(d, { communeId: communeA, platform: 'telegram', token: bot.token, actor: { staffId, ip: '203.0.113.5' } });
      await expect(addChannelAccount(d, { communeId: communeB, platform: 'telegram', token: bot.token })).rejects.toMatchObject({ reason: 'duplicate' });
      const adds = await prisma.auditLog.findMany({ where: { action: 'channel_account.add', entityId: added.id } });
      expect(adds).toHaveLength(1);
      expect(adds[0]).toMatchObject({ communeId: communeA, actorKind: 'staff', actorStaffId: staffId, ip: '203.0.113.5', entityType: 'ChannelAccount', data: { platform: 'telegram', name: 'telegram-7008888888', username: 'audit_bot' } });
      expect(JSON.stringify(adds[0]!.data)).not.toContain('AAH-audited');

      // From the CLI (no staff): the operator's change is audited too.
      await removeChannelAccount(prisma, { accountId: added.id });
      const again = await addChannelAccount(d, { communeId: communeB, platform: 'telegram', token: bot.token });
      const lines = await prisma.auditLog.findMany({ where: { entityId: added.id }, orderBy: { createdAt: 'asc' } });
      expect(lines.map((l) => [l.action, l.actorKind, l.communeId])).toEqual([
        ['channel_account.add', 'staff', communeA],
        ['channel_account.remove', 'system', communeA],
        ['channel_account.add', 'system', communeB],
      ]);
      expect(again.id).toBe(added.id);
    } finally {
      await bot.close();
    }
  });
});

describe('setBotAdminChat', () => {
  it('sets, changes and clears a bot’s admin chat, read at once by the admin-chat check; audited', async () => {
    const bot = new FakeBotApi({ token: '7005555555:AAH-admin-chat-bot-token-for-the-test', botUsername: 'nhom_bot' });
    await bot.start();
    try {
      const d = { ...deps, checkToken: botTokenChecker({ TELEGRAM_API_ROOT: bot.apiRoot, ZALO_BOT_API_ROOT: zb.apiRoot }) };
      const added = await addChannelAccount(d, { communeId: communeA, platform: 'telegram', token: bot.token });
      expect(added.adminChatId).toBeUndefined();
      expect(await setBotAdminChat(prisma, { accountId: added.id, communeId: communeA, adminChatId: ' -1005550001/3 ' })).toMatchObject({ adminChatId: '-1005550001/3', active: true });
      expect(await prisma.$transaction((tx) => isAdminChat(tx, 'telegram', '-1005550001'))).toMatchObject({ id: added.id });
      // The token and the bot's identity stay; only the chat changes.
      const row = await prisma.channelAccount.findUniqueOrThrow({ where: { id: added.id } });
      expect(openBotToken(key, row)).toBe(bot.token);
      expect(row.settings).toMatchObject({ botId: '7005555555', username: 'nhom_bot', adminChatId: '-1005550001', adminThreadId: '3' });
      expect((await setBotAdminChat(prisma, { accountId: added.id, adminChatId: '-1005550002' })).adminChatId).toBe('-1005550002');
      expect(await prisma.$transaction((tx) => isAdminChat(tx, 'telegram', '-1005550001'))).toBeNull();
      expect((await setBotAdminChat(prisma, { accountId: added.id, adminChatId: '' })).adminChatId).toBeUndefined();
      const lines = await prisma.auditLog.findMany({ where: { action: 'channel_account.admin_chat', entityId: added.id }, orderBy: { createdAt: 'asc' } });
      expect(lines.map((l) => l.data)).toEqual([{ from: null, to: '-1005550001' }, { from: '-1005550001', to: '-1005550002' }, { from: '-1005550002', to: null }]);
    } finally {
      await bot.close();
    }
  });

  it('refuses bad ids, another commune’s bot, a removed bot and another commune’s admin chat, changing nothing', async () => {
    const mk = (communeId: string, name: string, chat?: string) =>
      prisma.channelAccount.create({ data: { communeId, platform: 'telegram', name, status: 'connected', credentialsEnc: 'v1:x', settings: chat ? { adminChatId: chat } : {} } });
    const mine = await mk(communeA, 'tg-set-a');
    await mk(communeB, 'tg-set-b', '-1006660001');
    for (const chat of ['abc', '-100 123', '1'.repeat(30), '-100123/', '-100123/abc'])
      await expect(setBotAdminChat(prisma, { accountId: mine.id, adminChatId: chat })).rejects.toMatchObject({ reason: 'bad_admin_chat', code: 'VALIDATION' });
    await expect(setBotAdminChat(prisma, { accountId: 'khong-phai-uuid', adminChatId: '-1001' })).rejects.toMatchObject({ reason: 'not_found' });
    await expect(setBotAdminChat(prisma, { accountId: mine.id, communeId: communeB, adminChatId: '-1001' })).rejects.toMatchObject({ reason: 'not_found' });
    // Another commune's admin chat: its cadres would read this commune's tickets.
    await expect(setBotAdminChat(prisma, { accountId: mine.id, adminChatId: '-1006660001' })).rejects.toMatchObject({ reason: 'admin_chat_taken', code: 'CONFLICT' });
    // Nor when a bot is added with it.
    const other = new FakeBotApi({ token: '7006060606:AAH-taken-admin-chat-bot-token-test', botUsername: 'nhom_khac_bot' });
    await other.start();
    try {
      const d = { ...deps, checkToken: botTokenChecker({ TELEGRAM_API_ROOT: other.apiRoot, ZALO_BOT_API_ROOT: zb.apiRoot }) };
      await expect(addChannelAccount(d, { communeId: communeA, platform: 'telegram', token: other.token, adminChatId: '-1006660001' })).rejects.toMatchObject({ reason: 'admin_chat_taken' });
      expect(await prisma.channelAccount.count({ where: { name: 'telegram-7006060606' } })).toBe(0);
    } finally {
      await other.close();
    }
    const removed = await prisma.channelAccount.create({ data: { communeId: communeA, platform: 'telegram', name: 'tg-set-removed', status: 'inactive' } });
    await expect(setBotAdminChat(prisma, { accountId: removed.id, adminChatId: '-1007770001' })).rejects.toMatchObject({ reason: 'not_found' });
    expect((await prisma.channelAccount.findUniqueOrThrow({ where: { id: mine.id } })).settings).toEqual({});
    expect(await prisma.auditLog.count({ where: { action: 'channel_account.admin_chat', entityId: { in: [mine.id, removed.id] } } })).toBe(0);
  });
});
