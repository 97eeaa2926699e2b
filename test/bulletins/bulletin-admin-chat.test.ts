// Bulletins from the admin chat: a submitted bulletin is announced with Duyệt / Từ chối; only its
// commune's approvers act (the workflow's rules), a refusal is audited, "Từ chối" takes the reason
// as a reply, and /bantin shows today's schedule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { scheduleBulletin } from '../../src/bulletins/bulletin-schedule.ts';
import { announceSubmitted } from '../../src/bulletins/bulletin-admin-chat.ts';
import { dispatchEffects } from '../../src/tickets/process-inbound.ts';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';

let h: ListeningHarness;
const staff: Record<string, string> = {};
const EDITOR = 7701;
const APPROVER = 7702;
const STRANGER = 7703;

beforeAll(async () => {
  h = await startListeningHarness();
  staff.vanhoa = await h.linkStaff('vanhoa', EDITOR);
  staff.chutich = await h.linkStaff('chutich', APPROVER);
});
afterAll(async () => {
  await h?.close();
});

async function submitted(title: string) {
  const wf = createBulletinWorkflow(h.prisma);
  const b = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId: h.communeId, title, text: `${title}: thông báo tới bà con.` });
  await wf.submit({ staffId: staff.vanhoa! }, b.id);
  await dispatchEffects(h.deps, await announceSubmitted(h.prisma, b.id));
  await h.settle();
  const post = h.api.sentTo(ADMIN_CHAT).at(-1)!;
  expect(post.text).toContain(`Bản tin chờ duyệt: ${title}`);
  const press = async (label: string, userId: number) => {
    const b2 = post.replyMarkup!.inline_keyboard.flat().find((x) => x.text === label)!;
    h.api.pressButton({ chatId: ADMIN_CHAT, messageId: post.messageId, userId, data: b2.callback_data });
    await h.settle();
  };
  const buttonsGone = () => h.api.edits.filter((e) => e.messageId === post.messageId).at(-1)?.replyMarkup === undefined && h.api.edits.some((e) => e.messageId === post.messageId);
  return { id: b.id, press, buttonsGone };
}

describe('bulletins in the admin chat', () => {
  it('approves with the button, only for the commune\u2019s approvers', async () => {
    const b = await submitted('Lịch tiêm chủng');
    await b.press('Duyệt', STRANGER);
    expect(h.api.answeredCallbacks.at(-1)).toMatchObject({ show_alert: true });
    await b.press('Duyệt', EDITOR);
    expect(h.api.answeredCallbacks.at(-1)!.text).toContain('không có quyền duyệt');
    expect((await h.prisma.bulletin.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('submitted');
    await b.press('Duyệt', APPROVER);
    expect((await h.prisma.bulletin.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('approved');
    const approved = h.api.sentTo(ADMIN_CHAT).at(-1)!.text!;
    expect(approved).toContain('Đã duyệt bản tin');
    // It has no time yet, and says so; the buttons are gone from the announcement.
    expect(approved).toContain('chưa có giờ phát');
    expect(b.buttonsGone()).toBe(true);
    expect(await h.prisma.auditLog.count({ where: { action: 'admin_chat.refused' } })).toBe(1);
    // Pressed again: it is no longer waiting.
    await b.press('Duyệt', APPROVER);
    expect(h.api.answeredCallbacks.at(-1)!.text).toContain('không duyệt được');
  });

  it('sends a bulletin back with the reason given as a reply', async () => {
    const b = await submitted('Họp dân');
    await b.press('Từ chối', APPROVER);
    const question = h.api.sentTo(ADMIN_CHAT).at(-1)!;
    expect(question.text).toContain('lý do trả lại');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: APPROVER, replyTo: question.messageId, text: 'Ghi rõ giờ họp' });
    await h.settle();
    expect((await h.prisma.bulletin.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('rejected');
    expect((await h.prisma.approval.findFirstOrThrow({ where: { bulletinId: b.id } })).comment).toBe('Ghi rõ giờ họp');
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('Đã trả lại');
    expect(b.buttonsGone()).toBe(true);
    // No internal tag in anything the cadres read.
    for (const m of h.api.sentTo(ADMIN_CHAT)) expect(m.text ?? '').not.toMatch(/#bt-|[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('/bantin lists what already went out today, sent at once without a schedule', async () => {
    const wf = createBulletinWorkflow(h.prisma);
    const b = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId: h.communeId, title: 'Cắt điện đột xuất', text: 'Bà con chú ý cắt điện từ 9 giờ.' });
    await wf.submit({ staffId: staff.vanhoa! }, b.id);
    await wf.approve({ staffId: staff.chutich! }, b.id);
    await h.prisma.bulletin.update({ where: { id: b.id }, data: { status: 'done' } });
    await h.prisma.broadcastRun.create({ data: { bulletinId: b.id, revision: 1, scheduledFor: new Date(), status: 'done', startedAt: new Date(), finishedAt: new Date() } });
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: EDITOR, text: '/bantin' });
    await h.settle();
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toMatch(/\d\d:\d\d — Cắt điện đột xuất \(đã phát\)/);
  });

  it('/bantin lists today\u2019s slots and what waits for approval', async () => {
    const wf = createBulletinWorkflow(h.prisma);
    const daily = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId: h.communeId, title: 'Phòng chống lừa đảo', text: 'Bà con cảnh giác với cuộc gọi lạ.' });
    await wf.submit({ staffId: staff.vanhoa! }, daily.id);
    await wf.approve({ staffId: staff.chutich! }, daily.id);
    const slot = await h.prisma.broadcastSlot.findFirstOrThrow({ where: { communeId: h.communeId, timeOfDay: '17:00' } });
    await scheduleBulletin(h.prisma, { staffId: staff.vanhoa! }, daily.id, { kind: 'recurring', slotId: slot.id });
    await submitted('Thu gom rác');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: EDITOR, text: '/bantin' });
    await h.settle();
    const list = h.api.sentTo(ADMIN_CHAT).at(-1)!.text!;
    expect(list).toContain('Lịch phát hôm nay');
    expect(list).toContain('17:00 — Phòng chống lừa đảo');
    expect(list).toContain('Chờ duyệt:');
    expect(list).toContain('Thu gom rác');
    h.api.staffWritesInGroup({ chatId: ADMIN_CHAT, userId: STRANGER, text: '/bantin' });
    await h.settle();
    expect(h.api.sentTo(ADMIN_CHAT).at(-1)!.text).toContain('chưa liên kết với cán bộ');
  });
});
