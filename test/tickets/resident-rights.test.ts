// What residents are owed beyond an answer: being heard again when not satisfied, their data
// shown and erased on request, a polite brake when they write too fast.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';

let h: ListeningHarness;
const CADRE = 7601;
beforeAll(async () => {
  h = await startListeningHarness({ env: { RESIDENT_MESSAGES_PER_MINUTE: '5' } });
  await h.linkStaff('phochutich', CADRE);
});
afterAll(async () => {
  await h?.close();
});

async function consented(userId: number) {
  h.api.residentSends({ userId, text: '/start', firstName: 'Ông Ba' });
  await h.settle();
  const prompt = h.api.sentTo(userId).at(-1)!;
  const agree = prompt.replyMarkup!.inline_keyboard.flat().find((b) => b.text === 'Tôi đồng ý')!;
  h.api.pressButton({ chatId: userId, messageId: prompt.messageId, userId, data: agree.callback_data, firstName: 'Ông Ba' });
  await h.settle();
}

describe('resident rights', () => {
  it('"chưa hài lòng" reopens the ticket to the leader and tells the admin chat', async () => {
    await consented(6201);
    h.api.residentSends({ userId: 6201, text: 'Đường vào thôn 4 lầy lội, xe không đi được' });
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow({ include: { adminPosts: true } });
    const postId = Number(ticket.adminPosts[0]!.platformMessageId.split(':')[1]);
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: postId, text: 'Xã sẽ đổ đá cấp phối trong tháng này.' });
    await h.settle();
    const rating = h.api.sentTo(6201).at(-1)!;
    const no = rating.replyMarkup!.inline_keyboard.flat().find((b) => b.text === 'Chưa hài lòng')!;
    h.api.pressButton({ chatId: 6201, messageId: rating.messageId, userId: 6201, data: no.callback_data });
    await h.settle();
    const reopened = await h.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id }, include: { assignee: true } });
    expect(reopened.status).toBe('in_progress');
    expect(reopened.assignee?.isLeader).toBe(true);
    expect(h.api.sentTo(6201).at(-1)!.text).toContain('chuyển lại lãnh đạo');
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('chưa hài lòng');
    // Pressing again on the old rating buttons is not a second rating.
    h.api.pressButton({ chatId: 6201, messageId: rating.messageId, userId: 6201, data: no.callback_data });
    await h.settle();
    expect(await h.prisma.ticketEvent.count({ where: { ticketId: ticket.id, type: 'rated' } })).toBe(1);
  });

  it('shows a resident what is kept, and erases their personal data on request', async () => {
    h.api.residentSends({ userId: 6201, text: '/dulieucuatoi' });
    await h.settle();
    const mine = h.api.sentTo(6201).at(-1)!.text!;
    expect(mine).toContain('Ông Ba');
    expect(mine).toMatch(/PA-\d{4}-\d{5}/);

    h.api.residentSends({ userId: 6201, text: '/xoadulieu' });
    await h.settle();
    const confirm = h.api.sentTo(6201).at(-1)!;
    expect(confirm.text).toContain('không hoàn tác được');
    const yes = confirm.replyMarkup!.inline_keyboard.flat().find((b) => b.text === 'Xoá dữ liệu của tôi')!;
    h.api.pressButton({ chatId: 6201, messageId: confirm.messageId, userId: 6201, data: yes.callback_data });
    await h.settle();
    expect(h.api.sentTo(6201).at(-1)!.text).toContain('Đã xoá dữ liệu cá nhân');
    const resident = await h.prisma.resident.findFirstOrThrow({ where: { identities: { some: { platformUserId: '6201' } } }, include: { tickets: { include: { messages: true } } } });
    expect(resident.displayName).toBeNull();
    expect(resident.erasedAt).not.toBeNull();
    // The ticket stays for the statistics, without what the resident wrote.
    expect(resident.tickets).toHaveLength(1);
    expect(resident.tickets[0]!.messages.filter((m) => m.direction === 'inbound').every((m) => m.text === '[đã xoá theo yêu cầu]')).toBe(true);
    expect(await h.prisma.auditLog.count({ where: { action: 'resident.erase' } })).toBe(1);
  });

  it('answers a flood once, politely, and keeps every message stored', async () => {
    await consented(6202);
    for (let i = 0; i < 8; i++) h.api.residentSends({ userId: 6202, text: `Tin số ${i} về rác thải ở chợ` });
    await h.settle();
    const texts = h.api.sentTo(6202).map((m) => m.text ?? '');
    expect(texts.filter((t) => t.includes('gửi hơi nhanh'))).toHaveLength(1);
    expect(await h.prisma.inboundMessage.count({ where: { platformUserId: '6202' } })).toBe(10);
  });

  it('a blocked resident gets no replies', async () => {
    await consented(6203);
    await h.prisma.resident.updateMany({ where: { identities: { some: { platformUserId: '6203' } } }, data: { blocked: true, blockedReason: 'spam' } });
    const before = h.api.sentTo(6203).length;
    h.api.residentSends({ userId: 6203, text: 'Quảng cáo vay tiền nhanh' });
    await h.settle();
    expect(h.api.sentTo(6203).length).toBe(before);
  });
});
