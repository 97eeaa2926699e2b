// Lịch phát sóng: a week of slots and broadcasts; a normal one-off bulletin is moved by dragging it
// to another day or slot (a small script fills the move form), or with the form itself; a normal
// province bulletin still open to a decline shows at its deadline with "Từ chối" for approvers.
import type { FastifyInstance } from 'fastify';
import { isAppError } from '../../../errors.ts';
import { formatVi as fmt } from '../../../text/format-vi.ts';
import { moveOneOff, weekCalendar, weekStart } from '../../../bulletins/broadcast-calendar.ts';
import { fireJob, fireJobId, queueOneOff } from '../../../../broadcasts/schedule/scheduler.ts';
import { localDate, localInstant } from '../../../calendar/local-time.ts';
import { formOf, pickId, TZ, type AdminContext, type PageExtra, type Signed } from '../admin-context.ts';
import { classLabel, runStatus } from '../labels.ts';
import { DECLINED } from './bulletin-routes.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_NAMES = ['', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy', 'Chủ nhật'];
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const dm = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}`;

export function calendarRoutes(app: FastifyInstance, ctx: AdminContext) {
  async function calendarPage(reply: import('fastify').FastifyReply, who: Signed, q: { tuan?: string | undefined; xa?: string | undefined }, extra: PageExtra = {}) {
    const { chosen, choices } = ctx.chosenCommune(who, q.xa);
    if (!chosen) return ctx.page(reply, 'dashboard-empty', { title: 'Lịch phát sóng' }, who, '/admin/lich-phat');
    const today = localDate(new Date(), TZ).date;
    const monday = weekStart(q.tuan && DATE.test(q.tuan) && !Number.isNaN(Date.parse(q.tuan)) ? q.tuan : today);
    const days = await weekCalendar(ctx.prisma, chosen.id, monday);
    const canMove = who.staff.communeId === chosen.id && ctx.hasRole(who, 'editor', 'approver');
    // The decline rule itself is the domain's (decline-province-bulletin.ts); this only hides the form.
    const canDecline = who.staff.communeId === chosen.id && ctx.hasRole(who, 'approver');
    const now = new Date();
    if (extra.status) reply.code(extra.status);
    const xa = choices.length > 1 ? `&xa=${chosen.id}` : '';
    return ctx.page(
      reply,
      'calendar',
      {
        title: 'Lịch phát sóng',
        scripts: canMove ? ['calendar-drag.js'] : [],
        days: days.map((d) => ({ ...d, name: DAY_NAMES[d.isoWeekday], dm: dm(d.date), today: d.date === today, items: d.items.map((i) => ({ ...i, declinable: canDecline && i.kind === 'waiting' && i.at >= now })) })),
        range: `${dm(monday)} – ${dm(shift(monday, 6))}/${shift(monday, 6).slice(0, 4)}`,
        prev: `/admin/lich-phat?tuan=${shift(monday, -7)}${xa}`,
        next: `/admin/lich-phat?tuan=${shift(monday, 7)}${xa}`,
        thisWeek: `/admin/lich-phat${xa ? `?${xa.slice(1)}` : ''}`,
        monday,
        canMove,
        communes: choices,
        classLabel,
        runStatus,
        ...extra,
        ...fmt,
      },
      who,
      '/admin/lich-phat',
    );
  }

  app.get<{ Querystring: { tuan?: string; xa?: string; da?: string } }>('/admin/lich-phat', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    return calendarPage(reply, who, req.query, req.query.da === 'doi' ? { notice: 'Đã dời giờ phát.' } : req.query.da === 'tu-choi-tinh' ? { notice: DECLINED } : {});
  });

  app.post('/admin/lich-phat/doi', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const f = formOf(req);
    const week = f.one('tuan', 10);
    const back = { tuan: week };
    if (!ctx.checkCsrf(req, who)) return calendarPage(reply, who, back, { error: 'Biểu mẫu đã hết hạn, xin làm lại.', status: 403 });
    const scheduleId = pickId(f.one('scheduleId', 40));
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(f.one('runAt', 20));
    if (!scheduleId || !m) return calendarPage(reply, who, back, { error: 'Cần chọn lượt phát và thời điểm mới (ngày và giờ).', status: 400 });
    try {
      const { schedule, old } = await moveOneOff(ctx.prisma, { staffId: who.staff.id, ip: req.ip }, scheduleId, localInstant(m[1]!, m[2]!, TZ));
      if (old.getTime() !== schedule.runAt?.getTime()) {
        // The old delayed job goes; if it already ran, fire() sees the schedule moved and skips it.
        await ctx.opts.cancelJob(fireJob, fireJobId(schedule.bulletinId, old));
        await queueOneOff(ctx.opts.enqueue, schedule);
      }
    } catch (e) {
      if (isAppError(e)) return calendarPage(reply, who, back, { error: e.userMessage, status: e.status });
      throw e;
    }
    return reply.redirect(`/admin/lich-phat?tuan=${weekStart(m[1]!)}&da=doi`, 303);
  });
}
