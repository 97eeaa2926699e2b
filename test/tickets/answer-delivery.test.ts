// Truthful delivery of answers over the real telegraf adapter and the local Bot API server: an
// answer's state is what Telegram said, the admin chat and the web page say the same, and an
// answer refused because the resident blocked the bot reaches them once they are back — once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { deliveryLabel } from '../../src/tickets/answer-delivery.ts';
import { outboundHandlers } from '../../src/tickets/outbound-delivery.ts';
import { sendTicketMessageJob } from '../../src/tickets/ticket-jobs.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { ChannelError, type Channel } from '../../bots/channel.ts';
import { silentLogger } from '../../src/logger.ts';

let h: ListeningHarness;
beforeAll(async () => {
  h = await startListeningHarness();
  await h.linkStaff('giaothong', CADRE);
});
afterAll(async () => {
  await h?.close();
});

const CADRE = 7101;
const DAY = 24 * 3600_000;
const buttonsOf = (m: { replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } } | undefined) =>
  (m?.replyMarkup?.inline_keyboard ?? []).flat();

async function residentWithTicket(userId: number, question: string): Promise<{ ticketId: string; postMessageId: number }> {
  h.api.residentSends({ userId, text: '/start', firstName: 'Ông Năm' });
  await h.settle();
  const prompt = h.api.sentTo(userId).at(-1)!;
  h.api.pressButton({ chatId: userId, messageId: prompt.messageId, userId, data: buttonsOf(prompt).find((b) => b.text === 'Tôi đồng ý')!.callback_data });
  await h.settle();
  h.api.residentSends({ userId, text: question });
  await h.settle();
  const ticket = await h.prisma.ticket.findFirstOrThrow({ where: { resident: { identities: { some: { platformUserId: String(userId) } } } }, orderBy: { createdAt: 'desc' } });
  const post = await h.prisma.ticketAdminPost.findFirstOrThrow({ where: { ticketId: ticket.id, purpose: 'ticket' } });
  return { ticketId: ticket.id, postMessageId: Number(post.platformMessageId.split(':')[1]) };
}

/** Moves everything stored about this resident's conversation back in time, as if it were then. */
async function shiftBack(userId: number, ms: number): Promise<void> {
  const chat = String(userId);
  await h.prisma.$executeRaw`UPDATE "TicketMessage" SET "createdAt" = "createdAt" - ${ms} * interval '1 millisecond' WHERE "ticketId" IN (SELECT t.id FROM "Ticket" t JOIN "ResidentIdentity" i ON i."residentId" = t."residentId" WHERE i."platformUserId" = ${chat})`;
  await h.prisma.$executeRaw`UPDATE "Ticket" SET "updatedAt" = "updatedAt" - ${ms} * interval '1 millisecond', "answeredAt" = "answeredAt" - ${ms} * interval '1 millisecond' WHERE "residentId" IN (SELECT "residentId" FROM "ResidentIdentity" WHERE "platformUserId" = ${chat})`;
  await h.prisma.$executeRaw`UPDATE "InboundMessage" SET "receivedAt" = "receivedAt" - ${ms} * interval '1 millisecond' WHERE "platformUserId" = ${chat}`;
  await h.prisma.$executeRaw`UPDATE "ResidentIdentity" SET "unreachableAt" = "unreachableAt" - ${ms} * interval '1 millisecond' WHERE "platformUserId" = ${chat}`;
}

describe('an answer to a resident who blocked the bot', () => {
  const RESIDENT = 6101;
  const ANSWER = 'Thứ hai tuần sau xe rác của xã vào thu gom ở đầu thôn 2.';
  let ticketId = '';

  it('is recorded as refused, and the admin chat is told so — never "sent"', async () => {
    const t = await residentWithTicket(RESIDENT, 'Rác ở bãi tập kết đầu thôn 2 đã hai tuần chưa chở đi');
    ticketId = t.ticketId;
    h.api.blockUser(RESIDENT);
    const before = h.api.sentTo(ADMIN_CHAT).length;
    const cadreMsg = h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: t.postMessageId, text: ANSWER });
    await h.settle();

    const row = await h.prisma.ticketMessage.findFirstOrThrow({ where: { ticketId, text: { contains: 'xe rác của xã' } } });
    expect(row.deliveryStatus).toBe('refused');
    expect(row.deliveryError).toBe('blocked');
    expect((await h.prisma.residentIdentity.findFirstOrThrow({ where: { platformUserId: String(RESIDENT) } })).unreachableAt).not.toBeNull();

    const group = h.api.sentTo(ADMIN_CHAT).slice(before);
    expect(group.some((m) => m.text?.includes('Đã gửi trả lời'))).toBe(false);
    const told = group.filter((m) => m.text?.includes('chưa tới người dân'));
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain('chặn');
    expect(told[0]!.text).toContain('nhắn tin lại');
    expect(told[0]!.replyTo).toBe(cadreMsg);
    // The web page shows the same state under the answer.
    expect(deliveryLabel(row.deliveryStatus, row.deliveryError)).toContain('chưa tới người dân');
    expect(deliveryLabel(row.deliveryStatus, row.deliveryError)).toContain('chặn');
  });

  it('a day later the resident unblocks and writes: the answer arrives then, once, and the cadres hear it once', async () => {
    await shiftBack(RESIDENT, DAY);
    h.api.unblockUser(RESIDENT);
    const groupBefore = h.api.sentTo(ADMIN_CHAT).length;
    h.api.residentSends({ userId: RESIDENT, text: 'Xin lỗi, hôm qua tôi lỡ tay chặn. Có trả lời chưa ạ?' });
    h.api.residentSends({ userId: RESIDENT, text: 'Tôi vẫn chờ ạ' });
    await h.settle();
    h.api.residentSends({ userId: RESIDENT, text: 'Cảm ơn' });
    await h.settle();

    const delivered = h.api.sentTo(RESIDENT).filter((m) => m.text?.includes('xe rác của xã'));
    expect(delivered).toHaveLength(1);
    const row = await h.prisma.ticketMessage.findFirstOrThrow({ where: { ticketId, text: { contains: 'xe rác của xã' } } });
    expect(row.deliveryStatus).toBe('sent');
    expect(row.sentAt).not.toBeNull();
    expect((await h.prisma.residentIdentity.findFirstOrThrow({ where: { platformUserId: String(RESIDENT) } })).unreachableAt).toBeNull();
    // The rating question follows the answer, as after a first delivery.
    expect(h.api.sentTo(RESIDENT).filter((m) => m.text?.includes('hài lòng')).length).toBe(1);
    const group = h.api.sentTo(ADMIN_CHAT).slice(groupBefore);
    expect(group.filter((m) => m.text?.includes('đã tới người dân'))).toHaveLength(1);
    expect(deliveryLabel(row.deliveryStatus, row.deliveryError)).toBe('đã tới người dân');
  });

  it('an answer that reached the resident is confirmed to the cadre only after Telegram accepted it', async () => {
    const r = 6102;
    const t = await residentWithTicket(r, 'Đường bê tông liên thôn bị nứt, xe tải qua lún');
    h.api.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway', chatId: String(r) });
    const cadreMsg = h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: t.postMessageId, text: 'Xã đã báo đơn vị thi công sửa trong tuần này.' });
    await h.settle(30_000);
    const row = await h.prisma.ticketMessage.findFirstOrThrow({ where: { ticketId: t.ticketId, text: { contains: 'đơn vị thi công' } } });
    expect(row.deliveryStatus).toBe('sent');
    const confirmation = h.api.sentTo(ADMIN_CHAT).find((m) => m.replyTo === cadreMsg)!;
    expect(confirmation.text).toContain('Đã gửi trả lời');
    const answerSent = h.api.sentTo(r).find((m) => m.text?.includes('đơn vị thi công'))!;
    expect(confirmation.at).toBeGreaterThanOrEqual(answerSent.at);
    expect(buttonsOf(confirmation).map((b) => b.text)).toEqual(['Đưa vào hỏi đáp']);
  });

  it('Telegram telling that the resident unblocked the bot is enough: the answer goes out without a message', async () => {
    const r = 6103;
    const t = await residentWithTicket(r, 'Cống thoát nước trước nhà văn hoá thôn 4 bị tắc');
    h.api.blockUser(r);
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: t.postMessageId, text: 'Chiều nay tổ vệ sinh thôn sẽ nạo vét cống.' });
    await h.settle();
    expect((await h.prisma.ticketMessage.findFirstOrThrow({ where: { ticketId: t.ticketId, text: { contains: 'nạo vét' } } })).deliveryStatus).toBe('refused');
    h.api.unblockUser(r, { notify: true });
    await h.settle();
    expect(h.api.sentTo(r).filter((m) => m.text?.includes('nạo vét'))).toHaveLength(1);
  });

  it('is offered on another channel the resident has used, and not sent twice when they come back', async () => {
    const r = 6104;
    const t = await residentWithTicket(r, 'Trường tiểu học có nhận học sinh trái tuyến không ạ');
    // The same person also wrote from the web chat (one resident, two identities).
    const resident = await h.prisma.resident.findFirstOrThrow({ where: { identities: { some: { platformUserId: String(r) } } } });
    const wcAccount = await h.prisma.channelAccount.findFirstOrThrow({ where: { platform: 'webchat' } });
    const session = 'wc-session-6104';
    await h.prisma.residentIdentity.create({ data: { residentId: resident.id, platform: 'webchat', platformUserId: session, platformChatId: session, channelAccountId: wcAccount.id } });
    h.api.blockUser(r);
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: t.postMessageId, text: 'Trường nhận nếu còn chỗ; gia đình mang hộ khẩu lên đăng ký.' });
    await h.settle();
    const rows = await h.prisma.ticketMessage.findMany({ where: { ticketId: t.ticketId, text: { contains: 'còn chỗ' } }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((m) => `${m.channel}:${m.deliveryStatus}`)).toEqual(['telegram:refused', 'webchat:sent']);
    const notice = h.api.sentTo(ADMIN_CHAT).find((m) => m.text?.includes(`chưa tới người dân`) && m.text.includes('trang hỏi đáp của xã'));
    expect(notice).toBeDefined();

    h.api.unblockUser(r);
    h.api.residentSends({ userId: r, text: 'Cảm ơn ạ' });
    await h.settle();
    expect(h.api.sentTo(r).filter((m) => m.text?.includes('còn chỗ'))).toHaveLength(0);
  });

  it('an answer whose every attempt failed is "failed", told once, and re-sent when the resident writes', async () => {
    const r = 6105;
    const t = await residentWithTicket(r, 'Xin hỏi thủ tục đăng ký khai sinh cho cháu');
    await h.stopWorkers();
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: t.postMessageId, text: 'Gia đình mang giấy chứng sinh ra bộ phận một cửa của xã.' });
    // The inbound job runs; the answer's send job is run by hand against a network that never answers.
    await h.api.waitFor(() => h.api.pendingUpdates === 0);
    const { processInbound } = await import('../../src/tickets/process-inbound.ts');
    const pending = await h.prisma.inboundMessage.findMany({ where: { status: 'pending' } });
    for (const p of pending) await processInbound(h.deps, p.id);
    const row = await h.prisma.ticketMessage.findFirstOrThrow({ where: { ticketId: t.ticketId, text: { contains: 'giấy chứng sinh' } } });
    const down: Channel = { ...h.telegram, send: async () => Promise.reject(new ChannelError('network', 'ETIMEDOUT')) } as Channel;
    const handlers = outboundHandlers({ ...h.deps, channels: new ChannelDirectory().register(down), dataDir: h.dataDir });
    const run = (attemptsMade: number) =>
      handlers[sendTicketMessageJob.name]!({ messageId: row.id } as never, { job: { id: 'x', name: sendTicketMessageJob.name, attemptsMade, opts: { attempts: 8 } }, log: silentLogger, signal: new AbortController().signal });
    await expect(run(0)).rejects.toThrow('ETIMEDOUT');
    expect((await h.prisma.ticketMessage.findUniqueOrThrow({ where: { id: row.id } })).deliveryStatus).toBe('pending');
    await expect(run(7)).rejects.toThrow('ETIMEDOUT');
    const failed = await h.prisma.ticketMessage.findUniqueOrThrow({ where: { id: row.id } });
    expect(failed.deliveryStatus).toBe('failed');
    expect(deliveryLabel(failed.deliveryStatus, failed.deliveryError)).toContain('lỗi nhiều lần');
    h.startWorkers();
    await h.settle();
    expect(h.api.sentTo(ADMIN_CHAT).filter((m) => m.text?.includes('Hệ thống đã thử gửi nhiều lần') && m.text.includes('giấy') === false)).toHaveLength(1);
    h.api.residentSends({ userId: r, text: 'Có ai trả lời chưa ạ' });
    await h.settle();
    expect(h.api.sentTo(r).filter((m) => m.text?.includes('giấy chứng sinh'))).toHaveLength(1);
  });
});
