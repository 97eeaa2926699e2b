// A resident's answers: one response per resident per survey (a unique row), one answer per
// question; answering again changes it, until the survey closes. The same rules whether the answer
// came from a Telegram button, a Zalo number, a chat message or the web form.
import type { Prisma, Survey, SurveyQuestion } from '../db/generated/client.ts';
import { SURVEY_LIMITS } from './survey-status.ts';

type Tx = Prisma.TransactionClient;

export type AnswerInput = { value: number } | { text: string } | { skip: true };

export type Refusal = 'closed' | 'not_open' | 'not_invited' | 'not_found' | 'invalid' | 'required' | 'empty' | 'too_long';

export type AnswerResult = { ok: true; changed: boolean; responseId: string } | { ok: false; reason: Refusal; questionId?: string };

/** Open and not past its end (the tick may not have closed it yet). */
export function surveyState(s: Pick<Survey, 'status' | 'closesAt'>, at: Date): 'open' | 'closed' | 'not_open' {
  if (s.status === 'closed' || s.status === 'cancelled') return 'closed';
  if (s.status !== 'open') return 'not_open';
  return at.getTime() >= s.closesAt.getTime() ? 'closed' : 'open';
}

type Checked = { value: number | null; text: string | null; skipped: boolean };

/** What an answer to this question may be, or why it is refused. */
export function checkAnswer(q: Pick<SurveyQuestion, 'kind' | 'choices' | 'optional'>, a: AnswerInput | undefined): Checked | Refusal {
  if (!a || 'skip' in a) return q.optional ? { value: null, text: null, skipped: true } : 'required';
  if (q.kind === 'text') {
    if (!('text' in a)) return 'invalid';
    const text = a.text.trim();
    if (!text) return q.optional ? { value: null, text: null, skipped: true } : 'empty';
    if (text.length > SURVEY_LIMITS.textAnswer) return 'too_long';
    return { value: null, text, skipped: false };
  }
  if (!('value' in a) || !Number.isInteger(a.value)) return 'invalid';
  const max = q.kind === 'scale' ? 5 : q.choices.length;
  if (a.value < 1 || a.value > max) return 'invalid';
  return { value: a.value, text: null, skipped: false };
}

/** Whether the resident may answer this survey now; the survey row is locked so a close waits. */
async function admit(tx: Tx, surveyId: string, residentId: string, at: Date): Promise<{ survey: Survey } | { refused: Refusal }> {
  await tx.$queryRaw`SELECT id FROM "Survey" WHERE id = ${surveyId}::uuid FOR SHARE`;
  const survey = await tx.survey.findUnique({ where: { id: surveyId } });
  if (!survey) return { refused: 'not_found' };
  const state = surveyState(survey, at);
  if (state !== 'open') return { refused: state };
  const invited = await tx.surveyInvitation.count({ where: { surveyId, residentId } });
  if (!invited) return { refused: 'not_invited' };
  return { survey };
}

/** The resident's one response row (created once, whoever comes first among concurrent answers). */
async function responseOf(tx: Tx, surveyId: string, residentId: string, via: string) {
  const resident = await tx.resident.findUniqueOrThrow({ where: { id: residentId }, select: { villageId: true } });
  await tx.surveyResponse.createMany({ data: [{ surveyId, residentId, via, villageId: resident.villageId }], skipDuplicates: true });
  return tx.surveyResponse.update({ where: { surveyId_residentId: { surveyId, residentId } }, data: { via, villageId: resident.villageId } });
}

async function saveAnswer(tx: Tx, responseId: string, questionId: string, c: Checked, at: Date): Promise<boolean> {
  const before = await tx.surveyAnswer.findUnique({ where: { responseId_questionId: { responseId, questionId } } });
  await tx.surveyAnswer.upsert({
    where: { responseId_questionId: { responseId, questionId } },
    create: { responseId, questionId, ...c, answeredAt: at },
    update: { ...c, answeredAt: at },
  });
  return before !== null;
}

/** One question's answer (a button, a number, a message). */
export async function answerQuestion(tx: Tx, p: { surveyId: string; residentId: string; position: number; answer: AnswerInput; via: string; at: Date }): Promise<AnswerResult> {
  const admitted = await admit(tx, p.surveyId, p.residentId, p.at);
  if ('refused' in admitted) return { ok: false, reason: admitted.refused };
  const q = await tx.surveyQuestion.findFirst({ where: { surveyId: p.surveyId, position: p.position } });
  if (!q) return { ok: false, reason: 'invalid' };
  const checked = checkAnswer(q, p.answer);
  if (typeof checked === 'string') return { ok: false, reason: checked, questionId: q.id };
  const response = await responseOf(tx, p.surveyId, p.residentId, p.via);
  const changed = await saveAnswer(tx, response.id, q.id, checked, p.at);
  return { ok: true, changed, responseId: response.id };
}

/**
 * The whole form at once (the web page): every question checked first, nothing saved when one is
 * refused. The answers are the resident's, whichever of their devices sends them: the same one
 * response as from the chat, changed in place.
 */
export async function answerForm(tx: Tx, p: { surveyId: string; residentId: string; answers: Map<string, AnswerInput | undefined>; at: Date }): Promise<AnswerResult> {
  const admitted = await admit(tx, p.surveyId, p.residentId, p.at);
  if ('refused' in admitted) return { ok: false, reason: admitted.refused };
  const questions = await tx.surveyQuestion.findMany({ where: { surveyId: p.surveyId }, orderBy: { position: 'asc' } });
  const checked: Array<[string, Checked]> = [];
  for (const q of questions) {
    const c = checkAnswer(q, p.answers.get(q.id));
    if (typeof c === 'string') return { ok: false, reason: c, questionId: q.id };
    checked.push([q.id, c]);
  }
  const response = await responseOf(tx, p.surveyId, p.residentId, 'web');
  let changed = false;
  for (const [questionId, c] of checked) changed = (await saveAnswer(tx, response.id, questionId, c, p.at)) || changed;
  return { ok: true, changed, responseId: response.id };
}
