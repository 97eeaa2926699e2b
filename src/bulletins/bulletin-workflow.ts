// A bulletin's life: draft → submitted → approved / rejected (with comment) → scheduled → sending →
// done / partly failed / cancelled. An approved revision is frozen: editing makes a new revision
// that must be approved again. Only staff of the bulletin's commune with the right role act; when
// the commune requires it, the author cannot approve their own bulletin. Every step is audited.
import { subscriberAudienceRows, type SubscriberAudienceInput } from '../subscriptions/subscriber-audience.ts';
import type { Prisma, PrismaClient, Staff } from '../db/generated/client.ts';
import type { BulletinClass, BulletinStatus, RunStatus, StaffRole } from '../db/generated/enums.ts';
import { AppError } from '../errors.ts';
import { actingStaff, requireCommuneRole } from '../auth/acting-staff.ts';
import { requireSecondPerson } from '../auth/second-approver.ts';
import { cancelBulletins } from './cancel-bulletin.ts';

type Tx = Prisma.TransactionClient;

export interface Actor {
  staffId: string;
  ip?: string;
}

export interface DraftInput {
  communeId: string;
  title: string;
  class?: BulletinClass;
  text: string;
  language?: string;
  expiresAt?: Date | null;
}

/** Who hears a bulletin: everyone of the commune, or chosen villages, groups and loudspeakers. */
/** `subscribers` adds residents subscribed over the bot (private chats) to either form. */
export type AudienceInput = ({ all: true } | { all?: false; villageIds?: string[]; targetIds?: string[]; endpointIds?: string[] }) & { subscribers?: SubscriberAudienceInput };

export interface EditInput {
  title?: string;
  text?: string;
  language?: string;
  class?: BulletinClass;
  expiresAt?: Date | null;
}

const EDITABLE: BulletinStatus[] = ['draft', 'rejected', 'submitted', 'approved', 'scheduled'];
/** A bulletin in one of these is over: nothing of it plays any more, nothing cancels it. */
export const finalBulletinStatuses: BulletinStatus[] = ['done', 'partly_failed', 'cancelled', 'expired'];

/** Runs that played: their bulletin went out to the public (the archive on the public page). */
export const airedRunStatuses: RunStatus[] = ['done', 'partly_failed'];
/** Withdrawn by staff: off the public archive even if it played before. */
export const withdrawnStatuses: BulletinStatus[] = ['cancelled'];

export const statusLabel: Record<BulletinStatus, string> = {
  draft: 'Bản nháp',
  submitted: 'Chờ duyệt',
  approved: 'Đã duyệt',
  rejected: 'Bị trả lại',
  scheduled: 'Đã lên lịch',
  sending: 'Đang phát',
  done: 'Đã phát xong',
  partly_failed: 'Phát lỗi một phần',
  cancelled: 'Đã hủy',
  expired: 'Hết hạn',
};

export const PROVINCE_COPY_CANCEL_TEXT =
  'Bản tin này do tỉnh gửi, xã không hủy được. Bản tin thường của tỉnh thì người duyệt của xã có thể từ chối kèm lý do trong thời hạn từ chối; còn lại chỉ tỉnh mới thu hồi được.';

/** What the province approved is the province's: its words, recordings and reach are not the commune's to change. */
export const PROVINCE_COPY_EDIT_TEXT =
  'Bản tin này do tỉnh gửi, xã không sửa nội dung hay nơi nhận được. Bản tin thường của tỉnh thì người duyệt của xã có thể từ chối kèm lý do trong thời hạn từ chối; cần sửa thì báo tỉnh thu hồi và gửi lại.';

/** Title and text of any bulletin, the commune's or the province's: one rule. */
export function validateBulletinText(title: string | undefined, text: string | undefined): void {
  if (title !== undefined && (!title.trim() || title.length > 200)) throw new AppError('VALIDATION', 'Tiêu đề bản tin cần từ 1 đến 200 ký tự.', { field: 'title' });
  if (text !== undefined) {
    if (text.length > 20_000) throw new AppError('VALIDATION', 'Nội dung bản tin dài quá (tối đa 20.000 ký tự).', { field: 'text' });
    // Something a voice can read: emoji and punctuation alone are not a bulletin.
    if (!/\p{L}/u.test(text)) throw new AppError('VALIDATION', 'Nội dung bản tin không có chữ để đọc.', { field: 'text' });
  }
}

const staffOf = (tx: Tx, actor: Actor): Promise<Staff> => actingStaff(tx, actor.staffId);

// Staff act only in their own commune; another commune's bulletin answers as missing (as reading
// it does), province staff and oversight accounts only read.
const requireRole = (tx: Tx, staff: Staff, communeId: string, roles: StaffRole[], what: string) => requireCommuneRole(tx, staff, communeId, roles, what, 'Không tìm thấy bản tin.');

async function audit(tx: Tx, actor: Actor, communeId: string, action: string, bulletinId: string, data: Prisma.InputJsonValue = {}): Promise<void> {
  await tx.auditLog.create({ data: { communeId, actorKind: 'staff', actorStaffId: actor.staffId, action, entityType: 'Bulletin', entityId: bulletinId, data, ip: actor.ip ?? null } });
}

async function load(tx: Tx, bulletinId: string) {
  // Row lock: two approvers pressing at once see each other's result, not a stale status.
  await tx.$queryRaw`SELECT id FROM "Bulletin" WHERE id = ${bulletinId}::uuid FOR UPDATE`;
  const b = await tx.bulletin.findUnique({ where: { id: bulletinId } });
  if (!b) throw new AppError('NOT_FOUND', 'Không tìm thấy bản tin.');
  return b;
}

/**
 * The revision a change goes into. An approved revision is frozen and never changed: a new one is
 * opened with copies of its language versions, and the bulletin needs approval again.
 */
async function workingRevision(tx: Tx, b: { id: string; revision: number; approvedRevision: number | null }, staffId: string): Promise<{ revision: number; opened: boolean }> {
  if (b.approvedRevision !== b.revision) return { revision: b.revision, opened: false };
  const revision = b.revision + 1;
  const previous = await tx.bulletinVersion.findMany({ where: { bulletinId: b.id, revision: b.revision } });
  for (const v of previous) {
    const writerIds = [...new Set([...(v.writerIds ?? []), staffId])];
    await tx.bulletinVersion.create({ data: { bulletinId: b.id, revision, language: v.language, text: v.text, audioSha256: v.audioSha256, createdById: staffId, writerIds } });
  }
  return { revision, opened: true };
}

async function loadEditable(tx: Tx, actor: Actor, bulletinId: string) {
  const b = await load(tx, bulletinId);
  const staff = await staffOf(tx, actor);
  await requireRole(tx, staff, b.communeId, ['editor'], 'sửa bản tin');
  if (b.provinceBulletinId) throw new AppError('FORBIDDEN', PROVINCE_COPY_EDIT_TEXT);
  if (!EDITABLE.includes(b.status)) throw new AppError('CONFLICT', `Bản tin đang "${statusLabel[b.status]}", không sửa được nữa.`);
  return { b, staff };
}

/** A changed bulletin goes back to draft unless it was a draft-like state that keeps its place. */
function statusAfterEdit(status: BulletinStatus, opened: boolean): BulletinStatus {
  return opened || status === 'submitted' || status === 'rejected' ? 'draft' : status;
}

/**
 * With `tx`, every step runs inside that transaction (the admin chat acts within the inbound
 * message's transaction; PGlite has one connection, so a second transaction would wait for ever).
 */
export function createBulletinWorkflow(prisma: PrismaClient, tx?: Tx) {
  const inTx = <T>(fn: (tx: Tx) => Promise<T>) => (tx ? fn(tx) : prisma.$transaction(fn, { timeout: 15_000 }));

  return {
    /** An editor writes a bulletin; it starts as a draft with one Vietnamese version. */
    createDraft: (actor: Actor, input: DraftInput) =>
      inTx(async (tx) => {
        validateBulletinText(input.title, input.text);
        const staff = await staffOf(tx, actor);
        // An approver may write an emergency and send it at once; editors write the rest.
        if (input.class === 'emergency') {
          if (staff.communeId === input.communeId && !staff.roles.some((r) => r === 'approver' || r === 'admin')) {
            throw new AppError('FORBIDDEN', 'Chỉ người duyệt mới tạo được bản tin khẩn cấp.');
          }
          await requireRole(tx, staff, input.communeId, ['approver'], 'tạo bản tin khẩn cấp');
        } else {
          await requireRole(tx, staff, input.communeId, ['editor'], 'soạn bản tin');
        }
        const b = await tx.bulletin.create({
          data: {
            communeId: input.communeId,
            title: input.title.trim(),
            class: input.class ?? 'normal',
            authorId: staff.id,
            expiresAt: input.expiresAt ?? null,
            versions: { create: { revision: 1, language: input.language ?? 'vi', text: input.text, createdById: staff.id, writerIds: [staff.id] } },
          },
        });
        await audit(tx, actor, b.communeId, 'bulletin.create', b.id, { class: b.class });
        return b;
      }),

    /**
     * Edits the text of a language version. A frozen (approved) revision is never changed: the
     * edit opens a new revision, copying the other languages, and the bulletin needs approval again.
     */
    edit: (actor: Actor, bulletinId: string, input: EditInput) =>
      inTx(async (tx) => {
        validateBulletinText(input.title, input.text);
        const { b, staff } = await loadEditable(tx, actor, bulletinId);
        const language = input.language ?? 'vi';
        const { revision, opened } = await workingRevision(tx, b, staff.id);
        if (input.text !== undefined) {
          await tx.bulletinVersion.upsert({
            where: { bulletinId_revision_language: { bulletinId, revision, language } },
            create: { bulletinId, revision, language, text: input.text, createdById: staff.id, writerIds: [staff.id] },
            update: { text: input.text, renderedSha256: null, renderedDurationMs: null, writerIds: { push: staff.id } },
          });
        }
        const updated = await tx.bulletin.update({
          where: { id: bulletinId },
          data: {
            revision,
            status: statusAfterEdit(b.status, opened),
            ...(input.title !== undefined ? { title: input.title.trim() } : {}),
            ...(input.class !== undefined ? { class: input.class } : {}),
            ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
          },
        });
        await audit(tx, actor, b.communeId, 'bulletin.edit', b.id, { revision, language, newRevision: opened });
        return updated;
      }),

    /** Refuses early (before an upload is read) when the actor may not change this bulletin. */
    checkEditable: (actor: Actor, bulletinId: string) =>
      inTx(async (tx) => {
        await loadEditable(tx, actor, bulletinId);
      }),

    /**
     * Attaches a recording (already checked and stored by hash) as a language version — how Ba Na
     * or Xơ Đăng versions arrive, or a Vietnamese one read by a person. Same freezing rule as edit.
     */
    attachAudio: (actor: Actor, bulletinId: string, language: string, audioSha256: string) =>
      inTx(async (tx) => {
        const { b, staff } = await loadEditable(tx, actor, bulletinId);
        const { revision, opened } = await workingRevision(tx, b, staff.id);
        await tx.bulletinVersion.upsert({
          where: { bulletinId_revision_language: { bulletinId, revision, language } },
          create: { bulletinId, revision, language, audioSha256, createdById: staff.id, writerIds: [staff.id] },
          update: { audioSha256, renderedSha256: null, renderedDurationMs: null, writerIds: { push: staff.id } },
        });
        const updated = await tx.bulletin.update({ where: { id: bulletinId }, data: { revision, status: statusAfterEdit(b.status, opened) } });
        await audit(tx, actor, b.communeId, 'bulletin.audio', b.id, { revision, language, audioSha256, newRevision: opened });
        return updated;
      }),

    /**
     * Chooses where a bulletin goes. Before approval the editor decides; once approved, widening
     * or narrowing the reach is the approver's call (audited), since it is part of what was approved.
     */
    setAudience: (actor: Actor, bulletinId: string, input: AudienceInput) =>
      inTx(async (tx) => {
        const b = await load(tx, bulletinId);
        const staff = await staffOf(tx, actor);
        const approved = ['approved', 'scheduled'].includes(b.status);
        await requireRole(tx, staff, b.communeId, approved ? ['approver'] : ['editor', 'approver'], approved ? 'đổi nơi nhận của bản tin đã duyệt' : 'chọn nơi nhận bản tin');
        if (b.provinceBulletinId) throw new AppError('FORBIDDEN', PROVINCE_COPY_EDIT_TEXT);
        if (!EDITABLE.includes(b.status)) throw new AppError('CONFLICT', `Bản tin đang "${statusLabel[b.status]}", không đổi nơi nhận được nữa.`);
        const rows: Prisma.BulletinAudienceCreateManyInput[] = [];
        if (input.subscribers) for (const r of await subscriberAudienceRows(tx, b.communeId, input.subscribers)) rows.push({ bulletinId, kind: 'subscribers', ...r });
        if (input.all) rows.push({ bulletinId, kind: 'all' });
        else {
          const villageIds = [...new Set(input.villageIds ?? [])];
          const targetIds = [...new Set(input.targetIds ?? [])];
          const endpointIds = [...new Set(input.endpointIds ?? [])];
          if (villageIds.length + targetIds.length + endpointIds.length + rows.length === 0) throw new AppError('VALIDATION', 'Cần chọn ít nhất một thôn, nhóm, cụm loa hoặc người đăng ký (hoặc "tất cả").', { field: 'audience' });
          // Every id must be this commune's: an id from elsewhere is refused, not silently dropped.
          const [v, t, e] = await Promise.all([
            tx.village.count({ where: { id: { in: villageIds }, communeId: b.communeId } }),
            tx.target.count({ where: { id: { in: targetIds }, communeId: b.communeId } }),
            tx.endpoint.count({ where: { id: { in: endpointIds }, communeId: b.communeId } }),
          ]);
          if (v !== villageIds.length) throw new AppError('VALIDATION', 'Có thôn không thuộc xã của bản tin.', { field: 'villageIds' });
          if (t !== targetIds.length) throw new AppError('VALIDATION', 'Có nhóm không thuộc xã của bản tin.', { field: 'targetIds' });
          if (e !== endpointIds.length) throw new AppError('VALIDATION', 'Có cụm loa không thuộc xã của bản tin.', { field: 'endpointIds' });
          for (const villageId of villageIds) rows.push({ bulletinId, kind: 'village', villageId });
          for (const targetId of targetIds) rows.push({ bulletinId, kind: 'target', targetId });
          for (const endpointId of endpointIds) rows.push({ bulletinId, kind: 'endpoint', endpointId });
        }
        await tx.bulletinAudience.deleteMany({ where: { bulletinId } });
        await tx.bulletinAudience.createMany({ data: rows });
        await audit(tx, actor, b.communeId, 'bulletin.audience', b.id, { audience: rows.map((r) => ({ kind: r.kind, id: r.villageId ?? r.targetId ?? r.endpointId ?? null, ...(r.topicCode ? { topic: r.topicCode } : {}) })) });
        return rows.length;
      }),

    submit: (actor: Actor, bulletinId: string) =>
      inTx(async (tx) => {
        const b = await load(tx, bulletinId);
        const staff = await staffOf(tx, actor);
        await requireRole(tx, staff, b.communeId, ['editor'], 'gửi duyệt bản tin');
        if (b.status !== 'draft' && b.status !== 'rejected') throw new AppError('CONFLICT', `Bản tin đang "${statusLabel[b.status]}", không gửi duyệt được.`);
        const updated = await tx.bulletin.update({ where: { id: bulletinId }, data: { status: 'submitted' } });
        await audit(tx, actor, b.communeId, 'bulletin.submit', b.id, { revision: b.revision });
        return updated;
      }),

    approve: (actor: Actor, bulletinId: string, comment?: string) =>
      inTx(async (tx) => {
        const b = await load(tx, bulletinId);
        const staff = await staffOf(tx, actor);
        await requireRole(tx, staff, b.communeId, ['approver'], 'duyệt bản tin');
        // An emergency may be approved straight from a draft: it goes out now.
        const allowed = b.status === 'submitted' || (b.class === 'emergency' && b.status === 'draft');
        if (!allowed) throw new AppError('CONFLICT', `Bản tin đang "${statusLabel[b.status]}", không duyệt được.`);
        const commune = await tx.commune.findUniqueOrThrow({ where: { id: b.communeId } });
        const versions = await tx.bulletinVersion.findMany({ where: { bulletinId, revision: b.revision } });
        // The second person must be second to everything approved: the author, and whoever wrote
        // any language of this revision (or of the revisions it was copied from).
        const wrote = b.authorId === staff.id || versions.some((v) => v.createdById === staff.id || (v.writerIds ?? []).includes(staff.id));
        // An emergency cannot wait for a second person.
        requireSecondPerson({ required: commune.requireSecondApprover && b.class !== 'emergency', wrote, what: 'bản tin' });
        if (versions.length === 0 || versions.every((v) => !v.text && !v.audioSha256)) throw new AppError('VALIDATION', 'Bản tin chưa có nội dung để duyệt.');
        const now = new Date();
        await tx.bulletinVersion.updateMany({ where: { bulletinId, revision: b.revision }, data: { frozenAt: now } });
        await tx.approval.create({ data: { bulletinId, revision: b.revision, approverId: staff.id, decision: 'approved', comment: comment?.trim() || null } });
        const updated = await tx.bulletin.update({ where: { id: bulletinId }, data: { status: 'approved', approvedRevision: b.revision } });
        await audit(tx, actor, b.communeId, 'bulletin.approve', b.id, { revision: b.revision });
        return updated;
      }),

    reject: (actor: Actor, bulletinId: string, comment: string) =>
      inTx(async (tx) => {
        if (!comment?.trim()) throw new AppError('VALIDATION', 'Cần ghi lý do trả lại bản tin.', { field: 'comment' });
        const b = await load(tx, bulletinId);
        const staff = await staffOf(tx, actor);
        await requireRole(tx, staff, b.communeId, ['approver'], 'duyệt bản tin');
        if (b.status !== 'submitted') throw new AppError('CONFLICT', `Bản tin đang "${statusLabel[b.status]}", không trả lại được.`);
        await tx.approval.create({ data: { bulletinId, revision: b.revision, approverId: staff.id, decision: 'rejected', comment: comment.trim() } });
        const updated = await tx.bulletin.update({ where: { id: bulletinId }, data: { status: 'rejected' } });
        await audit(tx, actor, b.communeId, 'bulletin.reject', b.id, { revision: b.revision });
        return updated;
      }),

    /**
     * A bulletin from a higher level (the province) through an API key: already approved at
     * its source, so it arrives approved and frozen; the commune schedules normal ones, the caller
     * sends emergencies at once and priority ones at the next slot.
     */
    receiveFromSource: (source: { apiKeyId: string; communeId: string; name: string }, input: Omit<DraftInput, 'communeId'>) =>
      inTx(async (tx) => {
        validateBulletinText(input.title, input.text);
        const now = new Date();
        const b = await tx.bulletin.create({
          data: {
            communeId: source.communeId,
            title: input.title.trim(),
            class: input.class ?? 'normal',
            apiKeyId: source.apiKeyId,
            status: 'approved',
            approvedRevision: 1,
            expiresAt: input.expiresAt ?? null,
            versions: { create: { revision: 1, language: input.language ?? 'vi', text: input.text, frozenAt: now } },
            approvals: { create: { revision: 1, decision: 'approved', comment: `Duyệt tại nguồn: ${source.name}` } },
          },
        });
        await tx.auditLog.create({ data: { communeId: source.communeId, actorKind: 'api', action: 'bulletin.received', entityType: 'Bulletin', entityId: b.id, data: { source: source.name, class: b.class } } });
        return b;
      }),

    cancel: (actor: Actor, bulletinId: string) =>
      inTx(async (tx) => {
        const b = await load(tx, bulletinId);
        const staff = await staffOf(tx, actor);
        await requireRole(tx, staff, b.communeId, ['editor', 'approver'], 'hủy bản tin');
        // A province copy is the province's to withdraw: a cancel would slip past the decline rules.
        if (b.provinceBulletinId) throw new AppError('FORBIDDEN', PROVINCE_COPY_CANCEL_TEXT);
        if (finalBulletinStatuses.includes(b.status)) throw new AppError('CONFLICT', `Bản tin đang "${statusLabel[b.status]}", không hủy được.`);
        await cancelBulletins(tx, [bulletinId]);
        const updated = await tx.bulletin.findUniqueOrThrow({ where: { id: bulletinId } });
        await audit(tx, actor, b.communeId, 'bulletin.cancel', b.id, { from: b.status });
        return updated;
      }),
  };
}

export type BulletinWorkflow = ReturnType<typeof createBulletinWorkflow>;
