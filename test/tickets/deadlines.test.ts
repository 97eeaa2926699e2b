// Deadlines as delayed jobs: planned at creation in working time, a reminder under the ticket's
// post when due, escalation to the leader when overdue, nothing once the ticket is answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { closeReasonButtonData } from '../../src/tickets/close-reasons.ts';

let h: ListeningHarness;
beforeAll(async () => {
  h = await startListeningHarness();
});
afterAll(async () => {
  await h?.close();
});

const RESIDENT = 6001;

async function newTicket(text: string) {
  h.api.residentSends({ userId: RESIDENT, text: '/start' });
  await h.settle();
  const prompt = h.api.sentTo(RESIDENT).at(-1)!;
  const agree = prompt.replyMarkup?.inline_keyboard.flat().find((b) => b.text === 'Tôi đồng ý');
  if (agree) {
    h.api.pressButton({ chatId: RESIDENT, messageId: prompt.messageId, userId: RESIDENT, data: agree.callback_data });
    await h.settle();
  }
  h.api.residentSends({ userId: RESIDENT, text: '/moi' });
  h.api.residentSends({ userId: RESIDENT, text });
  await h.settle();
  return h.prisma.ticket.findFirstOrThrow({ orderBy: { createdAt: 'desc' }, include: { adminPosts: true } });
}

async function fire(jobId: string) {
  const job = await h.queues.queue('reminders').getJob(jobId);
  expect(job, jobId).toBeDefined();
  await job!.promote();
  for (let i = 0; i < 200 && (await h.queues.queue('reminders').getJobState(jobId)) !== 'completed'; i++) await new Promise((r) => setTimeout(r, 25));
  await h.settle();
}

describe('deadlines', () => {
  it('plans receive, reminder and escalation checks in working time at creation', async () => {
    const t = await newTicket('Đèn đường xóm 5 hỏng cả tuần nay');
    expect(t.dueAt!.getTime()).toBeGreaterThan(t.createdAt.getTime() + 5 * 24 * 3600_000 - 1);
    expect(t.receiveDueAt!.getTime()).toBeLessThan(t.dueAt!.getTime());
    const jobs = await h.queues.queue('reminders').getJobs(['delayed']);
    const ids = jobs.filter((j) => j.data.ticketId === t.id).map((j) => j.id!.replace(`dl-${t.id}-0-`, '')).sort();
    expect(ids).toEqual(['escalate', 'receive', 'remind0', 'remind1']);
    const escalate = jobs.find((j) => j.id === `dl-${t.id}-0-escalate`)!;
    expect(Math.abs(escalate.timestamp + escalate.delay - t.dueAt!.getTime())).toBeLessThan(5000);
  });

  it('reminds under the ticket post, escalates to the leader when overdue, and stops once answered', async () => {
    const t = await newTicket('Cống thoát nước đầu thôn bị tắc, mưa là ngập');
    const post = t.adminPosts.find((p) => p.purpose === 'ticket')!;
    await fire(`dl-${t.id}-0-receive`);
    const receive = h.api.sentTo(ADMIN_CHAT).at(-1)!;
    expect(receive.text).toContain(`⏰ Phiếu ${t.code} đã quá hạn tiếp nhận`);
    expect(`${ADMIN_CHAT}:${receive.replyTo}`).toBe(post.platformMessageId);

    const leaderTelegram = 8801;
    await h.linkStaff('chutich', leaderTelegram);
    await fire(`dl-${t.id}-0-escalate`);
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('đã quá hạn trả lời');
    expect(h.api.sentTo(leaderTelegram).at(-1)!.text).toContain('Xin lãnh đạo chỉ đạo');
    const events = await h.prisma.ticketEvent.findMany({ where: { ticketId: t.id, type: { in: ['reminder_sent', 'escalated'] } } });
    expect(events.map((e) => e.type).sort()).toEqual(['escalated', 'reminder_sent']);
    expect(await h.prisma.auditLog.count({ where: { action: 'ticket.escalate', entityId: t.id } })).toBe(1);

    // The assignee, once linked, is also reminded in private.
    const cadre = 7301;
    await h.linkStaff('giaothong', cadre);
    await h.prisma.ticket.update({ where: { id: t.id }, data: { assigneeId: (await h.prisma.staff.findUniqueOrThrow({ where: { username: 'giaothong' } })).id } });
    await fire(`dl-${t.id}-0-remind0`);
    expect(h.api.sentTo(cadre).at(-1)!.text).toContain(`phiếu ${t.code} phải trả lời trước`);

    // Answered: the remaining checks do nothing.
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: cadre, replyTo: Number(post.platformMessageId.split(':')[1]), text: 'Đã cho người thông cống.' });
    await h.settle();
    const before = h.api.sentTo(ADMIN_CHAT).length;
    await fire(`dl-${t.id}-0-remind1`);
    expect(h.api.sentTo(ADMIN_CHAT).length).toBe(before);
  });
});

describe('deadlines of a closed ticket', () => {
  it('are removed from the queue', async () => {
    const t = await newTicket('Mương thoát nước xóm 3 bị lấp, đề nghị nạo vét');
    const post = t.adminPosts.find((p) => p.purpose === 'ticket')!;
    const messageId = Number(post.platformMessageId.split(':')[1]);
    const sent = h.api.sentTo(ADMIN_CHAT).find((m) => m.messageId === messageId)!;
    const close = sent.replyMarkup!.inline_keyboard.flat().find((b) => b.text === 'Đóng')!;
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId, userId: 7301, data: close.callback_data });
    await h.settle();
    // Unanswered: closing asks for a reason first; the first common one is chosen.
    const question = h.api.sentTo(ADMIN_CHAT).findLast((m) => m.replyMarkup?.inline_keyboard.flat().some((b) => b.callback_data === closeReasonButtonData(t.id, 0)))!;
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: question.messageId, userId: 7301, data: closeReasonButtonData(t.id, 0) });
    await h.settle();
    expect((await h.prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('closed');
    for (const k of ['receive', 'remind0', 'remind1', 'escalate']) expect(await h.queues.queue('reminders').getJob(`dl-${t.id}-0-${k}`)).toBeUndefined();
  });
});
