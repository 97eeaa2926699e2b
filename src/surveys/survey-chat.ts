// A survey in the chat: each question is one message with its choices as buttons (Telegram, web
// chat) or numbers (Zalo, whose adapter writes the buttons out as a numbered list); a short-text
// question waits for the resident's next message. After an answer the next unanswered question
// follows; pressing a button of an earlier question again changes that answer (until the close).
import type { Prisma, Survey, SurveyQuestion } from '../db/generated/client.ts';
import type { InboundAction, InboundMessage } from '../../bots/channel.ts';
import { effect, sendDirectJob, type Effect } from '../tickets/ticket-jobs.ts';
import { formatDue, residentTextsOf, type ResidentTexts } from '../tickets/resident-texts.ts';
import { answerQuestion, type AnswerInput, type AnswerResult, type Refusal } from './survey-answers.ts';
import { SCALE_LABELS, SURVEY_LIMITS } from './survey-status.ts';

type Tx = Prisma.TransactionClient;
type Button = { label: string; data: string };

/** Button data: "sv:<survey id>:<question position>:<1…9 | s (skip)>", 44 bytes at most (Telegram allows 64). */
export const SURVEY_ACTION_RE = /^sv:([0-9a-f-]{36}):(\d{1,2}):(\d{1,2}|s)$/;

/** What the resident is asked to type in answer to (kept in the identity's conversation state). */
export interface SurveyTextState {
  surveyId: string;
  position: number;
}

export function questionMessage(q: Pick<SurveyQuestion, 'surveyId' | 'position' | 'kind' | 'text' | 'choices' | 'optional'>, total: number, texts: ResidentTexts): { text: string; buttons: Button[][] } {
  const data = (v: string | number) => `sv:${q.surveyId}:${q.position}:${v}`;
  const head = `Câu ${q.position}/${total}${q.optional ? ' (không bắt buộc)' : ''}: ${q.text}`;
  const skip = q.optional ? [[{ label: texts.surveySkip, data: data('s') }]] : [];
  if (q.kind === 'choice') return { text: head, buttons: [...q.choices.map((c, i) => [{ label: c, data: data(i + 1) }]), ...skip] };
  if (q.kind === 'scale') return { text: head, buttons: [...SCALE_LABELS.map((l, i) => [{ label: `${i + 1} – ${l}`, data: data(i + 1) }]), ...skip] };
  return { text: `${head}\n${texts.surveyTextPrompt(SURVEY_LIMITS.textAnswer)}`, buttons: skip };
}

export function refusalText(reason: Refusal, texts: ResidentTexts): string {
  switch (reason) {
    case 'closed':
      return texts.surveyClosed;
    case 'not_open':
      return texts.surveyNotOpen;
    case 'required':
      return texts.surveyRequired;
    case 'empty':
      return texts.surveyEmpty;
    case 'too_long':
      return texts.surveyTooLong(SURVEY_LIMITS.textAnswer);
    case 'invalid':
      return texts.surveyInvalid;
    default:
      return texts.surveyNotInvited;
  }
}

type Chat = { platform: InboundMessage['platform']; accountId: string; chatId: string };

export interface SurveyChatOutcome {
  note: string;
  effects: Effect[];
  /** The conversation state after this answer: waiting for a typed answer, or nothing. */
  textState: SurveyTextState | null;
}

/** After a saved answer: the next question without an answer, or the thanks. */
async function next(tx: Tx, survey: Survey, responseId: string, chat: Chat, texts: ResidentTexts, key: string, changed: boolean): Promise<{ effects: Effect[]; textState: SurveyTextState | null }> {
  const questions = await tx.surveyQuestion.findMany({ where: { surveyId: survey.id }, orderBy: { position: 'asc' } });
  const answered = new Set((await tx.surveyAnswer.findMany({ where: { responseId }, select: { questionId: true } })).map((a) => a.questionId));
  const q = questions.find((x) => !answered.has(x.id));
  const send = (text: string, buttons?: Button[][]) => effect(sendDirectJob, { ...chat, text, ...(buttons?.length ? { buttons } : {}) }, key);
  if (!q) {
    const tz = (await tx.commune.findUniqueOrThrow({ where: { id: survey.communeId }, select: { timezone: true } })).timezone;
    return { effects: [send(changed ? `${texts.surveyChanged} ${texts.surveyThanks(formatDue(survey.closesAt, tz))}` : texts.surveyThanks(formatDue(survey.closesAt, tz)))], textState: null };
  }
  const m = questionMessage(q, questions.length, texts);
  return { effects: [send(changed ? `${texts.surveyChanged}\n\n${m.text}` : m.text, m.buttons)], textState: q.kind === 'text' ? { surveyId: survey.id, position: q.position } : null };
}

async function after(tx: Tx, result: AnswerResult, surveyId: string, chat: Chat, texts: ResidentTexts, key: string): Promise<SurveyChatOutcome> {
  if (!result.ok) return { note: `survey_${result.reason}`, effects: [effect(sendDirectJob, { ...chat, text: refusalText(result.reason, texts) }, key)], textState: null };
  const survey = await tx.survey.findUniqueOrThrow({ where: { id: surveyId } });
  const n = await next(tx, survey, result.responseId, chat, texts, key, result.changed);
  return { note: result.changed ? 'survey_answer_changed' : 'survey_answered', ...n };
}

/** A pressed button (or a Zalo number) of a survey question. */
export async function handleSurveyAction(tx: Tx, a: InboundAction, residentId: string, communeId: string, at: Date, key: string): Promise<SurveyChatOutcome | undefined> {
  const m = SURVEY_ACTION_RE.exec(a.data);
  if (!m) return undefined;
  const texts = await residentTextsOf(tx, communeId, a.platform);
  const answer: AnswerInput = m[3] === 's' ? { skip: true } : { value: Number(m[3]) };
  const result = await answerQuestion(tx, { surveyId: m[1]!, residentId, position: Number(m[2]), answer, via: a.platform, at });
  return after(tx, result, m[1]!, { platform: a.platform, accountId: a.accountId, chatId: a.chatId }, texts, key);
}

/**
 * The message that answers a short-text question the resident was asked. Undefined when the survey
 * can no longer be answered: the message is then an ordinary one (a question, a ticket).
 */
export async function handleSurveyText(tx: Tx, m: InboundMessage, state: SurveyTextState, residentId: string, communeId: string, key: string): Promise<SurveyChatOutcome | undefined> {
  const texts = await residentTextsOf(tx, communeId, m.platform);
  const result = await answerQuestion(tx, { surveyId: state.surveyId, residentId, position: state.position, answer: { text: m.text ?? '' }, via: m.platform, at: m.receivedAt });
  if (!result.ok && ['closed', 'not_open', 'not_found', 'not_invited'].includes(result.reason)) return undefined;
  const chat = { platform: m.platform, accountId: m.accountId, chatId: m.chatId };
  const out = await after(tx, result, state.surveyId, chat, texts, key);
  // Too long or empty: still waiting for this answer; anything else settles the question.
  return !result.ok && (result.reason === 'too_long' || result.reason === 'empty') ? { ...out, textState: state } : out;
}

/** The invitation: the survey's words, its link, and the first question with its buttons. */
export async function invitationMessage(tx: Tx, survey: Survey, platform: string, link: string): Promise<{ text: string; buttons: Button[][]; textState: SurveyTextState | null }> {
  const commune = await tx.commune.findUniqueOrThrow({ where: { id: survey.communeId } });
  const texts = await residentTextsOf(tx, survey.communeId, platform);
  const questions = await tx.surveyQuestion.findMany({ where: { surveyId: survey.id }, orderBy: { position: 'asc' } });
  const intro = texts.surveyInvite({ communeName: commune.name, title: survey.title, intro: survey.intro, closes: formatDue(survey.closesAt, commune.timezone), link });
  const first = questions[0];
  if (!first) return { text: intro, buttons: [], textState: null };
  const q = questionMessage(first, questions.length, texts);
  return { text: `${intro}\n\n${q.text}`, buttons: q.buttons, textState: first.kind === 'text' ? { surveyId: survey.id, position: first.position } : null };
}
