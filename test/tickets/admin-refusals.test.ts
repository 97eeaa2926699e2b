// Refusals in the admin chat say the real reason: someone not linked hears their Telegram id and
// how to link (after a button press too, as the README promises); a linked cadre refused on a
// confidential ticket hears that it is confidential, not "get linked"; a linked account without a
// role that answers hears that.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';

let h: ListeningHarness;
const OTHER_CADRE = 7402; // diachinh: a responder of another field
const EDITOR = 7403; // vanhoa: writes bulletins, answers no tickets
const STRANGER = 940_000_123;
beforeAll(async () => {
  h = await startListeningHarness();
  await h.linkStaff('diachinh', OTHER_CADRE);
  await h.linkStaff('vanhoa', EDITOR);
});
afterAll(async () => {
  await h?.close();
});

const buttonsOf = (m: { replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } } | undefined) => (m?.replyMarkup?.inline_keyboard ?? []).flat();

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
  return { ticket, post: h.api.sentTo(ADMIN_CHAT).find((m) => m.messageId === postId)! };
}

describe('refusals in the admin chat', () => {
  it('a stranger pressing a button is told their Telegram id and how to link', async () => {
    const { post } = await ticketFrom(6401, 'Đèn đường trước chợ bị tắt cả tuần');
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: post.messageId, userId: STRANGER, data: buttonsOf(post).find((b) => b.text === 'Nhận xử lý')!.callback_data });
    await h.settle();
    const alert = h.api.answeredCallbacks.at(-1)!;
    expect(alert.show_alert).toBe(true);
    expect(alert.text).toContain(String(STRANGER));
    expect(alert.text).toContain('/lienket');
    expect(alert.text!.length).toBeLessThanOrEqual(200);
  });

  it('a linked cadre of another field on a denunciation is told it is confidential, not to get linked', async () => {
    const { ticket, post } = await ticketFrom(6402, 'Tôi tố cáo trưởng thôn tự ý bán đất công để lấy tiền');
    expect(ticket.confidential).toBe(true);
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: post.messageId, userId: OTHER_CADRE, data: buttonsOf(post).find((b) => b.text === 'Chuyển lĩnh vực')!.callback_data });
    await h.settle();
    const alert = h.api.answeredCallbacks.at(-1)!.text!;
    expect(alert).toContain('bảo mật');
    expect(alert).not.toContain('liên kết');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: OTHER_CADRE, replyTo: post.messageId, text: 'Để tôi trả lời' });
    await h.settle();
    const reply = h.api.sentTo(ADMIN_CHAT).at(-1)!.text!;
    expect(reply).toContain(`Phiếu ${ticket.code} là khiếu nại, tố cáo`);
    expect(reply).not.toContain('liên kết');
  });

  it('a linked account without a role that answers hears exactly that', async () => {
    const { post } = await ticketFrom(6403, 'Cống trước nhà văn hóa thôn 1 bị vỡ');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: EDITOR, replyTo: post.messageId, text: 'Tôi trả lời thay' });
    await h.settle();
    const reply = h.api.sentTo(ADMIN_CHAT).at(-1)!.text!;
    expect(reply).toContain('Trần Thị Hoa');
    expect(reply).toContain('chưa có vai trò trả lời');
  });
});
