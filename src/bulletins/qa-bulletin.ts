// "Dân hỏi – Lãnh đạo trả lời": staff pick answered tickets of their commune, the words anonymized
// and edited to read well, into a bulletin draft that then goes through the normal approval and
// schedule (bulletin-workflow.ts, bulletin-schedule.ts). When it is put on air, each resident who
// asked is told when it plays (on the channel they used, through the ticket's outbox) and the FAQ
// gains the same questions and answers. A confidential ticket, an unanswered one, another
// commune's and one already used are refused with the reason.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { anonymize, publicQuestionAndAnswer } from '../tickets/faq.ts';
import { faqSearchText } from '../tickets/faq-search.ts';
import { tellResident } from '../tickets/ticket-actions.ts';
import { residentTextsOf, formatDue } from '../tickets/resident-texts.ts';
import type { Effect } from '../tickets/ticket-jobs.ts';
import type { Enqueue } from '../tickets/ticket-deps.ts';
import { firstAiring } from './qa-retell.ts';
import { requireOwnCommune } from '../auth/commune-scope.ts';
import { createBulletinWorkflow, type Actor } from './bulletin-workflow.ts';

export const QA_TITLE = 'Chuyên mục Dân hỏi – Lãnh đạo trả lời';
export const QA_MAX_ITEMS = 10;
const MAX_WORDS = 2000;

export interface QaPick {
  /** The ticket's code as residents and staff read it (PA-2026-00123). */
  code: string;
  /** Edited question; the resident's own words (anonymized) when absent. */
  question?: string;
  /** Edited answer; the cadre's last answer when absent. */
  answer?: string;
}

export interface CreateQaBulletinOptions {
  actor: Actor;
  communeId: string;
  picks: QaPick[];
}

const ORDINAL = ['thứ nhất', 'thứ hai', 'thứ ba', 'thứ tư', 'thứ năm', 'thứ sáu', 'thứ bảy', 'thứ tám', 'thứ chín', 'thứ mười'];

/** The words read on the loudspeaker. */
export function qaBulletinText(communeName: string, items: Array<{ question: string; answer: string }>): string {
  const intro = `Sau đây là chuyên mục Dân hỏi – Lãnh đạo trả lời của ${communeName}.`;
  const body = items.map((x, i) => `Câu hỏi ${ORDINAL[i] ?? i + 1}: ${x.question}\nLãnh đạo xã trả lời: ${x.answer}`);
  return [intro, ...body, 'Chuyên mục Dân hỏi – Lãnh đạo trả lời xin tạm dừng. Bà con có câu hỏi xin gửi cho xã qua Zalo, Telegram hoặc trang hỏi đáp của xã.'].join('\n\n');
}

function edited(text: string | undefined, field: string, code: string): string | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (!t || !/\p{L}/u.test(t)) throw new AppError('VALIDATION', `Nội dung ${field} của phiếu ${code} đang trống.`, { field, code });
  if (t.length > MAX_WORDS) throw new AppError('VALIDATION', `Nội dung ${field} của phiếu ${code} dài quá (tối đa ${MAX_WORDS} ký tự).`, { field, code });
  return t;
}

/** Builds the Q&A bulletin draft from answered tickets; returns the bulletin. */
export async function createQaBulletin(prisma: PrismaClient, o: CreateQaBulletinOptions) {
  if (!o.picks.length) throw new AppError('VALIDATION', 'Chọn ít nhất một phiếu đã trả lời.', { field: 'picks' });
  if (o.picks.length > QA_MAX_ITEMS) throw new AppError('VALIDATION', `Một chuyên mục có tối đa ${QA_MAX_ITEMS} câu hỏi.`, { field: 'picks' });
  const codes = o.picks.map((p) => p.code.trim().toUpperCase());
  const twice = codes.find((c, i) => codes.indexOf(c) !== i);
  if (twice) throw new AppError('VALIDATION', `Phiếu ${twice} được chọn hai lần.`, { field: 'picks', code: twice });
  return prisma.$transaction(
    async (tx) => {
      // Rights before anything about the tickets is said.
      const staff = await tx.staff.findUnique({ where: { id: o.actor.staffId } });
      if (!staff || !staff.active) throw new AppError('UNAUTHENTICATED');
      await requireOwnCommune(tx, staff, o.communeId, 'Không tìm thấy xã.');
      if (!staff.roles.some((r) => r === 'admin' || r === 'editor')) throw new AppError('FORBIDDEN', 'Tài khoản của bạn không có quyền soạn bản tin.');
      const commune = await tx.commune.findUnique({ where: { id: o.communeId }, select: { name: true } });
      if (!commune) throw new AppError('NOT_FOUND', 'Không tìm thấy xã.');
      const items: Array<{ ticketId: string; question: string; answer: string }> = [];
      for (const [i, pick] of o.picks.entries()) {
        const code = codes[i]!;
        const t = await tx.ticket.findFirst({ where: { code, communeId: o.communeId }, select: { id: true, qaItem: { select: { bulletinId: true } } } });
        if (!t) throw new AppError('NOT_FOUND', `Không tìm thấy phiếu ${code} trong ${commune.name}.`, { code });
        if (t.qaItem) throw new AppError('CONFLICT', `Phiếu ${code} đã có trong một chuyên mục Dân hỏi – Lãnh đạo trả lời.`, { code, bulletinId: t.qaItem.bulletinId });
        const qa = await publicQuestionAndAnswer(tx, t.id);
        if (!qa.ok) {
          const message = qa.reason === 'confidential' ? `Phiếu ${code} là khiếu nại, tố cáo (bảo mật): không đưa lên loa.` : `Phiếu ${code} chưa được trả lời: chỉ chọn phiếu cán bộ đã trả lời.`;
          throw new AppError('CONFLICT', message, { code, reason: qa.reason });
        }
        // Edited words are anonymized too: a name or a phone number typed back in stays out.
        const question = anonymize(edited(pick.question, 'câu hỏi', code) ?? qa.question, qa.names);
        const answer = anonymize(edited(pick.answer, 'câu trả lời', code) ?? qa.answer, qa.names);
        items.push({ ticketId: t.id, question, answer });
      }
      const wf = createBulletinWorkflow(prisma, tx);
      const bulletin = await wf.createDraft(o.actor, { communeId: o.communeId, title: QA_TITLE, text: qaBulletinText(commune.name, items) });
      await tx.qaItem.createMany({ data: items.map((x, position) => ({ bulletinId: bulletin.id, position, ...x })) });
      await tx.auditLog.create({ data: { communeId: o.communeId, actorKind: 'staff', actorStaffId: o.actor.staffId, action: 'bulletin.qa_create', entityType: 'Bulletin', entityId: bulletin.id, data: { tickets: codes }, ip: o.actor.ip ?? null } });
      return bulletin;
    },
    { timeout: 15_000 },
  );
}

/**
 * The Q&A bulletin is going on air (`airAt`, or now when undefined): each resident who asked
 * and was not told yet is told when, and each question joins the published FAQ. Safe to call on
 * every schedule or send; does nothing for another bulletin. The effects are the residents' messages.
 */
export async function announceQaBulletin(prisma: PrismaClient, p: { bulletinId: string; airAt?: Date; staffId: string; now?: Date }): Promise<Effect[]> {
  const now = p.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    // Row lock: a schedule and a send-now at once tell each resident once.
    await tx.$queryRaw`SELECT id FROM "Bulletin" WHERE id = ${p.bulletinId}::uuid FOR UPDATE`;
    const items = await tx.qaItem.findMany({ where: { bulletinId: p.bulletinId }, include: { ticket: { select: { id: true, code: true, communeId: true, categoryId: true, channel: true } }, bulletin: { select: { commune: { select: { timezone: true } } } } }, orderBy: { position: 'asc' } });
    const effects: Effect[] = [];
    for (const item of items) {
      if (!item.faqEntryId) await publishItem(tx, item, p.staffId, now);
      if (item.notifiedAt) continue;
      const texts = await residentTextsOf(tx, item.ticket.communeId, item.ticket.channel);
      const when = p.airAt && p.airAt.getTime() > now.getTime() + 60_000 ? formatDue(p.airAt, item.bulletin.commune.timezone) : null;
      effects.push(...(await tellResident(tx, item.ticket.id, texts.qaOnAir(item.ticket.code, when), { now })));
      // The time told, so a later move of the airing can be told (qa-retell.ts).
      await tx.qaItem.update({ where: { id: item.id }, data: { notifiedAt: now, toldAirAt: when ? p.airAt! : null } });
    }
    return effects;
  });
}

async function publishItem(tx: Prisma.TransactionClient, item: { id: string; question: string; answer: string; ticket: { id: string; communeId: string; categoryId: string | null } }, staffId: string, now: Date): Promise<void> {
  // A question already published from the same ticket gets the edited words, not a second entry.
  const existing = await tx.faqEntry.findFirst({ where: { sourceTicketId: item.ticket.id } });
  const data = { question: item.question, answer: item.answer, searchText: faqSearchText(item.question, item.answer), publishedAt: existing?.publishedAt ?? now };
  const entry = existing
    ? await tx.faqEntry.update({ where: { id: existing.id }, data })
    : await tx.faqEntry.create({ data: { ...data, communeId: item.ticket.communeId, categoryId: item.ticket.categoryId, sourceTicketId: item.ticket.id, publishedById: staffId } });
  await tx.qaItem.update({ where: { id: item.id }, data: { faqEntryId: entry.id } });
}

/** After a schedule is made: a Q&A bulletin's askers are told its first airing, their messages queued. */
export async function announceQaSchedule(prisma: PrismaClient, enqueue: Enqueue, p: { schedule: { bulletinId: string; kind: string; runAt: Date | null; timeOfDay: string | null; daysOfWeek: number[]; timezone: string }; staffId: string; now?: Date }): Promise<void> {
  if (!(await prisma.qaItem.count({ where: { bulletinId: p.schedule.bulletinId } }))) return;
  const now = p.now ?? new Date();
  const airAt = firstAiring(p.schedule, now, p.schedule.timezone);
  await queueEffects(enqueue, await announceQaBulletin(prisma, { bulletinId: p.schedule.bulletinId, staffId: p.staffId, now, ...(airAt ? { airAt } : {}) }));
}

export async function queueEffects(enqueue: Enqueue, effects: Effect[]): Promise<void> {
  // The messages are already pending on their tickets: the reconciler re-queues any lost here.
  for (const e of effects) await enqueue(e.def, e.data as never, e.jobId ? { jobId: e.jobId } : undefined);
}
