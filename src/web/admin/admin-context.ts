// What every admin page needs: who is signed in (or a redirect to the login), the page renderer
// with the menu, the CSRF check, the communes a person may read, and the audit of a refused
// action. Route files receive one AdminContext and stay about their own page.
import type { BotAccountDeps } from '../../channels/bot-accounts.ts';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../db/generated/client.ts';
import { sessionFromToken } from '../../auth/staff-sessions.ts';
import { sameSecret } from '../../auth/same-secret.ts';
import { canOnboardCommune, communeScope, reachOf, type CommuneScope } from '../../auth/commune-scope.ts';
import type { LimitStore } from '../request-limits.ts';
import { dispatchEffects } from '../../tickets/process-inbound.ts';
import type { Effect } from '../../tickets/ticket-jobs.ts';
import type { Enqueue, TicketDeps } from '../../tickets/ticket-deps.ts';

export interface AdminPluginOptions {
  prisma: PrismaClient;
  secureCookies: boolean;
  /** Queues what an action sets off (the answer to the resident, the admin-chat post refresh). */
  enqueue: Enqueue;
  cancelJob: TicketDeps['cancelJob'];
  /** Longest answer a cadre may send (the admin chat's limit too). */
  maxAnswerLength?: number;
  /** The recording upload limit (MAX_AUDIO_UPLOAD_MB), checked in the page before uploading. */
  maxAudioUploadBytes?: number;
  /** Seals loudspeaker secrets typed in the admin (ENCRYPTION_KEY). */
  encryptionKey?: Buffer | undefined;
  /** Redis for the sign-in limits per address and network (every replica shares them). */
  limits?: LimitStore;
  /** SESSION_IDLE_MINUTES. */
  sessionIdleMinutes?: number;
  /** Where a bot token is checked (getMe) and where "Kết nối Zalo OA" sends the admin. */
  channelSetup?: { checkToken?: BotAccountDeps['checkToken']; zaloOa?: { oauthRoot?: string | undefined; publicBaseUrl?: string | undefined } };
}

export const SESSION_COOKIE = 'lx_session';
export { DEFAULT_TIME_ZONE as TZ } from '../../calendar/time-zone.ts';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A form or query value that must be an id, or nothing. */
export const pickId = (v: unknown) => (typeof v === 'string' && UUID.test(v) ? v : undefined);
export const NO_COMMUNE = '00000000-0000-0000-0000-000000000000';

// A link never leads to a page that does not exist; `who` hides what a person cannot use.
const MENU: Array<{ href: string; label: string; who?: (s: Signed['staff'], scope: Signed['scope']) => boolean }> = [
  { href: '/admin/tinh', label: 'Toàn tỉnh', who: (_s, scope) => scope.provinceId !== null },
  { href: '/admin/tinh/xa-moi', label: 'Thêm xã', who: (s, scope) => scope.provinceId !== null && canOnboardCommune(s, scope.provinceId) },
  { href: '/admin/tong-quan', label: 'Tổng quan' },
  { href: '/admin/phan-anh', label: 'Phản ánh, kiến nghị' },
  { href: '/admin/ban-tin', label: 'Bản tin' },
  { href: '/admin/lich-phat', label: 'Lịch phát sóng' },
  { href: '/admin/cum-loa', label: 'Cụm loa & nhóm', who: (s) => s.communeId !== null },
  { href: '/admin/can-bo', label: 'Cán bộ & phân công', who: (s) => s.communeId !== null && s.roles.includes('admin') },
  { href: '/admin/khao-sat', label: 'Khảo sát' },
  { href: '/admin/bao-cao', label: 'Báo cáo' },
  { href: '/admin/nhat-ky', label: 'Nhật ký', who: (s) => s.communeId !== null && (s.isLeader || s.roles.includes('admin')) },
];

/**
 * The page a person starts from (after signing in, /admin, the brand link): province staff the
 * province's ranking, everyone else their commune's day at a glance.
 */
export function landingOf(scope: Pick<CommuneScope, 'provinceId'>): { href: string; label: string } {
  return scope.provinceId !== null ? { href: '/admin/tinh', label: 'Toàn tỉnh' } : { href: '/admin/tong-quan', label: 'Tổng quan' };
}

async function loadSigned(prisma: PrismaClient, token: string | undefined, idleMinutes?: number) {
  const session = token ? await sessionFromToken(prisma, token, new Date(), idleMinutes) : undefined;
  if (!session) return undefined;
  const staff = await prisma.staff.findUniqueOrThrow({ where: { id: session.staffId }, include: { commune: true } });
  return { session, staff, scope: await communeScope(prisma, staff) };
}
export type Signed = NonNullable<Awaited<ReturnType<typeof loadSigned>>>;

export interface PageExtra {
  notice?: string | undefined;
  error?: string | undefined;
  status?: number | undefined;
}

export type AdminContext = ReturnType<typeof createAdminContext>;

export function createAdminContext(opts: AdminPluginOptions) {
  const { prisma } = opts;
  const eta = new Eta({ views: fileURLToPath(new URL('./views', import.meta.url)), autoEscape: true, cache: true });

  const current = (req: FastifyRequest): Promise<Signed | undefined> => loadSigned(prisma, req.cookies[SESSION_COOKIE], opts.sessionIdleMinutes);

  function page(reply: FastifyReply, view: string, data: Record<string, unknown>, who?: Signed, path?: string) {
    const menu = who ? MENU.filter((m) => !m.who || m.who(who.staff, who.scope)).map((m) => ({ ...m, current: m.href === path })) : [];
    const home = who ? landingOf(who.scope) : landingOf({ provinceId: null });
    const html = eta.render(`./${view}`, { ...data, staff: who?.staff, csrf: who?.session.csrfToken, communeName: who?.staff.commune?.name, menu, home });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  }

  /** The signed-in staff member, or a redirect to the login (or to the forced password change). */
  async function guard(req: FastifyRequest, reply: FastifyReply, allowMustChange = false): Promise<Signed | undefined> {
    const who = await current(req);
    if (!who) {
      // Back to where they were after signing in again (an expired session mid-task).
      const back = req.method === 'GET' && req.url.startsWith('/admin/') ? `?tiep=${encodeURIComponent(req.url)}` : '';
      await reply.redirect(`/admin/dang-nhap${back}`);
      return undefined;
    }
    if (who.staff.mustChangePassword && !allowMustChange) {
      await reply.redirect('/admin/doi-mat-khau');
      return undefined;
    }
    return who;
  }

  const sameToken = sameSecret;

  function checkCsrf(req: FastifyRequest, who: Signed): boolean {
    return sameToken((req.body as Record<string, unknown> | undefined)?.csrf, who.session.csrfToken);
  }

  /** The communes a person reads (src/auth/commune-scope.ts): their own, or their province's. */
  function communesOf(who: Signed) {
    return who.scope.communes;
  }

  /** 'act' (own commune), 'read' (a commune of their province, read-only) or null (not theirs). */
  const reach = (who: Signed, communeId: string) => reachOf(who.scope, communeId);

  /** The commune chosen with ?xa= among those a person reads (their own for commune staff). */
  function chosenCommune(who: Signed, xa: string | undefined) {
    const communes = communesOf(who);
    const chosen = communes.find((c) => c.id === xa) ?? communes[0];
    return { chosen, choices: communes.map((c) => ({ id: c.id, name: c.name, current: c.id === chosen?.id })) };
  }

  const hasRole = (who: Signed, ...roles: string[]) => who.staff.roles.some((r) => r === 'admin' || roles.includes(r));

  /** The refusal page; `reason` says precisely who may use it, when the general text does not fit. */
  function forbidden(reply: FastifyReply, who: Signed, path?: string, reason?: string) {
    reply.code(403);
    return page(reply, 'forbidden', { title: 'Không có quyền', reason }, who, path);
  }

  function notFound(reply: FastifyReply, who: Signed) {
    reply.code(404);
    return page(reply, 'not-found', { title: 'Không tìm thấy' }, who);
  }

  /** A refused action is audited with what was tried, so the log shows probing of other ids. */
  async function auditRefused(req: FastifyRequest, who: Signed, entityType: string, entityId: string | null, data: Record<string, string>) {
    await prisma.auditLog.create({ data: { communeId: who.staff.communeId, actorKind: 'staff', actorStaffId: who.staff.id, action: 'admin_web.refused', entityType, entityId, data, ip: req.ip } });
  }

  async function dispatch(effects: Effect[]) {
    await dispatchEffects({ enqueue: opts.enqueue, cancelJob: opts.cancelJob, now: () => new Date() }, effects);
  }

  return { prisma, opts, current, page, guard, sameToken, checkCsrf, communesOf, reach, chosenCommune, hasRole, forbidden, notFound, auditRefused, dispatch };
}

/** Body fields of a url-encoded form: one string, or every value of a repeated field. */
export function formOf(req: FastifyRequest) {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return {
    one: (k: string, max = 10_000) => (typeof body[k] === 'string' ? (body[k] as string).slice(0, max) : ''),
    all: (k: string) => ([] as unknown[]).concat(body[k] ?? []).filter((v): v is string => typeof v === 'string'),
  };
}
