// Nhật ký: who did what and when, for the commune's admins and its leader (the log holds
// addresses and every refused attempt, so not for everyone).
import type { FastifyInstance } from 'fastify';
import { formatVi as fmt } from '../../../text/format-vi.ts';
import { pickId, type AdminContext } from '../admin-context.ts';
import { AUDIT_GROUPS, AUDIT_LABELS, ENTITY_LABELS } from '../labels.ts';

const PAGE = 100;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function auditRoutes(app: FastifyInstance, ctx: AdminContext) {
  const { prisma } = ctx;
  app.get<{ Querystring: Record<string, string | undefined> }>('/admin/nhat-ky', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const communeId = who.staff.communeId;
    if (!communeId || !(who.staff.isLeader || who.staff.roles.includes('admin'))) return ctx.forbidden(reply, who, '/admin/nhat-ky');
    const q = req.query;
    const f = {
      group: q.viec && q.viec in AUDIT_GROUPS ? q.viec : undefined,
      staffId: pickId(q['can-bo']),
      from: q.tu && DATE.test(q.tu) ? q.tu : undefined,
      to: q.den && DATE.test(q.den) ? q.den : undefined,
    };
    const before = q.truoc && /^\d{1,18}$/.test(q.truoc) ? BigInt(q.truoc) : undefined;
    const dayStart = (d: string) => new Date(`${d}T00:00:00+07:00`);
    const rows = await prisma.auditLog.findMany({
      where: {
        communeId,
        ...(f.group ? { action: { startsWith: f.group } } : {}),
        ...(f.staffId ? { actorStaffId: f.staffId } : {}),
        ...(f.from || f.to ? { createdAt: { ...(f.from ? { gte: dayStart(f.from) } : {}), ...(f.to ? { lt: new Date(dayStart(f.to).getTime() + 86_400_000) } : {}) } } : {}),
        ...(before ? { id: { lt: before } } : {}),
      },
      orderBy: { id: 'desc' },
      take: PAGE,
    });
    const staffList = await prisma.staff.findMany({ where: { communeId }, orderBy: { displayName: 'asc' }, select: { id: true, displayName: true } });
    const names = new Map(staffList.map((s) => [s.id, s.displayName]));
    const actorOf = (r: (typeof rows)[number]) => (r.actorStaffId ? (names.get(r.actorStaffId) ?? 'cán bộ đã xóa') : r.actorKind === 'resident' ? 'Người dân' : r.actorKind === 'api' ? 'Hệ thống cấp trên (khóa API)' : 'Hệ thống');
    const params = new URLSearchParams(Object.entries({ viec: f.group, 'can-bo': f.staffId, tu: f.from, den: f.to }).filter(([, v]) => v) as Array<[string, string]>);
    const last = rows.at(-1);
    if (last) params.set('truoc', String(last.id));
    return ctx.page(
      reply,
      'audit',
      {
        title: 'Nhật ký',
        f,
        groups: AUDIT_GROUPS,
        staffList,
        rows: rows.map((r) => ({ createdAt: r.createdAt, ip: r.ip, actor: actorOf(r), label: AUDIT_LABELS[r.action] ?? r.action, entity: r.entityType ? `${ENTITY_LABELS[r.entityType] ?? r.entityType}${r.entityId ? ` ${r.entityId.slice(0, 8)}` : ''}` : '—' })),
        older: rows.length === PAGE ? `/admin/nhat-ky?${params.toString()}` : undefined,
        ...fmt,
      },
      who,
      '/admin/nhat-ky',
    );
  });
}
