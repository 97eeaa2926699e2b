// A restored backlog (tickets never posted, overdue checks: what a fresh demo's history or a Redis
// that lost its data leaves) must not hold up a resident writing now: the new ticket's post goes
// to the admin chat before the backlog's posts and notices, and the backlog still goes out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { outboundHandlers } from '../../src/tickets/outbound-delivery.ts';
import { processInbound } from '../../src/tickets/process-inbound.ts';
import { reconcileListening } from '../../src/tickets/reconcile.ts';
import { reconcileDeadlines } from '../../src/tickets/reconcile-deadlines.ts';
import { runDeadlineCheck } from '../../src/tickets/deadlines.ts';
import { deadlineJob } from '../../src/tickets/ticket-jobs.ts';

let h: ListeningHarness;
beforeAll(async () => {
  h = await startListeningHarness({ env: { TICKET_BURST_SECONDS: '0' } });
  await h.settle();
  // Nothing runs until the test says so: the backlog is queued first, as at a fresh start.
  await h.stopWorkers();
});
afterAll(async () => {
  await h?.close();
});

const RESIDENT = 6101;
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

describe('a restored backlog and a resident writing now', () => {
  it("posts the new ticket before the backlog's posts and overdue notices, and keeps the backlog", async () => {
    const { prisma, communeId } = h;
    const account = await prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'telegram', name: h.telegram.accountId } } });
    const category = await prisma.category.findUniqueOrThrow({ where: { code: 'HA_TANG' } });
    const writer = await prisma.resident.create({ data: { communeId, consentGivenAt: new Date(), consentVersion: 'test' } });
    await prisma.residentIdentity.create({ data: { residentId: writer.id, platform: 'telegram', platformUserId: String(RESIDENT), platformChatId: String(RESIDENT), channelAccountId: account.id } });

    // Half an hour old, never posted, their answer already overdue.
    const old = await prisma.resident.create({ data: { communeId } });
    const backlog: Array<{ id: string; subject: string | null; createdAt: Date }> = [];
    for (let i = 0; i < 4; i++) {
      backlog.push(
        await prisma.ticket.create({
          data: { code: `PA-2026-7710${i}`, communeId, year: 2026, seq: 77100 + i, residentId: old.id, channel: 'telegram', status: 'new', categoryId: category.id, subject: `Phản ánh cũ số ${i}`, receiveDueAt: minutesAgo(10), dueAt: minutesAgo(5), createdAt: minutesAgo(30) },
        }),
      );
    }
    for (const t of backlog) await prisma.ticketMessage.create({ data: { ticketId: t.id, direction: 'inbound', channel: 'telegram', platformChatId: '7710', text: t.subject, createdAt: t.createdAt } });

    const restore = h.queues.restore.bind(h.queues);
    const enqueue = h.queues.enqueue.bind(h.queues);
    const listening = await reconcileListening({ prisma, enqueue, restore, now: () => new Date() }, { olderThanMs: 10_000 });
    expect(listening.posts).toBeGreaterThanOrEqual(backlog.length);
    const deadlines = await reconcileDeadlines({ ...h.deps, restore });
    expect(deadlines.overdue).toBeGreaterThanOrEqual(backlog.length);

    // The overdue checks run and queue their notices for the admin chat.
    const reminders = h.queues.startWorker('reminders', { [deadlineJob.name]: async (d: Parameters<typeof runDeadlineCheck>[1]) => runDeadlineCheck(h.deps, d) }, { concurrency: 2 });
    await expect.poll(async () => {
      const d = (await h.queues.depths()).reminders;
      return d.waiting + d.prioritized + d.active;
    }, { timeout: 30_000 }).toBe(0);
    await reminders.close();

    // Now a resident writes; the message is stored by the bot and made a ticket.
    h.api.residentSends({ userId: RESIDENT, text: 'Nhà văn hoá thôn 2 bị dột mái, mưa to là ngập cả sàn' });
    let inbound: { id: string } | null = null;
    await expect.poll(async () => (inbound = await prisma.inboundMessage.findFirst({ where: { platformUserId: String(RESIDENT), status: 'pending' } })), { timeout: 15_000 }).toBeTruthy();
    await processInbound(h.deps, inbound!.id);
    const fresh = await prisma.ticket.findFirstOrThrow({ where: { residentId: writer.id } });

    // One send at a time, so the order is the queue's order.
    const before = h.api.sentTo(ADMIN_CHAT).length;
    const outbound = h.queues.startWorker('outbound', outboundHandlers({ ...h.deps, channels: new ChannelDirectory().register(h.telegram), dataDir: h.dataDir }), { concurrency: 1 });
    try {
      await expect.poll(() => h.api.sentTo(ADMIN_CHAT).length, { timeout: 30_000 }).toBeGreaterThan(before);
      expect(h.api.sentTo(ADMIN_CHAT)[before]!.text).toContain(fresh.code);
      // The backlog is behind it, not dropped: every backlog ticket gets its post.
      await expect.poll(() => prisma.ticketAdminPost.count({ where: { ticketId: { in: backlog.map((t) => t.id) }, purpose: 'ticket' } }), { timeout: 60_000 }).toBe(backlog.length);
    } finally {
      await outbound.close();
    }
  }, 180_000);
});
