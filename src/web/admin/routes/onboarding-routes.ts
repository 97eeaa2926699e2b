// Thêm xã mới: a province admin creates a commune of their province with its villages (pasted, or a
// CSV file the page reads into the box), its staff (CSV) and the national fields, through the same
// use case as `loaxa commune add` (onboardCommune: one transaction, precise line errors); then the
// checklist of what the commune still lacks, with where each is fixed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.ts';
import { onboardCommune, onboardingChecklist, type ChecklistItem } from '../../../communes/onboard-commune.ts';
import { MAX_LIST_BYTES } from '../../../communes/onboarding-csv.ts';
import { formOf, type AdminContext, type Signed } from '../admin-context.ts';
import { canOnboardCommune } from '../../../auth/commune-scope.ts';
import { provinceCommunesOf } from '../province-communes.ts';

// Two lists of MAX_LIST_BYTES each, URL-encoded (Vietnamese letters take up to 9 bytes), reach the
// use case, which names the list that is too large; beyond this the form's own 413 page answers.
const FORM_LIMIT = 4 * 1024 * 1024;

/** Where each missing piece is fixed, by the commune's own admin. */
const FIX: Record<ChecklistItem['key'], { href: string; how: string }> = {
  villages: { href: '/admin/can-bo', how: 'Quản trị viên xã thêm thôn' },
  staff: { href: '/admin/can-bo', how: 'Quản trị viên xã thêm cán bộ ở trang Cán bộ & phân công' },
  admin: { href: '/admin/can-bo', how: 'Giao vai trò Quản trị cho một cán bộ của xã' },
  leader: { href: '/admin/can-bo', how: 'Chọn lãnh đạo nhận phản ánh chưa phân công ở trang Cán bộ & phân công' },
  bot: { href: '/admin/cum-loa', how: 'Quản trị viên xã thêm bot Telegram ở trang Cụm loa & nhóm (hoặc trên máy chủ: loaxa channels add telegram --commune <mã xã> --token …)' },
  admin_chat: { href: '/admin/cum-loa', how: 'Gắn nhóm quản trị cho bot ở trang Cụm loa & nhóm (hoặc loaxa channels admin-chat <mã bot> --chat <mã nhóm>)' },
  loudspeakers: { href: '/admin/cum-loa/loa/moi', how: 'Thêm cụm loa ở trang Cụm loa & nhóm' },
  zalo: { href: '/admin/cum-loa', how: 'Kết nối Zalo OA hoặc thêm Zalo Bot ở trang Cụm loa & nhóm' },
};

export function onboardingRoutes(app: FastifyInstance, ctx: AdminContext) {
  const { prisma } = ctx;
  const limits = { maxKb: MAX_LIST_BYTES / 1000 };

  /** A province admin, or the refusal already sent. */
  async function provinceAdmin(req: FastifyRequest, reply: FastifyReply): Promise<{ who: Signed; provinceId: string } | undefined> {
    const who = await ctx.guard(req, reply);
    if (!who) return undefined;
    const provinceId = who.scope.provinceId;
    if (!provinceId || !canOnboardCommune(who.staff, provinceId)) {
      await ctx.forbidden(reply, who, '/admin/tinh');
      return undefined;
    }
    return { who, provinceId };
  }

  app.get('/admin/tinh/xa-moi', async (req, reply) => {
    const p = await provinceAdmin(req, reply);
    if (!p) return reply;
    return ctx.page(reply, 'commune-new', { title: 'Thêm xã mới', scripts: ['list-upload.js'], v: {}, limits }, p.who, '/admin/tinh');
  });

  app.post('/admin/tinh/xa-moi', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
    const p = await provinceAdmin(req, reply);
    if (!p) return reply;
    if (!ctx.checkCsrf(req, p.who)) return ctx.forbidden(reply, p.who, '/admin/tinh');
    const f = formOf(req);
    const v = { code: f.one('code', 100), name: f.one('name', 200), ticketCodePrefix: f.one('ticketCodePrefix', 20), villages: f.one('villages', FORM_LIMIT), staff: f.one('staff', FORM_LIMIT) };
    try {
      const done = await onboardCommune(prisma, {
        code: v.code, name: v.name, ticketCodePrefix: v.ticketCodePrefix || undefined, villagesText: v.villages, staffText: v.staff, provinceId: p.provinceId, actorStaffId: p.who.staff.id, ip: req.ip,
      });
      const commune = await prisma.commune.findUniqueOrThrow({ where: { id: done.communeId } });
      return ctx.page(reply, 'commune-created', { title: 'Đã thêm xã', commune, done }, p.who, '/admin/tinh');
    } catch (e) {
      if (!(e instanceof AppError) || !['VALIDATION', 'CONFLICT'].includes(e.code)) throw e;
      reply.code(e.code === 'CONFLICT' ? 409 : 400);
      // What was typed comes back (the lists unless they were the wrong file), with the reason.
      const keep = { ...v, villages: v.villages.length > MAX_LIST_BYTES ? '' : v.villages, staff: v.staff.length > MAX_LIST_BYTES ? '' : v.staff };
      return ctx.page(reply, 'commune-new', { title: 'Thêm xã mới', scripts: ['list-upload.js'], v: keep, error: e.message, limits }, p.who, '/admin/tinh');
    }
  });

  app.get<{ Params: { code: string } }>('/admin/tinh/xa/:code/kiem-tra', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const seat = await provinceCommunesOf(prisma, who);
    if (!seat) return ctx.forbidden(reply, who, '/admin/tinh');
    const commune = seat.communes.find((c) => c.code === req.params.code);
    if (!commune) return ctx.notFound(reply, who);
    const items = (await onboardingChecklist(prisma, commune.id)).map((i) => ({ ...i, fix: FIX[i.key] }));
    return ctx.page(reply, 'commune-checklist', { title: `Kiểm tra ${commune.name}`, commune, items, missing: items.filter((i) => !i.done).length }, who, '/admin/tinh');
  });
}
