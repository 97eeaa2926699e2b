// A group joins the bulletin targets from inside it: /dangkynhom by a linked editor registers it
// (named, with its village when the name is one, accents or not), /huynhom takes it off; others
// are refused and audited, and ordinary chatter in the group is not the bot's business.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';

let h: ListeningHarness;
const GROUP = -100777;
const EDITOR = 7801;
const RESPONDER = 7802;
const STRANGER = 7803;

beforeAll(async () => {
  h = await startListeningHarness();
  await h.linkStaff('vanhoa', EDITOR);
  await h.linkStaff('diachinh', RESPONDER);
});
afterAll(async () => {
  await h?.close();
});

const target = () => h.prisma.target.findFirst({ where: { platformChatId: String(GROUP) }, include: { village: true } });

describe('registering a group for bulletins', () => {
  it('refuses people who are not bulletin staff, and ignores chatter', async () => {
    h.api.staffWritesInGroup({ chatId: GROUP, userId: STRANGER, text: '/dangkynhom' });
    h.api.staffWritesInGroup({ chatId: GROUP, userId: RESPONDER, text: '/dangkynhom' });
    h.api.staffWritesInGroup({ chatId: GROUP, userId: EDITOR, text: 'Chào cả nhà' });
    await h.settle();
    expect(await target()).toBeNull();
    expect(h.api.sentTo(String(GROUP)).map((m) => m.text)).toEqual([expect.stringContaining('Chỉ cán bộ'), expect.stringContaining('Chỉ cán bộ')]);
    expect(await h.prisma.auditLog.count({ where: { action: 'target.register_refused' } })).toBe(2);
  });

  it('registers with a village name typed without accents, renames on a second call, and unregisters', async () => {
    const village = await h.prisma.village.findFirstOrThrow({ where: { communeId: h.communeId }, orderBy: { sortOrder: 'asc' } });
    const plain = village.name.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
    h.api.staffWritesInGroup({ chatId: GROUP, userId: EDITOR, text: `/dangkynhom ${plain}` });
    await h.settle();
    expect(await target()).toMatchObject({ status: 'active', kind: 'telegram_chat', villageId: village.id, name: plain });
    expect(h.api.sentTo(String(GROUP)).at(-1)!.text).toContain(`(${village.name})`);

    h.api.staffWritesInGroup({ chatId: GROUP, userId: EDITOR, text: '/dangkynhom Nhóm Zalo chợ' });
    await h.settle();
    expect(await target()).toMatchObject({ name: 'Nhóm Zalo chợ', villageId: village.id });
    expect(await h.prisma.target.count({ where: { platformChatId: String(GROUP) } })).toBe(1);

    h.api.staffWritesInGroup({ chatId: GROUP, userId: EDITOR, text: '/huynhom' });
    await h.settle();
    expect((await target())!.status).toBe('inactive');
    h.api.staffWritesInGroup({ chatId: GROUP, userId: EDITOR, text: '/huynhom' });
    await h.settle();
    expect(h.api.sentTo(String(GROUP)).at(-1)!.text).toContain('chưa đăng ký');
    expect(await h.prisma.auditLog.findMany({ where: { action: { in: ['target.register', 'target.unregister'] } }, select: { action: true } })).toHaveLength(3);
  });
});
