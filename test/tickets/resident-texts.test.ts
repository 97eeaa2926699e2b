// Texts residents read, as an elderly villager would: the commune's form of address everywhere
// ("Ông/Bà" unless it chose "Quý vị"), never "bạn", no internal codes, the same words for the same
// thing, and choices said the way each channel offers them. Then, over the real Telegram adapter:
// the commune's choice reaches the resident, and rating buttons go once used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentTexts, residentTextsFor, type ResidentTexts } from '../../src/tickets/resident-texts.ts';
import { voiceFor } from '../../src/tickets/texts/voice.ts';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';

/** Every text, its functions called with plausible values. */
function allTexts(t: ResidentTexts): string[] {
  return Object.values(t).map((v) => {
    if (typeof v === 'string') return v;
    const f = v as (...a: unknown[]) => string;
    return f.length >= 3 || f === (t.acknowledged as unknown)
      ? f({ code: 'PA-2026-00001', category: 'Nông nghiệp', dueText: '17:00 ngày 04/12/2026' }, 'b', 'c')
      : f('PA-2026-00001', 'Nội dung', 'ghi chú');
  });
}

describe('the register of resident texts', () => {
  const forms = [
    { settings: {}, you: 'Ông/Bà', you_: 'ông/bà' },
    { settings: { residentAddress: 'quy-vi' }, you: 'Quý vị', you_: 'quý vị' },
  ];
  for (const platform of ['telegram', 'zalo', 'webchat'] as const) {
    for (const f of forms) {
      it(`${platform}, ${f.you}: never "bạn", no raw codes, the chosen form of address`, () => {
        const texts = allTexts(residentTextsFor(voiceFor({ settings: f.settings }, platform)));
        for (const text of texts) {
          expect(text).not.toMatch(/(^|[^\p{L}])bạn([^\p{L}]|$)/iu);
          expect(text).not.toMatch(/\((telegram|zalo|webchat|zalo_bot|zalo_oa)\)|webchat|dong y/i);
        }
        const all = texts.join('\n');
        expect(all).toContain(f.you);
        expect(all).toContain(f.you_);
        expect(all).toContain('câu hỏi, phản ánh');
      });
    }
  }

  it('tells Telegram and the web chat to press, Zalo to type the number', () => {
    expect(residentTextsFor(voiceFor(null, 'telegram')).consent('Xã A')).toContain('bấm nút "Tôi đồng ý"');
    expect(residentTextsFor(voiceFor(null, 'webchat')).consent('Xã A')).toContain('bấm nút "Tôi đồng ý"');
    const zalo = residentTextsFor(voiceFor(null, 'zalo_bot')).consent('Xã A');
    expect(zalo).toContain('gõ số 1');
    expect(zalo).not.toMatch(/bấm/i);
  });

  it('an unknown setting falls back to "Ông/Bà"', () => {
    expect(residentTextsFor(voiceFor({ settings: { residentAddress: 'mày' } })).ask).toBe(residentTexts.ask);
    expect(residentTexts.ask).toContain('ông/bà');
  });
});

describe('over Telegram', () => {
  let h: ListeningHarness;
  beforeAll(async () => {
    h = await startListeningHarness();
    await h.linkStaff('giaothong', 7301);
  });
  afterAll(async () => {
    await h?.close();
  });
  const buttonsOf = (m: { replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } } | undefined) => (m?.replyMarkup?.inline_keyboard ?? []).flat();

  it('speaks in the form of address the commune chose, and names the channel in words in the post', async () => {
    await h.prisma.commune.update({ where: { id: h.communeId }, data: { settings: { residentAddress: 'quy-vi' } } });
    h.api.residentSends({ userId: 5301, text: 'Đường vào thôn 7 ngập nước sau mưa', firstName: 'Cụ Bảy' });
    await h.settle();
    const prompt = h.api.sentTo(5301).at(-1)!;
    expect(prompt.text).toContain('Quý vị có đồng ý không?');
    h.api.pressButton({ chatId: 5301, messageId: prompt.messageId, userId: 5301, firstName: 'Cụ Bảy', data: buttonsOf(prompt)[0]!.callback_data });
    await h.settle();
    expect(h.api.sentTo(5301).some((m) => m.text?.includes('Ủy ban đã nhận câu hỏi, phản ánh của quý vị'))).toBe(true);
    const post = h.api.sentTo(ADMIN_CHAT).find((m) => m.text?.includes('Đường vào thôn 7'))!;
    expect(post.text).toContain('Người gửi: Cụ Bảy, nhắn qua Telegram');
    expect(post.text).not.toContain('(telegram)');
    await h.prisma.commune.update({ where: { id: h.communeId }, data: { settings: {} } });
  });

  it('removes the rating buttons once used: stars first, then "Hài lòng"', async () => {
    const post = await h.prisma.ticketAdminPost.findFirstOrThrow({ where: { purpose: 'ticket' } });
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: 7301, replyTo: Number(post.platformMessageId.split(':')[1]), text: 'Xã đã cho khơi thông cống thoát nước thôn 7.' });
    await h.settle();
    const rating = h.api.sentTo(5301).at(-1)!;
    // The commune went back to the default form meanwhile; the next text follows at once.
    expect(rating.text).toContain('Ông/Bà có hài lòng');
    const star = buttonsOf(rating).find((b) => b.text === '4★')!;
    h.api.pressButton({ chatId: 5301, messageId: rating.messageId, userId: 5301, data: star.callback_data });
    await h.settle();
    const afterStars = h.api.edits.filter((e) => e.messageId === rating.messageId).at(-1)?.replyMarkup as { inline_keyboard: Array<Array<{ text: string }>> } | undefined;
    expect(afterStars?.inline_keyboard.flat().map((b) => b.text)).toEqual(['Hài lòng', 'Chưa hài lòng']);
    const ok = buttonsOf(rating).find((b) => b.text === 'Hài lòng')!;
    h.api.pressButton({ chatId: 5301, messageId: rating.messageId, userId: 5301, data: ok.callback_data });
    await h.settle();
    expect(h.api.edits.filter((e) => e.messageId === rating.messageId).at(-1)?.replyMarkup).toBeUndefined();
    expect((await h.prisma.ticket.findFirstOrThrow()).status).toBe('closed');
  });
});
