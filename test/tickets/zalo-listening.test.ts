// The listening loop over Zalo, through the same core as Telegram: consent and ratings by replying
// with a number, a question becomes a ticket, its post goes to the Zalo admin group (and the
// Telegram one), a cadre answers by quoting the post, a non-staff member quoting it is refused;
// the same message arriving twice (live and again after a reconnect) makes one ticket message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseReason } from 'zca-js';
import { ADMIN_CHAT, startListeningHarness, ZALO_ADMIN_GROUP, type ListeningHarness } from '../support/listening-harness.ts';
import type { FakeZaloApi } from '../support/zalo/fake-zalo-api.ts';

let h: ListeningHarness;
const RESIDENT = '4400000000000000777';
const CADRE = '3300000000000000001';
const STRANGER = '3300000000000000666';
const GROUP_ID = ZALO_ADMIN_GROUP.slice(2);

beforeAll(async () => {
  h = await startListeningHarness({ zalo: true });
  await h.linkStaff('giaothong', CADRE, 'zalo');
});
afterAll(async () => {
  await h?.close();
});

const zalo = (): FakeZaloApi => h.zalo!.api();
const toResident = () => zalo().sent.filter((m) => m.threadId === RESIDENT);
const toAdminGroup = () => zalo().sent.filter((m) => m.threadId === GROUP_ID);

describe('listening over Zalo', () => {
  let code = '';
  let postId = '';

  it('consent by number, then the question becomes a ticket posted to both admin chats', async () => {
    zalo().deliver(zalo().userMessage(RESIDENT, 'Duong vao thon 5 bi sut lun, xe may di rat nguy hiem'));
    await h.settle();
    const prompt = toResident().at(-1)!;
    expect(prompt.text).toContain('Luật Bảo vệ dữ liệu cá nhân');
    expect(prompt.text).toMatch(/👉 Trả lời bằng số:\n1\. Tôi đồng ý/);
    expect(await h.prisma.ticket.count()).toBe(0);
    zalo().deliver(zalo().userMessage(RESIDENT, '1'));
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow();
    code = ticket.code;
    expect(toResident().some((m) => m.text?.includes(code))).toBe(true);
    const post = toAdminGroup().find((m) => m.text?.includes(code))!;
    expect(post.text).toContain('Duong vao thon 5');
    expect(post.text).toContain('1. Nhận xử lý');
    postId = post.msgId;
    expect(h.api.sentTo(ADMIN_CHAT).some((m) => m.text?.includes(code))).toBe(true);
  });

  it('a message that arrives live and again after a reconnect joins the ticket once', async () => {
    const again = zalo().userMessage(RESIDENT, 'Bổ sung: chỗ sụt ở gần cầu tràn');
    zalo().deliver(again);
    await h.settle();
    // The account drops (1006); Zalo hands the same message back among the missed ones.
    const before = zalo();
    before.close(CloseReason.AbnormalClosure);
    for (let i = 0; i < 100 && zalo() === before; i++) await new Promise((r) => setTimeout(r, 50));
    zalo().listener.emit('old_messages', [again], 0);
    await h.settle();
    const msgs = await h.prisma.ticketMessage.findMany({ where: { ticket: { code }, text: { contains: 'cầu tràn' } } });
    expect(msgs).toHaveLength(1);
  });

  it('the follow-up reaches both admin chats under the ticket post, once', async () => {
    // Through the same core: posted under the post in the Zalo group and the Telegram group (the
    // Zalo session was replaced by the reconnect, so its side is read from the recorded posts).
    const tgPost = await h.prisma.ticketAdminPost.findFirstOrThrow({ where: { ticket: { code }, platform: 'telegram', purpose: 'ticket' } });
    const tg = h.api.sentTo(ADMIN_CHAT).filter((m) => m.text?.includes('gần cầu tràn'));
    expect(tg).toHaveLength(1);
    expect(`${ADMIN_CHAT}:${tg[0]!.replyTo}`).toBe(tgPost.platformMessageId);
    const zaloRows = await h.prisma.ticketAdminPost.findMany({ where: { ticket: { code }, platform: 'zalo', purpose: 'follow_up' } });
    expect(zaloRows).toHaveLength(1);
    expect(zaloRows[0]!.platformChatId).toBe(ZALO_ADMIN_GROUP);
  });

  it('a group member who is not staff quoting the post is refused and audited', async () => {
    zalo().deliver(zalo().groupMessage(GROUP_ID, STRANGER, 'Để tôi trả lời cho', { quote: { msgId: postId, text: code } }));
    await h.settle();
    expect(toAdminGroup().at(-1)!.text).toContain('chưa liên kết với cán bộ nào của xã');
    expect(await h.prisma.auditLog.count({ where: { action: 'admin_chat.refused' } })).toBe(1);
    expect((await h.prisma.ticket.findFirstOrThrow({ where: { code } })).status).not.toBe('answered');
  });

  it('the cadre takes it by number and answers by quoting the post; the resident rates by number', async () => {
    zalo().deliver(zalo().groupMessage(GROUP_ID, CADRE, '1', { quote: { msgId: postId, text: code } }));
    await h.settle();
    expect(toAdminGroup().some((m) => m.text?.includes('nhận xử lý phiếu'))).toBe(true);
    zalo().deliver(zalo().groupMessage(GROUP_ID, CADRE, 'Xã đã cử tổ giao thông san lấp trong tuần này.', { quote: { msgId: postId, text: code } }));
    await h.settle();
    const answer = toResident().find((m) => m.text?.includes('san lấp'))!;
    expect(answer.text).toContain(code);
    expect((await h.prisma.ticket.findFirstOrThrow({ where: { code } })).status).toBe('answered');
    const rating = toResident().filter((m) => /Trả lời bằng số/.test(m.text ?? '')).at(-1)!;
    expect(rating.text).toMatch(/hài lòng/i);
    zalo().deliver(zalo().userMessage(RESIDENT, '1'));
    await h.settle();
    const t = await h.prisma.ticket.findFirstOrThrow({ where: { code } });
    expect(t).toMatchObject({ ratingComment: 'hài lòng', ratedAt: expect.any(Date) });
    // One thank-you: Zalo has no toast under a message, so a plain notice is not doubled as a message.
    expect(toResident().filter((m) => m.text === 'Ủy ban cảm ơn ông/bà đã đánh giá.')).toHaveLength(1);
  });
});
