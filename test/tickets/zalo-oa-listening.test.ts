// The whole listening loop through a Zalo Official Account, with no zca-js account: signed
// webhook events, consent by number, the question becomes a ticket in the (Telegram) admin chat,
// the cadre answers by replying, the answer goes back as a consultation message, the resident
// rates by number. An answer after the 7-day window is not dropped: it is offered on the
// resident's other channel and the cadres are told; it goes out when the resident writes again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import type { FakeZaloOaApi } from '../support/zalo-oa-api/fake-zalo-oa-api.ts';

let h: ListeningHarness;
const RESIDENT = '8812345678901234567';
const CADRE = 7201;

beforeAll(async () => {
  h = await startListeningHarness({ zaloOa: true });
  await h.linkStaff('giaothong', CADRE);
});
afterAll(async () => {
  await h?.close();
});

const oa = (): FakeZaloOaApi => h.zaloOa!.api;
const toResident = (id = RESIDENT) => oa().sentTo(id).map((m) => m.text ?? '');
const buttonsOf = (m: { replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } } | undefined) => (m?.replyMarkup?.inline_keyboard ?? []).flat();

async function answerFromAdminChat(code: string, text: string): Promise<void> {
  const post = h.api.sentTo(ADMIN_CHAT).find((m) => m.text?.includes(code))!;
  const take = buttonsOf(post).find((b) => b.text === 'Nhận xử lý');
  if (take) {
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: post.messageId, userId: CADRE, data: take.callback_data });
    await h.settle();
  }
  h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: CADRE, replyTo: post.messageId, text });
  await h.settle();
}

describe('listening over a Zalo Official Account', () => {
  let code = '';

  it('a resident asks through the OA: consent by number, then a ticket in the admin chat', async () => {
    expect(await h.zaloOa!.deliver(oa().residentSends({ userId: RESIDENT, text: 'Đường vào thôn 5 bị sụt lún, xe máy đi rất nguy hiểm' }))).toBe(200);
    await h.settle();
    expect(toResident().at(-1)).toMatch(/Luật Bảo vệ dữ liệu cá nhân[\s\S]*👉 Trả lời bằng số:\n1\. Tôi đồng ý/);
    await h.zaloOa!.deliver(oa().residentSends({ userId: RESIDENT, text: '1' }));
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow();
    code = ticket.code;
    expect(ticket.channel).toBe('zalo_oa');
    expect(toResident().some((t) => t.includes(`Mã số: ${code}`))).toBe(true);
    expect(h.api.sentTo(ADMIN_CHAT).some((m) => m.text?.includes(code))).toBe(true);
  });

  it('a retried webhook delivery is stored once', async () => {
    const e = oa().residentSends({ userId: RESIDENT, text: 'Bổ sung: gần cầu tràn' });
    expect(await h.zaloOa!.deliver(e)).toBe(200);
    expect(await h.zaloOa!.deliver(e)).toBe(200);
    await h.settle();
    expect(toResident().filter((t) => t.startsWith('Đã bổ sung'))).toHaveLength(1);
  });

  it('the cadre answers from the admin chat; the resident gets it and rates it', async () => {
    await answerFromAdminChat(code, 'Tuần sau xã cho san lấp đoạn sụt lún.');
    expect(toResident().some((t) => t.includes(`Trả lời phản ánh ${code}`) && t.includes('san lấp'))).toBe(true);
    expect(toResident().at(-1)).toMatch(/1\. Hài lòng/);
    await h.zaloOa!.deliver(oa().residentSends({ userId: RESIDENT, text: '1' }));
    await h.settle();
    expect((await h.prisma.ticket.findFirstOrThrow()).status).toBe('closed');
  });

  it('an answer after the 7-day window is refused by the channel, the cadres are told, and it goes out when the resident writes again', async () => {
    const R = '8899999999999999999';
    await h.zaloOa!.deliver(oa().residentSends({ userId: R, text: 'dong y' }));
    await h.settle();
    await h.zaloOa!.deliver(oa().residentSends({ userId: R, text: 'Trạm y tế có tiêm vắc xin sởi không ạ' }));
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow({ where: { resident: { identities: { some: { platformUserId: R } } } } });
    oa().advance(8 * 24 * 3600_000);
    const before = oa().sent.length;
    await answerFromAdminChat(ticket.code, 'Thứ năm hằng tuần trạm y tế tiêm vắc xin sởi.');
    expect(oa().sent.length).toBe(before);
    const answer = await h.prisma.ticketMessage.findFirstOrThrow({ where: { ticketId: ticket.id, text: { contains: 'Thứ năm' } } });
    expect(answer.deliveryStatus).toBe('refused');
    expect(answer.deliveryError).toBe('window_closed');
    expect(h.api.sentTo(ADMIN_CHAT).some((m) => m.text?.includes(ticket.code) && m.text.includes('quá 7 ngày'))).toBe(true);
    await h.zaloOa!.deliver(oa().residentSends({ userId: R, text: 'Ủy ban trả lời giúp em với' }));
    await h.settle();
    expect(toResident(R).some((t) => t.includes('Thứ năm hằng tuần'))).toBe(true);
  });

  it('refuses unsigned events and anonymous senders clearly', async () => {
    const e = oa().residentSends({ userId: RESIDENT, text: 'giả mạo' });
    const before = await h.prisma.inboundMessage.count();
    const { rawBody } = oa().signed(e);
    const forged = await h.zaloOa!.channel.handleWebhook({ rawBody, signature: 'mac=' + '0'.repeat(64) });
    expect(forged).toBe(401);
    expect(await h.zaloOa!.deliver(oa().anonymous('cho hỏi'))).toBe(200);
    await h.settle();
    expect(await h.prisma.inboundMessage.count()).toBe(before);
    expect(oa().sent.at(-1)).toMatchObject({ anonymous: true });
    expect(oa().sent.at(-1)!.text).toContain('ẩn danh');
  });
});
