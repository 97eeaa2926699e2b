// The whole listening loop through the Zalo Bot Platform, with no zca-js account: the bot says it
// is a bot, consent by number, the question becomes a ticket posted in the (Telegram) admin chat,
// a cadre answers by replying to the post, the answer reaches the resident on the Zalo Bot, the
// resident rates by number and the rating is stored once. Plus a replayed update, a protected user and a blocked resident.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import type { FakeZaloBotApi } from '../support/zalo-bot-api/fake-zalo-bot-api.ts';

let h: ListeningHarness;
const RESIDENT = 'e4ea2cd5189df1c3a88c';
const CADRE = 7101;

beforeAll(async () => {
  h = await startListeningHarness({ zaloBot: true });
  await h.linkStaff('giaothong', CADRE);
});
afterAll(async () => {
  await h?.close();
});

const bot = (): FakeZaloBotApi => h.zaloBot!.api;
const toResident = (id = RESIDENT) => bot().sentTo(id).map((m) => m.text ?? '');
const buttonsOf = (m: { replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } } | undefined) => (m?.replyMarkup?.inline_keyboard ?? []).flat();

describe('listening over the Zalo Bot', () => {
  let code = '';

  it('tells the resident it is a bot, asks consent by number, and makes the question a ticket', async () => {
    bot().residentSends({ userId: RESIDENT, text: 'Đèn đường thôn 3 hỏng cả tuần nay', name: 'Bà Tư' });
    await h.settle();
    const prompt = toResident().at(-1)!;
    expect(prompt.startsWith('🤖 Ông/Bà đang nhắn với trợ lý tự động (bot)')).toBe(true);
    expect(prompt).toContain('Luật Bảo vệ dữ liệu cá nhân');
    expect(prompt).toMatch(/👉 Trả lời bằng số:\n1\. Tôi đồng ý/);
    expect(await h.prisma.ticket.count()).toBe(0);

    bot().residentSends({ userId: RESIDENT, text: '1' });
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow({ include: { category: true } });
    code = ticket.code;
    expect(ticket.channel).toBe('zalo_bot');
    expect(ticket.category?.code).toBe('HA_TANG');
    const texts = toResident();
    expect(texts.filter((t) => t.includes('trợ lý tự động'))).toHaveLength(1);
    expect(texts.some((t) => t.includes(`Mã số: ${code}`))).toBe(true);
    expect(h.api.sentTo(ADMIN_CHAT).some((m) => m.text?.includes(code) && m.text.includes('Đèn đường thôn 3'))).toBe(true);
  });

  it('the same update delivered twice is stored once', async () => {
    const u = bot().residentSends({ userId: RESIDENT, text: 'Bổ sung: cột số 12' });
    await h.settle();
    bot().pushUpdate(u);
    await h.settle();
    expect(await h.prisma.inboundMessage.count({ where: { channel: 'zalo_bot', platformMessageId: u.message.message_id } })).toBe(1);
    expect(toResident().filter((t) => t.startsWith('Đã bổ sung'))).toHaveLength(1);
  });

  it('a cadre takes and answers from the admin chat; the answer and the rating question reach the Zalo Bot', async () => {
    const post = h.api.sentTo(ADMIN_CHAT).find((m) => m.text?.includes(code))!;
    const take = buttonsOf(post).find((b) => b.text === 'Nhận xử lý')!;
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: post.messageId, userId: CADRE, data: take.callback_data });
    await h.settle();
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: post.messageId, text: 'Chiều mai điện lực xã sẽ thay bóng đèn cột số 12.' });
    await h.settle();
    const texts = toResident();
    expect(texts.some((t) => t.includes(`Trả lời phản ánh ${code}`) && t.includes('Chiều mai điện lực'))).toBe(true);
    expect(texts.at(-1)).toContain('hài lòng');
    expect(texts.at(-1)).toMatch(/1\. Hài lòng\n2\. Chưa hài lòng/);
    const answer = await h.prisma.ticketMessage.findFirstOrThrow({ where: { direction: 'outbound', text: { contains: 'Chiều mai' } } });
    expect(answer.deliveryStatus).toBe('sent');
    expect(answer.channel).toBe('zalo_bot');
  });

  it('the resident rates by number: the rating is stored, satisfied closes the ticket, stars by their number as listed', async () => {
    bot().residentSends({ userId: RESIDENT, text: '1' });
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow();
    expect(ticket).toMatchObject({ status: 'closed', ratingComment: 'hài lòng', ratedAt: expect.any(Date) });
    expect(await h.prisma.ticketEvent.count({ where: { ticketId: ticket.id, type: 'rated', actorKind: 'resident' } })).toBe(1);
    // The list keeps its numbers: "7. 5★" is still 5 stars, and "1" (spent) rates nothing more.
    bot().residentSends({ userId: RESIDENT, text: '7' });
    await h.settle();
    expect((await h.prisma.ticket.findFirstOrThrow()).rating).toBe(5);
    bot().residentSends({ userId: RESIDENT, text: '1' });
    await h.settle();
    expect(await h.prisma.ticketEvent.count({ where: { ticketId: ticket.id, type: 'rated' } })).toBe(2);
    expect((await h.prisma.ticket.findFirstOrThrow()).rating).toBe(5);
  });

  it('a protected user is pointed to the web chat and nothing is stored', async () => {
    const before = await h.prisma.inboundMessage.count();
    bot().residentSends({ userId: 'protected01', protected: true });
    await h.settle();
    await expect.poll(() => toResident('protected01').at(-1) ?? '').toContain('https://loa.example.vn/chat');
    expect(await h.prisma.inboundMessage.count()).toBe(before);
  });

  it('a resident who blocked the bot is marked unreachable and the answer stays on the ticket', async () => {
    const R = 'b10cked00000000001';
    bot().residentSends({ userId: R, text: 'dong y' });
    await h.settle();
    bot().residentSends({ userId: R, text: 'Rác ở bãi tập kết đầu thôn 2 tuần chưa chở đi' });
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow({ where: { resident: { identities: { some: { platformUserId: R } } } } });
    const post = await h.prisma.ticketAdminPost.findFirstOrThrow({ where: { ticketId: ticket.id, purpose: 'ticket' } });
    bot().blockUser(R);
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: Number(post.platformMessageId.split(':')[1]), text: 'Thứ hai xe rác sẽ vào thu gom.' });
    await h.settle();
    const answer = await h.prisma.ticketMessage.findFirstOrThrow({ where: { ticketId: ticket.id, text: { contains: 'xe rác' } } });
    expect(answer.deliveryStatus).toBe('refused');
    expect(answer.deliveryError).toBe('blocked');
    expect((await h.prisma.residentIdentity.findFirstOrThrow({ where: { platformUserId: R } })).unreachableAt).not.toBeNull();
  });
});
