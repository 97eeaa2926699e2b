// Tổng quan: the day at a glance for the commune (or, for oversight, the commune chosen).
import type { FastifyInstance } from 'fastify';
import { todayOverview } from '../../../dashboard/today.ts';
import { formatVi as fmt } from '../../../text/format-vi.ts';
import type { AdminContext } from '../admin-context.ts';
import { accountLabel, classLabel } from '../labels.ts';

export function dashboardRoutes(app: FastifyInstance, ctx: AdminContext) {
  app.get<{ Querystring: { xa?: string } }>('/admin/tong-quan', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const { chosen, choices } = ctx.chosenCommune(who, req.query.xa);
    if (!chosen) return ctx.page(reply, 'dashboard-empty', { title: 'Tổng quan' }, who, '/admin/tong-quan');
    const now = new Date();
    const o = await todayOverview(ctx.prisma, chosen.id, now, { kind: 'staff', staff: who.staff });
    return ctx.page(reply, 'dashboard', { title: 'Tổng quan', o, today: fmt.day(now), communes: choices, classLabel, accountLabel, ...fmt }, who, '/admin/tong-quan');
  });
}
