// Cán bộ & phân công: the commune's staff, their roles and the leader, new accounts and password
// resets (the first password is shown once, on the page that made it), and who answers which
// field in which village. Only the commune's admins come here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../../errors.ts';
import { formatVi as fmt } from '../../../text/format-vi.ts';
import { addAssignment, createStaff, removeAssignment, resetStaffPassword, ROLES, updateStaff } from '../../../staff/staff-admin.ts';
import { formOf, pickId, UUID, type AdminContext, type PageExtra, type Signed } from '../admin-context.ts';
import { roleLabel } from '../labels.ts';
import { createLinkCode } from '../../../staff/staff-link-codes.ts';
import { channelName } from '../../../channels/platform-names.ts';

type AdminSigned = Signed & { staff: { communeId: string } };

export function staffRoutes(app: FastifyInstance, ctx: AdminContext) {
  const { prisma } = ctx;

  async function adminOnly(req: FastifyRequest, reply: FastifyReply): Promise<AdminSigned | undefined> {
    const who = await ctx.guard(req, reply);
    if (!who) return undefined;
    if (!who.staff.communeId || !who.staff.roles.includes('admin')) {
      await ctx.auditRefused(req, who, 'Staff', null, { url: req.url.slice(0, 200) });
      await ctx.forbidden(reply, who, '/admin/can-bo');
      return undefined;
    }
    return who as AdminSigned;
  }

  async function listPage(reply: FastifyReply, who: AdminSigned, extra: PageExtra & { password?: { username: string; password: string } } = {}) {
    const communeId = who.staff.communeId;
    const [staff, categories, villages, assignments] = await Promise.all([
      prisma.staff.findMany({ where: { communeId }, orderBy: [{ active: 'desc' }, { displayName: 'asc' }] }),
      prisma.category.findMany({ where: { active: true }, orderBy: { name: 'asc' } }),
      prisma.village.findMany({ where: { communeId }, orderBy: { sortOrder: 'asc' } }),
      prisma.assignment.findMany({ where: { communeId }, include: { staff: true, category: true, village: true } }),
    ]);
    // The matrix: one row per field, one column per village plus "every village".
    const columns = [{ id: '', name: 'Mọi thôn' }, ...villages.map((v) => ({ id: v.id, name: v.name }))];
    const matrix = categories.map((c) => ({
      name: c.name,
      cells: columns.map((col) => assignments.filter((a) => a.categoryId === c.id && (a.villageId ?? '') === col.id).map((a) => a.staff.displayName)),
    }));
    if (extra.status) reply.code(extra.status);
    return ctx.page(
      reply,
      'staff',
      {
        title: 'Cán bộ & phân công',
        people: staff,
        categories,
        villages,
        columns,
        matrix,
        assignments: assignments.sort((a, b) => a.category.name.localeCompare(b.category.name, 'vi') || (a.village?.name ?? '').localeCompare(b.village?.name ?? '', 'vi')),
        responders: staff.filter((s) => s.active && (s.isLeader || s.roles.some((r) => r === 'responder' || r === 'admin'))),
        roles: ROLES,
        roleLabel,
        ...extra,
        ...fmt,
      },
      who,
      '/admin/can-bo',
    );
  }

  app.get<{ Querystring: { da?: string } }>('/admin/can-bo', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    const done: Record<string, string> = { 'sua-can-bo': 'Đã lưu cán bộ.', 'them-phan-cong': 'Đã thêm phân công.', 'bo-phan-cong': 'Đã bỏ phân công.' };
    return listPage(reply, who, req.query.da && done[req.query.da] ? { notice: done[req.query.da] } : {});
  });

  const staffInput = (f: ReturnType<typeof formOf>) => ({ displayName: f.one('displayName', 200), title: f.one('title', 200), roles: f.all('roles'), isLeader: f.one('isLeader', 5) === '1' });
  const actx = (who: AdminSigned, req: FastifyRequest) => ({ prisma, admin: who.staff, ip: req.ip });

  app.post('/admin/can-bo/moi', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    const f = formOf(req);
    if (!ctx.checkCsrf(req, who)) return listPage(reply, who, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    try {
      const { staff, password, effects } = await createStaff(actx(who, req), f.one('username', 64), staffInput(f));
      await ctx.dispatch(effects);
      // Shown once, on this response only (no-store), for the admin to hand over in person.
      return listPage(reply, who, { notice: `Đã tạo tài khoản ${staff.displayName}.`, password: { username: staff.username, password } });
    } catch (e) {
      if (isAppError(e)) return listPage(reply, who, { error: e.userMessage, status: e.status });
      throw e;
    }
  });

  async function editPage(reply: FastifyReply, who: AdminSigned, id: string, extra: PageExtra & { password?: string; linkCode?: { code: string; expiresAt: Date } } = {}) {
    const s = UUID.test(id) ? await prisma.staff.findFirst({ where: { id, communeId: who.staff.communeId }, include: { identities: { orderBy: { createdAt: 'asc' } } } }) : null;
    if (!s) return ctx.notFound(reply, who);
    if (extra.status) reply.code(extra.status);
    return ctx.page(reply, 'staff-form', { title: `Cán bộ ${s.displayName}`, s, roles: ROLES, roleLabel, channelName, self: s.id === who.staff.id, ...extra, ...fmt }, who, '/admin/can-bo');
  }

  app.get<{ Params: { id: string } }>('/admin/can-bo/:id', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    return editPage(reply, who, req.params.id);
  });

  app.post<{ Params: { id: string; verb: string } }>('/admin/can-bo/:id/:verb', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    const { id, verb } = req.params;
    if (!UUID.test(id)) return ctx.notFound(reply, who);
    if (!ctx.checkCsrf(req, who)) return editPage(reply, who, id, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    const f = formOf(req);
    try {
      if (verb === 'sua') {
        await ctx.dispatch((await updateStaff(actx(who, req), id, { ...staffInput(f), active: f.one('active', 5) === '1' })).effects);
        return reply.redirect('/admin/can-bo?da=sua-can-bo', 303);
      }
      if (verb === 'ma-lien-ket') {
        // Shown once, on this response only, like a first password.
        const link = await createLinkCode(prisma, { staffId: id, by: { id: who.staff.id, communeId: who.staff.communeId }, now: new Date(), ip: req.ip });
        return editPage(reply, who, id, { notice: 'Đã tạo mã liên kết.', linkCode: link });
      }
      if (verb === 'dat-lai-mat-khau') {
        const password = await resetStaffPassword(actx(who, req), id);
        return editPage(reply, who, id, { notice: 'Đã đặt lại mật khẩu. Người này phải đổi mật khẩu khi đăng nhập.', password });
      }
      return editPage(reply, who, id, { error: 'Không có thao tác này.', status: 404 });
    } catch (e) {
      if (isAppError(e)) return editPage(reply, who, id, { error: e.userMessage, status: e.status });
      throw e;
    }
  });

  app.post('/admin/phan-cong', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    const f = formOf(req);
    if (!ctx.checkCsrf(req, who)) return listPage(reply, who, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    try {
      const remove = pickId(f.one('remove', 40));
      if (remove) {
        await removeAssignment(actx(who, req), remove);
        return reply.redirect('/admin/can-bo?da=bo-phan-cong#phan-cong', 303);
      }
      const staffId = pickId(f.one('staffId', 40));
      const categoryId = pickId(f.one('categoryId', 40));
      if (!staffId || !categoryId) return listPage(reply, who, { error: 'Chọn cán bộ và lĩnh vực.', status: 400 });
      await ctx.dispatch((await addAssignment(actx(who, req), { staffId, categoryId, villageId: pickId(f.one('villageId', 40)) ?? null })).effects);
    } catch (e) {
      if (isAppError(e)) return listPage(reply, who, { error: e.userMessage, status: e.status });
      throw e;
    }
    return reply.redirect('/admin/can-bo?da=them-phan-cong#phan-cong', 303);
  });
}
