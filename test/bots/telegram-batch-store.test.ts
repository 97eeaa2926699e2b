// A backlog drains at database speed: everything one getUpdates returned is stored in one
// transaction (the rows share one xmin), acknowledged (the next offset) only after the commit,
// and a process that stored a batch but died before acknowledging it replays it without a
// duplicate row or job. Against the real PostgreSQL and the local Bot API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { ensureChannelAccount } from '../../src/tickets/channel-accounts.ts';
import { inboxHandlers } from '../../src/tickets/inbox.ts';
import type { Enqueue } from '../../src/tickets/ticket-deps.ts';
import { createTelegramChannel, type TelegramChannel } from '../../bots/telegram/telegram-channel.ts';
import type { ChannelHandlers } from '../../bots/channel.ts';
import { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let api: FakeBotApi;
let apiRoot: string;
const channels: TelegramChannel[] = [];

beforeAll(async () => {
  db = await openMigratedTestDatabase('tgbatch', 6);
  await db.prisma.commune.create({ data: { code: 'xa-lo', name: 'Xã Lô' } });
  api = new FakeBotApi();
  ({ apiRoot } = await api.start());
}, 60_000);

afterAll(async () => {
  for (const c of channels) await c.stop();
  await api?.close();
  await db?.close();
});

function channel(): TelegramChannel {
  const c = createTelegramChannel({ token: api.token, apiRoot, log: silentLogger, mode: { kind: 'polling', timeoutSeconds: 1 } });
  channels.push(c);
  return c;
}

/** Records the jobs asked for (the queue's deterministic ids make a repeat a no-op). */
function recordingEnqueue(): { enqueue: Enqueue; jobIds: string[]; priorities: Array<number | undefined> } {
  const jobIds: string[] = [];
  const priorities: Array<number | undefined> = [];
  const enqueue = (async (_def: unknown, _data: unknown, o?: { jobId?: string; priority?: number }) => {
    jobIds.push(o?.jobId ?? '?');
    priorities.push(o?.priority);
  }) as unknown as Enqueue;
  return { enqueue, jobIds, priorities };
}

async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const countRows = async (accountId: string) => db.prisma.inboundMessage.count({ where: { channelAccountId: accountId } });

describe('Telegram updates stored in batches', () => {
  it('stores a backlog of 100 updates in one transaction, in order, and acknowledges them after it', async () => {
    const account = await ensureChannelAccount(db.prisma, { platform: 'telegram', name: 'telegram' });
    for (let i = 0; i < 100; i++) api.residentSends({ userId: 5000 + (i % 7), text: `Câu hỏi số ${i}` });
    const { enqueue, jobIds, priorities } = recordingEnqueue();
    await channel().start(inboxHandlers(db.prisma, enqueue, account.id, 'telegram'));
    await until(async () => (await countRows(account.id)) === 100);
    await until(async () => api.pendingUpdates === 0);

    // xmin: the transaction that wrote the row. One value for all 100: one transaction.
    const tx = await db.pool.query<{ n: string }>(`SELECT count(DISTINCT xmin::text) AS n FROM "InboundMessage" WHERE "channelAccountId" = $1`, [account.id]);
    expect(Number(tx.rows[0]!.n)).toBe(1);
    expect(new Set(jobIds).size).toBe(100);
    // A bot's backlog waits behind other communes' single messages in the shared queue.
    expect(priorities.every((p) => p === 100)).toBe(true);
    // A chat's messages keep their order (a batch's rows do not share one instant).
    const rows = await db.prisma.inboundMessage.findMany({ where: { channelAccountId: account.id }, orderBy: { receivedAt: 'asc' }, select: { payload: true } });
    const seq = rows.map((r) => Number(/số (\d+)/.exec((r.payload as { message: { text: string } }).message.text)![1]));
    expect(seq).toEqual([...seq].sort((a, b) => a - b));
    await channels.pop()!.stop();
  });

  it('a message on its own is queued ahead of any backlog (no priority)', async () => {
    const account = await ensureChannelAccount(db.prisma, { platform: 'telegram', name: 'telegram-1' });
    const { enqueue, priorities } = recordingEnqueue();
    const h = inboxHandlers(db.prisma, enqueue, account.id, 'telegram');
    const c = channel();
    await c.start(h);
    api.residentSends({ userId: 5900, text: 'Một tin thôi' });
    await until(async () => priorities.length === 1);
    expect(priorities).toEqual([undefined]);
    expect(await countRows(account.id)).toBe(1);
    await channels.pop()!.stop();
  });

  it('replays a batch stored but not acknowledged (the process died in between) without a duplicate', async () => {
    const account = await ensureChannelAccount(db.prisma, { platform: 'telegram', name: 'telegram-2' });
    for (let i = 0; i < 100; i++) api.residentSends({ userId: 6000 + (i % 9), text: `Phản ánh ${i}` });
    const first = recordingEnqueue();
    const real = inboxHandlers(db.prisma, first.enqueue, account.id, 'telegram');
    let stored = 0;
    // The batch commits, then the process "dies" before the next getUpdates would confirm it.
    const dying: ChannelHandlers = {
      ...real,
      onBatch: async (items) => {
        await real.onBatch!(items);
        stored += items.length;
        throw new Error('killed before acknowledging');
      },
      onMessage: async () => {
        throw new Error('killed before acknowledging');
      },
      onFailure: async () => 'retry',
    };
    const c1 = channel();
    await c1.start(dying);
    await until(async () => stored >= 100);
    await c1.stop();
    expect(await countRows(account.id)).toBe(100);
    expect(api.pendingUpdates).toBe(100);

    // The restarted process gets the same 100 updates again: nothing new is stored.
    const second = recordingEnqueue();
    await channel().start(inboxHandlers(db.prisma, second.enqueue, account.id, 'telegram'));
    await until(async () => api.pendingUpdates === 0);
    expect(await countRows(account.id)).toBe(100);
    const ids = new Set((await db.prisma.inboundMessage.findMany({ where: { channelAccountId: account.id }, select: { id: true } })).map((r) => `in-${r.id}`));
    // Still pending rows are queued again under the same job ids (a no-op in BullMQ), never new ones.
    expect(second.jobIds.length).toBe(100);
    expect(second.jobIds.every((j) => ids.has(j))).toBe(true);
  });
});
