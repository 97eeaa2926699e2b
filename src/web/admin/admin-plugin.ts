// The web admin (/admin), server-rendered in Vietnamese: pages work on a 360-px phone without
// scripts, every value is escaped by the template engine (Eta, autoEscape), forms carry a CSRF
// token, and the session is the same httpOnly cookie as the API's. First login forces a new
// password. Pages are added here one by one as the admin grows; each checks role and commune.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { Eta } from 'eta';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../db/generated/client.ts';
import { isAppError } from '../../errors.ts';
import { sessionFromToken, signIn, signOut } from '../../auth/staff-sessions.ts';
import { changePassword, MIN_PASSWORD_LENGTH } from '../../auth/change-password.ts';
import { todayOverview } from '../../dashboard/today.ts';
import { formatVi } from '../../text/format-vi.ts';
import { quarterPeriod, ticketReport } from '../../reports/ticket-report.ts';
import { reportCsv, reportPdf, reportXlsx } from '../../reports/report-files.ts';
import { createBulletinWorkflow, statusLabel as bulletinStatus } from '../../bulletins/bulletin-workflow.ts';
import { scheduleBulletin } from '../../bulletins/bulletin-schedule.ts';
import { announceSubmitted } from '../../bulletins/bulletin-admin-chat.ts';
import { queueOneOff } from '../../../broadcasts/schedule/scheduler.ts';
import { sendBulletinNow } from '../../bulletins/send-now.ts';
import { localInstant } from '../../calendar/local-time.ts';
import type { BulletinClass } from '../../db/generated/enums.ts';
import { searchTickets } from '../../tickets/ticket-search.ts';
import { statusLabel } from '../../tickets/ticket-status.ts';
import { mayActOnTicket, mayReadTicket } from '../../tickets/ticket-permissions.ts';
import { answerTicket } from '../../tickets/ticket-actions.ts';
import { dispatchEffects } from '../../tickets/process-inbound.ts';
import { effect, refreshAdminPostsJob } from '../../tickets/ticket-jobs.ts';
import type { Enqueue, TicketDeps } from '../../tickets/ticket-deps.ts';
import type { TicketStatus } from '../../db/generated/enums.ts';

export interface AdminPluginOptions {
  prisma: PrismaClient;
  secureCookies: boolean;
  /** Queues what an action sets off (the answer to the resident, the admin-chat post refresh). */
  enqueue: Enqueue;
  cancelJob: TicketDeps['cancelJob'];
  /** Longest answer a cadre may send (the admin chat's limit too). */
  maxAnswerLength?: number;
}

const SESSION_COOKIE = 'lx_session';
const LOGIN_CSRF_COOKIE = 'lx_login_csrf';
const TZ = 'Asia/Ho_Chi_Minh';

// Pages appear here as they are built (inbox, bulletins, calendar, loudspeakers, staff, reports,
// audit log follow); a link never leads to a page that does not exist.
const MENU = [
  { href: '/admin/tong-quan', label: 'Tổng quan' },
  { href: '/admin/phan-anh', label: 'Phản ánh, kiến nghị' },
  { href: '/admin/ban-tin', label: 'Bản tin' },
  { href: '/admin/cum-loa', label: 'Cụm loa & nhóm' },
  { href: '/admin/bao-cao', label: 'Báo cáo' },
  { href: '/admin/nhat-ky', label: 'Nhật ký' },
];

const fmt = formatVi;
const eventLabel: Record<string, string> = {
  created: 'Tiếp nhận tin nhắn, tạo phiếu',
  status_changed: 'Đổi trạng thái',
  classified: 'Phân loại lĩnh vực',
  assigned: 'Giao cán bộ',
  transferred: 'Chuyển xử lý',
  merged: 'Gộp phiếu trùng',
  message_in: 'Người dân nhắn thêm',
  message_out: 'Cán bộ trả lời',
  reminder_sent: 'Nhắc hạn',
  escalated: 'Chuyển lãnh đạo',
  rated: 'Người dân đánh giá',
  note: 'Ghi chú',
};
// Nhật ký: actions grouped as staff think of them; the raw action is shown when no label fits.
const AUDIT_GROUPS: Record<string, string> = { 'bulletin.': 'Bản tin', 'ticket.': 'Phản ánh', 'staff.': 'Đăng nhập, tài khoản', 'target.': 'Nhóm nhận bản tin', 'endpoint.': 'Cụm loa', 'channel_account.': 'Tài khoản nhắn tin', 'admin_chat.': 'Nhóm quản trị', 'admin_web.': 'Trang quản trị' };
const AUDIT_LABELS: Record<string, string> = {
  'staff.sign_in': 'Đăng nhập',
  'staff.locked': 'Khóa tạm tài khoản (sai mật khẩu nhiều lần)',
  'staff.password_changed': 'Đổi mật khẩu',
  'bulletin.create': 'Soạn bản tin',
  'bulletin.edit': 'Sửa bản tin',
  'bulletin.audio': 'Tải bản ghi âm',
  'bulletin.audience': 'Chọn nơi nhận',
  'bulletin.submit': 'Gửi duyệt',
  'bulletin.approve': 'Duyệt bản tin',
  'bulletin.reject': 'Trả lại bản tin',
  'bulletin.cancel': 'Hủy bản tin',
  'bulletin.schedule': 'Lên lịch phát',
  'bulletin.send_now': 'Phát ngay',
  'bulletin.received': 'Nhận bản tin từ cấp trên',
  'bulletin.run_started': 'Bắt đầu phát',
  'bulletin.run_missed': 'Lỡ giờ phát',
  'ticket.answer': 'Trả lời phản ánh',
  'admin_chat.refused': 'Từ chối thao tác trong nhóm quản trị',
  'admin_web.refused': 'Từ chối thao tác trên trang quản trị',
  'target.register': 'Đăng ký nhóm nhận bản tin',
  'target.unregister': 'Hủy đăng ký nhóm',
  'target.broken': 'Nhóm hỏng',
  'endpoint.broken': 'Cụm loa hỏng',
  'endpoint.create': 'Thêm cụm loa',
  'endpoint.update': 'Sửa cụm loa',
};
const ENTITY_LABELS: Record<string, string> = { Ticket: 'Phiếu', Bulletin: 'Bản tin', Staff: 'Cán bộ', Target: 'Nhóm', Endpoint: 'Cụm loa', ChannelAccount: 'Tài khoản nhắn tin' };
const runStatus: Record<string, string> = { due: 'đến giờ', sending: 'đang phát', done: 'đã phát xong', partly_failed: 'phát lỗi một phần', cancelled: 'đã hủy', missed: 'lỡ giờ phát' };
const deliveryStatus: Record<string, string> = { pending: 'đang chờ', sending: 'đang gửi', sent: 'đã tới', failed: 'lỗi', cancelled: 'đã hủy' };
const LANGUAGES: Record<string, string> = { vi: 'Việt', bdq: 'Ba Na', sed: 'Xơ Đăng' };
const protocolLabel: Record<string, string> = { loaxa_http: 'Giao thức Loa Xã', axis: 'Loa Axis', simulator: 'Loa mô phỏng' };
const endpointLabel: Record<string, string> = { online: 'đang hoạt động', offline: 'mất kết nối', broken: 'hỏng', unknown: 'chưa có tín hiệu' };
const targetLabel: Record<string, string> = { active: 'đang nhận', inactive: 'chưa kích hoạt', broken: 'hỏng' };
const accountStatus: Record<string, string> = { connected: 'đang kết nối', inactive: 'chưa dùng', logged_out: 'đã đăng xuất', kicked: 'đăng nhập ở nơi khác', suspected_ban: 'có thể bị khóa', error: 'lỗi', reconnecting: 'đang kết nối lại' };
const classLabel: Record<string, string> = { normal: 'Thường', priority: 'Ưu tiên', emergency: 'Khẩn cấp' };
const accountLabel: Record<string, string> = { logged_out: 'đã đăng xuất, cần đăng nhập lại bằng mã QR', kicked: 'bị đăng nhập ở nơi khác, cần đăng nhập lại', suspected_ban: 'có thể bị Zalo khóa', error: 'lỗi', reconnecting: 'đang kết nối lại' };

function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export const adminPlugin: FastifyPluginAsync<AdminPluginOptions> = async (app, opts) => {
  const { prisma } = opts;
  const eta = new Eta({ views: fileURLToPath(new URL('./views', import.meta.url)), autoEscape: true, cache: true });
  const require = createRequire(import.meta.url);
  const assets: Record<string, string> = {
    'pico.min.css': readFileSync(require.resolve('@picocss/pico/css/pico.min.css'), 'utf8'),
    'admin.css': readFileSync(fileURLToPath(new URL('./admin.css', import.meta.url)), 'utf8'),
  };
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 16 * 1024 });

  app.addHook('onSend', async (_req, reply, payload) => {
    // Nothing but our own styles may load, and no script may run on these pages.
    reply.header('content-security-policy', "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    return payload;
  });

  app.get<{ Params: { file: string } }>('/admin/static/:file', async (req, reply) => {
    const css = assets[req.params.file];
    if (!css) return reply.code(404).type('text/plain; charset=utf-8').send('Không có tệp này.');
    return reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css);
  });

  const cookieOpts = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: opts.secureCookies };

  async function current(req: FastifyRequest) {
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? await sessionFromToken(prisma, token) : undefined;
    if (!session) return undefined;
    const staff = await prisma.staff.findUniqueOrThrow({ where: { id: session.staffId }, include: { commune: true, oversightGrants: { include: { commune: true } } } });
    return { session, staff };
  }
  type Current = NonNullable<Awaited<ReturnType<typeof current>>>;

  function page(reply: FastifyReply, view: string, data: Record<string, unknown>, who?: Current, path?: string) {
    const menu = MENU.map((m) => ({ ...m, current: m.href === path }));
    const html = eta.render(`./${view}`, { ...data, staff: who?.staff, csrf: who?.session.csrfToken, communeName: who?.staff.commune?.name, menu });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  }

  /** The signed-in staff member, or a redirect to the login (or to the forced password change). */
  async function guard(req: FastifyRequest, reply: FastifyReply, allowMustChange = false): Promise<Current | undefined> {
    const who = await current(req);
    if (!who) {
      await reply.redirect('/admin/dang-nhap');
      return undefined;
    }
    if (who.staff.mustChangePassword && !allowMustChange) {
      await reply.redirect('/admin/doi-mat-khau');
      return undefined;
    }
    return who;
  }

  function checkCsrf(req: FastifyRequest, who: Current): boolean {
    return sameToken((req.body as Record<string, string> | undefined)?.csrf, who.session.csrfToken);
  }

  app.get('/admin', async (_req, reply) => reply.redirect('/admin/tong-quan'));

  app.get('/admin/dang-nhap', async (req, reply) => {
    if (await current(req)) return reply.redirect('/admin/tong-quan');
    // Login CSRF: the form's token must match a cookie only this browser has.
    const loginCsrf = randomBytes(18).toString('base64url');
    reply.setCookie(LOGIN_CSRF_COOKIE, loginCsrf, { ...cookieOpts, sameSite: 'strict', path: '/admin/dang-nhap' });
    return page(reply, 'login', { title: 'Đăng nhập', loginCsrf });
  });

  app.post('/admin/dang-nhap', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, string>;
    const retry = (status: number, error: string) => {
      const loginCsrf = randomBytes(18).toString('base64url');
      reply.setCookie(LOGIN_CSRF_COOKIE, loginCsrf, { ...cookieOpts, sameSite: 'strict', path: '/admin/dang-nhap' });
      reply.code(status);
      return page(reply, 'login', { title: 'Đăng nhập', loginCsrf, error, username: typeof body.username === 'string' ? body.username.slice(0, 64) : '' });
    };
    if (!sameToken(body.csrf, req.cookies[LOGIN_CSRF_COOKIE])) return retry(403, 'Phiên đăng nhập đã hết hạn, xin nhập lại.');
    if (typeof body.username !== 'string' || typeof body.password !== 'string' || !body.username.trim() || !body.password) return retry(400, 'Xin nhập tên đăng nhập và mật khẩu.');
    try {
      const s = await signIn(prisma, { username: body.username.slice(0, 64), password: body.password.slice(0, 200), ip: req.ip, ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}) });
      reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/admin/dang-nhap' });
      reply.setCookie(SESSION_COOKIE, s.token, { ...cookieOpts, expires: s.expiresAt });
      return reply.redirect(s.staff.mustChangePassword ? '/admin/doi-mat-khau' : '/admin/tong-quan', 303);
    } catch (e) {
      if (isAppError(e)) return retry(e.status, e.userMessage);
      throw e;
    }
  });

  app.post('/admin/dang-xuat', async (req, reply) => {
    const who = await current(req);
    if (who && checkCsrf(req, who)) await signOut(prisma, who.session.sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/admin/dang-nhap', 303);
  });

  app.get('/admin/doi-mat-khau', async (req, reply) => {
    const who = await guard(req, reply, true);
    if (!who) return reply;
    return page(reply, 'change-password', { title: 'Đổi mật khẩu', forced: who.staff.mustChangePassword, minLength: MIN_PASSWORD_LENGTH }, who);
  });

  app.post('/admin/doi-mat-khau', async (req, reply) => {
    const who = await guard(req, reply, true);
    if (!who) return reply;
    const body = (req.body ?? {}) as Record<string, string>;
    const again = (status: number, error: string) => {
      reply.code(status);
      return page(reply, 'change-password', { title: 'Đổi mật khẩu', forced: who.staff.mustChangePassword, minLength: MIN_PASSWORD_LENGTH, error }, who);
    };
    if (!checkCsrf(req, who)) return again(403, 'Biểu mẫu đã hết hạn, xin nhập lại.');
    if (typeof body.next !== 'string' || body.next !== body.confirm) return again(400, 'Hai lần nhập mật khẩu mới không khớp.');
    try {
      await changePassword(prisma, { staffId: who.staff.id, sessionId: who.session.sessionId, current: String(body.current ?? ''), next: body.next, ip: req.ip });
    } catch (e) {
      if (isAppError(e)) return again(e.status, e.userMessage);
      throw e;
    }
    return reply.redirect('/admin/tong-quan', 303);
  });

  app.get<{ Querystring: { xa?: string } }>('/admin/tong-quan', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    // Staff see their commune; oversight accounts choose among the communes granted to them.
    const communes = communesOf(who);
    const chosen = communes.find((c) => c.id === req.query.xa) ?? communes[0];
    if (!chosen) return page(reply, 'dashboard-empty', { title: 'Tổng quan' }, who, '/admin/tong-quan');
    const now = new Date();
    const o = await todayOverview(prisma, chosen.id, now);
    return page(
      reply,
      'dashboard',
      { title: 'Tổng quan', o, today: fmt.day(now), communes: communes.map((c) => ({ id: c.id, name: c.name, current: c.id === chosen.id })), classLabel, accountLabel, ...fmt },
      who,
      '/admin/tong-quan',
    );
  });

  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const pick = (v: unknown) => (typeof v === 'string' && UUID.test(v) ? v : undefined);

  app.get<{ Querystring: Record<string, string | undefined> }>('/admin/phan-anh', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    const communeId = who.staff.communeId;
    if (!communeId) return page(reply, 'dashboard-empty', { title: 'Phản ánh, kiến nghị' }, who, '/admin/phan-anh');
    const q = req.query;
    const status = q['trang-thai'] && q['trang-thai'] in statusLabel ? (q['trang-thai'] as TicketStatus) : undefined;
    const f = { status, categoryId: pick(q['linh-vuc']), villageId: pick(q.thon), assigneeId: pick(q['can-bo']), overdue: q['qua-han'] === '1', q: typeof q.q === 'string' ? q.q.slice(0, 100) : undefined };
    const now = new Date();
    const [rows, categories, villages, staffList] = await Promise.all([
      searchTickets(prisma, communeId, { ...Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== false)), includeConfidentialFor: who.staff.id }, now),
      prisma.category.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } }),
      prisma.village.findMany({ where: { communeId }, orderBy: { sortOrder: 'asc' }, select: { id: true, name: true } }),
      prisma.staff.findMany({ where: { communeId, active: true }, orderBy: { displayName: 'asc' }, select: { id: true, displayName: true } }),
    ]);
    const open = ['new', 'received', 'in_progress'];
    return page(
      reply,
      'inbox',
      { title: 'Phản ánh, kiến nghị', f, rows: rows.map((r) => ({ ...r, overdue: open.includes(r.status) && r.dueAt !== null && r.dueAt < now })), categories, villages, staffList, statusLabel, ...fmt },
      who,
      '/admin/phan-anh',
    );
  });

  async function ticketPage(req: FastifyRequest, reply: FastifyReply, who: Current, code: string, extra: { notice?: string; error?: string; status?: number } = {}) {
    const t = await prisma.ticket.findFirst({
      where: { code, communeId: who.staff.communeId ?? '00000000-0000-0000-0000-000000000000' },
      include: { category: true, village: true, assignee: true, messages: { orderBy: { createdAt: 'asc' }, include: { author: { select: { displayName: true } } } }, events: { orderBy: { createdAt: 'asc' } } },
    });
    // Another commune's ticket, or a confidential one this person may not read, answers as missing.
    if (!t || !(await mayReadTicket(prisma, who.staff, t))) {
      reply.code(404);
      return page(reply, 'not-found', { title: 'Không tìm thấy' }, who);
    }
    if (extra.status) reply.code(extra.status);
    const canAct = await mayActOnTicket(prisma, who.staff, t.id);
    return page(reply, 'ticket', { title: t.code, t, canAct, notice: extra.notice, error: extra.error, statusLabel, eventLabel, maxLength: opts.maxAnswerLength ?? 3500, ...fmt }, who, '/admin/phan-anh');
  }

  app.get<{ Params: { code: string } }>('/admin/phan-anh/:code', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    return ticketPage(req, reply, who, req.params.code.slice(0, 40), { ...(req.query && (req.query as Record<string, string>).da === 'tra-loi' ? { notice: 'Đã gửi trả lời tới người dân.' } : {}) });
  });

  app.post<{ Params: { code: string } }>('/admin/phan-anh/:code/tra-loi', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    const code = req.params.code.slice(0, 40);
    if (!checkCsrf(req, who)) return ticketPage(req, reply, who, code, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    const answer = String((req.body as Record<string, unknown> | undefined)?.answer ?? '').trim();
    const max = opts.maxAnswerLength ?? 3500;
    if (!answer) return ticketPage(req, reply, who, code, { error: 'Câu trả lời chưa có nội dung.', status: 400 });
    if (answer.length > max) return ticketPage(req, reply, who, code, { error: `Câu trả lời dài quá (tối đa ${max} ký tự).`, status: 400 });
    const t = await prisma.ticket.findFirst({ where: { code, communeId: who.staff.communeId ?? '00000000-0000-0000-0000-000000000000' } });
    if (!t || !(await mayActOnTicket(prisma, who.staff, t.id))) {
      await prisma.auditLog.create({ data: { communeId: who.staff.communeId, actorKind: 'staff', actorStaffId: who.staff.id, action: 'admin_web.refused', entityType: 'Ticket', entityId: t?.id ?? null, data: { verb: 'answer', code }, ip: req.ip } });
      return ticketPage(req, reply, who, code, { error: 'Bạn không có quyền trả lời phiếu này.', status: 403 });
    }
    const now = new Date();
    const result = await prisma.$transaction(async (tx) => {
      const r = await answerTicket(tx, t.id, who.staff.id, answer, now);
      if (r.ok) await tx.auditLog.create({ data: { communeId: t.communeId, actorKind: 'staff', actorStaffId: who.staff.id, action: 'ticket.answer', entityType: 'Ticket', entityId: t.id, data: { via: 'web' }, ip: req.ip } });
      return r;
    });
    if (!result.ok) return ticketPage(req, reply, who, code, { error: result.message, status: 409 });
    // The answer goes out through the queue; the admin chat's post of the ticket is brought up to date.
    await dispatchEffects({ enqueue: opts.enqueue, cancelJob: opts.cancelJob, now: () => new Date() }, [...result.effects, effect(refreshAdminPostsJob, { ticketId: t.id, version: now.getTime() }, `refresh-${t.id}-web-${now.getTime()}`)]);
    return reply.redirect(`/admin/phan-anh/${encodeURIComponent(code)}?da=tra-loi`, 303);
  });

  app.get('/admin/cum-loa', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    const communeId = who.staff.communeId;
    if (!communeId) return page(reply, 'dashboard-empty', { title: 'Cụm loa & nhóm' }, who, '/admin/cum-loa');
    const [endpoints, targets, accounts] = await Promise.all([
      prisma.endpoint.findMany({ where: { communeId }, orderBy: { name: 'asc' }, include: { village: true }, omit: { secretEnc: true } }),
      prisma.target.findMany({ where: { communeId }, orderBy: { name: 'asc' }, include: { village: true } }),
      prisma.channelAccount.findMany({ where: { communeId }, orderBy: [{ platform: 'asc' }, { name: 'asc' }], omit: { credentialsEnc: true } }),
    ]);
    return page(reply, 'targets', { title: 'Cụm loa & nhóm', endpoints, targets, accounts, protocolLabel, endpointLabel, targetLabel, accountStatus, ...fmt }, who, '/admin/cum-loa');
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/admin/nhat-ky', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    // The log holds addresses and who did what: admins and the leader of the commune read it.
    const communeId = who.staff.communeId;
    if (!communeId || !(who.staff.isLeader || who.staff.roles.includes('admin'))) {
      reply.code(403);
      return page(reply, 'forbidden', { title: 'Không có quyền' }, who, '/admin/nhat-ky');
    }
    const q = req.query;
    const DATE = /^\d{4}-\d{2}-\d{2}$/;
    const f = {
      group: q.viec && q.viec in AUDIT_GROUPS ? q.viec : undefined,
      staffId: pick(q['can-bo']),
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
      take: 100,
    });
    const staffList = await prisma.staff.findMany({ where: { communeId }, orderBy: { displayName: 'asc' }, select: { id: true, displayName: true } });
    const names = new Map(staffList.map((s) => [s.id, s.displayName]));
    const actorOf = (r: (typeof rows)[number]) => (r.actorStaffId ? (names.get(r.actorStaffId) ?? 'cán bộ đã xóa') : r.actorKind === 'resident' ? 'Người dân' : r.actorKind === 'api' ? 'Hệ thống cấp trên (khóa API)' : 'Hệ thống');
    const params = new URLSearchParams(Object.entries({ viec: f.group, 'can-bo': f.staffId, tu: f.from, den: f.to }).filter(([, v]) => v) as Array<[string, string]>);
    const last = rows.at(-1);
    if (last) params.set('truoc', String(last.id));
    return page(
      reply,
      'audit',
      {
        title: 'Nhật ký',
        f,
        groups: Object.fromEntries(Object.entries(AUDIT_GROUPS)),
        staffList,
        rows: rows.map((r) => ({ createdAt: r.createdAt, ip: r.ip, actor: actorOf(r), label: AUDIT_LABELS[r.action] ?? r.action, entity: r.entityType ? `${ENTITY_LABELS[r.entityType] ?? r.entityType}${r.entityId ? ` ${r.entityId.slice(0, 8)}` : ''}` : '—' })),
        older: rows.length === 100 ? `/admin/nhat-ky?${params.toString()}` : undefined,
        ...fmt,
      },
      who,
      '/admin/nhat-ky',
    );
  });

  /** The communes a person reads: their own, or those granted to an oversight account. */
  function communesOf(who: Current) {
    return who.staff.commune ? [who.staff.commune] : who.staff.oversightGrants.map((g) => g.commune);
  }

  function reportParams(who: Current, q: Record<string, string | undefined>) {
    const now = new Date();
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: 'numeric' }).formatToParts(now);
    const thisYear = Number(local.find((p) => p.type === 'year')!.value);
    const thisQuarter = Math.ceil(Number(local.find((p) => p.type === 'month')!.value) / 3);
    const year = Number.isInteger(Number(q.nam)) && Number(q.nam) >= 2020 && Number(q.nam) <= 2100 ? Number(q.nam) : thisYear;
    const quarter = (['1', '2', '3', '4'].includes(q.quy ?? '') ? Number(q.quy) : thisQuarter) as 1 | 2 | 3 | 4;
    const communes = communesOf(who);
    const chosen = communes.find((c) => c.id === q.xa) ?? communes[0];
    return { year, quarter, communes, chosen, qs: new URLSearchParams({ nam: String(year), quy: String(quarter), ...(chosen && communes.length > 1 ? { xa: chosen.id } : {}) }).toString() };
  }

  app.get<{ Querystring: Record<string, string | undefined> }>('/admin/bao-cao', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    const p = reportParams(who, req.query);
    if (!p.chosen) return page(reply, 'dashboard-empty', { title: 'Báo cáo' }, who, '/admin/bao-cao');
    const r = await ticketReport(prisma, p.chosen.id, quarterPeriod(p.year, p.quarter));
    return page(reply, 'report', { title: 'Báo cáo', r, year: p.year, quarter: p.quarter, qs: p.qs, communes: p.communes.map((c) => ({ id: c.id, name: c.name, current: c.id === p.chosen!.id })), ...fmt }, who, '/admin/bao-cao');
  });

  app.get<{ Params: { ext: string }; Querystring: Record<string, string | undefined> }>('/admin/bao-cao/tai-ve.:ext', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    const p = reportParams(who, req.query);
    if (!p.chosen || !['xlsx', 'csv', 'pdf'].includes(req.params.ext)) return reply.code(404).type('text/plain; charset=utf-8').send('Không có báo cáo này.');
    const r = await ticketReport(prisma, p.chosen.id, quarterPeriod(p.year, p.quarter));
    const name = `bao-cao-phan-anh-${p.year}-quy-${p.quarter}`;
    reply.header('content-disposition', `attachment; filename="${name}.${req.params.ext}"`).header('cache-control', 'no-store');
    if (req.params.ext === 'xlsx') return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await reportXlsx(r));
    if (req.params.ext === 'csv') return reply.type('text/csv; charset=utf-8').send(reportCsv(r));
    return reply.type('application/pdf').send(await reportPdf(r));
  });

  const wf = createBulletinWorkflow(prisma);
  const hasRole = (who: Current, ...roles: string[]) => who.staff.roles.some((r) => r === 'admin' || roles.includes(r));

  app.get('/admin/ban-tin', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    const communeId = who.staff.communeId;
    if (!communeId) return page(reply, 'dashboard-empty', { title: 'Bản tin' }, who, '/admin/ban-tin');
    const rows = await prisma.bulletin.findMany({ where: { communeId }, orderBy: { updatedAt: 'desc' }, take: 100 });
    return page(reply, 'bulletins', { title: 'Bản tin', rows, waiting: rows.filter((b) => b.status === 'submitted'), canWrite: hasRole(who, 'editor', 'approver'), classLabel, bulletinStatus, ...fmt }, who, '/admin/ban-tin');
  });

  async function newBulletinPage(reply: FastifyReply, who: Current, v: Record<string, string>, error?: string, status?: number) {
    const villages = await prisma.village.findMany({ where: { communeId: who.staff.communeId! }, orderBy: { sortOrder: 'asc' } });
    if (status) reply.code(status);
    return page(reply, 'bulletin-new', { title: 'Soạn bản tin', v, villages, canEmergency: hasRole(who, 'approver'), error }, who, '/admin/ban-tin');
  }

  app.get('/admin/ban-tin/moi', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    if (!who.staff.communeId || !hasRole(who, 'editor', 'approver')) {
      reply.code(403);
      return page(reply, 'forbidden', { title: 'Không có quyền' }, who, '/admin/ban-tin');
    }
    return newBulletinPage(reply, who, {});
  });

  app.post('/admin/ban-tin/moi', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    const body = (req.body ?? {}) as Record<string, string | string[]>;
    const one = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const v = { title: one('title'), text: one('text'), class: one('class'), reach: one('reach') };
    if (!checkCsrf(req, who)) return newBulletinPage(reply, who, v, 'Biểu mẫu đã hết hạn, xin gửi lại.', 403);
    if (!who.staff.communeId) return newBulletinPage(reply, who, v, 'Tài khoản giám sát chỉ được xem.', 403);
    const villageIds = ([] as string[]).concat(body.villageIds ?? []).filter((x) => UUID.test(x));
    if (v.reach === 'villages' && villageIds.length === 0) return newBulletinPage(reply, who, v, 'Chọn ít nhất một thôn, hoặc chọn "Toàn xã".', 400);
    const cls = (['normal', 'priority', 'emergency'].includes(v.class) ? v.class : 'normal') as BulletinClass;
    try {
      const b = await wf.createDraft({ staffId: who.staff.id, ip: req.ip }, { communeId: who.staff.communeId, title: v.title, text: v.text, class: cls });
      await wf.setAudience({ staffId: who.staff.id, ip: req.ip }, b.id, v.reach === 'villages' ? { villageIds } : { all: true });
      return reply.redirect(`/admin/ban-tin/${b.id}`, 303);
    } catch (e) {
      if (isAppError(e)) return newBulletinPage(reply, who, v, e.userMessage, e.status);
      throw e;
    }
  });

  async function bulletinPage(reply: FastifyReply, who: Current, id: string, extra: { notice?: string; error?: string; status?: number } = {}) {
    const b = UUID.test(id) ? await prisma.bulletin.findUnique({ where: { id }, include: { audiences: { include: { village: true, target: true, endpoint: true } }, schedules: { where: { active: true } }, approvals: { include: { approver: true }, orderBy: { createdAt: 'asc' } } } }) : null;
    if (!b || !communesOf(who).some((c) => c.id === b.communeId)) {
      reply.code(404);
      return page(reply, 'not-found', { title: 'Không tìm thấy' }, who);
    }
    const [versions, runs] = await Promise.all([
      prisma.bulletinVersion.findMany({ where: { bulletinId: id, revision: b.revision }, orderBy: { language: 'asc' } }),
      prisma.broadcastRun.findMany({ where: { bulletinId: id }, orderBy: { scheduledFor: 'desc' }, take: 10, include: { deliveries: { include: { target: true, endpoint: true } } } }),
    ]);
    const mine = who.staff.communeId === b.communeId;
    const actions: Array<{ verb: string; label: string; style?: string }> = [];
    if (mine && hasRole(who, 'editor') && ['draft', 'rejected'].includes(b.status)) actions.push({ verb: 'gui-duyet', label: 'Gửi duyệt' });
    if (mine && hasRole(who, 'approver') && (b.status === 'submitted' || (b.class === 'emergency' && b.status === 'draft'))) actions.push({ verb: 'duyet', label: 'Duyệt' }, { verb: 'tra-lai', label: 'Trả lại', style: 'secondary' });
    if (mine && hasRole(who, 'editor', 'approver') && ['approved', 'scheduled', 'done', 'partly_failed'].includes(b.status)) actions.push({ verb: 'len-lich', label: 'Lên lịch phát' });
    if (mine && hasRole(who, 'approver') && ['approved', 'scheduled', 'done', 'partly_failed'].includes(b.status)) actions.push({ verb: 'phat-ngay', label: 'Phát ngay', style: 'contrast' });
    if (mine && hasRole(who, 'editor', 'approver') && !['done', 'partly_failed', 'cancelled', 'expired'].includes(b.status)) actions.push({ verb: 'huy', label: 'Hủy bản tin', style: 'secondary outline' });
    if (extra.status) reply.code(extra.status);
    const audience = b.audiences.length === 0 || b.audiences.some((a) => a.kind === 'all') ? 'toàn xã' : b.audiences.map((a) => a.village?.name ?? a.target?.name ?? a.endpoint?.name ?? '?').join(', ');
    const nowLocal = new Intl.DateTimeFormat('sv-SE', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(new Date()).replace(' ', 'T');
    return page(
      reply,
      'bulletin',
      {
        title: b.title,
        b,
        versions,
        audience,
        schedules: b.schedules.map((sc) => (sc.kind === 'once' ? fmt.dateTime(sc.runAt) : `${sc.timeOfDay} các ngày ${sc.daysOfWeek.map((d) => (d === 7 ? 'CN' : `T${d + 1}`)).join(', ')}`)),
        approvals: b.approvals.map((a) => ({ decision: a.decision, comment: a.comment, by: a.approver?.displayName ?? 'cấp trên', at: a.createdAt })),
        actions,
        runs: runs.map((r) => ({ ...r, deliveries: r.deliveries.map((d) => ({ ...d, to: d.target?.name ?? d.endpoint?.name ?? '?' })) })),
        nowLocal,
        languageName: (l: string) => LANGUAGES[l] ?? l,
        classLabel,
        bulletinStatus,
        runStatus,
        deliveryStatus,
        ...extra,
        ...fmt,
      },
      who,
      '/admin/ban-tin',
    );
  }

  app.get<{ Params: { id: string }; Querystring: { da?: string } }>('/admin/ban-tin/:id', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    const done: Record<string, string> = { 'gui-duyet': 'Đã gửi duyệt.', duyet: 'Đã duyệt.', 'tra-lai': 'Đã trả lại bản tin.', 'len-lich': 'Đã lên lịch phát.', 'phat-ngay': 'Đang phát.', huy: 'Đã hủy bản tin.' };
    return bulletinPage(reply, who, req.params.id, req.query.da && done[req.query.da] ? { notice: done[req.query.da] } : {});
  });

  app.post<{ Params: { id: string; verb: string } }>('/admin/ban-tin/:id/:verb', async (req, reply) => {
    const who = await guard(req, reply);
    if (!who) return reply;
    const { id, verb } = req.params;
    if (!checkCsrf(req, who)) return bulletinPage(reply, who, id, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    if (!UUID.test(id)) return bulletinPage(reply, who, id);
    const actor = { staffId: who.staff.id, ip: req.ip };
    const body = (req.body ?? {}) as Record<string, string>;
    try {
      if (verb === 'gui-duyet') {
        await wf.submit(actor, id);
        await dispatchEffects({ enqueue: opts.enqueue, cancelJob: opts.cancelJob, now: () => new Date() }, await announceSubmitted(prisma, id));
      } else if (verb === 'duyet') await wf.approve(actor, id);
      else if (verb === 'tra-lai') await wf.reject(actor, id, String(body.comment ?? ''));
      else if (verb === 'huy') await wf.cancel(actor, id);
      else if (verb === 'len-lich') {
        const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(String(body.runAt ?? ''));
        if (!m) return bulletinPage(reply, who, id, { error: 'Thời điểm phát cần đủ ngày và giờ.', status: 400 });
        const schedule = await scheduleBulletin(prisma, actor, id, { kind: 'once', runAt: localInstant(m[1]!, m[2]!, TZ) });
        await queueOneOff(opts.enqueue, schedule);
      } else if (verb === 'phat-ngay') {
        await sendBulletinNow(prisma, opts.enqueue, { ...actor, bulletinId: id });
      } else return bulletinPage(reply, who, id, { error: 'Không có thao tác này.', status: 404 });
    } catch (e) {
      if (isAppError(e)) return bulletinPage(reply, who, id, { error: e.userMessage, status: e.status });
      throw e;
    }
    return reply.redirect(`/admin/ban-tin/${id}?da=${verb}`, 303);
  });
};
