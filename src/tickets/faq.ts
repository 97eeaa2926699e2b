// The commune's public questions and answers: staff publish an answered ticket, anonymized; a new
// question close to a published one gets that answer offered at once (the ticket is still made).
import type { Prisma } from '../db/generated/client.ts';
import { foldVietnamese } from '../text/fold-vietnamese.ts';
import { faqSearchText } from './faq-search.ts';
import { isConfidentialField } from './ticket-visibility.ts';

// Words that say nothing about the topic; leaving them out makes the overlap meaningful.
const STOP = new Set(
  'cho toi hoi xin a ak ah a la co khong ko gi nao the vay ve cua nha em anh chi ban minh duoc bi o tai va voi thi ma nhu nay do nhe nha oi ha roi se da dang can phai lam sao bao nhieu khi nao bao gio xa thon'.split(' '),
);

export function topicWords(text: string): Set<string> {
  return new Set(foldVietnamese(text).split(' ').filter((w) => w.length > 1 && !STOP.has(w)));
}

/** Overlap of topic words (Jaccard), 0..1. */
export function similarity(a: string, b: string): number {
  const x = topicWords(a);
  const y = topicWords(b);
  if (x.size === 0 || y.size === 0) return 0;
  let common = 0;
  for (const w of x) if (y.has(w)) common += 1;
  return common / (x.size + y.size - common);
}

/** Removes what could identify a person: phone numbers, e-mail addresses, ID numbers, names given. */
export function anonymize(text: string, names: Array<string | null | undefined> = []): string {
  let out = text
    .replace(/[\w.+-]+@[\w-]+\.[\w.]+/g, '[email]')
    .replace(/(\+?84|0)[\s.-]?\d{2,3}[\s.-]?\d{3}[\s.-]?\d{3,4}/g, '[số điện thoại]')
    .replace(/\b\d{9,12}\b/g, '[số giấy tờ]');
  for (const n of names) {
    if (n && n.trim().length >= 2) out = out.split(n.trim()).join('[người dân]');
  }
  return out;
}

export const FAQ_MATCH = 0.6;

export async function findFaqAnswer(tx: Prisma.TransactionClient, communeId: string, question: string): Promise<{ id: string; question: string; answer: string; score: number } | undefined> {
  const entries = await tx.faqEntry.findMany({ where: { communeId, publishedAt: { not: null } }, select: { id: true, question: true, answer: true } });
  let best: { id: string; question: string; answer: string; score: number } | undefined;
  for (const e of entries) {
    const score = similarity(question, e.question);
    if (score >= FAQ_MATCH && (!best || score > best.score)) best = { ...e, score };
  }
  return best;
}

/**
 * What of an answered ticket may be made public: the resident's first words and the staff's last
 * answer, anonymized; or why not (confidential, not answered).
 */
export async function publicQuestionAndAnswer(tx: Prisma.TransactionClient, ticketId: string): Promise<{ ok: true; code: string; question: string; answer: string; names: string[] } | { ok: false; reason: 'confidential' | 'unanswered'; message: string }> {
  const t = await tx.ticket.findUniqueOrThrow({
    where: { id: ticketId },
    include: { resident: true, category: { select: { code: true } }, messages: { orderBy: { createdAt: 'asc' } } },
  });
  if (t.confidential || isConfidentialField(t.category?.code)) return { ok: false, reason: 'confidential', message: `Phiếu ${t.code} là khiếu nại, tố cáo: không đưa vào hỏi đáp công khai.` };
  const question = t.messages.find((m) => m.direction === 'inbound' && m.text)?.text;
  const answer = [...t.messages].reverse().find((m) => m.direction === 'outbound' && m.authorStaffId && m.text)?.text;
  if (!question || !answer || !t.answeredAt) return { ok: false, reason: 'unanswered', message: `Phiếu ${t.code} chưa có câu trả lời của cán bộ.` };
  const names = [t.resident.displayName].filter((n): n is string => !!n);
  // The stored answer starts with "Trả lời phản ánh <code>:"; the FAQ keeps only the answer.
  const plainAnswer = answer.replace(/^Trả lời phản ánh [^:]+:\s*/, '');
  return { ok: true, code: t.code, question: anonymize(question, names), answer: anonymize(plainAnswer, names), names };
}

export async function publishFaq(tx: Prisma.TransactionClient, ticketId: string, staffId: string, now: Date): Promise<{ ok: true; code: string } | { ok: false; message: string }> {
  const qa = await publicQuestionAndAnswer(tx, ticketId);
  if (!qa.ok) return qa;
  const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId }, select: { id: true, code: true, communeId: true, categoryId: true } });
  const existing = await tx.faqEntry.findFirst({ where: { sourceTicketId: t.id } });
  if (existing) return { ok: false, message: `Phiếu ${t.code} đã có trong hỏi đáp.` };
  await tx.faqEntry.create({
    data: { communeId: t.communeId, categoryId: t.categoryId, question: qa.question, answer: qa.answer, searchText: faqSearchText(qa.question, qa.answer), sourceTicketId: t.id, publishedById: staffId, publishedAt: now },
  });
  await tx.ticketEvent.create({ data: { ticketId: t.id, type: 'note', actorKind: 'staff', actorStaffId: staffId, data: { faq: 'published' }, createdAt: now } });
  return { ok: true, code: t.code };
}
