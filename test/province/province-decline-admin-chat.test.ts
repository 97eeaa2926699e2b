// Declining a normal province bulletin from the commune's admin chats: on approval each receiving
// commune's Telegram and Zalo admin chats get a notice with "Từ chối" (a button; a numbered choice
// on Zalo). Only the commune's approvers may use it — not someone unlinked, not an editor, not an
// approver of another commune — the reason is asked for as a reply and required; a second decline,
// and one after the window, are refused precisely; the buttons go once declined or the window closed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvinceBulletin } from '../../src/province/create-province-bulletin.ts';
import { approveProvinceBulletin } from '../../src/province/approve-province-bulletin.ts';
import { closeDeclineWindows } from '../../src/province/close-decline-windows.ts';
import { removeButtonsJob } from '../../src/tickets/ticket-jobs.ts';
import type { Enqueue } from '../../src/tickets/ticket-deps.ts';
import type { FakeZaloApi } from '../support/zalo/fake-zalo-api.ts';
import { ADMIN_CHAT, startListeningHarness, ZALO_ADMIN_GROUP, type ListeningHarness } from '../support/listening-harness.ts';

let h: ListeningHarness;
const staff: Record<string, string> = {};
const APPROVER = 8801;
const EDITOR = 8802;
const STRANGER = 8803;
const OTHER_COMMUNE_APPROVER = 8804;
const ZALO_APPROVER = 'zalo-chutich-1';
const GROUP_ID = ZALO_ADMIN_GROUP.slice(2);
let provinceId = '';
let otherCommuneId = '';

beforeAll(async () => {
  h = await startListeningHarness({ zalo: true });
  staff.chutich = await h.linkStaff('chutich', APPROVER);
  await h.linkStaff('chutich', ZALO_APPROVER, 'zalo');
  staff.vanhoa = await h.linkStaff('vanhoa', EDITOR);
  provinceId = (await h.prisma.commune.findUniqueOrThrow({ where: { id: h.communeId } })).provinceId!;
  otherCommuneId = (await h.prisma.commune.create({ data: { code: 'XA-LANG-GIENG', name: 'Xã Láng Giềng', provinceId } })).id;
  const neighbour = await h.prisma.staff.create({ data: { communeId: otherCommuneId, username: 'langgieng_duyet', displayName: 'Duyệt xã láng giềng', roles: ['approver'] } });
  await h.prisma.staffIdentity.create({ data: { staffId: neighbour.id, platform: 'telegram', platformUserId: String(OTHER_COMMUNE_APPROVER) } });
  for (const [username, role] of [['tinh_soan', 'editor'], ['tinh_duyet', 'approver']] as const) {
    staff[username] = (await h.prisma.staff.create({ data: { username, displayName: username, roles: [], provinceId, provinceRoles: [role] } })).id;
  }
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const zalo = (): FakeZaloApi => h.zalo!.api();
const toZaloGroup = () => zalo().sent.filter((m) => m.threadId === GROUP_ID);

async function approvedNormal(title: string, now?: Date) {
  const pb = await createProvinceBulletin(h.prisma, { actor: { staffId: staff.tinh_soan! }, title, text: `${title}: bà con lưu ý.` });
  await approveProvinceBulletin({ prisma: h.prisma, enqueue: h.deps.enqueue }, { actor: { staffId: staff.tinh_duyet! }, provinceBulletinId: pb.id, ...(now ? { now } : {}) });
  await h.settle();
  const notice = h.api.sentTo(ADMIN_CHAT).filter((m) => m.text?.includes(`Bản tin của tỉnh`) && m.text.includes(title)).at(-1)!;
  expect(notice, 'the Telegram notice').toBeDefined();
  const press = async (userId: number) => {
    const button = notice.replyMarkup!.inline_keyboard.flat().find((x) => x.text === 'Từ chối')!;
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: notice.messageId, userId, data: button.callback_data });
    await h.settle();
  };
  const buttonsGone = () => h.api.edits.some((e) => e.messageId === notice.messageId) && h.api.edits.filter((e) => e.messageId === notice.messageId).at(-1)?.replyMarkup === undefined;
  const side = () => h.prisma.provinceBulletinCommune.findFirstOrThrow({ where: { provinceBulletinId: pb.id, communeId: h.communeId } });
  return { id: pb.id, notice, press, buttonsGone, side };
}

describe('declining a province bulletin from the admin chat', () => {
  it('only the commune\u2019s approvers may, with a reason given as a reply; once only', async () => {
    const pb = await approvedNormal('Tuyên truyền bầu cử');
    expect(pb.notice.text).toContain('trừ khi người duyệt của xã từ chối trước giờ đó');
    expect(pb.notice.text).toContain('Nơi nhận: toàn xã');
    // The Zalo admin group got the same notice, the button as a numbered choice.
    expect(toZaloGroup().some((m) => m.text?.includes('Tuyên truyền bầu cử') && m.text.includes('1. Từ chối'))).toBe(true);

    await pb.press(STRANGER);
    expect(h.api.answeredCallbacks.at(-1)).toMatchObject({ show_alert: true, text: expect.stringContaining('chưa liên kết với cán bộ') });
    await pb.press(OTHER_COMMUNE_APPROVER);
    expect(h.api.answeredCallbacks.at(-1)).toMatchObject({ show_alert: true });
    await pb.press(EDITOR);
    expect(h.api.answeredCallbacks.at(-1)).toMatchObject({ show_alert: true, text: expect.stringContaining('Chỉ người duyệt của xã mới từ chối') });
    expect(await h.prisma.auditLog.count({ where: { action: 'admin_chat.refused', data: { path: ['verb'], equals: 'province_bulletin_decline' } } })).toBe(2);
    expect((await pb.side()).status).toBe('waiting');

    await pb.press(APPROVER);
    const question = h.api.sentTo(ADMIN_CHAT).at(-1)!;
    expect(question.text).toContain('lý do xã từ chối bản tin của tỉnh "Tuyên truyền bầu cử"');
    // An empty reason, and a reason from the editor, decline nothing.
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: APPROVER, replyTo: question.messageId, text: '   ' });
    await h.settle();
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('Cần ghi lý do từ chối');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: EDITOR, replyTo: question.messageId, text: 'Không cần phát' });
    await h.settle();
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('Chỉ người duyệt của xã mới từ chối');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: STRANGER, replyTo: question.messageId, text: 'Từ chối hộ' });
    await h.settle();
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('chưa liên kết với cán bộ');
    expect((await pb.side()).status).toBe('waiting');

    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: APPROVER, replyTo: question.messageId, text: 'Xã đã phát nội dung này tuần trước' });
    await h.settle();
    expect(await pb.side()).toMatchObject({ status: 'declined', declinedById: staff.chutich, declineReason: 'Xã đã phát nội dung này tuần trước' });
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('Xã đã từ chối bản tin của tỉnh "Tuyên truyền bầu cử"');
    expect(pb.buttonsGone()).toBe(true);
    // The other commune's side is untouched.
    expect((await h.prisma.provinceBulletinCommune.findFirstOrThrow({ where: { provinceBulletinId: pb.id, communeId: otherCommuneId } })).status).toBe('waiting');
    // Twice: said so, with when and by whom.
    await pb.press(APPROVER);
    expect(h.api.answeredCallbacks.at(-1)).toMatchObject({ show_alert: true, text: expect.stringContaining('Xã đã từ chối bản tin này lúc') });
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: APPROVER, replyTo: question.messageId, text: 'Lần nữa' });
    await h.settle();
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('Xã đã từ chối bản tin này lúc');
    expect(await h.prisma.auditLog.count({ where: { action: 'province_bulletin.decline', entityId: pb.id } })).toBe(1);
  });

  it('on Zalo: the number, then the reason quoting the bot\u2019s question', async () => {
    const pb = await approvedNormal('Phòng chống sốt xuất huyết');
    const notice = toZaloGroup().filter((m) => m.text?.includes('Phòng chống sốt xuất huyết')).at(-1)!;
    zalo().deliver(zalo().groupMessage(GROUP_ID, ZALO_APPROVER, '1', { quote: { msgId: notice.msgId, text: notice.text ?? '' } }));
    await h.settle();
    const question = toZaloGroup().at(-1)!;
    expect(question.text).toContain('lý do xã từ chối bản tin của tỉnh');
    zalo().deliver(zalo().groupMessage(GROUP_ID, ZALO_APPROVER, 'Trùng đợt phun thuốc của xã', { quote: { msgId: question.msgId, text: question.text ?? '' } }));
    await h.settle();
    expect(await pb.side()).toMatchObject({ status: 'declined', declineReason: 'Trùng đợt phun thuốc của xã' });
    expect(toZaloGroup().at(-1)!.text).toContain('Xã đã từ chối bản tin của tỉnh');
  });

  it('after the window: refused with the deadline, and the tick takes the button away', async () => {
    const window = (await h.prisma.province.findUniqueOrThrow({ where: { id: provinceId } })).declineWindowMinutes;
    const pb = await approvedNormal('Lịch thu thuế đất', new Date(Date.now() - (window + 1) * 60_000));
    await pb.press(APPROVER);
    expect(h.api.answeredCallbacks.at(-1)).toMatchObject({ show_alert: true, text: expect.stringContaining('Đã quá hạn từ chối') });
    expect((await pb.side()).status).toBe('waiting');
    // Only the admin-chat side of the tick goes to the queues here (its fire jobs wait for the slot).
    const enqueue: Enqueue = async (def, data, o) => (def.name === removeButtonsJob.name ? h.deps.enqueue(def, data, o) : 'not-queued');
    expect(await closeDeclineWindows({ prisma: h.prisma, enqueue })).toBeGreaterThanOrEqual(1);
    await h.settle();
    expect((await pb.side()).status).toBe('scheduled');
    expect(pb.buttonsGone()).toBe(true);
  });
});
