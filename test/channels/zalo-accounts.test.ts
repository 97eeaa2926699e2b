// A Zalo account's health on its row, and staff told once — in the other admin chats, since the
// account's own group cannot hear from it any more — when it needs a new QR login.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { openZaloCredentials, recordZaloHealth, saveZaloCredentials } from '../../src/channels/zalo-accounts.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
const key = randomBytes(32);

beforeAll(async () => {
  db = await openMigratedTestDatabase('zalo_accounts');
  prisma = db.prisma;
  const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
  await prisma.channelAccount.create({ data: { communeId, platform: 'telegram', name: 'telegram', status: 'connected', settings: { adminChatId: '-100123' } } });
  await saveZaloCredentials(prisma, key, 'zalo-xa', { imei: 'imei-1', userAgent: 'UA', cookie: [{ key: 'zpw_sek', value: 'bí-mật' }] }, communeId);
  await prisma.channelAccount.update({ where: { platform_name: { platform: 'zalo', name: 'zalo-xa' } }, data: { settings: { adminChatId: 'g:555' } } });
});
afterAll(async () => {
  await db?.close();
});

describe('Zalo accounts', () => {
  it('keeps credentials sealed and opens them only with the same key', async () => {
    const row = await prisma.channelAccount.findFirstOrThrow({ where: { platform: 'zalo' } });
    expect(row.credentialsEnc).toMatch(/^v1:/);
    expect(row.credentialsEnc).not.toContain('bí-mật');
    expect(openZaloCredentials<{ imei: string }>(key, row).imei).toBe('imei-1');
    expect(() => openZaloCredentials(randomBytes(32), row)).toThrow(/Không giải mã được/);
    expect(() => openZaloCredentials(undefined, row)).toThrow(/ENCRYPTION_KEY/);
  });

  it('tells staff once, in the other admin chats, when the account is kicked; reconnecting says nothing', async () => {
    const notices: Array<{ chatId: string; text: string }> = [];
    const enqueue = async <D>(_def: unknown, data: D) => {
      notices.push(data as never);
      return 'x';
    };
    await recordZaloHealth(prisma, enqueue, 'zalo-xa', 'reconnecting', 'mất kết nối (mã 1006)');
    await recordZaloHealth(prisma, enqueue, 'zalo-xa', 'kicked', 'đăng nhập ở nơi khác');
    await recordZaloHealth(prisma, enqueue, 'zalo-xa', 'kicked', 'đăng nhập ở nơi khác');
    expect(notices).toEqual([expect.objectContaining({ platform: 'telegram', chatId: '-100123', text: expect.stringContaining('loaxa zalo login --account zalo-xa') })]);
    expect(await prisma.channelAccount.findFirstOrThrow({ where: { platform: 'zalo' } })).toMatchObject({ status: 'kicked', statusReason: 'đăng nhập ở nơi khác' });
    expect(await prisma.auditLog.count({ where: { action: 'channel_account.kicked' } })).toBe(1);
  });
});

describe('Zalo account names per commune (issue 14, finding 12)', () => {
  it('refuses another commune logging in under a name that is taken, and changes nothing', async () => {
    const other = await prisma.commune.create({ data: { code: 'xa-khac-zalo', name: 'Xã Khác' } });
    const before = await prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo', name: 'zalo-xa' } } });
    await expect(saveZaloCredentials(prisma, key, 'zalo-xa', { imei: 'ke-gian', userAgent: 'UA', cookie: [] }, other.id)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('xã khác') });
    const after = await prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo', name: 'zalo-xa' } } });
    expect(after.communeId).toBe(before.communeId);
    expect(after.credentialsEnc).toBe(before.credentialsEnc);
    // Its own commune logs in again under the name, and another name is free for the other commune.
    await expect(saveZaloCredentials(prisma, key, 'zalo-xa', { imei: 'imei-2', userAgent: 'UA', cookie: [] }, before.communeId)).resolves.toBe(before.id);
    await expect(saveZaloCredentials(prisma, key, 'zalo-xa-khac', { imei: 'imei-3', userAgent: 'UA', cookie: [] }, other.id)).resolves.toBeTypeOf('string');
  });
});
