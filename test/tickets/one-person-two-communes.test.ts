// One Telegram user writes to commune A's bot and to commune B's bot. Telegram gives both private
// chats the same chat id (the user's id) and numbers each chat's messages from 1, so the two
// conversations share chat and message ids; they are still two residents of two communes, each
// asked for consent by its own commune, each ticket landing in the commune whose bot was asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { InboundItem } from '../../bots/channel.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { ensureCategories } from '../../src/catalog/ensure-categories.ts';
import { createTicketDeps } from '../../src/tickets/ticket-runtime.ts';
import { storeInboundBatch } from '../../src/tickets/inbox.ts';
import { processInbound } from '../../src/tickets/process-inbound.ts';
import { sendDirectJob } from '../../src/tickets/ticket-jobs.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let deps: Awaited<ReturnType<typeof createTicketDeps>>;
const sent: Array<{ accountId: string; chatId: string; text: string; buttons?: Array<Array<{ data: string }>> }> = [];
const bots: Record<'a' | 'b', { communeId: string; accountId: string; name: string }> = {} as never;
const USER = '7700123';

beforeAll(async () => {
  db = await openMigratedTestDatabase('two_communes');
  prisma = db.prisma;
  await ensureCategories(prisma);
  for (const k of ['a', 'b'] as const) {
    const c = await prisma.commune.create({ data: { code: `xa-${k}`, name: `Xã ${k.toUpperCase()}` } });
    const acc = await prisma.channelAccount.create({ data: { platform: 'telegram', name: `bot_xa_${k}`, communeId: c.id, status: 'connected', settings: { adminChatId: `-100${k === 'a' ? 1 : 2}` } } });
    bots[k] = { communeId: c.id, accountId: acc.id, name: acc.name };
  }
  deps = await createTicketDeps({
    prisma,
    log: silentLogger,
    settings: loadSettings({ DATA_DIR: '/tmp/loaxa-unused', TICKET_BURST_SECONDS: '0' }),
    // What the bots would send to the resident, with the bot that sends it.
    enqueue: async (def, data) => {
      const d = data as { accountId?: string; chatId?: string; text?: string; buttons?: Array<Array<{ data: string }>> };
      if (def.name === sendDirectJob.name && d.text) sent.push({ accountId: d.accountId!, chatId: d.chatId!, text: d.text, ...(d.buttons ? { buttons: d.buttons } : {}) });
      return 'job';
    },
    cancelJob: async () => true,
  });
});
afterAll(async () => {
  deps?.stop();
  await db?.close();
});

async function deliver(k: 'a' | 'b', item: InboundItem) {
  const [stored] = await storeInboundBatch(prisma, deps.enqueue, [item], bots[k].accountId);
  expect(stored!.duplicate).toBe(false);
  return processInbound(deps, stored!.inboundId);
}
const writes = (k: 'a' | 'b', messageId: number, text: string, command?: { name: string; args: string }) =>
  deliver(k, {
    kind: 'message',
    message: { platform: 'telegram', accountId: bots[k].name, platformMessageId: String(messageId), chatId: USER, chatKind: 'private', userId: USER, userName: 'Chị Lan', text, attachments: [], receivedAt: new Date(), ...(command ? { command } : {}) },
  });
const agrees = (k: 'a' | 'b', actionId: string) =>
  deliver(k, { kind: 'action', action: { platform: 'telegram', accountId: bots[k].name, actionId, chatId: USER, chatKind: 'private', userId: USER, userName: 'Chị Lan', messageId: '2', data: 'consent:yes' } });
const lastTo = (k: 'a' | 'b') => sent.filter((s) => s.accountId === bots[k].name).at(-1)!;

describe('one person writing to the bots of two communes', () => {
  it("is asked for consent by each commune, and each question becomes that commune's ticket", async () => {
    expect((await writes('a', 1, 'Đèn đường ở thôn Đông bị hỏng cả tháng nay')).note).toBe('awaiting_consent');
    expect((await agrees('a', 'cb-a-1')).note).toBe('consent_given');
    // Message 1 of the chat with bot B: same chat id and message id as the first one to bot A.
    expect((await writes('b', 1, 'Rác thải đổ bừa bãi cạnh chợ, xin xã cho dọn')).note).toBe('awaiting_consent');
    expect(lastTo('b').text).toContain('Xã B');
    expect(lastTo('b').buttons?.flat().map((b) => b.data)).toContain('consent:yes');
    // Nothing of commune B's yet: the consent given to commune A does not hold for it.
    expect(await prisma.ticket.count({ where: { communeId: bots.b.communeId } })).toBe(0);
    expect((await agrees('b', 'cb-b-1')).note).toBe('consent_given');

    const tickets = await prisma.ticket.findMany({ include: { messages: true, resident: { include: { identities: true } } }, orderBy: { createdAt: 'asc' } });
    expect(tickets.map((t) => [t.communeId, t.messages.find((m) => m.direction === 'inbound')?.text?.slice(0, 8)])).toEqual([
      [bots.a.communeId, 'Đèn đườn'],
      [bots.b.communeId, 'Rác thải'],
    ]);
    // Two residents, one per commune, each with the identity of the bot they wrote to.
    expect(tickets[0]!.residentId).not.toBe(tickets[1]!.residentId);
    expect(tickets.map((t) => t.resident.communeId)).toEqual([bots.a.communeId, bots.b.communeId]);
    expect(tickets.map((t) => t.resident.identities.map((i) => i.channelAccountId))).toEqual([[bots.a.accountId], [bots.b.accountId]]);
  });

  it("answers /tracuu from each bot with that commune's ticket", async () => {
    // Both communes' first ticket is PA-<year>-00001.
    const [a, b] = await Promise.all(['a', 'b'].map((k) => prisma.ticket.findFirstOrThrow({ where: { communeId: bots[k as 'a' | 'b'].communeId } })));
    expect(a!.code).toBe(b!.code);
    await writes('b', 3, `/tracuu ${b!.code}`, { name: 'tracuu', args: b!.code });
    expect(lastTo('b').text).toContain(b!.code);
    expect(lastTo('b').text).toContain('Môi trường, vệ sinh');
    await writes('a', 3, `/tracuu ${a!.code}`, { name: 'tracuu', args: a!.code });
    expect(lastTo('a').text).not.toContain('Môi trường, vệ sinh');
  });

  it('keeps following up each conversation in its own commune', async () => {
    await writes('a', 4, 'Bổ sung: đèn ở gần nhà văn hóa thôn Đông');
    const a = await prisma.ticket.findFirstOrThrow({ where: { communeId: bots.a.communeId }, include: { messages: { where: { direction: 'inbound' } } } });
    const b = await prisma.ticket.findFirstOrThrow({ where: { communeId: bots.b.communeId }, include: { messages: { where: { direction: 'inbound' } } } });
    expect(a.messages.map((m) => m.text)).toContain('Bổ sung: đèn ở gần nhà văn hóa thôn Đông');
    expect(b.messages.map((m) => m.text)).not.toContain('Bổ sung: đèn ở gần nhà văn hóa thôn Đông');
  });
});
