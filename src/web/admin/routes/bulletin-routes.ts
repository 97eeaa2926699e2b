// Bản tin: the list with what waits for approval, writing and editing a bulletin (live length and
// reading-time estimate, recordings per language with a player of the rendered result, audience by
// village), the workflow buttons each role may press, scheduling (one-off or recurring), and the
// delivery report of each run.
import { SUBSCRIPTION_TOPICS } from '../../../subscriptions/subscription-topics.ts';
import { subscriberAudienceName, subscriberDeliveryLines } from '../../../subscriptions/subscriber-audience.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isAppError } from '../../../errors.ts';
import { formatVi as fmt } from '../../../text/format-vi.ts';
import { createBulletinWorkflow, finalBulletinStatuses, statusLabel as bulletinStatus } from '../../../bulletins/bulletin-workflow.ts';
import { scheduleBulletin, type ScheduleInput } from '../../../bulletins/bulletin-schedule.ts';
import { announceSubmitted } from '../../../bulletins/bulletin-admin-chat.ts';
import { sendBulletinNow } from '../../../bulletins/send-now.ts';
import { announceQaSchedule } from '../../../bulletins/qa-bulletin.ts';
import { estimateSpeech, SENTENCE_PAUSE_S, WORDS_PER_MINUTE } from '../../../bulletins/speech-estimate.ts';
import { queueOneOff } from '../../../../broadcasts/schedule/scheduler.ts';
import { localInstant } from '../../../calendar/local-time.ts';
import type { BulletinClass } from '../../../db/generated/enums.ts';
import { formOf, TZ, UUID, type AdminContext, type PageExtra, type Signed } from '../admin-context.ts';
import { classLabel, deliveryStatus, LANGUAGES, runStatus } from '../labels.ts';
import { listProvinceBulletins } from '../../../province/list-province-bulletins.ts';
import { dispatchStatusLabel } from '../../../province/province-bulletin-status.ts';
import { declineProvinceBulletin } from '../../../province/decline-province-bulletin.ts';
import { removeDeclineButtons } from '../../../province/province-decline-admin-chat.ts';

const WEEKDAYS = [
  { n: 1, label: 'Thứ Hai' },
  { n: 2, label: 'Thứ Ba' },
  { n: 3, label: 'Thứ Tư' },
  { n: 4, label: 'Thứ Năm' },
  { n: 5, label: 'Thứ Sáu' },
  { n: 6, label: 'Thứ Bảy' },
  { n: 7, label: 'Chủ nhật' },
];
const DONE: Record<string, string> = { 'gui-duyet': 'Đã gửi duyệt.', duyet: 'Đã duyệt.', 'tra-lai': 'Đã trả lại bản tin.', 'len-lich': 'Đã lên lịch phát.', 'phat-ngay': 'Đang phát.', huy: 'Đã hủy bản tin.', sua: 'Đã lưu nội dung mới.' };
export const DECLINED = 'Đã từ chối bản tin của tỉnh cho xã; tỉnh thấy lý do của xã.';
const estimateAttrs = { wordsPerMinute: WORDS_PER_MINUTE, sentencePause: SENTENCE_PAUSE_S };

export function bulletinRoutes(app: FastifyInstance, ctx: AdminContext) {
  const { prisma } = ctx;
  const wf = createBulletinWorkflow(prisma);

  async function listPage(reply: FastifyReply, who: Signed, extra: PageExtra = {}) {
    const communeIds = ctx.communesOf(who).map((c) => c.id);
    if (!communeIds.length) return ctx.page(reply, 'dashboard-empty', { title: 'Bản tin' }, who, '/admin/ban-tin');
    const rows = await prisma.bulletin.findMany({ where: { communeId: { in: communeIds } }, orderBy: { updatedAt: 'desc' }, take: 100 });
    const canWrite = who.staff.communeId !== null && ctx.hasRole(who, 'editor', 'approver');
    // What the province sent this commune: the ones still open to a decline first, then the last few.
    const fromProvince = who.staff.communeId ? (await listProvinceBulletins(prisma, { staffId: who.staff.id })).bulletins : [];
    const incoming = [...fromProvince.filter((p) => 'canDecline' in p && p.status === 'waiting'), ...fromProvince.filter((p) => p.status !== 'waiting').slice(0, 10)];
    if (extra.status) reply.code(extra.status);
    return ctx.page(reply, 'bulletins', { title: 'Bản tin', rows, waiting: rows.filter((b) => b.status === 'submitted'), canWrite, incoming, classLabel, bulletinStatus, ...extra, ...fmt }, who, '/admin/ban-tin');
  }

  app.get<{ Querystring: { da?: string } }>('/admin/ban-tin', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    return listPage(reply, who, req.query.da === 'tu-choi-tinh' ? { notice: DECLINED } : {});
  });

  // A commune approver declines a normal province bulletin for the commune (reason required), from
  // the list or the calendar; back there afterwards. Refusals are shown on the list, precisely.
  app.post<{ Params: { id: string } }>('/admin/ban-tin/cua-tinh/:id/tu-choi', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    if (!ctx.checkCsrf(req, who)) return listPage(reply, who, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    if (!UUID.test(req.params.id)) return ctx.notFound(reply, who);
    const f = formOf(req);
    try {
      const d = await declineProvinceBulletin(prisma, { actor: { staffId: who.staff.id, ip: req.ip }, provinceBulletinId: req.params.id, reason: f.one('reason', 1000) });
      await ctx.dispatch(await removeDeclineButtons(prisma, d.bulletinId));
    } catch (e) {
      if (isAppError(e) && e.code === 'NOT_FOUND') return ctx.notFound(reply, who);
      if (isAppError(e)) return listPage(reply, who, { error: e.userMessage, status: e.status });
      throw e;
    }
    const week = f.one('tuan', 10);
    return reply.redirect(f.one('back', 20) === 'lich-phat' ? `/admin/lich-phat?${/^\d{4}-\d{2}-\d{2}$/.test(week) ? `tuan=${week}&` : ''}da=tu-choi-tinh` : '/admin/ban-tin?da=tu-choi-tinh', 303);
  });

  // A refused form comes back as it was sent: `picked` keeps the ticked villages and topics.
  async function newBulletinPage(reply: FastifyReply, who: Signed, v: Record<string, string>, error?: string, status?: number, picked: { villageIds: string[]; topics: string[] } = { villageIds: [], topics: [] }) {
    const villages = await prisma.village.findMany({ where: { communeId: who.staff.communeId! }, orderBy: { sortOrder: 'asc' } });
    if (status) reply.code(status);
    return ctx.page(reply, 'bulletin-new', { title: 'Soạn bản tin', scripts: ['bulletin-editor.js'], v, picked, villages, topics: SUBSCRIPTION_TOPICS, estimate: estimateSpeech(v.text ?? ''), estimateAttrs, canEmergency: ctx.hasRole(who, 'approver'), error }, who, '/admin/ban-tin');
  }

  app.get('/admin/ban-tin/moi', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    if (!who.staff.communeId || !ctx.hasRole(who, 'editor', 'approver')) return ctx.forbidden(reply, who, '/admin/ban-tin');
    return newBulletinPage(reply, who, {});
  });

  app.post('/admin/ban-tin/moi', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const f = formOf(req);
    const v = { title: f.one('title', 300), text: f.one('text', 25_000), class: f.one('class', 20), reach: f.one('reach', 20), subscribers: f.one('subscribers', 1) };
    // Oversight has no commune to write in (and no villages for the form): the refusal page.
    if (!who.staff.communeId) return ctx.forbidden(reply, who, '/admin/ban-tin');
    const villageIds = f.all('villageIds').filter((x) => UUID.test(x));
    const picked = { villageIds, topics: f.all('topics') };
    if (!ctx.checkCsrf(req, who)) return newBulletinPage(reply, who, v, 'Biểu mẫu đã hết hạn, xin gửi lại.', 403, picked);
    if (v.reach === 'villages' && villageIds.length === 0) return newBulletinPage(reply, who, v, 'Chọn ít nhất một thôn, hoặc chọn "Toàn xã".', 400, picked);
    const cls = (['normal', 'priority', 'emergency'].includes(v.class) ? v.class : 'normal') as BulletinClass;
    try {
      const b = await wf.createDraft({ staffId: who.staff.id, ip: req.ip }, { communeId: who.staff.communeId, title: v.title, text: v.text, class: cls });
      // Subscribers of the same villages (every village for the whole commune), of the topics ticked.
      const subscribers = v.subscribers === '1' ? { subscribers: { villageIds: v.reach === 'villages' ? villageIds : [], topics: picked.topics } } : {};
      await wf.setAudience({ staffId: who.staff.id, ip: req.ip }, b.id, v.reach === 'villages' ? { villageIds, ...subscribers } : { all: true, ...subscribers });
      return reply.redirect(`/admin/ban-tin/${b.id}`, 303);
    } catch (e) {
      if (isAppError(e)) return newBulletinPage(reply, who, v, e.userMessage, e.status, picked);
      throw e;
    }
  });

  async function bulletinPage(reply: FastifyReply, who: Signed, id: string, extra: PageExtra = {}) {
    const b = UUID.test(id) ? await prisma.bulletin.findUnique({ where: { id }, include: { audiences: { include: { village: true, target: true, endpoint: true } }, schedules: { where: { active: true }, include: { slot: true } }, approvals: { include: { approver: true }, orderBy: { createdAt: 'asc' } } } }) : null;
    if (!b || !ctx.communesOf(who).some((c) => c.id === b.communeId)) return ctx.notFound(reply, who);
    const [versions, runs] = await Promise.all([
      prisma.bulletinVersion.findMany({ where: { bulletinId: id, revision: b.revision }, orderBy: { language: 'asc' } }),
      prisma.broadcastRun.findMany({ where: { bulletinId: id }, orderBy: { scheduledFor: 'desc' }, take: 10, include: { deliveries: { include: { target: true, endpoint: true, residentIdentity: { select: { platform: true } } } } } }),
    ]);
    const mine = who.staff.communeId === b.communeId;
    const editor = mine && ctx.hasRole(who, 'editor');
    const actions: Array<{ verb: string; label: string; style?: string }> = [];
    if (editor && ['draft', 'rejected'].includes(b.status)) actions.push({ verb: 'gui-duyet', label: 'Gửi duyệt' });
    if (mine && ctx.hasRole(who, 'approver') && (b.status === 'submitted' || (b.class === 'emergency' && b.status === 'draft'))) actions.push({ verb: 'duyet', label: 'Duyệt' }, { verb: 'tra-lai', label: 'Trả lại', style: 'secondary' });
    if (mine && ctx.hasRole(who, 'approver') && ['approved', 'scheduled', 'done', 'partly_failed'].includes(b.status)) actions.push({ verb: 'phat-ngay', label: 'Phát ngay', style: 'contrast' });
    // A province copy is the province's to withdraw (the workflow refuses it): no button.
    if (mine && !b.provinceBulletinId && ctx.hasRole(who, 'editor', 'approver') && !finalBulletinStatuses.includes(b.status)) actions.push({ verb: 'huy', label: 'Hủy bản tin', style: 'secondary outline' });
    const canSchedule = mine && ctx.hasRole(who, 'editor', 'approver') && ['approved', 'scheduled', 'done', 'partly_failed'].includes(b.status);
    // A province copy's words and reach are the province's (the workflow refuses them): no form.
    const canEdit = editor && !b.provinceBulletinId && ['draft', 'rejected', 'submitted', 'approved', 'scheduled'].includes(b.status);
    if (extra.status) reply.code(extra.status);
    const subscribers = b.audiences.filter((a) => a.kind === 'subscribers').map((a) => subscriberAudienceName(a.village?.name ?? null, a.topicCode));
    const places = b.audiences.filter((a) => a.kind !== 'subscribers');
    const audience = [...(b.audiences.length === 0 || places.some((a) => a.kind === 'all') ? ['toàn xã'] : places.map((a) => a.village?.name ?? a.target?.name ?? a.endpoint?.name ?? '?')), ...subscribers].join(', ');
    const nowLocal = new Intl.DateTimeFormat('sv-SE', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(new Date()).replace(' ', 'T');
    const vi = versions.find((v) => v.language === 'vi');
    // The commune's copy of a province bulletin: its side, and "Từ chối" while the window is open.
    const side = b.provinceBulletinId ? await prisma.provinceBulletinCommune.findUnique({ where: { bulletinId: b.id }, include: { provinceBulletin: { include: { province: { select: { name: true } } } } } }) : null;
    const deadline = side?.provinceBulletin.declineDeadline;
    const fromProvince = side
      ? { id: side.provinceBulletinId, from: side.provinceBulletin.province.name, statusLabel: dispatchStatusLabel[side.status], deadline: side.status === 'waiting' ? deadline : null, reason: side.declineReason, canDecline: mine && ctx.hasRole(who, 'approver') && side.status === 'waiting' && b.class === 'normal' && !!deadline && deadline >= new Date() }
      : null;
    return ctx.page(
      reply,
      'bulletin',
      {
        title: b.title,
        scripts: ['bulletin-editor.js'],
        b,
        versions: versions.map((v) => ({ ...v, estimate: v.text ? estimateSpeech(v.text) : undefined })),
        viText: vi?.text ?? '',
        estimate: estimateSpeech(vi?.text ?? ''),
        estimateAttrs,
        audience,
        fromProvince,
        schedules: b.schedules.map((sc) => (sc.kind === 'once' ? fmt.dateTime(sc.runAt) : `${sc.timeOfDay ?? sc.slot?.timeOfDay} ${(sc.daysOfWeek.length ? sc.daysOfWeek : (sc.slot?.daysOfWeek ?? [])).map((d) => WEEKDAYS[d - 1]?.label).join(', ')}${sc.startsOn ? ` từ ${fmt.day(sc.startsOn)}` : ''}${sc.endsOn ? ` đến ${fmt.day(sc.endsOn)}` : ''}`)),
        approvals: b.approvals.map((a) => ({ decision: a.decision, comment: a.comment, by: a.approver?.displayName ?? 'cấp trên', at: a.createdAt })),
        actions,
        canSchedule,
        canEdit,
        maxUploadBytes: ctx.opts.maxAudioUploadBytes,
        weekdays: WEEKDAYS,
        languages: LANGUAGES,
        runs: runs.map((r) => ({ ...r, deliveries: [...r.deliveries.filter((d) => !d.residentIdentity).map((d) => ({ ...d, to: d.target?.name ?? d.endpoint?.name ?? '?' })), ...subscriberDeliveryLines(r.deliveries)] })),
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
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    return bulletinPage(reply, who, req.params.id, req.query.da && DONE[req.query.da] ? { notice: DONE[req.query.da] } : {});
  });

  /** The schedule form: a one-off time, or a time of day on weekdays between optional dates. */
  function scheduleInput(f: ReturnType<typeof formOf>): ScheduleInput | string {
    if (f.one('kind', 20) === 'recurring') {
      const days = f.all('days').map(Number).filter((d) => Number.isInteger(d));
      const startsOn = f.one('startsOn', 10);
      const endsOn = f.one('endsOn', 10);
      return { kind: 'recurring', timeOfDay: f.one('timeOfDay', 5), daysOfWeek: days, ...(startsOn ? { startsOn } : {}), ...(endsOn ? { endsOn } : {}) };
    }
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(f.one('runAt', 20));
    if (!m) return 'Thời điểm phát cần đủ ngày và giờ.';
    return { kind: 'once', runAt: localInstant(m[1]!, m[2]!, TZ) };
  }

  app.post<{ Params: { id: string; verb: string } }>('/admin/ban-tin/:id/:verb', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const { id, verb } = req.params;
    if (!ctx.checkCsrf(req, who)) return bulletinPage(reply, who, id, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    if (!UUID.test(id)) return bulletinPage(reply, who, id);
    const actor = { staffId: who.staff.id, ip: req.ip };
    const f = formOf(req);
    try {
      if (verb === 'gui-duyet') {
        await wf.submit(actor, id);
        await ctx.dispatch(await announceSubmitted(prisma, id));
      } else if (verb === 'duyet') await wf.approve(actor, id);
      else if (verb === 'tra-lai') await wf.reject(actor, id, f.one('comment', 1000));
      else if (verb === 'huy') await wf.cancel(actor, id);
      else if (verb === 'sua') await wf.edit(actor, id, { title: f.one('title', 300), text: f.one('text', 25_000) });
      else if (verb === 'len-lich') {
        const input = scheduleInput(f);
        if (typeof input === 'string') return bulletinPage(reply, who, id, { error: input, status: 400 });
        const schedule = await scheduleBulletin(prisma, actor, id, input);
        await queueOneOff(ctx.opts.enqueue, schedule);
        await announceQaSchedule(prisma, ctx.opts.enqueue, { schedule, staffId: actor.staffId });
      } else if (verb === 'phat-ngay') {
        await sendBulletinNow(prisma, ctx.opts.enqueue, { ...actor, bulletinId: id });
      } else return bulletinPage(reply, who, id, { error: 'Không có thao tác này.', status: 404 });
    } catch (e) {
      if (isAppError(e)) return bulletinPage(reply, who, id, { error: e.userMessage, status: e.status });
      throw e;
    }
    return reply.redirect(`/admin/ban-tin/${id}?da=${verb}`, 303);
  });
}
