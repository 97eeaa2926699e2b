// The installation's own channels (web chat, TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN) must serve a
// commune even when the installation has several: `npm start` seeds a province of three, and
// residents' messages to an unattached account were ignored ("account_without_commune").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { ensureChannelAccount, homeCommuneId } from '../../src/tickets/channel-accounts.ts';
import { DEMO_COMMUNE_CODE } from '../../src/demo/demo-communes.ts';

let db: MigratedTestDatabase;
beforeAll(async () => {
  db = await openMigratedTestDatabase('home-commune');
});
afterAll(async () => {
  await db?.close();
});

const commune = (code: string) => db.prisma.commune.create({ data: { code, name: `Xã ${code}` } });

describe("the installation's home commune", () => {
  it('is the only commune, then the demo commune among several, then the one COMMUNE_CODE names', async () => {
    expect(await homeCommuneId(db.prisma)).toBeNull();
    const only = await commune('mot-xa');
    expect(await homeCommuneId(db.prisma)).toBe(only.id);
    await commune('hai-xa');
    // Several communes and no demo: nothing tells which one, so nothing is guessed.
    expect(await homeCommuneId(db.prisma)).toBeNull();
    const demo = await commune(DEMO_COMMUNE_CODE);
    expect(await homeCommuneId(db.prisma)).toBe(demo.id);
    expect(await homeCommuneId(db.prisma, 'hai-xa')).not.toBe(demo.id);
    await expect(homeCommuneId(db.prisma, 'khong-co')).rejects.toMatchObject({ name: 'OperatorError', message: expect.stringContaining('COMMUNE_CODE') });
  });

  it('attaches the shortcut bot and the web chat among several communes, and COMMUNE_CODE moves them', async () => {
    const demo = await db.prisma.commune.findUniqueOrThrow({ where: { code: DEMO_COMMUNE_CODE } });
    const web = await ensureChannelAccount(db.prisma, { platform: 'webchat', name: 'webchat' });
    expect(web.communeId).toBe(demo.id);
    const tg = await ensureChannelAccount(db.prisma, { platform: 'telegram', name: 'bot_xa', adminChatId: '-100' });
    expect(tg.communeId).toBe(demo.id);
    // Started again without the setting: it keeps its commune.
    expect((await ensureChannelAccount(db.prisma, { platform: 'telegram', name: 'bot_xa' })).communeId).toBe(demo.id);
    const other = await db.prisma.commune.findUniqueOrThrow({ where: { code: 'hai-xa' } });
    expect((await ensureChannelAccount(db.prisma, { platform: 'telegram', name: 'bot_xa', communeCode: 'hai-xa' })).communeId).toBe(other.id);
    // A wrong code stops the start with a sentence for the operator and changes nothing.
    await expect(ensureChannelAccount(db.prisma, { platform: 'telegram', name: 'bot_xa', communeCode: 'sai-ma' })).rejects.toMatchObject({ name: 'OperatorError' });
    expect((await db.prisma.channelAccount.findFirstOrThrow({ where: { name: 'bot_xa' } })).communeId).toBe(other.id);
  });
});
