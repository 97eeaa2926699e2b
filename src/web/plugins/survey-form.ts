// /khao-sat/<survey>/<resident>/<signature> — the survey as a short web form, for residents who
// prefer it to answering in the chat (the invitation carries the link). The link is personal and
// signed (src/surveys/survey-link.ts): a changed id or signature, or another resident's or
// survey's id under it, is refused; what it can do ends when the survey closes or is cancelled
// (its only expiry). The link stands for the resident, not for a browser: opened on a second phone
// it shows and changes the same one response (one per resident per survey, whichever device or
// chat it came from), so "reused" means nothing more than answering again. Telling the resident's
// second phone from someone the link was forwarded to is not possible without asking them to sign
// in, which a survey must not; the link is sent only to the resident's own chat, says it is
// personal, and the form shows when the answers were last changed and from where.
// No script; the residents' page shell, its escaping and its CSP.
import formbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { PrismaClient, SurveyQuestion } from '../../db/generated/client.ts';
import type { SurveyLinkSigner } from '../../surveys/survey-link.ts';
import { answerForm, surveyState, type AnswerInput } from '../../surveys/survey-answers.ts';
import { refusalText } from '../../surveys/survey-chat.ts';
import { SCALE_LABELS, SURVEY_LIMITS } from '../../surveys/survey-status.ts';
import { formatDue, residentTextsOf } from '../../tickets/resident-texts.ts';
import { escapeHtml as e, residentPage, RESIDENT_FORM_CSP } from './resident-page.ts';

export interface SurveyFormOptions {
  prisma: PrismaClient;
  signer: SurveyLinkSigner;
  now?: () => Date;
}

const STYLE =
  'body{font:18px/1.5 system-ui,sans-serif;margin:0;background:#fff;color:#111}main{max-width:40rem;margin:0 auto;padding:1rem}' +
  'h1{font-size:1.4rem}fieldset{border:1px solid #888;border-radius:.5rem;margin:0 0 1rem;padding:.75rem}legend{font-weight:600;padding:0 .25rem}' +
  'label{display:block;padding:.35rem 0}textarea{width:100%;font:inherit;box-sizing:border-box}button{font:inherit;padding:.6rem 1.4rem;background:#0b5394;color:#fff;border:0;border-radius:.4rem}' +
  '.err{background:#fde8e8;border-left:4px solid #b00020;padding:.5rem}.ok{background:#e6f4ea;border-left:4px solid #137333;padding:.5rem}.note{color:#444;font-size:.95rem}';

type Params = { survey: string; resident: string; sig: string };

const VIA: Record<string, string> = { web: 'trang web', telegram: 'Telegram', zalo: 'Zalo', zalo_bot: 'Zalo', zalo_oa: 'Zalo', webchat: 'trang web' };
const viaLabel = (via: string) => VIA[via] ?? 'tin nhắn';

function questionField(q: SurveyQuestion, current: { value: number | null; text: string | null } | undefined, error: boolean): string {
  const name = `q_${q.id}`;
  const head = `<legend>Câu ${q.position}${q.optional ? ' (không bắt buộc)' : ''}: ${e(q.text)}</legend>${error ? '<p class="err">Câu hỏi này cần trả lời.</p>' : ''}`;
  if (q.kind === 'text') return `<fieldset>${head}<textarea name="${name}" rows="3" maxlength="${SURVEY_LIMITS.textAnswer}">${e(current?.text ?? '')}</textarea></fieldset>`;
  const labels = q.kind === 'choice' ? q.choices : SCALE_LABELS.map((l, i) => `${i + 1} – ${l}`);
  const options = labels.map((l, i) => `<label><input type="radio" name="${name}" value="${i + 1}"${current?.value === i + 1 ? ' checked' : ''}${q.optional ? '' : ' required'}> ${e(l)}</label>`).join('');
  return `<fieldset>${head}${options}</fieldset>`;
}

export const surveyFormPlugin: FastifyPluginAsync<SurveyFormOptions> = async (app, opts) => {
  const { prisma } = opts;
  const now = opts.now ?? (() => new Date());
  await app.register(formbody, { bodyLimit: 64 * 1024 });

  function send(reply: FastifyReply, status: number, title: string, body: string) {
    return reply.code(status).type('text/html; charset=utf-8').header('content-security-policy', RESIDENT_FORM_CSP).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(residentPage(title, STYLE, body));
  }

  /** The survey and resident the link names, when its signature holds; else the refusal page. */
  async function open(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
    const { survey: surveyId, resident: residentId, sig } = req.params;
    if (!opts.signer.check(surveyId, residentId, sig)) {
      await send(reply, 403, 'Đường dẫn không hợp lệ', '<h1>Đường dẫn không hợp lệ</h1><p>Đường dẫn khảo sát này không đúng hoặc đã bị sửa. Xin mở lại đường dẫn trong tin nhắn Ủy ban đã gửi.</p>');
      return undefined;
    }
    const survey = await prisma.survey.findUnique({ where: { id: surveyId }, include: { questions: { orderBy: { position: 'asc' } }, commune: true } });
    const invited = survey ? await prisma.surveyInvitation.count({ where: { surveyId, residentId } }) : 0;
    if (!survey || !invited) {
      await send(reply, 404, 'Không tìm thấy khảo sát', '<h1>Không tìm thấy khảo sát</h1><p>Khảo sát này không có hoặc không dành cho đường dẫn này.</p>');
      return undefined;
    }
    const texts = await residentTextsOf(prisma, survey.communeId, 'webchat');
    return { survey, residentId, texts };
  }

  async function form(reply: FastifyReply, o: NonNullable<Awaited<ReturnType<typeof open>>>, extra: { status?: number; notice?: string; error?: string; missing?: string } = {}) {
    const { survey, residentId, texts } = o;
    const state = surveyState(survey, now());
    const title = e(survey.title);
    if (state !== 'open') return send(reply, state === 'closed' ? 410 : 409, survey.title, `<h1>${title}</h1><p class="err">${e(refusalText(state, texts))}</p>`);
    const response = await prisma.surveyResponse.findUnique({ where: { surveyId_residentId: { surveyId: survey.id, residentId } }, include: { answers: true } });
    const current = new Map(response?.answers.map((a) => [a.questionId, a]) ?? []);
    const fields = survey.questions.map((q) => questionField(q, current.get(q.id), extra.missing === q.id)).join('\n');
    const body =
      `<h1>${title}</h1><p class="note">${e(survey.commune.name)} · mở đến ${e(formatDue(survey.closesAt, survey.commune.timezone))}</p>` +
      (survey.intro ? `<p>${e(survey.intro)}</p>` : '') +
      (extra.notice ? `<p class="ok">${e(extra.notice)}</p>` : '') +
      (extra.error ? `<p class="err">${e(extra.error)}</p>` : '') +
      `<form method="post">${fields}<button type="submit">${response ? 'Lưu câu trả lời mới' : 'Gửi câu trả lời'}</button></form>` +
      (response ? `<p class="note">${e(`Ông/bà đã trả lời (lần gần nhất lúc ${formatDue(response.updatedAt, survey.commune.timezone)}, qua ${viaLabel(response.via)}); có thể sửa và gửi lại, từ máy này hay máy khác, đến khi khảo sát kết thúc.`)}</p>` : '');
    return send(reply, extra.status ?? 200, survey.title, body);
  }

  app.get<{ Params: Params }>('/khao-sat/:survey/:resident/:sig', async (req, reply) => {
    const o = await open(req, reply);
    if (!o) return reply;
    return form(reply, o);
  });

  app.post<{ Params: Params }>('/khao-sat/:survey/:resident/:sig', async (req, reply) => {
    const o = await open(req, reply);
    if (!o) return reply;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const answers = new Map<string, AnswerInput | undefined>();
    for (const q of o.survey.questions) {
      const raw = body[`q_${q.id}`];
      const v = typeof raw === 'string' ? raw : undefined;
      if (v === undefined || (q.kind !== 'text' && v === '')) answers.set(q.id, undefined);
      else answers.set(q.id, q.kind === 'text' ? { text: v } : /^\d{1,2}$/.test(v) ? { value: Number(v) } : { value: NaN });
    }
    const result = await prisma.$transaction((tx) => answerForm(tx, { surveyId: o.survey.id, residentId: o.residentId, answers, at: now() }));
    if (!result.ok) {
      if (result.reason === 'closed' || result.reason === 'not_open') return form(reply, o);
      return form(reply, o, { status: 400, error: refusalText(result.reason, o.texts), ...(result.questionId ? { missing: result.questionId } : {}) });
    }
    return form(reply, o, { notice: result.changed ? o.texts.surveyChanged : o.texts.surveyThanks(formatDue(o.survey.closesAt, o.survey.commune.timezone)) });
  });
};
