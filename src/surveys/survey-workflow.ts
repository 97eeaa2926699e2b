// Staff build a survey and a leader approves it, like a bulletin: an editor writes (title, intro,
// dates, questions, audience), sends it for approval; an approver approves or returns it. When the
// commune requires a second person, whoever wrote or changed it cannot approve it. Every step is
// one transaction with its audit entry; errors are coded (AppError) with Vietnamese messages.
import type { Prisma, PrismaClient, Survey } from '../db/generated/client.ts';
import type { SurveyQuestionKind } from '../db/generated/enums.ts';
import { AppError } from '../errors.ts';
import { actingStaff, requireCommuneRole } from '../auth/acting-staff.ts';
import { requireSecondPerson } from '../auth/second-approver.ts';
import { CANCELLABLE_SURVEY, EDITABLE_SURVEY, SUBMITTABLE_SURVEY, SURVEY_LIMITS, surveyStatusLabel } from './survey-status.ts';
import { validateAudience, type AudienceInput } from './survey-audience.ts';

type Tx = Prisma.TransactionClient;

export interface Actor {
  staffId: string;
  ip?: string;
}

export interface SurveyTexts {
  title?: string;
  intro?: string;
  opensAt?: Date;
  closesAt?: Date;
}

export interface QuestionInput {
  kind: SurveyQuestionKind;
  text: string;
  choices?: string[];
  optional?: boolean;
}

const NOT_FOUND = 'Không tìm thấy khảo sát.';

function validateTexts(t: SurveyTexts): void {
  if (t.title !== undefined && (!t.title.trim() || t.title.length > SURVEY_LIMITS.title)) throw new AppError('VALIDATION', `Tên khảo sát cần từ 1 đến ${SURVEY_LIMITS.title} ký tự.`, { field: 'title' });
  if (t.intro !== undefined && t.intro.length > SURVEY_LIMITS.intro) throw new AppError('VALIDATION', `Lời giới thiệu dài quá (tối đa ${SURVEY_LIMITS.intro} ký tự).`, { field: 'intro' });
  for (const k of ['opensAt', 'closesAt'] as const) {
    if (t[k] !== undefined && Number.isNaN(t[k]!.getTime())) throw new AppError('VALIDATION', 'Ngày mở và ngày kết thúc cần đủ ngày và giờ.', { field: k });
  }
}

function validateDates(opensAt: Date, closesAt: Date): void {
  if (closesAt.getTime() <= opensAt.getTime()) throw new AppError('VALIDATION', 'Ngày kết thúc phải sau ngày mở khảo sát.', { field: 'closesAt' });
}

function validateQuestion(q: QuestionInput): { kind: SurveyQuestionKind; text: string; choices: string[]; optional: boolean } {
  const text = q.text.trim();
  if (!text || text.length > SURVEY_LIMITS.question) throw new AppError('VALIDATION', `Câu hỏi cần từ 1 đến ${SURVEY_LIMITS.question} ký tự.`, { field: 'text' });
  if (!['choice', 'scale', 'text'].includes(q.kind)) throw new AppError('VALIDATION', 'Loại câu hỏi không hợp lệ.', { field: 'kind' });
  const choices = q.kind === 'choice' ? [...new Set((q.choices ?? []).map((c) => c.trim()).filter(Boolean))] : [];
  if (q.kind === 'choice') {
    if (choices.length < 2 || choices.length > SURVEY_LIMITS.choices) throw new AppError('VALIDATION', `Câu hỏi chọn một cần từ 2 đến ${SURVEY_LIMITS.choices} lựa chọn khác nhau.`, { field: 'choices' });
    if (choices.some((c) => c.length > SURVEY_LIMITS.choice)) throw new AppError('VALIDATION', `Mỗi lựa chọn tối đa ${SURVEY_LIMITS.choice} ký tự.`, { field: 'choices' });
  }
  return { kind: q.kind, text, choices, optional: q.optional === true };
}

async function audit(tx: Tx, actor: Actor, communeId: string, action: string, surveyId: string, data: Prisma.InputJsonValue = {}): Promise<void> {
  await tx.auditLog.create({ data: { communeId, actorKind: 'staff', actorStaffId: actor.staffId, action, entityType: 'Survey', entityId: surveyId, data, ip: actor.ip ?? null } });
}

async function load(tx: Tx, surveyId: string): Promise<Survey> {
  // Row lock: two approvers (or an editor and an approver) see each other's result.
  await tx.$queryRaw`SELECT id FROM "Survey" WHERE id = ${surveyId}::uuid FOR UPDATE`;
  const s = await tx.survey.findUnique({ where: { id: surveyId } });
  if (!s) throw new AppError('NOT_FOUND', NOT_FOUND);
  return s;
}

/** An editor's change: allowed before approval only; a survey waiting for approval goes back to draft. */
async function loadEditable(tx: Tx, actor: Actor, surveyId: string) {
  const s = await load(tx, surveyId);
  const staff = await actingStaff(tx, actor.staffId);
  await requireCommuneRole(tx, staff, s.communeId, ['editor'], 'sửa khảo sát', NOT_FOUND);
  if (!EDITABLE_SURVEY.includes(s.status)) throw new AppError('CONFLICT', `Khảo sát đang "${surveyStatusLabel[s.status]}", không sửa được nữa.`);
  const changed = await tx.survey.update({ where: { id: s.id }, data: { status: s.status === 'submitted' ? 'draft' : s.status, writerIds: s.writerIds.includes(staff.id) ? s.writerIds : [...s.writerIds, staff.id] } });
  return changed;
}

/** Positions 1…n in the given order. */
async function renumber(tx: Tx, ids: string[]): Promise<void> {
  for (const [i, id] of ids.entries()) await tx.surveyQuestion.update({ where: { id }, data: { position: i + 1 } });
}

export function createSurveyWorkflow(prisma: PrismaClient) {
  const inTx = <T>(fn: (tx: Tx) => Promise<T>) => prisma.$transaction(fn, { timeout: 15_000 });

  return {
    createDraft: (actor: Actor, input: { communeId: string; title: string; intro?: string; opensAt: Date; closesAt: Date }) =>
      inTx(async (tx) => {
        validateTexts(input);
        validateDates(input.opensAt, input.closesAt);
        const staff = await actingStaff(tx, actor.staffId);
        await requireCommuneRole(tx, staff, input.communeId, ['editor'], 'soạn khảo sát', NOT_FOUND);
        const s = await tx.survey.create({ data: { communeId: input.communeId, title: input.title.trim(), intro: (input.intro ?? '').trim(), opensAt: input.opensAt, closesAt: input.closesAt, authorId: staff.id, writerIds: [staff.id] } });
        await audit(tx, actor, s.communeId, 'survey.create', s.id);
        return s;
      }),

    edit: (actor: Actor, surveyId: string, input: SurveyTexts) =>
      inTx(async (tx) => {
        validateTexts(input);
        const s = await loadEditable(tx, actor, surveyId);
        validateDates(input.opensAt ?? s.opensAt, input.closesAt ?? s.closesAt);
        const updated = await tx.survey.update({
          where: { id: surveyId },
          data: {
            ...(input.title !== undefined ? { title: input.title.trim() } : {}),
            ...(input.intro !== undefined ? { intro: input.intro.trim() } : {}),
            ...(input.opensAt ? { opensAt: input.opensAt } : {}),
            ...(input.closesAt ? { closesAt: input.closesAt } : {}),
          },
        });
        await audit(tx, actor, s.communeId, 'survey.edit', s.id, { fields: Object.keys(input) });
        return updated;
      }),

    addQuestion: (actor: Actor, surveyId: string, input: QuestionInput) =>
      inTx(async (tx) => {
        const q = validateQuestion(input);
        const s = await loadEditable(tx, actor, surveyId);
        const count = await tx.surveyQuestion.count({ where: { surveyId } });
        if (count >= SURVEY_LIMITS.questions) throw new AppError('VALIDATION', `Một khảo sát có tối đa ${SURVEY_LIMITS.questions} câu hỏi.`, { field: 'questions' });
        const created = await tx.surveyQuestion.create({ data: { surveyId, position: count + 1, ...q } });
        await audit(tx, actor, s.communeId, 'survey.question_add', s.id, { questionId: created.id, kind: q.kind });
        return created;
      }),

    /** Moves a question one place up or down. */
    moveQuestion: (actor: Actor, surveyId: string, questionId: string, direction: 'up' | 'down') =>
      inTx(async (tx) => {
        const s = await loadEditable(tx, actor, surveyId);
        const ids = (await tx.surveyQuestion.findMany({ where: { surveyId }, orderBy: { position: 'asc' }, select: { id: true } })).map((q) => q.id);
        const i = ids.indexOf(questionId);
        if (i < 0) throw new AppError('NOT_FOUND', 'Không tìm thấy câu hỏi.');
        const j = direction === 'up' ? i - 1 : i + 1;
        if (j < 0 || j >= ids.length) return ids;
        [ids[i], ids[j]] = [ids[j]!, ids[i]!];
        await renumber(tx, ids);
        await audit(tx, actor, s.communeId, 'survey.question_move', s.id, { questionId, direction });
        return ids;
      }),

    removeQuestion: (actor: Actor, surveyId: string, questionId: string) =>
      inTx(async (tx) => {
        const s = await loadEditable(tx, actor, surveyId);
        const removed = await tx.surveyQuestion.deleteMany({ where: { id: questionId, surveyId } });
        if (removed.count === 0) throw new AppError('NOT_FOUND', 'Không tìm thấy câu hỏi.');
        const ids = (await tx.surveyQuestion.findMany({ where: { surveyId }, orderBy: { position: 'asc' }, select: { id: true } })).map((q) => q.id);
        await renumber(tx, ids);
        await audit(tx, actor, s.communeId, 'survey.question_remove', s.id, { questionId });
      }),

    /** Who is invited: one or more audiences (their union); ids of another commune are refused. */
    setAudience: (actor: Actor, surveyId: string, input: AudienceInput[]) =>
      inTx(async (tx) => {
        const s = await loadEditable(tx, actor, surveyId);
        const rows = await validateAudience(tx, s.communeId, input);
        await tx.surveyAudience.deleteMany({ where: { surveyId } });
        await tx.surveyAudience.createMany({ data: rows.map((r) => ({ surveyId, ...r })) });
        await audit(tx, actor, s.communeId, 'survey.audience', s.id, { audience: rows.map((r) => ({ kind: r.kind, from: r.periodFrom ?? null, to: r.periodTo ?? null, villages: r.villageIds.length })) });
        return rows.length;
      }),

    submit: (actor: Actor, surveyId: string) =>
      inTx(async (tx) => {
        const s = await load(tx, surveyId);
        const staff = await actingStaff(tx, actor.staffId);
        await requireCommuneRole(tx, staff, s.communeId, ['editor'], 'gửi duyệt khảo sát', NOT_FOUND);
        if (!SUBMITTABLE_SURVEY.includes(s.status)) throw new AppError('CONFLICT', `Khảo sát đang "${surveyStatusLabel[s.status]}", không gửi duyệt được.`);
        if ((await tx.surveyQuestion.count({ where: { surveyId } })) === 0) throw new AppError('VALIDATION', 'Khảo sát chưa có câu hỏi nào.', { field: 'questions' });
        if ((await tx.surveyAudience.count({ where: { surveyId } })) === 0) throw new AppError('VALIDATION', 'Chưa chọn người nhận khảo sát.', { field: 'audience' });
        const updated = await tx.survey.update({ where: { id: surveyId }, data: { status: 'submitted', rejectComment: null } });
        await audit(tx, actor, s.communeId, 'survey.submit', s.id);
        return updated;
      }),

    approve: (actor: Actor, surveyId: string, now = new Date()) =>
      inTx(async (tx) => {
        const s = await load(tx, surveyId);
        const staff = await actingStaff(tx, actor.staffId);
        await requireCommuneRole(tx, staff, s.communeId, ['approver'], 'duyệt khảo sát', NOT_FOUND);
        if (s.status !== 'submitted') throw new AppError('CONFLICT', `Khảo sát đang "${surveyStatusLabel[s.status]}", không duyệt được.`);
        const commune = await tx.commune.findUniqueOrThrow({ where: { id: s.communeId } });
        requireSecondPerson({ required: commune.requireSecondApprover, wrote: s.authorId === staff.id || s.writerIds.includes(staff.id), what: 'khảo sát' });
        if (s.closesAt.getTime() <= now.getTime()) throw new AppError('VALIDATION', 'Ngày kết thúc khảo sát đã qua: sửa ngày rồi gửi duyệt lại.', { field: 'closesAt' });
        const updated = await tx.survey.update({ where: { id: surveyId }, data: { status: 'approved', approverId: staff.id, approvedAt: now } });
        await audit(tx, actor, s.communeId, 'survey.approve', s.id);
        return updated;
      }),

    reject: (actor: Actor, surveyId: string, comment: string) =>
      inTx(async (tx) => {
        if (!comment?.trim()) throw new AppError('VALIDATION', 'Cần ghi lý do trả lại khảo sát.', { field: 'comment' });
        const s = await load(tx, surveyId);
        const staff = await actingStaff(tx, actor.staffId);
        await requireCommuneRole(tx, staff, s.communeId, ['approver'], 'duyệt khảo sát', NOT_FOUND);
        if (s.status !== 'submitted') throw new AppError('CONFLICT', `Khảo sát đang "${surveyStatusLabel[s.status]}", không trả lại được.`);
        const updated = await tx.survey.update({ where: { id: surveyId }, data: { status: 'rejected', rejectComment: comment.trim().slice(0, 1000) } });
        await audit(tx, actor, s.communeId, 'survey.reject', s.id);
        return updated;
      }),

    cancel: (actor: Actor, surveyId: string) =>
      inTx(async (tx) => {
        const s = await load(tx, surveyId);
        const staff = await actingStaff(tx, actor.staffId);
        await requireCommuneRole(tx, staff, s.communeId, ['editor', 'approver'], 'hủy khảo sát', NOT_FOUND);
        if (!CANCELLABLE_SURVEY.includes(s.status)) throw new AppError('CONFLICT', `Khảo sát đang "${surveyStatusLabel[s.status]}", không hủy được.`);
        // Invitations not yet sent stay unsent.
        await tx.surveyInvitation.updateMany({ where: { surveyId, status: 'pending' }, data: { status: 'skipped' } });
        const updated = await tx.survey.update({ where: { id: surveyId }, data: { status: 'cancelled', closedAt: new Date() } });
        await audit(tx, actor, s.communeId, 'survey.cancel', s.id, { from: s.status });
        return updated;
      }),
  };
}

export type SurveyWorkflow = ReturnType<typeof createSurveyWorkflow>;
