// A personal Zalo account logged in without a commune (`loaxa zalo login` with no --commune). With
// one commune it can only be that commune's; among several, nothing tells which, so its messages
// are refused (logged, and `loaxa doctor` says why) instead of feeding the demo commune.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { ensureCategories } from '../../src/catalog/ensure-categories.ts';
import { createTicketDeps } from '../../src/tickets/ticket-runtime.ts';
import { storeInboundBatch } from '../../src/tickets/inbox.ts';
import { processInbound } from '../../src/tickets/process-inbound.ts';
import { communeChannelReport } from '../../src/channels/commune-channels.ts';
import { DEMO_COMMUNE_CODE } from '../../src/demo/demo-communes.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let deps: Awaited<ReturnType<typeof createTicketDeps>>;
let accountId = '';
const logged: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  db = await openMigratedTestDatabase('unattached');
  prisma = db.prisma;
  await ensureCategories(prisma);
  accountId = (await prisma.channelAccount.create({ data: { platform: 'zalo', name: 'zalo-chung', status: 'connected' } })).id;
  const log = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  deps = await createTicketDeps({ prisma, log, settings: loadSettings({ DATA_DIR: '/tmp/loaxa-unused' }), enqueue: async () => 'job', cancelJob: async () => true });
});
afterAll(async () => {
  deps?.stop();
  await db?.close();
});

async function writes(userId: string) {
  const [stored] = await storeInboundBatch(prisma, deps.enqueue, [{
    kind: 'message',
    message: { platform: 'zalo', accountId: 'zalo-chung', platformMessageId: `m-${userId}`, chatId: userId, chatKind: 'private', userId, text: 'Xin chào xã', attachments: [], receivedAt: new Date() },
  }], accountId);
  return processInbound(deps, stored!.inboundId);
}

describe('an account attached to no commune', () => {
  it("serves the installation's only commune", async () => {
    const only = await prisma.commune.create({ data: { code: 'xa-duy-nhat', name: 'Xã Duy Nhất' } });
    expect((await writes('u1')).note).not.toBe('account_without_commune');
    expect(await prisma.resident.count({ where: { communeId: only.id } })).toBe(1);
  });

  it('among several communes serves none, not even the demo one, and says so', async () => {
    const demo = await prisma.commune.create({ data: { code: DEMO_COMMUNE_CODE, name: 'Xã Mẫu' } });
    const r = await writes('u2');
    expect(r).toMatchObject({ status: 'ignored', note: 'account_without_commune' });
    expect(await prisma.resident.count({ where: { communeId: demo.id } })).toBe(0);
    expect((await prisma.inboundMessage.findFirstOrThrow({ where: { platformUserId: 'u2' } })).error).toBe('account_without_commune');
    // Logged with the account, never what the person wrote.
    const line = logged.find((l) => l.accountId === accountId);
    expect(line).toMatchObject({ platform: 'zalo', communes: 2 });
    expect(JSON.stringify(logged)).not.toContain('Xin chào');

    const report = await communeChannelReport(prisma, undefined, { telegramToken: false, zaloBotToken: false });
    const stray = report.find((c) => c.code === null)!;
    expect(stray.channels.map((l) => l.id)).toEqual([accountId]);
    expect(stray.missing.join(' ')).toContain('bị bỏ qua');
    expect(stray.missing.join(' ')).not.toContain('Xã Mẫu');
  });
});
