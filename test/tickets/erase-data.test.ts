// /xoadulieu done deliberately: it asks first; on confirmation consent and its time are cleared,
// the open ticket is closed as anonymized (a new message asks consent again and starts a new
// ticket, never joining it), and the admin-chat post is rendered without the name or the words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { renderAdminPost } from '../../src/tickets/admin-post.ts';

let h: ListeningHarness;
beforeAll(async () => {
  h = await startListeningHarness();
});
afterAll(async () => {
  await h?.close();
});
type Sent = { replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } } | undefined;
const buttonsOf = (m: Sent) => (m?.replyMarkup?.inline_keyboard ?? []).flat();
const USER = 6701;
const WORDS = 'Nhà tôi ở xóm Bãi, cống trước cửa bị tắc, tôi là Nguyễn Văn Tám';

async function consent() {
  h.api.residentSends({ userId: USER, text: '/start', firstName: 'Ông Tám' });
  await h.settle();
  const prompt = h.api.sentTo(USER).at(-1)!;
  h.api.pressButton({ chatId: USER, messageId: prompt.messageId, userId: USER, firstName: 'Ông Tám', data: buttonsOf(prompt).find((b) => b.text === 'Tôi đồng ý')!.callback_data });
  await h.settle();
}
const resident = () => h.prisma.resident.findFirstOrThrow({ where: { identities: { some: { platformUserId: String(USER) } } }, include: { tickets: true } });

describe('/xoadulieu', () => {
  it('asks for confirmation and erases nothing before it; "Không xoá" keeps everything', async () => {
    await consent();
    h.api.residentSends({ userId: USER, text: WORDS });
    await h.settle();
    h.api.residentSends({ userId: USER, text: '/xoadulieu' });
    await h.settle();
    const confirm = h.api.sentTo(USER).at(-1)!;
    expect(buttonsOf(confirm).map((b) => b.text)).toEqual(['Xoá dữ liệu của tôi', 'Không xoá']);
    expect((await resident()).consentGivenAt).not.toBeNull();
    h.api.pressButton({ chatId: USER, messageId: confirm.messageId, userId: USER, data: buttonsOf(confirm)[1]!.callback_data });
    await h.settle();
    expect((await resident()).displayName).toBe('Ông Tám');
    expect(h.api.sentTo(USER).at(-1)!.text).toContain('giữ nguyên');
  });

  it('on confirmation clears consent and its time, closes the open ticket anonymized, and the post loses name and words', async () => {
    h.api.residentSends({ userId: USER, text: '/xoadulieu' });
    await h.settle();
    const confirm = h.api.sentTo(USER).at(-1)!;
    h.api.pressButton({ chatId: USER, messageId: confirm.messageId, userId: USER, data: buttonsOf(confirm)[0]!.callback_data });
    await h.settle();
    const r = await resident();
    expect(r.consentGivenAt).toBeNull();
    expect(r.consentVersion).toBeNull();
    expect(r.displayName).toBeNull();
    expect(r.tickets).toHaveLength(1);
    expect(r.tickets[0]!.status).toBe('closed');
    const event = await h.prisma.ticketEvent.findFirstOrThrow({ where: { ticketId: r.tickets[0]!.id, toStatus: 'closed' } });
    expect(event.reason).toContain('xoá dữ liệu');
    // The buttons of the confirmation and of the ticket's post go.
    expect(h.api.edits.filter((e) => e.messageId === confirm.messageId).at(-1)?.replyMarkup).toBeUndefined();
    const post = await h.prisma.ticketAdminPost.findFirstOrThrow({ where: { ticketId: r.tickets[0]!.id, purpose: 'ticket' } });
    expect(h.api.edits.filter((e) => `${e.chatId}:${e.messageId}` === post.platformMessageId).at(-1)?.replyMarkup).toBeUndefined();
    const rendered = (await renderAdminPost(h.prisma, r.tickets[0]!.id)).text;
    expect(rendered).not.toContain('Ông Tám');
    expect(rendered).not.toContain('Nguyễn Văn Tám');
    expect(rendered).not.toContain('xóm Bãi');
    expect(rendered).toContain('đã xoá dữ liệu');
    expect(h.api.sentTo(ADMIN_CHAT).length).toBeGreaterThan(0);
  });

  it('a new message after erasure asks consent again, then starts a new ticket', async () => {
    h.api.residentSends({ userId: USER, text: 'Đèn đường xóm Bãi hỏng' });
    await h.settle();
    expect(h.api.sentTo(USER).at(-1)!.text).toContain('đồng ý');
    expect((await resident()).tickets).toHaveLength(1);
    const prompt = h.api.sentTo(USER).at(-1)!;
    h.api.pressButton({ chatId: USER, messageId: prompt.messageId, userId: USER, data: buttonsOf(prompt).find((b) => b.text === 'Tôi đồng ý')!.callback_data });
    await h.settle();
    const tickets = (await resident()).tickets;
    expect(tickets).toHaveLength(2);
    const fresh = tickets.find((t) => t.status !== 'closed')!;
    expect(fresh.subject).toContain('Đèn đường');
  });
});
