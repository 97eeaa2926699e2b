// Phản ánh, kiến nghị: the inbox with its filters and diacritic-blind search, a ticket's thread and
// history, and what a cadre does to it from the web — answer, assign, transfer, merge into another,
// close, publish to the FAQ — with the same rights, transitions and audit as in the admin chat.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Prisma } from '../../../db/generated/client.ts';
import type { TicketStatus } from '../../../db/generated/enums.ts';
import { formatVi as fmt } from '../../../text/format-vi.ts';
import { searchTickets } from '../../../tickets/ticket-search.ts';
import { awaitingAnswerStatuses, openStatuses, statusLabel } from '../../../tickets/ticket-status.ts';
import { mayActOnTicket, mayReadTicket } from '../../../tickets/ticket-permissions.ts';
import { clearanceOf } from '../../../tickets/ticket-visibility.ts';
import { answerTicket, assignTicket, closeTicket, markDuplicate, transferTicket, type ActionResult } from '../../../tickets/ticket-actions.ts';
import { publishFaq } from '../../../tickets/faq.ts';
import { effect, refreshAdminPostsJob } from '../../../tickets/ticket-jobs.ts';
import { formOf, pickId, type AdminContext, type PageExtra, type Signed } from '../admin-context.ts';
import { eventLabel } from '../labels.ts';
import { deliveryLabel } from '../../../tickets/answer-delivery.ts';
import { CLOSE_REASONS } from '../../../tickets/close-reasons.ts';
import { channelName } from '../../../channels/platform-names.ts';


// The verbs of /admin/phan-anh/:code/:verb, their audit action and the notice after success.
const VERBS = {
  // Sent when the platform accepts it; the thread below shows what it said.
  'tra-loi': { action: 'ticket.answer', done: 'Câu trả lời đang được gửi tới người dân; tình trạng gửi hiện ngay dưới câu trả lời.' },
  giao: { action: 'ticket.assign', done: 'Đã giao phiếu.' },
  'chuyen': { action: 'ticket.transfer', done: 'Đã chuyển phiếu.' },
  gop: { action: 'ticket.merge', done: 'Đã gộp vào phiếu gốc; người dân được báo.' },
  dong: { action: 'ticket.close', done: 'Đã đóng phiếu.' },
  'hoi-dap': { action: 'ticket.publish_faq', done: 'Đã đưa vào hỏi đáp thường gặp (đã bỏ tên người hỏi).' },
} as const;
type Verb = keyof typeof VERBS;

export function inboxRoutes(app: FastifyInstance, ctx: AdminContext) {
  const { prisma } = ctx;
  const maxAnswer = ctx.opts.maxAnswerLength ?? 3500;

  app.get<{ Querystring: Record<string, string | undefined> }>('/admin/phan-anh', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    // Province staff read the tickets of the commune chosen among their province's (?xa=).
    const { chosen, choices } = ctx.chosenCommune(who, req.query.xa);
    if (!chosen) return ctx.page(reply, 'dashboard-empty', { title: 'Phản ánh, kiến nghị' }, who, '/admin/phan-anh');
    const communeId = chosen.id;
    const q = req.query;
    const status = q['trang-thai'] && q['trang-thai'] in statusLabel ? (q['trang-thai'] as TicketStatus) : undefined;
    const f = { status, categoryId: pickId(q['linh-vuc']), villageId: pickId(q.thon), assigneeId: pickId(q['can-bo']), overdue: q['qua-han'] === '1', q: typeof q.q === 'string' ? q.q.slice(0, 100) : undefined };
    const now = new Date();
    const visibleTo = await clearanceOf(prisma, { kind: 'staff', staff: who.staff });
    const [rows, categories, villages, staffList] = await Promise.all([
      searchTickets(prisma, communeId, { ...Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== false)), visibleTo }, now),
      prisma.category.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } }),
      prisma.village.findMany({ where: { communeId }, orderBy: { sortOrder: 'asc' }, select: { id: true, name: true } }),
      prisma.staff.findMany({ where: { communeId, active: true }, orderBy: { displayName: 'asc' }, select: { id: true, displayName: true } }),
    ]);
    return ctx.page(
      reply,
      'inbox',
      { title: 'Phản ánh, kiến nghị', communes: choices.length > 1 ? choices : [], xa: choices.length > 1 ? communeId : undefined, f, rows: rows.map((r) => ({ ...r, overdue: awaitingAnswerStatuses.includes(r.status) && r.dueAt !== null && r.dueAt < now })), categories, villages, staffList, statusLabel, ...fmt },
      who,
      '/admin/phan-anh',
    );
  });

  /**
   * The communes a code is looked up in. Codes are unique per commune only (every commune may use
   * "PA"), so a person who reads several names one with ?xa=; a code found in more than one of
   * them without it is found in none.
   */
  const codeScope = (who: Signed, xa: string | undefined) => {
    const ids = ctx.communesOf(who).map((c) => c.id);
    return xa ? ids.filter((id) => id === xa) : ids;
  };
  async function ticketIdByCode(who: Signed, code: string, xa: string | undefined) {
    const found = await prisma.ticket.findMany({ where: { code, communeId: { in: codeScope(who, xa) } }, select: { id: true, communeId: true }, take: 2 });
    return found.length === 1 ? found[0]! : undefined;
  }
  /** The ?xa= that keeps a ticket's links in its commune, for those who read several. */
  const xaOf = (who: Signed, communeId: string) => (ctx.communesOf(who).length > 1 ? communeId : undefined);

  async function ticketPage(reply: FastifyReply, who: Signed, code: string, xa: string | undefined, extra: PageExtra = {}) {
    const found = await ticketIdByCode(who, code, xa);
    const t = found && await prisma.ticket.findUnique({
      where: { id: found.id },
      include: {
        category: true,
        village: true,
        assignee: true,
        mergedInto: { select: { code: true } },
        messages: { orderBy: { createdAt: 'asc' }, include: { author: { select: { displayName: true } } } },
        events: { orderBy: { createdAt: 'asc' }, include: { actor: { select: { displayName: true } } } },
      },
    });
    // Another commune's ticket, or a confidential one this person may not read, answers as missing;
    // province staff read their province's, and act on none (mayActOnTicket).
    if (!t || !(await mayReadTicket(prisma, who.staff, t))) return ctx.notFound(reply, who);
    if (extra.status) reply.code(extra.status);
    const canAct = await mayActOnTicket(prisma, who.staff, t.id);
    const canAssign = canAct && (who.staff.isLeader || who.staff.roles.includes('admin'));
    const [assignees, categories, faq] = await Promise.all([
      canAssign ? prisma.staff.findMany({ where: { communeId: t.communeId, active: true, OR: [{ isLeader: true }, { roles: { hasSome: ['responder', 'admin'] } }] }, orderBy: { displayName: 'asc' }, select: { id: true, displayName: true } }) : [],
      canAct ? prisma.category.findMany({ where: { active: true }, orderBy: { name: 'asc' }, select: { code: true, name: true } }) : [],
      prisma.faqEntry.findFirst({ where: { sourceTicketId: t.id }, select: { id: true } }),
    ]);
    const open = awaitingAnswerStatuses.includes(t.status);
    return ctx.page(
      reply,
      'ticket',
      {
        title: t.code,
        t,
        xa: xaOf(who, t.communeId),
        canAct,
        can: {
          answer: canAct && openStatuses.includes(t.status),
          assign: canAssign && open,
          transfer: canAct && open,
          merge: canAct && openStatuses.includes(t.status),
          // A new ticket is taken before it is closed (closing it asks for a reason in the admin chat).
          close: canAct && openStatuses.includes(t.status) && t.status !== 'new',
          faq: canAct && !t.confidential && !faq && t.messages.some((m) => m.direction === 'outbound' && m.authorStaffId),
        },
        assignees,
        categories,
        notice: extra.notice,
        error: extra.error,
        statusLabel,
        eventLabel,
        deliveryLabel,
        closeReasons: CLOSE_REASONS,
        channelName,
        maxLength: maxAnswer,
        ...fmt,
      },
      who,
      '/admin/phan-anh',
    );
  }

  app.get<{ Params: { code: string }; Querystring: { da?: string; xa?: string } }>('/admin/phan-anh/:code', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const done = req.query.da && req.query.da in VERBS ? VERBS[req.query.da as Verb].done : undefined;
    return ticketPage(reply, who, req.params.code.slice(0, 40), req.query.xa, done ? { notice: done } : {});
  });

  /** Runs one verb's domain action; a string is a precise refusal of the input. */
  async function run(tx: Prisma.TransactionClient, verb: Verb, ticketId: string, who: Signed, req: FastifyRequest, now: Date): Promise<ActionResult | string> {
    const f = formOf(req);
    switch (verb) {
      case 'tra-loi': {
        const answer = f.one('answer', maxAnswer + 1).trim();
        if (!answer) return 'Câu trả lời chưa có nội dung.';
        if (answer.length > maxAnswer) return `Câu trả lời dài quá (tối đa ${maxAnswer} ký tự).`;
        return answerTicket(tx, ticketId, who.staff.id, answer, now);
      }
      case 'giao': {
        const to = pickId(f.one('assigneeId', 40));
        if (!to) return 'Chọn cán bộ để giao.';
        return assignTicket(tx, ticketId, who.staff.id, to, now);
      }
      case 'chuyen': {
        const note = (f.one('category', 100) || f.one('note', 500)).trim();
        if (!note) return 'Chọn lĩnh vực, hoặc ghi nơi chuyển đến.';
        return transferTicket(tx, ticketId, who.staff.id, note, now);
      }
      case 'gop': {
        const other = f.one('into', 40).trim().toUpperCase();
        if (!/^[A-Z]{1,10}-\d{4}-\d{1,6}$/.test(other)) return 'Ghi mã phiếu gốc, ví dụ PA-2026-00012.';
        return markDuplicate(tx, ticketId, other, who.staff.id, now);
      }
      case 'dong': {
        // A common reason, or one written; required unless the ticket was answered.
        const reason = (f.one('note', 500).trim() || f.one('reason', 200).trim()) || undefined;
        return closeTicket(tx, ticketId, who.staff.id, now, reason);
      }
      case 'hoi-dap': {
        const r = await publishFaq(tx, ticketId, who.staff.id, now);
        return r.ok ? { ok: true, code: r.code, effects: [] } : { ok: false, reason: 'faq', message: r.message };
      }
    }
  }

  app.post<{ Params: { code: string; verb: string }; Querystring: { xa?: string } }>('/admin/phan-anh/:code/:verb', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const code = req.params.code.slice(0, 40);
    const xa = req.query.xa;
    if (!(req.params.verb in VERBS)) return ticketPage(reply, who, code, xa, { error: 'Không có thao tác này.', status: 404 });
    const verb = req.params.verb as Verb;
    if (!ctx.checkCsrf(req, who)) return ticketPage(reply, who, code, xa, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    const t = await ticketIdByCode(who, code, xa);
    if (!t || !(await mayActOnTicket(prisma, who.staff, t.id))) {
      await ctx.auditRefused(req, who, 'Ticket', t?.id ?? null, { verb, code });
      return ticketPage(reply, who, code, xa, { error: 'Bạn không có quyền thao tác trên phiếu này.', status: 403 });
    }
    const now = new Date();
    const result = await prisma.$transaction(async (tx) => {
      const r = await run(tx, verb, t.id, who, req, now);
      if (typeof r !== 'string' && r.ok) {
        await tx.auditLog.create({ data: { communeId: t.communeId, actorKind: 'staff', actorStaffId: who.staff.id, action: VERBS[verb].action, entityType: 'Ticket', entityId: t.id, data: { via: 'web' }, ip: req.ip } });
      }
      return r;
    });
    if (typeof result === 'string') return ticketPage(reply, who, code, xa, { error: result, status: 400 });
    if (!result.ok) return ticketPage(reply, who, code, xa, { error: result.message, status: result.reason === 'forbidden' ? 403 : 409 });
    // What the action sets off goes through the queue; the admin chat's post is brought up to date.
    await ctx.dispatch([...result.effects, effect(refreshAdminPostsJob, { ticketId: t.id, version: now.getTime() }, `refresh-${t.id}-web-${now.getTime()}`)]);
    const here = xaOf(who, t.communeId);
    return reply.redirect(`/admin/phan-anh/${encodeURIComponent(code)}?da=${verb}${here ? `&xa=${here}` : ''}`, 303);
  });
}
