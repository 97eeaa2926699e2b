// "Dân hỏi – Lãnh đạo trả lời" in the web admin: the commune's answered tickets (never a
// confidential one, nor one already used), each with its anonymized question and answer to edit;
// the ticked ones become a Q&A bulletin draft (src/bulletins/qa-bulletin.ts), then the bulletin page.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isAppError } from '../../../errors.ts';
import { createQaBulletin, QA_MAX_ITEMS, QA_TITLE } from '../../../bulletins/qa-bulletin.ts';
import { publicQuestionAndAnswer } from '../../../tickets/faq.ts';
import { CONFIDENTIAL_FIELD } from '../../../tickets/ticket-visibility.ts';
import { formOf, type AdminContext, type Signed } from '../admin-context.ts';

export function qaRoutes(app: FastifyInstance, ctx: AdminContext) {
  const { prisma } = ctx;

  async function qaPage(reply: FastifyReply, who: Signed, edited: Record<string, { question?: string; answer?: string; picked?: boolean }> = {}, error?: string, status?: number) {
    const tickets = await prisma.ticket.findMany({
      where: { communeId: who.staff.communeId!, confidential: false, answeredAt: { not: null }, qaItem: null, OR: [{ categoryId: null }, { category: { code: { not: CONFIDENTIAL_FIELD } } }] },
      orderBy: { answeredAt: 'desc' },
      take: 30,
      select: { id: true, code: true },
    });
    const rows = [];
    for (const t of tickets) {
      const qa = await publicQuestionAndAnswer(prisma, t.id);
      if (!qa.ok) continue;
      const e = edited[t.code] ?? {};
      rows.push({ code: t.code, question: e.question ?? qa.question, answer: e.answer ?? qa.answer, picked: e.picked ?? false });
    }
    if (status) reply.code(status);
    return ctx.page(reply, 'qa-new', { title: QA_TITLE, rows, max: QA_MAX_ITEMS, error }, who, '/admin/ban-tin');
  }

  app.get('/admin/ban-tin/dan-hoi', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    if (!who.staff.communeId || !ctx.hasRole(who, 'editor')) return ctx.forbidden(reply, who, '/admin/ban-tin');
    return qaPage(reply, who);
  });

  app.post('/admin/ban-tin/dan-hoi', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    if (!who.staff.communeId || !ctx.hasRole(who, 'editor')) return ctx.forbidden(reply, who, '/admin/ban-tin');
    const f = formOf(req);
    const codes = f.all('codes').slice(0, QA_MAX_ITEMS + 1).map((c) => c.slice(0, 40));
    const picks = codes.map((code) => ({ code, question: f.one(`q-${code}`, 2000), answer: f.one(`a-${code}`, 2000) }));
    const edited = Object.fromEntries(picks.map((p) => [p.code, { question: p.question, answer: p.answer, picked: true }]));
    if (!ctx.checkCsrf(req, who)) return qaPage(reply, who, edited, 'Biểu mẫu đã hết hạn, xin gửi lại.', 403);
    try {
      const b = await createQaBulletin(prisma, { actor: { staffId: who.staff.id, ip: req.ip }, communeId: who.staff.communeId, picks });
      return reply.redirect(`/admin/ban-tin/${b.id}`, 303);
    } catch (e) {
      if (isAppError(e)) return qaPage(reply, who, edited, e.userMessage, e.status);
      throw e;
    }
  });
}
