// The whole listening loop over Telegram: consent, a question becomes a ticket, the admin chat
// gets its post, a cadre takes and answers it by replying, the resident rates it. Plus the ugly
// cases: duplicates, forged buttons, strangers, blocked residents, 429s, junk input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';

let h: ListeningHarness;
beforeAll(async () => {
  h = await startListeningHarness();
});
afterAll(async () => {
  await h?.close();
});

const RESIDENT = 5001;
const CADRE = 7001;
const STRANGER = 9009;

const lastTo = (chat: number) => h.api.sentTo(chat).at(-1);
const buttonsOf = (m: { replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } } | undefined) =>
  (m?.replyMarkup?.inline_keyboard ?? []).flat();

async function consent(userId: number): Promise<void> {
  h.api.residentSends({ userId, text: '/start', firstName: 'Bà Tư' });
  await h.settle();
  const prompt = lastTo(userId)!;
  expect(prompt.text).toContain('đồng ý');
  const agree = buttonsOf(prompt).find((b) => b.text === 'Tôi đồng ý')!;
  h.api.pressButton({ chatId: userId, messageId: prompt.messageId, userId, data: agree.callback_data });
  await h.settle();
}

describe('listening over Telegram', () => {
  let ticketCode = '';
  let postId = 0;

  it('asks for consent first and stores nothing personal before it', async () => {
    h.api.residentSends({ userId: RESIDENT, text: 'Đèn đường thôn 3 hỏng cả tuần nay', firstName: 'Bà Tư' });
    await h.settle();
    const prompt = lastTo(RESIDENT)!;
    expect(prompt.text).toContain('Luật Bảo vệ dữ liệu cá nhân');
    expect(prompt.text).toContain('giữ lại');
    expect(await h.prisma.ticket.count()).toBe(0);
    const identity = await h.prisma.residentIdentity.findFirstOrThrow({ where: { platformUserId: String(RESIDENT) }, include: { resident: true } });
    expect(identity.resident.displayName).toBeNull();
    expect(identity.resident.consentGivenAt).toBeNull();

    // Consenting turns the held question into a ticket.
    const agree = buttonsOf(prompt).find((b) => b.text === 'Tôi đồng ý')!;
    h.api.pressButton({ chatId: RESIDENT, messageId: prompt.messageId, userId: RESIDENT, data: agree.callback_data });
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow({ include: { category: true } });
    expect(ticket.code).toMatch(/^PA-20\d\d-00001$/);
    expect(ticket.category?.code).toBe('HA_TANG');
    ticketCode = ticket.code;
    const texts = h.api.sentTo(RESIDENT).map((m) => m.text ?? '');
    expect(texts.some((t) => t.includes('Ủy ban cảm ơn ông/bà'))).toBe(true);
    const ack = texts.find((t) => t.includes(ticket.code))!;
    expect(ack).toContain('Giao thông, hạ tầng');
    expect(ack).toMatch(/Hạn trả lời: \d\d:\d\d ngày \d\d\/\d\d\/20\d\d/);
    expect(h.api.answeredCallbacks.length).toBeGreaterThan(0);
  });

  it('posts the ticket in the admin chat with its buttons', async () => {
    const post = h.api.sentTo(ADMIN_CHAT).find((m) => m.text?.includes(ticketCode))!;
    // "thôn 3" in the question is read against the commune's villages.
    expect(post.text).toContain('Thôn: Thôn 3');
    expect(post.text).toContain('Đèn đường thôn 3');
    expect(buttonsOf(post).map((b) => b.text)).toEqual(['Nhận xử lý', 'Chuyển lĩnh vực', 'Từ chối', 'Đóng']);
    postId = post.messageId;
    expect(await h.prisma.ticketAdminPost.count({ where: { purpose: 'ticket' } })).toBe(1);
  });

  it('a follow-up joins the open ticket; the same update delivered twice changes nothing', async () => {
    const messageId = h.api.residentSends({ userId: RESIDENT, text: 'Bổ sung: bóng đèn ở cột số 12' });
    await h.settle();
    // Telegram redelivers the very same update (same chat and message id).
    const original = { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: { id: RESIDENT, type: 'private' }, from: { id: RESIDENT, is_bot: false, first_name: 'Bà Tư' }, text: 'Bổ sung: bóng đèn ở cột số 12' };
    h.api.pushUpdate({ message: original });
    await h.settle();
    expect(await h.prisma.ticket.count()).toBe(1);
    const inbound = await h.prisma.ticketMessage.count({ where: { direction: 'inbound' } });
    expect(inbound).toBe(2);
    expect(h.api.sentTo(RESIDENT).filter((m) => m.text?.startsWith('Đã bổ sung')).length).toBe(1);
  });

  it('refuses a stranger pressing a button, and records it', async () => {
    const take = buttonsOf(h.api.sentTo(ADMIN_CHAT).find((m) => m.messageId === postId)).find((b) => b.text === 'Nhận xử lý')!;
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: postId, userId: STRANGER, data: take.callback_data });
    await h.settle();
    expect(h.api.answeredCallbacks.at(-1)).toMatchObject({ show_alert: true });
    expect(h.api.answeredCallbacks.at(-1)?.text).toContain(String(STRANGER));
    expect(await h.prisma.auditLog.count({ where: { action: 'admin_chat.refused' } })).toBe(1);
    expect((await h.prisma.ticket.findFirstOrThrow()).status).toBe('new');
  });

  it('refuses a forged button naming the ticket from a message that is not its post', async () => {
    const staffId = await h.linkStaff('giaothong', CADRE);
    expect(staffId).toBeTruthy();
    const ticket = await h.prisma.ticket.findFirstOrThrow();
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: 999, userId: CADRE, data: `tk:${ticket.id}:close` });
    await h.settle();
    expect((await h.prisma.ticket.findFirstOrThrow()).status).toBe('new');
    expect(await h.prisma.auditLog.count({ where: { action: 'admin_chat.refused' } })).toBe(2);
  });

  it('a registered cadre takes the ticket, then answers by replying to the post', async () => {
    const take = buttonsOf(h.api.sentTo(ADMIN_CHAT).find((m) => m.messageId === postId)).find((b) => b.text === 'Nhận xử lý')!;
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: postId, userId: CADRE, data: take.callback_data });
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow({ include: { assignee: true } });
    expect(ticket.status).toBe('in_progress');
    expect(ticket.assignee?.username).toBe('giaothong');
    expect(h.api.sentTo(RESIDENT).at(-1)?.text).toContain('Đang xử lý');
    // The post's buttons no longer offer "Nhận xử lý".
    expect(h.api.edits.some((e) => e.messageId === postId)).toBe(true);

    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: postId, text: 'Chiều mai điện lực xã sẽ thay bóng đèn cột số 12.' });
    await h.settle();
    const answered = await h.prisma.ticket.findFirstOrThrow();
    expect(answered.status).toBe('answered');
    expect(answered.answeredAt).not.toBeNull();
    const toResident = h.api.sentTo(RESIDENT);
    const answer = toResident.find((m) => m.text?.includes('Chiều mai điện lực'))!;
    expect(answer.text).toContain(ticketCode);
    const rating = toResident.at(-1)!;
    expect(rating.text).toContain('hài lòng');
    expect(buttonsOf(rating).map((b) => b.text)).toContain('Hài lòng');
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)?.text).toContain('Đã gửi trả lời');
    const outbound = await h.prisma.ticketMessage.findFirstOrThrow({ where: { direction: 'outbound', text: { contains: 'Chiều mai' } } });
    expect(outbound.deliveryStatus).toBe('sent');
    expect(outbound.platformMessageId).toMatch(new RegExp(`^${RESIDENT}:\\d+$`));
  });

  it('the resident rates it: satisfied closes the ticket; every change is an event', async () => {
    const rating = h.api.sentTo(RESIDENT).at(-1)!;
    const ok = buttonsOf(rating).find((b) => b.text === 'Hài lòng')!;
    const five = buttonsOf(rating).find((b) => b.text === '5★')!;
    h.api.pressButton({ chatId: RESIDENT, messageId: rating.messageId, userId: RESIDENT, data: five.callback_data });
    h.api.pressButton({ chatId: RESIDENT, messageId: rating.messageId, userId: RESIDENT, data: ok.callback_data });
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow({ include: { events: { orderBy: { createdAt: 'asc' } } } });
    expect(ticket.status).toBe('closed');
    expect(ticket.rating).toBe(5);
    const changes = ticket.events.filter((e) => e.type === 'status_changed').map((e) => `${e.fromStatus}→${e.toStatus}`);
    expect(changes).toEqual(['new→in_progress', 'in_progress→answered', 'answered→closed']);
  });

  it('tracking shows the history to its owner only', async () => {
    h.api.residentSends({ userId: RESIDENT, text: `/tracuu ${ticketCode.toLowerCase()}` });
    await h.settle();
    const reply = lastTo(RESIDENT)!.text!;
    expect(reply).toContain('Tình trạng: Đã đóng');
    expect(reply).toContain('Đang xử lý');

    await consent(5002);
    h.api.residentSends({ userId: 5002, text: ticketCode });
    await h.settle();
    expect(lastTo(5002)!.text).toContain('Không tìm thấy');
  });

  it('answers junk politely and makes no ticket of it', async () => {
    const before = await h.prisma.ticket.count();
    h.api.residentSends({ userId: 5002, sticker: true });
    h.api.residentSends({ userId: 5002, text: 'a'.repeat(5000) });
    h.api.residentSends({ userId: 5002, text: '   ' });
    await h.settle();
    const texts = h.api.sentTo(5002).slice(-3).map((m) => m.text ?? '');
    expect(texts.some((t) => t.includes('chỉ nhận chữ và ảnh'))).toBe(true);
    expect(texts.some((t) => t.includes('dài quá'))).toBe(true);
    expect(texts.some((t) => t.includes('chưa có nội dung'))).toBe(true);
    expect(await h.prisma.ticket.count()).toBe(before);
  });

  it('ignores group chatter and replies to posts that are not tickets', async () => {
    const before = h.api.sentTo(ADMIN_CHAT).length;
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, text: 'Chào cả nhóm' });
    const other = h.api.sentTo(ADMIN_CHAT).find((m) => m.text?.startsWith('✅'))!;
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: other.messageId, text: 'ok' });
    await h.settle();
    expect(h.api.sentTo(ADMIN_CHAT).length).toBe(before);
  });

  it('a resident who blocked the bot is marked unreachable and the answer is kept', async () => {
    await consent(5003);
    h.api.residentSends({ userId: 5003, text: 'Rác ở bãi tập kết đầu thôn 2 tuần chưa chở đi' });
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow({ where: { resident: { identities: { some: { platformUserId: '5003' } } } } });
    const post = await h.prisma.ticketAdminPost.findFirstOrThrow({ where: { ticketId: ticket.id, purpose: 'ticket' } });
    h.api.blockUser(5003);
    await h.linkStaff('diachinh', 7002).catch(() => undefined);
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: Number(post.platformMessageId.split(':')[1]), text: 'Thứ hai xe rác sẽ vào thu gom.' });
    await h.settle();
    const answer = await h.prisma.ticketMessage.findFirstOrThrow({ where: { ticketId: ticket.id, text: { contains: 'xe rác' } } });
    expect(answer.deliveryStatus).toBe('refused');
    expect(answer.deliveryError).toBe('blocked');
    const identity = await h.prisma.residentIdentity.findFirstOrThrow({ where: { platformUserId: '5003' } });
    expect(identity.unreachableAt).not.toBeNull();
  });

  it('a 429 from Telegram delays the send by retry_after and loses nothing', async () => {
    await consent(5004);
    h.api.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    const t0 = Date.now();
    h.api.residentSends({ userId: 5004, text: 'Nước máy nhà em 3 ngày nay không có' });
    await h.settle(20_000);
    const ack = h.api.sentTo(5004).find((m) => m.text?.includes('Mã số'));
    expect(ack).toBeDefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const rows = await h.prisma.ticketMessage.findMany({ where: { platformChatId: '5004', direction: 'outbound' } });
    expect(rows.every((r) => r.deliveryStatus === 'sent')).toBe(true);
  });

  it('keeps a resident\u2019s photo on disk by its hash and shows it to the cadres under the post', async () => {
    const photo = Buffer.from('ảnh ổ gà giữa đường'.repeat(200));
    h.api.addFile('photo-big-1', photo);
    h.api.residentSends({ userId: 5004, text: '/moi' });
    h.api.residentSends({ userId: 5004, text: 'Ổ gà to giữa đường liên thôn, xe máy ngã mấy lần rồi', photo: { fileId: 'photo-big-1', size: photo.length } });
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow({ where: { subject: { contains: 'Ổ gà to' } }, include: { messages: true, adminPosts: true } });
    const att = (ticket.messages.find((m) => m.direction === 'inbound')!.attachments as Array<{ sha256?: string; kind: string }>)[0]!;
    expect(att.kind).toBe('photo');
    const { createHash } = await import('node:crypto');
    const { readFile } = await import('node:fs/promises');
    expect(att.sha256).toBe(createHash('sha256').update(photo).digest('hex'));
    const file = await h.prisma.mediaFile.findUniqueOrThrow({ where: { sha256: att.sha256! } });
    expect(await readFile(`${h.dataDir}/${file.path}`)).toEqual(photo);
    const post = ticket.adminPosts.find((p) => p.purpose === 'ticket')!;
    const relayed = h.api.sentTo(ADMIN_CHAT).find((m) => m.method === 'sendPhoto' && `${ADMIN_CHAT}:${m.replyTo}` === post.platformMessageId);
    expect(relayed?.file).toBe('photo-big-1');

    // Over the size limit: a polite answer, no ticket.
    h.api.residentSends({ userId: 5004, text: 'ảnh to', photo: { fileId: 'huge', size: 50 * 1024 * 1024 } });
    await h.settle();
    expect(lastTo(5004)!.text).toContain('Ảnh lớn quá');
  });

  it('a message stored while the workers were down is processed once they are back', async () => {
    await h.stopWorkers();
    h.api.residentSends({ userId: 5004, text: '/moi' });
    h.api.residentSends({ userId: 5004, text: 'Trạm y tế có tiêm vắc xin sởi không ạ' });
    await h.api.waitFor(() => h.api.pendingUpdates === 0);
    expect(await h.prisma.inboundMessage.count({ where: { status: 'pending' } })).toBeGreaterThanOrEqual(1);
    h.startWorkers();
    await h.settle(20_000);
    const tickets = await h.prisma.ticket.findMany({ where: { resident: { identities: { some: { platformUserId: '5004' } } } }, include: { category: true } });
    expect(tickets.map((t) => t.category?.code).sort()).toEqual(['HA_TANG', 'HA_TANG', 'Y_TE']);
  });
});
