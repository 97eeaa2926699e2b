// A conversation as people hold it, replayed through the real telegraf adapter against the local
// Bot API server: a resident greets first, consents (twice), asks in two messages, adds a photo;
// a cadre answers by replying to the post. The group must show the real question and everything
// the resident adds under the ticket's post, once; the header follows the ticket's state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';

let h: ListeningHarness;
beforeAll(async () => {
  // A burst window long enough for the messages of a test to fall into it on a slow machine.
  h = await startListeningHarness({ env: { TICKET_BURST_SECONDS: '3' } });
});
afterAll(async () => {
  await h?.close();
});

const CADRE = 7301;
const buttonsOf = (m: { replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } } | undefined) =>
  (m?.replyMarkup?.inline_keyboard ?? []).flat();
const ticketOf = (userId: number) =>
  h.prisma.ticket.findFirstOrThrow({ where: { resident: { identities: { some: { platformUserId: String(userId) } } } }, orderBy: { createdAt: 'desc' }, include: { adminPosts: true, messages: true } });
const postOf = async (userId: number) => {
  const t = await ticketOf(userId);
  const row = t.adminPosts.find((p) => p.purpose === 'ticket')!;
  return { ticket: t, messageId: Number(row.platformMessageId.split(':')[1]) };
};
const underPost = (postId: number) => h.api.sentTo(ADMIN_CHAT).filter((m) => m.replyTo === postId);
const texts = (userId: number) => h.api.sentTo(userId).map((m) => m.text ?? '');

async function consented(userId: number): Promise<void> {
  h.api.residentSends({ userId, text: 'đồng ý' });
  await h.settle();
}

// Each step waits for a burst window and several queues; on two busy cores that takes a while.
describe('a conversation over Telegram', { timeout: 90_000 }, () => {
  const R = 5101;

  it('greets first, consents twice, asks in two messages, adds a photo; the cadre answers', async () => {
    // "alo" before consent: the consent prompt, nothing held as a question.
    h.api.residentSends({ userId: R, text: 'alo', firstName: 'Ông Ba' });
    await h.settle();
    expect(texts(R).at(-1)).toContain('Luật Bảo vệ dữ liệu cá nhân');
    expect(texts(R).at(-1)).not.toContain('giữ lại');
    // Typed consent without diacritics, then pressed again as "Đồng ý": no ticket of either.
    h.api.residentSends({ userId: R, text: 'dong y', firstName: 'Ông Ba' });
    await h.settle();
    h.api.residentSends({ userId: R, text: 'Đồng ý', firstName: 'Ông Ba' });
    h.api.residentSends({ userId: R, text: 'Xã ơi', firstName: 'Ông Ba' });
    await h.settle();
    expect(await h.prisma.ticket.count()).toBe(0);
    expect(texts(R).some((t) => t.includes('đã ghi nhận sự đồng ý'))).toBe(true);
    expect(texts(R).some((t) => t.includes('gửi nội dung cần hỏi'))).toBe(true);

    // The question in two messages within the burst window: one ticket, one post, the whole text.
    h.api.residentSends({ userId: R, text: 'Đèn đường trước cổng trường hỏng cả tuần nay, tối đi lại rất khó.' });
    h.api.residentSends({ userId: R, text: 'Nhà em ở thôn 5 ạ' });
    await h.settle();
    const { ticket, messageId: postId } = await postOf(R);
    expect(await h.prisma.ticket.count()).toBe(1);
    const post = h.api.messageNow(ADMIN_CHAT, postId)!;
    expect(post.text).toContain('Đèn đường trước cổng trường');
    expect(post.text).toContain('Nhà em ở thôn 5');
    expect(post.text).not.toMatch(/\balo\b|Xã ơi|Đồng ý/);
    expect(post.text).toContain('Thôn: Thôn 5');
    // The burst's messages are in the post: none of them is posted again under it.
    expect(underPost(postId)).toHaveLength(0);
    // The greeting is kept with the ticket, the answer to the consent prompt is not a ticket.
    const inbound = ticket.messages.filter((m) => m.direction === 'inbound').sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    expect(inbound.map((m) => m.text)).toEqual(['Đồng ý', 'Xã ơi', 'Đèn đường trước cổng trường hỏng cả tuần nay, tối đi lại rất khó.', 'Nhà em ở thôn 5 ạ']);
    // Acknowledged: the ticket once, the addition once; the village was read, not asked.
    expect(texts(R).filter((t) => t.includes(`Mã số: ${ticket.code}`))).toHaveLength(1);
    expect(texts(R).filter((t) => t.startsWith('Đã bổ sung') || t.startsWith(`Đã ghi nhận: phản ánh ${ticket.code} ở Thôn 5`))).toHaveLength(1);
    expect(texts(R).some((t) => t.includes('thôn (xóm, tổ) nào'))).toBe(false);

    // A photo after the post: under the post, once, even when Telegram delivers the update twice.
    h.api.addFile('photo-den-1', Buffer.from('ảnh cột đèn'.repeat(100)));
    const photoMsg = h.api.residentSends({ userId: R, text: 'Ảnh cột đèn đây ạ', photo: { fileId: 'photo-den-1', size: 1100 } });
    await h.settle();
    h.api.pushUpdate({
      message: { message_id: photoMsg, date: Math.floor(Date.now() / 1000), chat: { id: R, type: 'private' }, from: { id: R, is_bot: false, first_name: 'Ông Ba' }, caption: 'Ảnh cột đèn đây ạ', photo: [{ file_id: 'photo-den-1', file_unique_id: 'b', width: 1, height: 1, file_size: 1100 }] },
    });
    await h.settle();
    const photos = underPost(postId).filter((m) => m.method === 'sendPhoto');
    expect(photos).toHaveLength(1);
    expect(photos[0]!.file).toBe('photo-den-1');
    expect(photos[0]!.caption).toContain('Ảnh cột đèn đây ạ');

    // The cadre takes it (the header says who and in which state) and answers by replying.
    await h.linkStaff('diachinh', CADRE);
    const take = buttonsOf(h.api.sentTo(ADMIN_CHAT).find((m) => m.messageId === postId)).find((b) => b.text === 'Nhận xử lý')!;
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: postId, userId: CADRE, data: take.callback_data });
    await h.settle();
    expect(h.api.messageNow(ADMIN_CHAT, postId)!.text).toMatch(/Phụ trách: Hoàng Văn Đất · Đang xử lý/);
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: postId, text: 'Thứ năm này điện lực xã thay bóng đèn trước cổng trường.' });
    await h.settle();

    // Both sides agree: the resident has the answer, the group was told it was sent, the
    // ticket is answered, the post's header says so, the answer's delivery is "sent".
    expect(texts(R).some((t) => t.includes('Thứ năm này điện lực') && t.includes(ticket.code))).toBe(true);
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)?.text).toContain(`Đã gửi trả lời phiếu ${ticket.code}`);
    const done = await h.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } });
    expect(done.status).toBe('answered');
    expect(h.api.messageNow(ADMIN_CHAT, postId)!.text).toContain('Đã trả lời');
    const answer = await h.prisma.ticketMessage.findFirstOrThrow({ where: { ticketId: ticket.id, direction: 'outbound', text: { contains: 'Thứ năm này' } } });
    expect(answer.deliveryStatus).toBe('sent');
    expect(await h.prisma.inboundMessage.count({ where: { status: 'pending' } })).toBe(0);
  });

  it('a follow-up while the group is rate limited arrives later, once', async () => {
    const { ticket, messageId: postId } = await postOf(R);
    h.api.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 }, chatId: String(ADMIN_CHAT) });
    h.api.residentSends({ userId: R, text: 'Bổ sung: bóng đèn số 2 cũng hỏng' });
    await h.settle(30_000);
    const relayed = underPost(postId).filter((m) => m.text?.includes('bóng đèn số 2'));
    expect(relayed).toHaveLength(1);
    expect(relayed[0]!.text).toContain(`bổ sung cho phiếu ${ticket.code}`);
    // The 429 was the group's: the relay was refused once and sent after it.
    expect(h.api.calls.filter((c) => c.method === 'sendMessage' && String(c.body.chat_id) === String(ADMIN_CHAT) && String(c.body.text ?? '').includes('bóng đèn số 2'))).toHaveLength(2);
  });

  it('"Chưa hài lòng" and its reason reach the group under the post', async () => {
    const { ticket, messageId: postId } = await postOf(R);
    const rating = h.api.sentTo(R).filter((m) => buttonsOf(m).some((b) => b.text === 'Chưa hài lòng')).at(-1)!;
    const no = buttonsOf(rating).find((b) => b.text === 'Chưa hài lòng')!;
    h.api.pressButton({ chatId: R, messageId: rating.messageId, userId: R, data: no.callback_data });
    await h.settle();
    h.api.residentSends({ userId: R, text: 'Đến giờ vẫn chưa thấy ai đến thay bóng' });
    await h.settle();
    expect(underPost(postId).some((m) => m.text?.includes('chưa thấy ai đến thay bóng'))).toBe(true);
    expect((await h.prisma.ticketMessage.count({ where: { ticketId: ticket.id, text: 'Đến giờ vẫn chưa thấy ai đến thay bóng' } }))).toBe(1);
  });

  it('a confidential ticket shows only a notice for a follow-up, never its text or photo', async () => {
    const U = 5102;
    await consented(U);
    h.api.residentSends({ userId: U, text: 'Tôi tố cáo cán bộ địa chính xã đòi 5 triệu mới ký hồ sơ cho tôi.' });
    await h.settle();
    const { ticket, messageId: postId } = await postOf(U);
    expect(ticket.confidential).toBe(true);
    h.api.addFile('photo-bien-nhan', Buffer.from('biên nhận'.repeat(50)));
    h.api.residentSends({ userId: U, text: 'Đây là ảnh tin nhắn ông ấy đòi tiền, tên ông ấy là Nguyễn Văn X', photo: { fileId: 'photo-bien-nhan', size: 500 } });
    h.api.residentSends({ userId: U, text: 'Số điện thoại của tôi là 0912345678' });
    await h.settle();
    const under = underPost(postId);
    expect(under.length).toBeGreaterThanOrEqual(2);
    expect(under.every((m) => m.method === 'sendMessage')).toBe(true);
    expect(under.every((m) => m.text?.includes('bảo mật'))).toBe(true);
    const all = h.api.sentTo(ADMIN_CHAT).map((m) => `${m.text ?? ''}${m.caption ?? ''}`).join('\n');
    expect(all).not.toContain('Nguyễn Văn X');
    expect(all).not.toContain('0912345678');
    expect(h.api.sentTo(ADMIN_CHAT).some((m) => m.file === 'photo-bien-nhan')).toBe(false);
  });

  it('an emergency is urgent, due within hours, and announced as urgent', async () => {
    const U = 5103;
    await consented(U);
    h.api.residentSends({ userId: U, text: 'Cháy cỏ ở bãi đồi lan sang mấy nhà dân thôn 2, cần người đến gấp!' });
    await h.settle();
    const { ticket, messageId: postId } = await postOf(U);
    expect(ticket.priority).toBe('urgent');
    const normal = h.deps.deadlines.plan(ticket.createdAt, { timezone: 'Asia/Ho_Chi_Minh', priority: 'normal', receiveWorkingHours: 8, answerWorkingDays: 5, urgentWorkingHours: h.deps.policy.urgentWorkingHours });
    const urgent = h.deps.deadlines.plan(ticket.createdAt, { timezone: 'Asia/Ho_Chi_Minh', priority: 'urgent', receiveWorkingHours: 8, answerWorkingDays: 5, urgentWorkingHours: h.deps.policy.urgentWorkingHours });
    expect(ticket.dueAt!.getTime()).toBe(urgent.dueAt.getTime());
    expect(ticket.dueAt!.getTime()).toBeLessThan(normal.dueAt.getTime());
    expect(h.api.messageNow(ADMIN_CHAT, postId)!.text).toMatch(/^🔴 KHẨN/);
  });

  it('asks once for the village when no message names it; the answer sets it and the post shows it', async () => {
    const U = 5104;
    await consented(U);
    h.api.residentSends({ userId: U, text: 'Rác ở bãi tập kết đầu làng 2 tuần chưa ai chở đi, bốc mùi quá.' });
    await h.settle();
    const { ticket, messageId: postId } = await postOf(U);
    expect(ticket.villageId).toBeNull();
    expect(h.api.messageNow(ADMIN_CHAT, postId)!.text).toContain('Thôn: chưa rõ');
    expect(texts(U).filter((t) => t.includes('thôn (xóm, tổ) nào'))).toHaveLength(1);
    h.api.residentSends({ userId: U, text: 'thon 4 a' });
    await h.settle();
    const after = await h.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id }, include: { village: true } });
    expect(after.village?.name).toBe('Thôn 4');
    expect(h.api.messageNow(ADMIN_CHAT, postId)!.text).toContain('Thôn: Thôn 4');
    expect(texts(U).at(-1)).toContain('Thôn 4');
    // Asked once: the next message is an ordinary follow-up, not another village answer.
    h.api.residentSends({ userId: U, text: 'thôn 6' });
    await h.settle();
    expect((await h.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id }, include: { village: true } })).village?.name).toBe('Thôn 4');
    expect(texts(U).filter((t) => t.includes('thôn (xóm, tổ) nào'))).toHaveLength(1);
  });

  it('a full-length message and a 10,000-character paste split by the client are one ticket each, kept whole', async () => {
    const U = 5105;
    await consented(U);
    const sentence = 'Đường liên thôn từ cầu Đá vào xóm Trại xuống cấp nghiêm trọng, ổ gà khắp nơi, trời mưa là lầy lội. ';
    const full = sentence.repeat(50).slice(0, 4096);
    h.api.residentSends({ userId: U, text: full });
    await h.settle();
    const one = await ticketOf(U);
    expect(one.messages.find((m) => m.direction === 'inbound')!.text).toBe(full.trim());
    expect(texts(U).some((t) => t.includes('dài quá'))).toBe(false);

    h.api.residentSends({ userId: U, text: '/moi' });
    await h.settle();
    const paste = 'Kính gửi Ủy ban xã, tôi xin trình bày việc tranh chấp ranh giới đất giữa hai hộ. '.repeat(125).slice(0, 10_000);
    const parts = [paste.slice(0, 4096), paste.slice(4096, 8192), paste.slice(8192)];
    for (const part of parts) h.api.residentSends({ userId: U, text: part });
    await h.settle();
    const two = await ticketOf(U);
    expect(two.id).not.toBe(one.id);
    expect(await h.prisma.ticket.count({ where: { residentId: two.residentId } })).toBe(2);
    const kept = two.messages.filter((m) => m.direction === 'inbound').sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    expect(kept.map((m) => m.text).join('')).toBe(parts.map((p) => p.trim()).join(''));
    // In the group: the post and its continuation, every message within Telegram's limit,
    // together carrying the whole paste.
    const { messageId: postId } = await postOf(U);
    const shown = [h.api.sentTo(ADMIN_CHAT).find((m) => m.messageId === postId)!, ...underPost(postId)];
    expect(shown.length).toBeGreaterThanOrEqual(3);
    expect(shown.every((m) => (m.text ?? '').length <= 4096)).toBe(true);
    const words = (s: string) => s.replace(/\s+/g, '');
    const joined = words(shown.map((m) => (m.text ?? '').replace(/^\(tiếp \d+\/\d+ — [^)]+\)\n/, '')).join(''));
    expect(joined).toContain(words(paste).slice(0, 3000));
    expect(joined).toContain(words(paste).slice(-3000));
  });

  it('a burst of 20 messages in 5 seconds: all kept, acknowledged, the limit notice last', async () => {
    const U = 5106;
    await consented(U);
    for (let i = 1; i <= 20; i++) h.api.residentSends({ userId: U, text: `Phản ánh phần ${i}: cống thoát nước xóm Đồng bị tắc đoạn số ${i}` });
    await h.settle(40_000);
    const inbound = await h.prisma.inboundMessage.findMany({ where: { platformUserId: String(U), platformMessageId: { not: { startsWith: 'action:' } } } });
    expect(inbound.filter((r) => r.payload && JSON.stringify(r.payload).includes('Phản ánh phần'))).toHaveLength(20);
    expect(inbound.filter((r) => r.status === 'ignored' && JSON.stringify(r.payload).includes('Phản ánh phần'))).toHaveLength(0);
    const ticket = await ticketOf(U);
    expect(ticket.messages.filter((m) => m.direction === 'inbound' && m.text?.startsWith('Phản ánh phần'))).toHaveLength(20);
    const after = texts(U).slice(texts(U).findIndex((t) => t.includes('Mã số')));
    expect(after[0]).toContain(ticket.code);
    expect(after.some((t) => t.startsWith('Đã bổ sung'))).toBe(true);
    expect(after.filter((t) => t.includes('gửi hơi nhanh'))).toHaveLength(1);
    expect(after.at(-1)).toContain('gửi hơi nhanh');
  });

  it('in a group with topics, the post and its follow-ups go to the tickets topic', async () => {
    const account = await h.prisma.channelAccount.findFirstOrThrow({ where: { platform: 'telegram' } });
    await h.prisma.channelAccount.update({ where: { id: account.id }, data: { settings: { ...(account.settings as object), adminThreadId: '77' } } });
    const U = 5107;
    await consented(U);
    h.api.residentSends({ userId: U, text: 'Mương nội đồng xóm Đồng khô cạn, bao giờ trạm bơm mở nước?' });
    await h.settle();
    const { messageId: postId } = await postOf(U);
    h.api.residentSends({ userId: U, text: 'Lúa đang thì con gái rất cần nước' });
    await h.settle();
    expect(h.api.sentTo(ADMIN_CHAT).find((m) => m.messageId === postId)!.threadId).toBe(77);
    const relayed = underPost(postId).find((m) => m.text?.includes('thì con gái'))!;
    expect(relayed.threadId).toBe(77);
    await h.prisma.channelAccount.update({ where: { id: account.id }, data: { settings: account.settings as object } });
  });
});
