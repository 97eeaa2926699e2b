// Toàn tỉnh → Bản tin của tỉnh: province staff list their province's bulletins with each commune's
// side; an editor writes one (text; normal, priority or emergency; every commune, or chosen communes
// and villages of them) and uploads its recordings before approval; an approver approves or sends it back (the second-person rule of the
// receiving communes applies) or withdraws an approved one (its copies not yet finished are cancelled); and each bulletin's page shows per commune: waiting to decline,
// declined (why), the slot it took, what was delivered. Commune staff are refused; another
// province's bulletin answers as missing. Rules and texts live in src/province.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../../errors.ts';
import { formatVi as fmt } from '../../../text/format-vi.ts';
import type { BulletinClass } from '../../../db/generated/enums.ts';
import { canApproveProvinceBulletin, canWriteProvinceBulletin } from '../../../auth/commune-scope.ts';
import { createProvinceBulletin } from '../../../province/create-province-bulletin.ts';
import { approveProvinceBulletin } from '../../../province/approve-province-bulletin.ts';
import { rejectProvinceBulletin } from '../../../province/reject-province-bulletin.ts';
import { withdrawProvinceBulletin } from '../../../province/withdraw-province-bulletin.ts';
import { listProvinceBulletins } from '../../../province/list-province-bulletins.ts';
import { provinceBulletinDetail } from '../../../province/province-bulletin-detail.ts';
import { estimateSpeech, SENTENCE_PAUSE_S, WORDS_PER_MINUTE } from '../../../bulletins/speech-estimate.ts';
import { formOf, UUID, type AdminContext, type PageExtra, type Signed } from '../admin-context.ts';
import { provinceCommunesOf } from '../province-communes.ts';
import { classLabel, LANGUAGES, runStatus } from '../labels.ts';

const PATH = '/admin/tinh';
const DONE: Record<string, string> = { moi: 'Đã gửi bản tin để người duyệt cấp tỉnh duyệt.', duyet: 'Đã duyệt: bản tin đã tới các xã nhận.', 'tra-lai': 'Đã trả lại bản tin cho người soạn.', 'thu-hoi': 'Đã thu hồi: bản tin không phát thêm ở xã nào nữa.' };
const CLASSES = ['normal', 'priority', 'emergency'] as const;
const estimateAttrs = { wordsPerMinute: WORDS_PER_MINUTE, sentencePause: SENTENCE_PAUSE_S };

export function provinceBulletinPages(app: FastifyInstance, ctx: AdminContext) {
  const { prisma } = ctx;

  /** Province staff and their province's communes, or the refusal already sent (commune staff: 403). */
  async function seatOf(req: FastifyRequest, reply: FastifyReply) {
    const who = await ctx.guard(req, reply);
    if (!who) return undefined;
    const seat = await provinceCommunesOf(prisma, who);
    if (!seat) {
      await ctx.forbidden(reply, who, PATH, 'Bản tin của tỉnh do cán bộ cấp tỉnh soạn và duyệt; xã xem bản tin tỉnh gửi ở trang Bản tin và Lịch phát sóng của xã.');
      return undefined;
    }
    return { who, seat };
  }

  app.get<{ Querystring: { da?: string } }>('/admin/tinh/ban-tin', async (req, reply) => {
    const s = await seatOf(req, reply);
    if (!s) return reply;
    const list = await listProvinceBulletins(prisma, { staffId: s.who.staff.id });
    const rows = list.scope === 'province' ? list.bulletins : [];
    const tally = (r: (typeof rows)[number]) => {
      const n = (st: string) => r.communes.filter((c) => c.status === st).length;
      return [['waiting', 'chờ xã xem'], ['declined', 'từ chối'], ['scheduled', 'đã vào lịch'], ['sent', 'đã phát ngay'], ['withdrawn', 'tỉnh thu hồi']].flatMap(([st, label]) => (n(st!) ? [`${n(st!)} ${label}`] : [])).join(' · ');
    };
    return ctx.page(reply, 'province-bulletins', {
      title: 'Bản tin của tỉnh', rows: rows.map((r) => ({ ...r, tally: tally(r) })), canWrite: canWriteProvinceBulletin(s.who.staff, s.seat.provinceId),
      waiting: canApproveProvinceBulletin(s.who.staff, s.seat.provinceId) ? rows.filter((r) => r.status === 'submitted') : [],
      notice: req.query.da && DONE[req.query.da] ? DONE[req.query.da] : undefined, classLabel, ...fmt,
    }, s.who, PATH);
  });

  async function composePage(reply: FastifyReply, who: Signed, seat: NonNullable<Awaited<ReturnType<typeof provinceCommunesOf>>>, v: { title?: string; text?: string; class?: string; reach?: string; communeIds?: string[]; villageIds?: string[] }, extra: PageExtra = {}) {
    const villages = await prisma.village.findMany({ where: { communeId: { in: seat.communes.map((c) => c.id) } }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }], select: { id: true, name: true, communeId: true } });
    const communes = seat.communes.map((c) => ({ ...c, checked: v.communeIds?.includes(c.id) ?? false, villages: villages.filter((x) => x.communeId === c.id).map((x) => ({ ...x, checked: v.villageIds?.includes(x.id) ?? false })) }));
    if (extra.status) reply.code(extra.status);
    return ctx.page(reply, 'province-bulletin-new', { title: 'Soạn bản tin của tỉnh', scripts: ['bulletin-editor.js'], v, communes, estimate: estimateSpeech(v.text ?? ''), estimateAttrs, ...extra }, who, PATH);
  }

  app.get('/admin/tinh/ban-tin/moi', async (req, reply) => {
    const s = await seatOf(req, reply);
    if (!s) return reply;
    if (!canWriteProvinceBulletin(s.who.staff, s.seat.provinceId)) return ctx.forbidden(reply, s.who, PATH, 'Chỉ người soạn bản tin cấp tỉnh mới soạn được bản tin của tỉnh.');
    return composePage(reply, s.who, s.seat, {});
  });

  app.post('/admin/tinh/ban-tin/moi', async (req, reply) => {
    const s = await seatOf(req, reply);
    if (!s) return reply;
    const f = formOf(req);
    const v = { title: f.one('title', 300), text: f.one('text', 25_000), class: f.one('class', 20), reach: f.one('reach', 20), communeIds: f.all('communeIds').filter((x) => UUID.test(x)), villageIds: f.all('villageIds').filter((x) => UUID.test(x)) };
    if (!canWriteProvinceBulletin(s.who.staff, s.seat.provinceId)) return ctx.forbidden(reply, s.who, PATH, 'Chỉ người soạn bản tin cấp tỉnh mới soạn được bản tin của tỉnh.');
    if (!ctx.checkCsrf(req, s.who)) return composePage(reply, s.who, s.seat, v, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    let communeIds: string[] | undefined;
    if (v.reach === 'chosen') {
      // A village ticked under a commune brings its commune along.
      const villageCommunes = v.villageIds.length ? (await prisma.village.findMany({ where: { id: { in: v.villageIds } }, select: { communeId: true } })).map((x) => x.communeId) : [];
      communeIds = [...new Set([...v.communeIds, ...villageCommunes])];
      if (!communeIds.length) return composePage(reply, s.who, s.seat, v, { error: 'Chọn ít nhất một xã (hoặc một thôn), hoặc chọn "Tất cả các xã của tỉnh".', status: 400 });
    }
    const cls: BulletinClass = (CLASSES as readonly string[]).includes(v.class) ? (v.class as BulletinClass) : 'normal';
    try {
      const pb = await createProvinceBulletin(prisma, { actor: { staffId: s.who.staff.id, ip: req.ip }, title: v.title, text: v.text, class: cls, ...(communeIds ? { communeIds, villageIds: v.villageIds } : {}) });
      return reply.redirect(`/admin/tinh/ban-tin/${pb.id}?da=moi`, 303);
    } catch (e) {
      if (isAppError(e)) return composePage(reply, s.who, s.seat, v, { error: e.userMessage, status: e.status });
      throw e;
    }
  });

  async function detailPage(reply: FastifyReply, who: Signed, provinceId: string, id: string, extra: PageExtra = {}) {
    if (!UUID.test(id)) return ctx.notFound(reply, who);
    let pb: Awaited<ReturnType<typeof provinceBulletinDetail>>;
    try {
      pb = await provinceBulletinDetail(prisma, who.scope, id);
    } catch (e) {
      if (isAppError(e) && e.code === 'NOT_FOUND') return ctx.notFound(reply, who);
      throw e;
    }
    const approver = canApproveProvinceBulletin(who.staff, provinceId);
    const decide = approver && pb.status === 'submitted';
    // The author where a receiving commune needs a second person: told so instead of a button that fails.
    const ownNeedsSecond = decide && pb.secondPersonRequired && pb.wroteIt(who.staff.id);
    const canRecord = canWriteProvinceBulletin(who.staff, provinceId) && pb.status === 'submitted';
    // Something still to take back: a commune copy neither declined nor finished.
    const canWithdraw = approver && pb.status === 'approved' && pb.communes.some((c) => c.status !== 'declined' && c.copyOpen);
    if (extra.status) reply.code(extra.status);
    return ctx.page(reply, 'province-bulletin', {
      title: pb.title, scripts: canRecord ? ['bulletin-editor.js'] : [], pb, decide, ownNeedsSecond, canRecord, canWithdraw, maxUploadBytes: ctx.opts.maxAudioUploadBytes, languages: LANGUAGES, languageName: (l: string) => LANGUAGES[l] ?? l,
      estimate: estimateSpeech(pb.text), classLabel, runStatus, ...extra, ...fmt,
    }, who, PATH);
  }

  app.get<{ Params: { id: string }; Querystring: { da?: string } }>('/admin/tinh/ban-tin/:id', async (req, reply) => {
    const s = await seatOf(req, reply);
    if (!s) return reply;
    return detailPage(reply, s.who, s.seat.provinceId, req.params.id, req.query.da && DONE[req.query.da] ? { notice: DONE[req.query.da] } : {});
  });

  app.post<{ Params: { id: string; verb: string } }>('/admin/tinh/ban-tin/:id/:verb', async (req, reply) => {
    const s = await seatOf(req, reply);
    if (!s) return reply;
    const { id, verb } = req.params;
    if (!UUID.test(id)) return ctx.notFound(reply, s.who);
    if (!ctx.checkCsrf(req, s.who)) return detailPage(reply, s.who, s.seat.provinceId, id, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    const actor = { staffId: s.who.staff.id, ip: req.ip };
    const f = formOf(req);
    try {
      if (verb === 'duyet') await approveProvinceBulletin({ prisma, enqueue: ctx.opts.enqueue }, { actor, provinceBulletinId: id, ...(f.one('comment', 1000).trim() ? { comment: f.one('comment', 1000) } : {}) });
      else if (verb === 'tra-lai') await rejectProvinceBulletin(prisma, { actor, provinceBulletinId: id, comment: f.one('comment', 1000) });
      else if (verb === 'thu-hoi') {
        // The confirmation box, checked by the server too (the admin's pages run no inline script).
        if (f.one('confirm', 5) !== '1') return detailPage(reply, s.who, s.seat.provinceId, id, { error: 'Đánh dấu ô xác nhận để thu hồi bản tin.', status: 400 });
        await withdrawProvinceBulletin({ prisma, enqueue: ctx.opts.enqueue }, { actor, provinceBulletinId: id });
      } else return detailPage(reply, s.who, s.seat.provinceId, id, { error: 'Không có thao tác này.', status: 404 });
    } catch (e) {
      if (isAppError(e) && e.code === 'NOT_FOUND') return ctx.notFound(reply, s.who);
      if (isAppError(e)) return detailPage(reply, s.who, s.seat.provinceId, id, { error: e.userMessage, status: e.status });
      throw e;
    }
    return reply.redirect(`/admin/tinh/ban-tin/${id}?da=${verb}`, 303);
  });
}
