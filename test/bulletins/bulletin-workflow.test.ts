// The bulletin workflow on the real PostgreSQL: roles, the second-approver rule, approvers of
// another commune, frozen revisions, cancellation, bad text, and two approvers at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { createBulletinWorkflow, type BulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let wf: BulletinWorkflow;
let communeId: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  db = await openMigratedTestDatabase('bulletin');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) ids[s.username] = s.id;
  // A second commune with its own approver.
  const other = await prisma.commune.create({ data: { code: 'khac', name: 'Xã Khác' } });
  ids.approverElsewhere = (await prisma.staff.create({ data: { communeId: other.id, username: 'duyet_xa_khac', displayName: 'Người duyệt xã khác', roles: ['approver'] } })).id;
  wf = createBulletinWorkflow(prisma);
});
afterAll(async () => {
  await db?.close();
});

const as = (username: string) => ({ staffId: ids[username]! });
const draft = (text = 'Trạm Y tế xã thông báo lịch tiêm vắc xin sởi ngày 25/11/2026.') => wf.createDraft(as('vanhoa'), { communeId, title: 'Lịch tiêm chủng', text });

describe('bulletin workflow', () => {
  it('goes draft → submitted → approved, freezing the approved revision, every step audited', async () => {
    const b = await draft();
    expect(b.status).toBe('draft');
    await wf.submit(as('vanhoa'), b.id);
    const approved = await wf.approve(as('chutich'), b.id, 'Đồng ý phát');
    expect(approved).toMatchObject({ status: 'approved', approvedRevision: 1 });
    const v = await prisma.bulletinVersion.findFirstOrThrow({ where: { bulletinId: b.id } });
    expect(v.frozenAt).not.toBeNull();
    const actions = (await prisma.auditLog.findMany({ where: { entityId: b.id }, orderBy: { id: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['bulletin.create', 'bulletin.submit', 'bulletin.approve']);
  });

  it('editing an approved bulletin opens a new revision that needs approval again; the old one is untouched', async () => {
    const b = await draft();
    await wf.submit(as('vanhoa'), b.id);
    await wf.approve(as('chutich'), b.id);
    const edited = await wf.edit(as('vanhoa'), b.id, { text: 'Đổi lịch: tiêm vào ngày 26/11/2026.' });
    expect(edited).toMatchObject({ revision: 2, approvedRevision: 1, status: 'draft' });
    const v1 = await prisma.bulletinVersion.findUniqueOrThrow({ where: { bulletinId_revision_language: { bulletinId: b.id, revision: 1, language: 'vi' } } });
    expect(v1.text).toContain('25/11/2026');
    const v2 = await prisma.bulletinVersion.findUniqueOrThrow({ where: { bulletinId_revision_language: { bulletinId: b.id, revision: 2, language: 'vi' } } });
    expect(v2.text).toContain('26/11/2026');
    expect(v2.frozenAt).toBeNull();
    await expect(wf.approve(as('chutich'), b.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('rejects with a comment; the author fixes and resubmits', async () => {
    const b = await draft();
    await wf.submit(as('vanhoa'), b.id);
    await expect(wf.reject(as('chutich'), b.id, '   ')).rejects.toMatchObject({ code: 'VALIDATION' });
    await wf.reject(as('chutich'), b.id, 'Ghi rõ địa điểm tiêm');
    await wf.edit(as('vanhoa'), b.id, { text: 'Tiêm tại Trạm Y tế xã ngày 25/11/2026.' });
    await wf.submit(as('vanhoa'), b.id);
    const approvals = await prisma.approval.findMany({ where: { bulletinId: b.id } });
    expect(approvals.map((a) => a.decision)).toEqual(['rejected']);
  });

  it('refuses the author approving their own bulletin when the commune requires a second person', async () => {
    const b = await wf.createDraft(as('phochutich'), { communeId, title: 'Họp dân', text: 'Mời bà con dự họp dân lúc 19 giờ.' }).catch(() => undefined);
    // phochutich is approver+responder, not editor: cannot write bulletins at all.
    expect(b).toBeUndefined();
    await prisma.staff.update({ where: { id: ids.chutich! }, data: { roles: ['approver', 'editor'] } });
    const own = await wf.createDraft(as('chutich'), { communeId, title: 'Họp dân', text: 'Mời bà con dự họp dân lúc 19 giờ.' });
    await wf.submit(as('chutich'), own.id);
    await expect(wf.approve(as('chutich'), own.id)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('người thứ hai') });
    await expect(wf.approve(as('phochutich'), own.id)).resolves.toMatchObject({ status: 'approved' });
  });

  it('refuses an approver who rewrote someone else\'s bulletin approving it himself (issue 14, finding 6)', async () => {
    // chutich is approver+editor since the test above.
    const b = await draft('Thông báo họp dân thôn 2 lúc 19 giờ thứ Sáu.');
    await wf.submit(as('vanhoa'), b.id);
    await wf.edit(as('chutich'), b.id, { text: 'Thông báo: nộp tiền ủng hộ vào tài khoản 0123456789.' });
    await wf.submit(as('chutich'), b.id);
    await expect(wf.approve(as('chutich'), b.id)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('người thứ hai') });
    // Every writer of the revision counts, across its languages and earlier revisions.
    const again = await draft('Lịch tiêm chủng tháng 12.');
    await wf.edit(as('chutich'), again.id, { language: 'bdq', text: 'Bản tiếng Ba Na.' });
    await wf.submit(as('vanhoa'), again.id);
    await expect(wf.approve(as('chutich'), again.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(wf.approve(as('phochutich'), again.id)).resolves.toMatchObject({ status: 'approved' });
    // A new revision opened after approval still carries who wrote what it was copied from.
    await wf.edit(as('vanhoa'), again.id, { text: 'Lịch tiêm chủng tháng 12 (đổi giờ).' });
    await wf.submit(as('vanhoa'), again.id);
    await expect(wf.approve(as('chutich'), again.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(wf.approve(as('phochutich'), b.id)).resolves.toMatchObject({ status: 'approved' });
  });

  it('refuses approvers of another commune, viewers and editors approving, and oversight accounts', async () => {
    const b = await draft();
    await wf.submit(as('vanhoa'), b.id);
    // Another commune's bulletin answers as missing, as reading it does: the id is not confirmed.
    await expect(wf.approve({ staffId: ids.approverElsewhere! }, b.id)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Không tìm thấy bản tin.' });
    await expect(wf.approve({ staffId: ids.approverElsewhere! }, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Không tìm thấy bản tin.' });
    await expect(wf.approve(as('vanhoa'), b.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(wf.approve(as('giamsat'), b.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(wf.createDraft(as('giamsat'), { communeId, title: 'x', text: 'y' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses text with nothing to read, an empty title, and a huge text', async () => {
    await expect(draft('🔔📢🔔 !!!')).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('không có chữ') });
    await expect(wf.createDraft(as('vanhoa'), { communeId, title: '  ', text: 'Thông báo' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(draft('a'.repeat(20_001))).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('lets only approvers write emergencies, which they may approve at once', async () => {
    await expect(wf.createDraft(as('vanhoa'), { communeId, title: 'Khẩn', class: 'emergency', text: 'Lũ về, sơ tán ngay.' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const e = await wf.createDraft(as('chutich'), { communeId, title: 'Khẩn: lũ quét', class: 'emergency', text: 'Lũ quét đang về thôn 6, bà con sơ tán ngay lên nhà văn hóa.' });
    await expect(wf.approve(as('chutich'), e.id)).resolves.toMatchObject({ status: 'approved' });
  });

  it('two approvers at once: one approves, the other is told it is no longer waiting', async () => {
    const b = await draft();
    await wf.submit(as('vanhoa'), b.id);
    const results = await Promise.allSettled([wf.approve(as('chutich'), b.id), wf.approve(as('phochutich'), b.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
    expect(await prisma.approval.count({ where: { bulletinId: b.id } })).toBe(1);
  });

  it('cancels what is not final, and nothing after', async () => {
    const b = await draft();
    await expect(wf.cancel(as('vanhoa'), b.id)).resolves.toMatchObject({ status: 'cancelled' });
    await expect(wf.cancel(as('vanhoa'), b.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(wf.edit(as('vanhoa'), b.id, { text: 'sửa' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
