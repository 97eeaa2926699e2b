// A denunciation over Telegram, end to end: the admin chat's post carries only the placeholder
// (code, field, deadline) — not the resident's words, not their photo — while the cadre designated
// for the field still answers it by replying to that post, and the answer reaches the resident.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';

let h: ListeningHarness;
const DESIGNATED = 7701; // phochutich: designated for Khiếu nại, tố cáo in the demo
const OTHER_CADRE = 7702; // diachinh: a responder of another field
const RESIDENT = 6601;
const WORDS = 'Tôi tố cáo trưởng thôn Lò Văn Sáu tự ý bán đất công để lấy tiền, số điện thoại tôi 0987654321';

beforeAll(async () => {
  h = await startListeningHarness();
  await h.linkStaff('phochutich', DESIGNATED);
  await h.linkStaff('diachinh', OTHER_CADRE);
});
afterAll(async () => {
  await h?.close();
});

describe('a denunciation in the admin chat', () => {
  it('shows the placeholder only, relays no photo, and is still answered by the designated cadre', async () => {
    h.api.residentSends({ userId: RESIDENT, text: '/start' });
    await h.settle();
    const prompt = h.api.sentTo(RESIDENT).at(-1)!;
    const agree = prompt.replyMarkup!.inline_keyboard.flat().find((b) => b.text === 'Tôi đồng ý')!;
    h.api.pressButton({ chatId: RESIDENT, messageId: prompt.messageId, userId: RESIDENT, data: agree.callback_data });
    await h.settle();
    h.api.addFile('photo-evidence', Buffer.from('ảnh bằng chứng'.repeat(100)));
    h.api.residentSends({ userId: RESIDENT, text: WORDS, photo: { fileId: 'photo-evidence', size: 1400 } });
    await h.settle();

    const ticket = await h.prisma.ticket.findFirstOrThrow({ where: { resident: { identities: { some: { platformUserId: String(RESIDENT) } } } }, include: { adminPosts: true } });
    expect(ticket.confidential).toBe(true);
    const group = h.api.sentTo(ADMIN_CHAT);
    const post = group.find((m) => `${ADMIN_CHAT}:${m.messageId}` === ticket.adminPosts.find((p) => p.purpose === 'ticket')!.platformMessageId)!;
    expect(post.text).toContain(ticket.code);
    expect(post.text).toContain('Khiếu nại, tố cáo');
    for (const m of group) {
      expect(m.text ?? '').not.toContain('Lò Văn Sáu');
      expect(m.text ?? '').not.toContain('0987654321');
      expect(m.method).not.toBe('sendPhoto');
    }

    // Another field's cadre replying to the post is refused; the designated one answers.
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: OTHER_CADRE, replyTo: post.messageId, text: 'Để tôi trả lời' });
    await h.settle();
    expect((await h.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).not.toBe('answered');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: DESIGNATED, replyTo: post.messageId, text: 'Xã đã nhận đơn và sẽ xác minh trong 10 ngày.' });
    await h.settle();
    expect((await h.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('answered');
    expect(h.api.sentTo(RESIDENT).some((m) => m.text?.includes('sẽ xác minh trong 10 ngày'))).toBe(true);
  });
});
