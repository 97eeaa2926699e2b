// Toàn tỉnh: the province staff's dashboard — every commune of their province ranked for a period
// (this or last quarter, this or last month), sortable by any column, a chart, the same rows as XLSX —
// and one commune read-only: its figures, its tickets (a confidential one as its placeholder) and
// its bulletins. Commune staff are refused; a commune of another province answers as missing.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { formatVi as fmt } from '../../../text/format-vi.ts';
import { DEFAULT_TIME_ZONE } from '../../../calendar/time-zone.ts';
import { provinceRanking } from '../../../province/province-ranking.ts';
import { rankingChart, type RankedCommune } from '../../../province/commune-ranking.ts';
import { rankingXlsx } from '../../../province/ranking-xlsx.ts';
import { isPeriodChoice, PERIOD_CHOICES, rankingPeriod, type PeriodChoice } from '../../../province/ranking-period.ts';
import { communeFigures, ON_TIME_RULE_TEXT, periodBounds } from '../../../reports/commune-figures.ts';
import { statusLabel, awaitingAnswerStatuses } from '../../../tickets/ticket-status.ts';
import { accessWith, clearanceOf, visibleText } from '../../../tickets/ticket-visibility.ts';
import type { AdminContext } from '../admin-context.ts';
import { classLabel, runStatus } from '../labels.ts';
import { canOnboardCommune } from '../../../auth/commune-scope.ts';
import { provinceCommunesOf } from '../province-communes.ts';

type Query = Record<string, string | undefined>;

// Column → the value it sorts by; nulls (nothing to rate) always go last.
const SORTS: Record<string, { label: string; value: (r: RankedCommune) => number | string | null; ascFirst?: boolean }> = {
  hang: { label: 'Hạng', value: (r) => r.rank, ascFirst: true },
  xa: { label: 'Xã', value: (r) => r.name, ascFirst: true },
  'tiep-nhan': { label: 'Tiếp nhận', value: (r) => r.received },
  'dung-han': { label: 'Trả lời đúng hạn', value: (r) => r.onTimeRate },
  'thoi-gian': { label: 'Thời gian trả lời TB', value: (r) => r.avgHoursToAnswer, ascFirst: true },
  'hai-long': { label: 'Hài lòng', value: (r) => r.satisfactionRate },
  loa: { label: 'Loa đang hoạt động', value: (r) => (r.loudspeakers ? r.loudspeakersOnline / r.loudspeakers : null) },
  'ban-tin': { label: 'Lượt bản tin đã tới', value: (r) => r.bulletinsDelivered },
};

function sortRows(rows: RankedCommune[], key: string, asc: boolean): RankedCommune[] {
  const by = SORTS[key]!.value;
  return [...rows].sort((a, b) => {
    const x = by(a);
    const y = by(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    const c = typeof x === 'string' ? x.localeCompare(y as string, 'vi') : x - (y as number);
    return asc ? c : -c;
  });
}

export function provinceRoutes(app: FastifyInstance, ctx: AdminContext) {
  const { prisma } = ctx;

  /** Province staff and their communes, or the refusal already sent (commune staff: 403). */
  async function provinceOf(req: Parameters<AdminContext['guard']>[0], reply: FastifyReply) {
    const who = await ctx.guard(req, reply);
    if (!who) return undefined;
    const seat = await provinceCommunesOf(prisma, who);
    if (!seat) {
      await ctx.forbidden(reply, who, '/admin/tinh');
      return undefined;
    }
    const { communes } = seat;
    const province = await prisma.province.findUniqueOrThrow({ where: { id: seat.provinceId } });
    const choice: PeriodChoice = isPeriodChoice((req.query as Query).ky) ? ((req.query as Query).ky as PeriodChoice) : 'quy-nay';
    const period = rankingPeriod(choice, new Date(), communes[0]?.timezone ?? DEFAULT_TIME_ZONE);
    return { who, seat, province, communes, choice, period };
  }

  app.get<{ Querystring: Query }>('/admin/tinh', async (req, reply) => {
    const p = await provinceOf(req, reply);
    if (!p) return reply;
    const ranked = await provinceRanking(prisma, p.communes, p.period);
    const key = req.query.sap && Object.hasOwn(SORTS, req.query.sap) ? req.query.sap : 'hang';
    const asc = req.query.chieu === 'tang' ? true : req.query.chieu === 'giam' ? false : SORTS[key]!.ascFirst === true;
    const columns = Object.entries(SORTS).map(([k, s]) => {
      const nextAsc = k === key ? !asc : s.ascFirst === true;
      return { key: k, label: s.label, sorted: k === key ? (asc ? 'ascending' : 'descending') : undefined, href: `/admin/tinh?${new URLSearchParams({ ky: p.choice, sap: k, chieu: nextAsc ? 'tang' : 'giam' })}` };
    });
    const chart = rankingChart(ranked);
    return ctx.page(reply, 'province', {
      title: 'Toàn tỉnh', scripts: ['chart.umd.min.js', 'report-charts.js'], province: p.province, period: p.period, choice: p.choice, choices: PERIOD_CHOICES,
      rows: sortRows(ranked, key, asc), columns, chart, chartJson: JSON.stringify([chart]).replace(/</g, '\\u003c'), onTimeRule: ON_TIME_RULE_TEXT, isAdmin: canOnboardCommune(p.who.staff, p.seat.provinceId), ...fmt,
    }, p.who, '/admin/tinh');
  });

  app.get<{ Querystring: Query }>('/admin/tinh/xep-hang.xlsx', async (req, reply) => {
    const p = await provinceOf(req, reply);
    if (!p) return reply;
    const rows = await provinceRanking(prisma, p.communes, p.period);
    const file = await rankingXlsx({ title: `Xếp hạng các xã — ${p.province.name}`, periodLabel: `${p.period.label} (từ ${p.period.from.split('-').reverse().join('/')} đến ${p.period.to.split('-').reverse().join('/')})`, rows });
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="xep-hang-xa-${p.period.from}.xlsx"`)
      .header('cache-control', 'no-store')
      .send(file);
  });

  app.get<{ Params: { code: string }; Querystring: Query }>('/admin/tinh/xa/:code', async (req, reply) => {
    const p = await provinceOf(req, reply);
    if (!p) return reply;
    const commune = p.communes.find((c) => c.code === req.params.code);
    if (!commune) return ctx.notFound(reply, p.who);
    const { start, end } = periodBounds(p.period, commune.timezone);
    const [f, tickets, runs, clearance] = await Promise.all([
      communeFigures(prisma, commune.id, p.period, 'staff'),
      prisma.ticket.findMany({
        where: { communeId: commune.id, createdAt: { gte: start, lt: end } },
        orderBy: { createdAt: 'desc' },
        take: 300,
        select: { code: true, communeId: true, status: true, confidential: true, categoryId: true, assigneeId: true, subject: true, createdAt: true, dueAt: true, answeredAt: true, category: { select: { name: true } }, village: { select: { name: true } } },
      }),
      prisma.broadcastRun.findMany({
        where: { bulletin: { communeId: commune.id }, scheduledFor: { gte: start, lt: end } },
        orderBy: { scheduledFor: 'desc' },
        take: 100,
        select: { id: true, scheduledFor: true, status: true, bulletin: { select: { title: true, class: true } }, _count: { select: { deliveries: { where: { status: 'sent' } } } } },
      }),
      // Province staff are never cleared for a confidential ticket: they see its placeholder.
      clearanceOf(prisma, { kind: 'staff', staff: p.who.staff }),
    ]);
    const now = new Date();
    const rows = tickets.map((t) => {
      const access = accessWith(clearance, t);
      return {
        code: t.code, status: statusLabel[t.status], field: t.category?.name ?? 'Chưa phân loại', village: access === 'full' ? (t.village?.name ?? '—') : '(bảo mật)', subject: visibleText(access, t.subject) ?? '—',
        createdAt: t.createdAt, dueAt: t.dueAt, answeredAt: t.answeredAt, overdue: awaitingAnswerStatuses.includes(t.status) && t.dueAt !== null && t.dueAt < now,
      };
    });
    return ctx.page(reply, 'province-commune', {
      title: commune.name, commune, province: p.province, period: p.period, choice: p.choice, choices: PERIOD_CHOICES, f, rows, runs, classLabel, runStatus, onTimeRule: ON_TIME_RULE_TEXT, ...fmt,
    }, p.who, '/admin/tinh');
  });
}

