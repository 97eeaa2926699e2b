// Tổng quan: the day at a glance for the commune (or, for oversight, the commune chosen).
import type { FastifyInstance } from 'fastify';
import { todayOverview } from '../../../dashboard/today.ts';
import { formatVi as fmt } from '../../../text/format-vi.ts';
import { UUID, type AdminContext } from '../admin-context.ts';
import { accountLabel, classLabel } from '../labels.ts';

export function dashboardRoutes(app: FastifyInstance, ctx: AdminContext) {
  app.get<{ Querystring: { xa?: string } }>('/admin/tong-quan', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const { chosen, choices } = ctx.chosenCommune(who, req.query.xa);
    if (!chosen) return ctx.page(reply, 'dashboard-empty', { title: 'Tổng quan' }, who, '/admin/tong-quan');
    const now = new Date();
    const [o, notices] = await Promise.all([
      todayOverview(ctx.prisma, chosen.id, now, { kind: 'staff', staff: who.staff }),
      ctx.prisma.staffNotice.findMany({ where: { staffId: who.staff.id, readAt: null }, orderBy: { createdAt: 'desc' }, take: 20 }),
    ]);
    return ctx.page(reply, 'dashboard', { title: 'Tổng quan', o, notices, today: fmt.day(now), communes: choices, classLabel, accountLabel, ...fmt }, who, '/admin/tong-quan');
  });

  /** A notice is marked read by the person it was for; anyone else's id answers as missing. */
  app.post<{ Params: { id: string } }>('/admin/thong-bao/:id/da-xem', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const notice = UUID.test(req.params.id) ? await ctx.prisma.staffNotice.findFirst({ where: { id: req.params.id, staffId: who.staff.id } }) : null;
    if (!notice) return ctx.notFound(reply, who);
    if (!ctx.checkCsrf(req, who)) return ctx.forbidden(reply, who, '/admin/tong-quan');
    await ctx.prisma.staffNotice.updateMany({ where: { id: notice.id, readAt: null }, data: { readAt: new Date() } });
    return reply.redirect('/admin/tong-quan', 303);
  });
}
