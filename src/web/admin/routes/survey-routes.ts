// Khảo sát: the list and a new survey's texts and dates; the builder (questions added, moved up or
// down, removed; the audience; a preview as residents read it), the workflow buttons (send for
// approval, approve or return, cancel) through src/surveys/survey-workflow.ts; once open, the
// results by question and village with a chart, as XLSX; the annual satisfaction report as PDF.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isAppError } from '../../../errors.ts';
import { formatVi as fmt } from '../../../text/format-vi.ts';
import { localInstant } from '../../../calendar/local-time.ts';
import { createSurveyWorkflow, type QuestionInput } from '../../../surveys/survey-workflow.ts';
import { audienceLabel, type AudienceInput } from '../../../surveys/survey-audience.ts';
import { questionKindLabel, SURVEY_WITH_RESULTS, surveyStatusLabel, EDITABLE_SURVEY, SUBMITTABLE_SURVEY, CANCELLABLE_SURVEY } from '../../../surveys/survey-status.ts';
import { questionMessage } from '../../../surveys/survey-chat.ts';
import { residentTexts } from '../../../tickets/resident-texts.ts';
import { satisfactionFigures, surveyResults } from '../../../surveys/survey-results.ts';
import { annualSatisfactionPdf, surveyResultsXlsx } from '../../../reports/satisfaction-files.ts';
import { quarterPeriod } from '../../../reports/ticket-report.ts';
import { formOf, TZ, UUID, type AdminContext, type PageExtra, type Signed } from '../admin-context.ts';

const DONE: Record<string, string> = { 'them-cau': 'Đã thêm câu hỏi.', len: 'Đã đổi thứ tự.', xuong: 'Đã đổi thứ tự.', 'xoa-cau': 'Đã xoá câu hỏi.', 'nguoi-nhan': 'Đã lưu người nhận.', sua: 'Đã lưu.', 'gui-duyet': 'Đã gửi duyệt.', duyet: 'Đã duyệt: khảo sát sẽ được gửi khi tới ngày mở.', 'tra-lai': 'Đã trả lại khảo sát.', huy: 'Đã hủy khảo sát.' };
const localInput = (d: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(d).replace(' ', 'T');
const parseLocal = (v: string) => {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(v);
  return m ? localInstant(m[1]!, m[2]!, TZ) : new Date(NaN);
};

export function surveyRoutes(app: FastifyInstance, ctx: AdminContext) {
  const { prisma } = ctx;
  const wf = createSurveyWorkflow(prisma);

  async function listPage(reply: FastifyReply, who: Signed, extra: PageExtra & { v?: Record<string, string> } = {}) {
    const communeIds = ctx.communesOf(who).map((c) => c.id);
    const rows = await prisma.survey.findMany({ where: { communeId: { in: communeIds } }, orderBy: { updatedAt: 'desc' }, take: 100 });
    const canWrite = who.staff.communeId !== null && ctx.hasRole(who, 'editor');
    const now = Date.now();
    if (extra.status) reply.code(extra.status);
    const year = new Date().getUTCFullYear();
    return ctx.page(reply, 'surveys', { title: 'Khảo sát', rows, canWrite, surveyStatusLabel, year, v: extra.v ?? { opensAt: localInput(new Date(now)), closesAt: localInput(new Date(now + 14 * 86_400_000)) }, ...extra, ...fmt }, who, '/admin/khao-sat');
  }

  app.get('/admin/khao-sat', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    return listPage(reply, who);
  });

  app.post('/admin/khao-sat/moi', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const f = formOf(req);
    const v = { title: f.one('title', 300), intro: f.one('intro', 3000), opensAt: f.one('opensAt', 20), closesAt: f.one('closesAt', 20) };
    if (!who.staff.communeId) return ctx.forbidden(reply, who, '/admin/khao-sat');
    if (!ctx.checkCsrf(req, who)) return listPage(reply, who, { v, error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    try {
      const s = await wf.createDraft({ staffId: who.staff.id, ip: req.ip }, { communeId: who.staff.communeId, title: v.title, intro: v.intro, opensAt: parseLocal(v.opensAt), closesAt: parseLocal(v.closesAt) });
      return reply.redirect(`/admin/khao-sat/${s.id}`, 303);
    } catch (e) {
      if (isAppError(e)) return listPage(reply, who, { v, error: e.userMessage, status: e.status });
      throw e;
    }
  });

  async function surveyPage(reply: FastifyReply, who: Signed, id: string, extra: PageExtra = {}) {
    const s = UUID.test(id) ? await prisma.survey.findUnique({ where: { id }, include: { questions: { orderBy: { position: 'asc' } }, audiences: true, author: true, approver: true } }) : null;
    if (!s || !ctx.reach(who, s.communeId)) return ctx.notFound(reply, who);
    const mine = ctx.reach(who, s.communeId) === 'act';
    const editor = mine && ctx.hasRole(who, 'editor');
    const approver = mine && ctx.hasRole(who, 'approver');
    const villages = await prisma.village.findMany({ where: { communeId: s.communeId }, orderBy: { sortOrder: 'asc' } });
    const results = SURVEY_WITH_RESULTS.includes(s.status) ? await surveyResults(prisma, s.id) : null;
    const chart = results
      ? JSON.stringify([{ id: 'khao-sat-thon', title: 'Trả lời theo thôn', kind: 'bar', unit: 'count', labels: results.byVillage.map((v) => v.name), series: [{ name: 'Được mời', values: results.byVillage.map((v) => v.invited) }, { name: 'Đã trả lời', values: results.byVillage.map((v) => v.responded) }, { name: 'Hài lòng', values: results.byVillage.map((v) => v.satisfied) }] }]).replace(/</g, '\\u003c')
      : '';
    const preview = s.questions.map((q) => questionMessage(q, s.questions.length, residentTexts));
    if (extra.status) reply.code(extra.status);
    return ctx.page(
      reply,
      'survey',
      {
        title: s.title,
        scripts: results ? ['chart.umd.min.js', 'report-charts.js'] : [],
        s,
        villages,
        preview,
        results,
        chart,
        canEdit: editor && EDITABLE_SURVEY.includes(s.status),
        canSubmit: editor && SUBMITTABLE_SURVEY.includes(s.status),
        canApprove: approver && s.status === 'submitted',
        canCancel: mine && ctx.hasRole(who, 'editor', 'approver') && CANCELLABLE_SURVEY.includes(s.status),
        opensLocal: localInput(s.opensAt),
        closesLocal: localInput(s.closesAt),
        audienceText: (a: (typeof s.audiences)[number]) => `${audienceLabel[a.kind]}${a.periodFrom ? ` (${a.periodFrom} – ${a.periodTo})` : ''}${a.villageIds.length ? `: ${villages.filter((v) => a.villageIds.includes(v.id)).map((v) => v.name).join(', ')}` : ''}`,
        questionKindLabel,
        surveyStatusLabel,
        ...extra,
        ...fmt,
      },
      who,
      '/admin/khao-sat',
    );
  }

  app.get<{ Params: { id: string }; Querystring: { da?: string } }>('/admin/khao-sat/:id', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    return surveyPage(reply, who, req.params.id, req.query.da && DONE[req.query.da] ? { notice: DONE[req.query.da] } : {});
  });

  function audienceOf(f: ReturnType<typeof formOf>): AudienceInput[] {
    const villageIds = f.all('villageIds').filter((x) => UUID.test(x));
    return f.all('kind').map((kind): AudienceInput => (kind === 'closed_tickets' ? { kind, from: f.one('from', 10), to: f.one('to', 10), villageIds } : ({ kind, villageIds } as AudienceInput)));
  }

  app.post<{ Params: { id: string; verb: string } }>('/admin/khao-sat/:id/:verb', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const { id, verb } = req.params;
    const s = UUID.test(id) ? await prisma.survey.findUnique({ where: { id }, select: { communeId: true } }) : null;
    if (!s || !ctx.reach(who, s.communeId)) return ctx.notFound(reply, who);
    if (!ctx.checkCsrf(req, who)) return surveyPage(reply, who, id, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    const actor = { staffId: who.staff.id, ip: req.ip };
    const f = formOf(req);
    const question = f.one('questionId', 40);
    try {
      if (verb === 'sua') await wf.edit(actor, id, { title: f.one('title', 300), intro: f.one('intro', 3000), opensAt: parseLocal(f.one('opensAt', 20)), closesAt: parseLocal(f.one('closesAt', 20)) });
      else if (verb === 'them-cau') {
        const input: QuestionInput = { kind: f.one('kind', 10) as QuestionInput['kind'], text: f.one('text', 400), choices: f.one('choices', 2000).split('\n'), optional: f.one('optional', 5) === '1' };
        await wf.addQuestion(actor, id, input);
      } else if (verb === 'len' || verb === 'xuong') await wf.moveQuestion(actor, id, question, verb === 'len' ? 'up' : 'down');
      else if (verb === 'xoa-cau') await wf.removeQuestion(actor, id, question);
      else if (verb === 'nguoi-nhan') await wf.setAudience(actor, id, audienceOf(f));
      else if (verb === 'gui-duyet') await wf.submit(actor, id);
      else if (verb === 'duyet') await wf.approve(actor, id);
      else if (verb === 'tra-lai') await wf.reject(actor, id, f.one('comment', 1000));
      else if (verb === 'huy') await wf.cancel(actor, id);
      else return surveyPage(reply, who, id, { error: 'Không có thao tác này.', status: 404 });
    } catch (e) {
      if (isAppError(e)) return surveyPage(reply, who, id, { error: e.userMessage, status: e.status });
      throw e;
    }
    return reply.redirect(`/admin/khao-sat/${id}?da=${verb}`, 303);
  });

  app.get<{ Params: { id: string } }>('/admin/khao-sat/:id/ket-qua.xlsx', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const s = UUID.test(req.params.id) ? await prisma.survey.findUnique({ where: { id: req.params.id }, select: { id: true, communeId: true } }) : null;
    if (!s || !ctx.reach(who, s.communeId)) return ctx.notFound(reply, who);
    const xlsx = await surveyResultsXlsx(await surveyResults(prisma, s.id));
    return reply.header('content-disposition', 'attachment; filename="ket-qua-khao-sat.xlsx"').header('cache-control', 'no-store').type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(xlsx);
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/admin/khao-sat/bao-cao-nam.pdf', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const { chosen } = ctx.chosenCommune(who, req.query.xa);
    if (!chosen) return ctx.notFound(reply, who);
    const year = Number.isInteger(Number(req.query.nam)) && Number(req.query.nam) >= 2020 && Number(req.query.nam) <= 2100 ? Number(req.query.nam) : new Date().getUTCFullYear();
    const commune = await prisma.commune.findUniqueOrThrow({ where: { id: chosen.id }, include: { province: true } });
    const quarters = await Promise.all(([1, 2, 3, 4] as const).map((q) => satisfactionFigures(prisma, chosen.id, quarterPeriod(year, q))));
    const figures = await satisfactionFigures(prisma, chosen.id, { from: `${year}-01-01`, to: `${year}-12-31`, label: `Năm ${year}` });
    const pdf = await annualSatisfactionPdf({ commune: { name: commune.name, province: commune.province?.name ?? null }, year, figures, quarters });
    return reply.header('content-disposition', `attachment; filename="khao-sat-hai-long-${year}.pdf"`).header('cache-control', 'no-store').type('application/pdf').send(pdf);
  });
}
