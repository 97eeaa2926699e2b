// A follow-up's relay job lost with Redis's data: the recovery pass finds the follow-ups no admin-chat
// post shows and queues their relay again, and leaves alone what is shown or never relayed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { reconcileListening } from '../../src/tickets/reconcile.ts';
import type { RestoreJob } from '../../src/tickets/ticket-deps.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let communeId: string;

beforeAll(async () => {
  db = await openMigratedTestDatabase('reconcile_fu');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
});
afterAll(async () => db?.close());

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

describe('the recovery pass and follow-ups', () => {
  it('queues again the relay of follow-ups that no post shows, and only those', async () => {
    const category = await prisma.category.findUniqueOrThrow({ where: { code: 'HA_TANG' } });
    const resident = await prisma.resident.create({ data: { communeId, identities: { create: { platform: 'telegram', platformUserId: '8801', platformChatId: '8801' } } } });
    const t = await prisma.ticket.create({
      data: { code: 'PA-2026-88001', communeId, year: 2026, seq: 88001, residentId: resident.id, channel: 'telegram', status: 'new', categoryId: category.id, subject: 'Đường thôn 3 sạt', dueAt: new Date(Date.now() + 86_400_000), createdAt: minutesAgo(30) },
    });
    const msg = (text: string | null, at: Date, attachments: unknown[] = []) =>
      prisma.ticketMessage.create({ data: { ticketId: t.id, direction: 'inbound', channel: 'telegram', platformChatId: '8801', text, attachments: attachments as never, createdAt: at } });
    const first = await msg('Đường vào thôn 3 bị sạt một đoạn dài', minutesAgo(30));
    const inBurst = await msg('ngay cạnh cầu tràn', minutesAgo(29.8));
    await prisma.ticketAdminPost.create({ data: { ticketId: t.id, platform: 'telegram', platformChatId: '-100', platformMessageId: '-100:1', purpose: 'ticket', ticketMessageIds: [first.id, inBurst.id], createdAt: minutesAgo(29.5) } });
    const relayed = await msg('Hôm nay sạt thêm, xe máy không qua được', minutesAgo(20));
    await prisma.ticketAdminPost.create({ data: { ticketId: t.id, platform: 'telegram', platformChatId: '-100', platformMessageId: '-100:2', purpose: 'follow_up', ticketMessageIds: [relayed.id] } });
    const lostText = await msg('Có người bị ngã xe ở chỗ sạt rồi', minutesAgo(10));
    const lostPhoto = await msg(null, minutesAgo(9), [{ kind: 'photo', fileId: 'f1', platform: 'telegram' }]);
    await msg('cảm ơn xã ạ', minutesAgo(8));
    const tooNew = await msg('Xã cho người ra xem giúp với', new Date());

    const queued: string[] = [];
    const restore: RestoreJob = async (def, _data, o) => {
      if (def.name === 'follow-up') queued.push(o.jobId);
      return true;
    };
    const result = await reconcileListening({ prisma, enqueue: async () => 'x', restore, now: () => new Date() }, { olderThanMs: 60_000 });
    expect(queued.sort()).toEqual([`fu-${lostText.id}`, `fu-${lostPhoto.id}`].sort());
    expect(result.followUps).toBe(2);
    expect(queued).not.toContain(`fu-${tooNew.id}`);
  });

  it('counts nothing when the relay jobs still exist', async () => {
    const restore: RestoreJob = async () => false;
    const result = await reconcileListening({ prisma, enqueue: async () => 'x', restore, now: () => new Date() }, { olderThanMs: 60_000 });
    expect(result.followUps).toBe(0);
  });
});
