// Báo cáo: the quarter's figures on the page with charts, and the same figures as XLSX, CSV and
// a printable PDF (the satisfaction section's words and tables from satisfaction-section.ts, as
// in the PDF). Oversight accounts choose among the communes granted to them.
import type { FastifyInstance } from 'fastify';
import { formatVi as fmt } from '../../../text/format-vi.ts';
import { quarterPeriod, ticketReport } from '../../../reports/ticket-report.ts';
import { reportCsv, reportPdf, reportXlsx } from '../../../reports/report-files.ts';
import { reportCharts } from '../../../reports/report-charts.ts';
import { satisfactionSection } from '../../../reports/satisfaction-section.ts';
import { ON_TIME_RULE_TEXT } from '../../../reports/commune-figures.ts';
import { TZ, type AdminContext, type Signed } from '../admin-context.ts';

export function reportRoutes(app: FastifyInstance, ctx: AdminContext) {
  function reportParams(who: Signed, q: Record<string, string | undefined>) {
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: 'numeric' }).formatToParts(new Date());
    const thisYear = Number(local.find((p) => p.type === 'year')!.value);
    const thisQuarter = Math.ceil(Number(local.find((p) => p.type === 'month')!.value) / 3);
    const year = Number.isInteger(Number(q.nam)) && Number(q.nam) >= 2020 && Number(q.nam) <= 2100 ? Number(q.nam) : thisYear;
    const quarter = (['1', '2', '3', '4'].includes(q.quy ?? '') ? Number(q.quy) : thisQuarter) as 1 | 2 | 3 | 4;
    const { chosen, choices } = ctx.chosenCommune(who, q.xa);
    return { year, quarter, chosen, choices, qs: new URLSearchParams({ nam: String(year), quy: String(quarter), ...(chosen && choices.length > 1 ? { xa: chosen.id } : {}) }).toString() };
  }

  app.get<{ Querystring: Record<string, string | undefined> }>('/admin/bao-cao', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const p = reportParams(who, req.query);
    if (!p.chosen) return ctx.page(reply, 'dashboard-empty', { title: 'Báo cáo' }, who, '/admin/bao-cao');
    const r = await ticketReport(ctx.prisma, p.chosen.id, quarterPeriod(p.year, p.quarter), { kind: 'staff', staff: who.staff });
    const charts = reportCharts(r);
    // The charts' numbers travel as JSON in a non-executed script element; '<' is escaped so a
    // field name can never close the element.
    const chartJson = JSON.stringify(charts).replace(/</g, '\\u003c');
    return ctx.page(reply, 'report', { title: 'Báo cáo', scripts: ['chart.umd.min.js', 'report-charts.js'], r, charts, chartJson, satisfaction: satisfactionSection(r.satisfaction), onTimeRule: ON_TIME_RULE_TEXT, year: p.year, quarter: p.quarter, qs: p.qs, communes: p.choices, ...fmt }, who, '/admin/bao-cao');
  });

  app.get<{ Params: { ext: string }; Querystring: Record<string, string | undefined> }>('/admin/bao-cao/tai-ve.:ext', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const p = reportParams(who, req.query);
    if (!p.chosen || !['xlsx', 'csv', 'pdf'].includes(req.params.ext)) return reply.code(404).type('text/plain; charset=utf-8').send('Không có báo cáo này.');
    const r = await ticketReport(ctx.prisma, p.chosen.id, quarterPeriod(p.year, p.quarter), { kind: 'staff', staff: who.staff });
    const name = `bao-cao-phan-anh-${p.year}-quy-${p.quarter}`;
    reply.header('content-disposition', `attachment; filename="${name}.${req.params.ext}"`).header('cache-control', 'no-store');
    if (req.params.ext === 'xlsx') return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await reportXlsx(r));
    if (req.params.ext === 'csv') return reply.type('text/csv; charset=utf-8').send(reportCsv(r));
    return reply.type('application/pdf').send(await reportPdf(r));
  });
}
