// Closing deliberately: "Đóng" on a ticket nobody answered asks why (common reasons as buttons, any
// other as a reply) and the resident is told that reason, never a bare "Đã đóng"; an answered
// ticket closes at once, confirmed to both sides. The web page asks for the reason the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { closeTicket } from '../../src/tickets/ticket-actions.ts';

let h: ListeningHarness;
const CADRE = 7601;
beforeAll(async () => {
  h = await startListeningHarness();
  await h.linkStaff('phochutich', CADRE);
});
afterAll(async () => {
  await h?.close();
});

type Sent = { replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } } | undefined;
const buttonsOf = (m: Sent) => (m?.replyMarkup?.inline_keyboard ?? []).flat();

async function ticketFrom(userId: number, words: string) {
  h.api.residentSends({ userId, text: '/start' });
  await h.settle();
  const prompt = h.api.sentTo(userId).at(-1)!;
  h.api.pressButton({ chatId: userId, messageId: prompt.messageId, userId, data: buttonsOf(prompt)[0]!.callback_data });
  await h.settle();
  h.api.residentSends({ userId, text: words });
  await h.settle();
  const ticket = await h.prisma.ticket.findFirstOrThrow({ where: { resident: { identities: { some: { platformUserId: String(userId) } } } }, include: { adminPosts: true } });
  const postId = Number(ticket.adminPosts.find((p) => p.purpose === 'ticket')!.platformMessageId.split(':')[1]);
  const post = h.api.sentTo(ADMIN_CHAT).find((m) => m.messageId === postId)!;
  const press = async (label: string) => {
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: post.messageId, userId: CADRE, data: buttonsOf(post).find((b) => b.text === label)!.callback_data });
    await h.settle();
  };
  return { ticket, post, press };
}
const statusOf = async (id: string) => (await h.prisma.ticket.findUniqueOrThrow({ where: { id } })).status;

describe('"Đóng" in the admin chat', () => {
  it('asks for a reason on an unanswered ticket; a common reason closes it and the resident hears it', async () => {
    const t = await ticketFrom(6501, 'Xin hỏi xã có hỗ trợ giống lúa vụ đông không');
    const before = h.api.sentTo(6501).length;
    await t.press('Đóng');
    expect(await statusOf(t.ticket.id)).not.toBe('closed');
    expect(h.api.sentTo(6501)).toHaveLength(before);
    const question = h.api.sentTo(ADMIN_CHAT).at(-1)!;
    expect(question.text).toContain('Chọn lý do đóng');
    expect(buttonsOf(question).map((b) => b.text)).toContain('Không đủ thông tin để xử lý');

    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: question.messageId, userId: CADRE, data: buttonsOf(question).find((b) => b.text === 'Không đủ thông tin để xử lý')!.callback_data });
    await h.settle();
    expect(await statusOf(t.ticket.id)).toBe('closed');
    const told = h.api.sentTo(6501).at(-1)!.text!;
    expect(told).toContain(`Phản ánh ${t.ticket.code} đã được Ủy ban đóng lại. Lý do: Không đủ thông tin để xử lý`);
    expect(told).not.toMatch(/: Đã đóng$/);
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('Lý do: Không đủ thông tin để xử lý');
    expect(h.api.edits.filter((e) => e.messageId === question.messageId).at(-1)?.replyMarkup).toBeUndefined();
    const event = await h.prisma.ticketEvent.findFirstOrThrow({ where: { ticketId: t.ticket.id, toStatus: 'closed' } });
    expect(event.reason).toBe('Không đủ thông tin để xử lý');
  });

  it('takes any other reason as a reply to the question', async () => {
    const t = await ticketFrom(6502, 'Nhà văn hóa thôn 2 mượn bàn ghế được không');
    await t.press('Đóng');
    const question = h.api.sentTo(ADMIN_CHAT).at(-1)!;
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: question.messageId, text: 'Trưởng thôn đã cho mượn, không cần xã xử lý' });
    await h.settle();
    expect(await statusOf(t.ticket.id)).toBe('closed');
    expect(h.api.sentTo(6502).at(-1)!.text).toContain('Lý do: Trưởng thôn đã cho mượn, không cần xã xử lý');
  });

  it('closes an answered ticket at once, confirmed to the cadres and the resident', async () => {
    const t = await ticketFrom(6503, 'Lịch khám sức khỏe người cao tuổi tháng này');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: t.post.messageId, text: 'Sáng thứ bảy tại trạm y tế xã.' });
    await h.settle();
    await t.press('Đóng');
    expect(await statusOf(t.ticket.id)).toBe('closed');
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain(`Phiếu ${t.ticket.code} đã đóng`);
    expect(h.api.sentTo(6503).at(-1)!.text).toContain('đã hoàn tất');
  });

  it('refuses to close an unanswered ticket without a reason (the web page\u2019s path)', async () => {
    const t = await ticketFrom(6504, 'Đường điện thôn 5 chập chờn');
    const staff = await h.prisma.staff.findUniqueOrThrow({ where: { username: 'phochutich' } });
    const r = await h.prisma.$transaction((tx) => closeTicket(tx, t.ticket.id, staff.id, new Date()));
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toContain('cần ghi lý do');
    const ok = await h.prisma.$transaction((tx) => closeTicket(tx, t.ticket.id, staff.id, new Date(), 'Điện lực đã sửa xong'));
    expect(ok.ok).toBe(true);
  });
});
