// Signing in and out, and changing the password (forced on first login). The login form carries
// its own CSRF token bound to a cookie, since there is no session yet to hold one.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { isAppError } from '../../../errors.ts';
import { listOwnSessions, revokeOwnSession, signIn, signOut } from '../../../auth/staff-sessions.ts';
import { changePassword, MIN_PASSWORD_LENGTH } from '../../../auth/change-password.ts';
import { formOf, landingOf, SESSION_COOKIE, TZ, UUID, type AdminContext } from '../admin-context.ts';
import { communeScope } from '../../../auth/commune-scope.ts';
import { enforceLimits } from '../../request-limits.ts';
import { loginLimits } from '../../login-limits.ts';

const LOGIN_CSRF_COOKIE = 'lx_login_csrf';

/** Where to go after signing in: only a page of the admin, never another site. */
function safeNext(v: unknown): string | undefined {
  return typeof v === 'string' && /^\/admin\/[A-Za-z0-9\-/?=&%._~]*$/.test(v) && !v.startsWith('/admin/dang-nhap') && v.length < 500 ? v : undefined;
}

export function authRoutes(app: FastifyInstance, ctx: AdminContext) {
  const { prisma, page } = ctx;
  const cookieOpts = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: ctx.opts.secureCookies };

  function loginPage(reply: import('fastify').FastifyReply, data: Record<string, unknown>) {
    const loginCsrf = randomBytes(18).toString('base64url');
    reply.setCookie(LOGIN_CSRF_COOKIE, loginCsrf, { ...cookieOpts, sameSite: 'strict', path: '/admin/dang-nhap' });
    return page(reply, 'login', { title: 'Đăng nhập', loginCsrf, ...data });
  }

  app.get('/admin', async (req, reply) => {
    const who = await ctx.current(req);
    return reply.redirect(who ? landingOf(who.scope).href : '/admin/dang-nhap');
  });

  app.get<{ Querystring: { tiep?: string } }>('/admin/dang-nhap', async (req, reply) => {
    const who = await ctx.current(req);
    if (who) return reply.redirect(safeNext(req.query.tiep) ?? landingOf(who.scope).href);
    const next = safeNext(req.query.tiep);
    return loginPage(reply, { next, ...(next ? { notice: 'Phiên làm việc đã hết, xin đăng nhập lại.' } : {}) });
  });

  const loginLimit = ctx.opts.limits ? enforceLimits(app, loginLimits) : undefined;

  app.post('/admin/dang-nhap', async (req, reply) => {
    const f = formOf(req);
    const next = safeNext(f.one('next', 500));
    const retry = (status: number, error: string) => {
      reply.code(status);
      return loginPage(reply, { error, next, username: f.one('username', 64) });
    };
    try {
      // Counted before anything else: a forged or empty form is an attempt too.
      await loginLimit?.(req, reply);
      if (!ctx.sameToken(f.one('csrf', 100), req.cookies[LOGIN_CSRF_COOKIE])) return retry(403, 'Phiên đăng nhập đã hết hạn, xin nhập lại.');
      const username = f.one('username', 64).trim();
      const password = f.one('password', 200);
      if (!username || !password) return retry(400, 'Xin nhập tên đăng nhập và mật khẩu.');
      const s = await signIn(prisma, { username, password, ip: req.ip, ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}) });
      reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/admin/dang-nhap' });
      reply.setCookie(SESSION_COOKIE, s.token, { ...cookieOpts, expires: s.expiresAt });
      if (s.staff.mustChangePassword) return reply.redirect('/admin/doi-mat-khau', 303);
      return reply.redirect(next ?? landingOf(await communeScope(prisma, s.staff)).href, 303);
    } catch (e) {
      if (isAppError(e)) return retry(e.status, e.userMessage);
      throw e;
    }
  });

  app.post('/admin/dang-xuat', async (req, reply) => {
    const who = await ctx.current(req);
    if (who && ctx.checkCsrf(req, who)) await signOut(prisma, who.session.sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/admin/dang-nhap', 303);
  });

  /** The person's open sessions, for the list under the form (where they are signed in). */
  async function sessionsOf(who: NonNullable<Awaited<ReturnType<typeof ctx.current>>>) {
    const fmt = new Intl.DateTimeFormat('vi-VN', { timeZone: who.staff.commune?.timezone ?? TZ, dateStyle: 'short', timeStyle: 'short' });
    return (await listOwnSessions(prisma, who.staff.id)).map((s) => ({
      id: s.id,
      current: s.id === who.session.sessionId,
      ip: s.ip ?? '—',
      device: (s.userAgent ?? 'không rõ').slice(0, 120),
      since: fmt.format(s.createdAt),
      lastSeen: fmt.format(s.lastSeenAt),
    }));
  }

  app.get<{ Querystring: { da?: string } }>('/admin/doi-mat-khau', async (req, reply) => {
    const who = await ctx.guard(req, reply, true);
    if (!who) return reply;
    const notice = req.query.da === 'ket-thuc' ? 'Đã kết thúc phiên đăng nhập đó.' : undefined;
    return page(reply, 'change-password', { title: 'Đổi mật khẩu', forced: who.staff.mustChangePassword, minLength: MIN_PASSWORD_LENGTH, sessions: await sessionsOf(who), notice }, who);
  });

  // Ending one of one's own sessions: a phone lost, a computer at the commune office left signed in.
  app.post<{ Params: { id: string } }>('/admin/doi-mat-khau/phien/:id/ket-thuc', async (req, reply) => {
    const who = await ctx.guard(req, reply, true);
    if (!who) return reply;
    if (!ctx.checkCsrf(req, who)) return ctx.forbidden(reply, who);
    if (!UUID.test(req.params.id) || !(await revokeOwnSession(prisma, { staffId: who.staff.id, sessionId: req.params.id, ip: req.ip }))) return ctx.notFound(reply, who);
    if (req.params.id === who.session.sessionId) {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect('/admin/dang-nhap', 303);
    }
    return reply.redirect('/admin/doi-mat-khau?da=ket-thuc', 303);
  });

  app.post('/admin/doi-mat-khau', async (req, reply) => {
    const who = await ctx.guard(req, reply, true);
    if (!who) return reply;
    const f = formOf(req);
    const again = (status: number, error: string) => {
      reply.code(status);
      return page(reply, 'change-password', { title: 'Đổi mật khẩu', forced: who.staff.mustChangePassword, minLength: MIN_PASSWORD_LENGTH, error, sessions: [] }, who);
    };
    if (!ctx.checkCsrf(req, who)) return again(403, 'Biểu mẫu đã hết hạn, xin nhập lại.');
    const next = f.one('next', 1000);
    if (!next || next !== f.one('confirm', 1000)) return again(400, 'Hai lần nhập mật khẩu mới không khớp.');
    try {
      await changePassword(prisma, { staffId: who.staff.id, sessionId: who.session.sessionId, current: f.one('current', 1000), next, ip: req.ip });
    } catch (e) {
      if (isAppError(e)) return again(e.status, e.userMessage);
      throw e;
    }
    return reply.redirect(landingOf(who.scope).href, 303);
  });
}
