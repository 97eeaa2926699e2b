// The notice of an update set aside names its platform as people name it, from the one platform
// list (src/channels/platform-names.ts) that every staff and resident text uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFailedUpdate, QUARANTINE_AFTER_ATTEMPTS } from '../../src/tickets/quarantine.ts';
import { channelName } from '../../src/channels/platform-names.ts';
import type { Platform } from '../../bots/channel.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
const accounts: Partial<Record<Platform, string>> = {};

beforeAll(async () => {
  db = await openMigratedTestDatabase('quarantine_notice', 2);
  const commune = await db.prisma.commune.create({ data: { code: 'qn', name: 'Xã Thử Tin Lỗi' } });
  await db.prisma.channelAccount.create({ data: { communeId: commune.id, platform: 'telegram', name: 'telegram-qn', status: 'connected', settings: { adminChatId: '-100777' } } });
  for (const platform of ['webchat', 'zalo_bot'] as const) {
    accounts[platform] = (await db.prisma.channelAccount.create({ data: { communeId: commune.id, platform, name: `${platform}-qn`, status: 'connected' } })).id;
  }
});
afterAll(async () => {
  await db?.close();
});

describe('quarantine notice', () => {
  it.each(['webchat', 'zalo_bot'] as const)('names %s as every other text does', async (platform) => {
    const sent: string[] = [];
    const enqueue = async (_job: unknown, data: unknown) => {
      sent.push((data as { text: string }).text);
      return 'job';
    };
    for (let i = 0; i < QUARANTINE_AFTER_ATTEMPTS; i++) {
      await recordFailedUpdate(db.prisma, enqueue as never, { platform, channelAccountId: accounts[platform]!, updateKey: `u-${platform}`, raw: { x: 1 }, error: 'hỏng' });
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain(`Có một tin nhắn gửi đến qua ${channelName(platform)} không lưu được sau ${QUARANTINE_AFTER_ATTEMPTS} lần thử`);
  });
});
