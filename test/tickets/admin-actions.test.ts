// The admin chat's other buttons: reject with a reason, move to another field, hand over to an
// outside agency, close; and what happens when a button no longer applies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';

let h: ListeningHarness;
const CADRE = 7501;
beforeAll(async () => {
  h = await startListeningHarness();
  await h.linkStaff('phochutich', CADRE);
});
afterAll(async () => {
  await h?.close();
});

let user = 6100;
async function ticketWith(text: string) {
  user += 1;
  h.api.residentSends({ userId: user, text: '/start' });
  await h.settle(75_000);
  const prompt = h.api.sentTo(user).at(-1)!;
  const agree = prompt.replyMarkup!.inline_keyboard.flat().find((b) => b.text === 'Tôi đồng ý')!;
  h.api.pressButton({ chatId: user, messageId: prompt.messageId, userId: user, data: agree.callback_data });
  await h.settle(75_000);
  h.api.residentSends({ userId: user, text });
  await h.settle(75_000);
  const ticket = await h.prisma.ticket.findFirstOrThrow({ where: { resident: { identities: { some: { platformUserId: String(user) } } } }, include: { adminPosts: true } });
  const post = h.api.sentTo(ADMIN_CHAT).find((m) => `${ADMIN_CHAT}:${m.messageId}` === ticket.adminPosts[0]!.platformMessageId)!;
  const press = async (label: string) => {
    const b = post.replyMarkup!.inline_keyboard.flat().find((x) => x.text === label)!;
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: post.messageId, userId: CADRE, data: b.callback_data });
    await h.settle(75_000);
  };
  return { ticket, post, press, user };
}

async function replyToLastBotQuestion(text: string) {
  const question = h.api.sentTo(ADMIN_CHAT).at(-1)!;
  h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: question.messageId, text });
  await h.settle();
}

describe('admin chat actions', () => {
  it('rejects with the reason the cadre writes, and tells the resident', async () => {
    const t = await ticketWith('Xin hỏi giá vàng hôm nay bao nhiêu');
    await t.press('Từ chối');
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('lý do từ chối');
    await replyToLastBotQuestion('Không thuộc thẩm quyền của xã');
    const ticket = await h.prisma.ticket.findUniqueOrThrow({ where: { id: t.ticket.id } });
    expect(ticket.status).toBe('rejected');
    expect(ticket.rejectReason).toBe('Không thuộc thẩm quyền của xã');
    expect(h.api.sentTo(t.user).at(-1)!.text).toContain('Lý do: Không thuộc thẩm quyền của xã');
    // A closed question: pressing another button is refused with a clear notice.
    await t.press('Đóng');
    expect(h.api.answeredCallbacks.at(-1)!.text).toContain('không chuyển sang');
  });

  it('moves a ticket to another field and its cadre, keeping it open', async () => {
    const t = await ticketWith('Nhà tôi có người già cần hỏi một việc');
    await t.press('Chuyển lĩnh vực');
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('Y tế, bảo hiểm y tế');
    await replyToLastBotQuestion('y te, bao hiem y te');
    const ticket = await h.prisma.ticket.findUniqueOrThrow({ where: { id: t.ticket.id }, include: { category: true, assignee: true } });
    expect(ticket.category?.code).toBe('Y_TE');
    expect(ticket.assignee?.username).toBe('yte');
    expect(['new', 'received', 'in_progress']).toContain(ticket.status);
    expect(h.api.sentTo(t.user).at(-1)!.text).toContain('chuyển sang lĩnh vực Y tế');
    // The move is a labelled example for the commune's classifier.
    const staff = await h.prisma.staff.findUniqueOrThrow({ where: { username: 'phochutich' } });
    const filed = await h.prisma.category.findUniqueOrThrow({ where: { id: t.ticket.categoryId! } });
    expect(filed.code).not.toBe('Y_TE');
    expect(await h.prisma.classificationExample.findMany({ where: { ticketId: t.ticket.id } })).toEqual([
      expect.objectContaining({ communeId: ticket.communeId, text: 'Nhà tôi có người già cần hỏi một việc', fromCategory: filed.code, toCategory: 'Y_TE', staffId: staff.id }),
    ]);
  });

  it('hands a ticket to an outside agency with a note', async () => {
    const t = await ticketWith('Cột điện cao thế gần trường bị nghiêng');
    await t.press('Chuyển lĩnh vực');
    await replyToLastBotQuestion('Điện lực huyện — đã gửi công văn số 12');
    const ticket = await h.prisma.ticket.findUniqueOrThrow({ where: { id: t.ticket.id } });
    expect(ticket.status).toBe('transferred');
    expect(ticket.transferNote).toContain('Điện lực huyện');
    expect(h.api.sentTo(t.user).at(-1)!.text).toContain('đã được chuyển xử lý');
  });

  it('closes a ticket and removes the buttons from its post', async () => {
    const t = await ticketWith('Rác ở chợ chưa được thu gom');
    await t.press('Đóng');
    // Never answered: a reason first.
    const question = h.api.sentTo(ADMIN_CHAT).at(-1)!;
    const reason = question.replyMarkup!.inline_keyboard.flat().find((b) => b.text === 'Đã giải quyết trực tiếp với người dân')!;
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: question.messageId, userId: CADRE, data: reason.callback_data });
    await h.settle();
    expect((await h.prisma.ticket.findUniqueOrThrow({ where: { id: t.ticket.id } })).status).toBe('closed');
    const edit = h.api.edits.filter((e) => e.messageId === t.post.messageId).at(-1);
    expect(edit?.replyMarkup).toBeUndefined();
  });
});

describe('questions and answers (FAQ)', () => {
  it('publishes an answered ticket anonymized, and offers it to the next resident asking the same', async () => {
    const t = await ticketWith('Cho hỏi lịch tiêm vắc xin sởi cho trẻ dưới 5 tuổi ở trạm y tế xã, số tôi 0912345678');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: t.post.messageId, text: 'Trạm y tế tiêm sởi sáng thứ năm hằng tuần, mang sổ tiêm chủng.' });
    await h.settle();
    const confirmation = h.api.sentTo(ADMIN_CHAT).at(-1)!;
    expect(confirmation.text).toContain('Đã gửi trả lời');
    const faqButton = confirmation.replyMarkup!.inline_keyboard.flat().find((b) => b.text === 'Đưa vào hỏi đáp')!;
    // The FAQ button on the ticket's post (forged) is refused; on the confirmation it works.
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: t.post.messageId, userId: CADRE, data: faqButton.callback_data });
    await h.settle();
    expect(await h.prisma.faqEntry.count()).toBe(0);
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: confirmation.messageId, userId: CADRE, data: faqButton.callback_data });
    await h.settle();
    const faq = await h.prisma.faqEntry.findFirstOrThrow();
    expect(faq.question).not.toContain('0912345678');
    expect(faq.question).toContain('[số điện thoại]');
    expect(faq.answer).toBe('Trạm y tế tiêm sởi sáng thứ năm hằng tuần, mang sổ tiêm chủng.');

    const next = await ticketWith('lich tiem vac xin soi cho tre duoi 5 tuoi o tram y te xa the nao a');
    const offered = h.api.sentTo(next.user).find((m) => m.text?.includes('câu hỏi tương tự'));
    expect(offered?.text).toContain('thứ năm hằng tuần');
    expect(next.ticket.status).toBe('new');
  });
});

describe('duplicates', () => {
  // By now the file has posted more than the group's 20 messages a minute: sends wait for Telegram's retry_after.
  it('merges a ticket into another; its resident is told and later gets the same answer', async () => {
    const first = await ticketWith('Cầu tạm qua suối thôn 6 bị cuốn trôi');
    const second = await ticketWith('Cau tam qua suoi thon 6 troi mat roi, xa biet chua');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: second.post.messageId, text: '/trung' });
    await h.settle(75_000);
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('/trung <mã phiếu gốc>');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: second.post.messageId, text: `/trung ${first.ticket.code.toLowerCase()}` });
    await h.settle(75_000);
    const dup = await h.prisma.ticket.findUniqueOrThrow({ where: { id: second.ticket.id } });
    expect(dup.status).toBe('duplicate');
    expect(dup.mergedIntoId).toBe(first.ticket.id);
    expect(h.api.sentTo(second.user).at(-1)!.text).toContain(`trùng với phản ánh ${first.ticket.code}`);

    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: first.post.messageId, text: 'Huyện đã cho làm lại cầu tạm trong tuần này.' });
    await h.settle(75_000);
    expect(h.api.sentTo(first.user).some((m) => m.text?.includes('làm lại cầu tạm'))).toBe(true);
    expect(h.api.sentTo(second.user).some((m) => m.text?.includes('làm lại cầu tạm') && m.text.includes(`phiếu gốc của ${second.ticket.code}`))).toBe(true);
  }, 240_000);
});
