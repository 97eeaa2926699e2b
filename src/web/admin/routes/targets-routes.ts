// Cụm loa & nhóm: loudspeaker clusters with their health, the Telegram/Zalo groups bulletins go to,
// the messaging accounts; the commune's admins add and edit clusters, edit groups, and log a Zalo
// account in by QR code (the page polls the API's QR login).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../../errors.ts';
import { formatVi as fmt } from '../../../text/format-vi.ts';
import { createEndpoint, endpointInput, targetInput, updateEndpoint, updateTarget } from '../../../targets/target-admin.ts';
import { formOf, pickId, UUID, type AdminContext, type PageExtra, type Signed } from '../admin-context.ts';
import { addChannelAccount, adminChatText, removeChannelAccount, setBotAdminChat } from '../../../channels/bot-accounts.ts';
import { oaQuotaUsage } from '../../../channels/oa-quota.ts';
import { saveOaMonthlyQuota, saveOaTagVillage } from '../../../channels/oa-broadcast-settings.ts';
import { startOaConnect } from '../../../channels/zalo-oa-connect.ts';
import { ZALO_OA_CALLBACK_PATH } from '../../plugins/zalo-oa-connect-routes.ts';
import { accountPlatform, accountStatus, endpointLabel, protocolLabel, targetLabel } from '../labels.ts';

const FIELD_LABEL: Record<string, string> = { name: 'Tên', protocol: 'Giao thức', baseUrl: 'Địa chỉ', secret: 'Khóa bí mật', villageId: 'Thôn', volume: 'Âm lượng', bitrateKbps: 'Chất lượng âm thanh', pullMode: 'Tự lấy bản tin', active: 'Đang nhận' };
const DONE: Record<string, string> = { 'them-loa': 'Đã thêm cụm loa.', 'sua-loa': 'Đã lưu cụm loa.', 'sua-nhom': 'Đã lưu nhóm.', 'them-tk': 'Đã thêm tài khoản; bot bắt đầu nhận tin khi tiến trình bots nạp lại.', 'go-tk': 'Đã gỡ tài khoản.', 'nhom-qt': 'Đã lưu nhóm quản trị của bot.', 'han-muc': 'Đã lưu hạn mức tin truyền thông của Zalo OA.', nhan: 'Đã lưu nhãn người theo dõi.' };
// Zalo lets an OA answer a resident (tin tư vấn) only within 7 days of the resident's last message.
const OA_WINDOW_MS = 7 * 86_400_000;
// The page lists the conversations closest to closing; the rest are counted.
const WINDOW_ROWS = 50;

export function targetsRoutes(app: FastifyInstance, ctx: AdminContext) {
  const { prisma } = ctx;
  const isAdmin = (who: Signed) => who.staff.communeId !== null && who.staff.roles.includes('admin');

  app.get<{ Querystring: { da?: string } }>('/admin/cum-loa', async (req, reply) => {
    const who = await ctx.guard(req, reply);
    if (!who) return reply;
    const communeId = who.staff.communeId;
    if (!communeId) return ctx.page(reply, 'dashboard-empty', { title: 'Cụm loa & nhóm' }, who, '/admin/cum-loa');
    return showPage(reply, who, { notice: req.query.da ? DONE[req.query.da] : undefined });
  });

  /** Each OA's broadcast quota of today and the answer window of its residents' conversations. */
  async function oaDetails(ids: string[]) {
    const now = new Date();
    const quotas = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await oaQuotaUsage(prisma, id, now)] as const)));
    const tags = await prisma.oaTagVillage.findMany({ where: { channelAccountId: { in: ids } }, orderBy: { tag: 'asc' }, include: { village: { select: { name: true } } } });
    const tagVillages = Object.fromEntries(ids.map((id) => [id, tags.filter((t) => t.channelAccountId === id).map((t) => ({ tag: t.tag, village: t.village.name }))]));
    if (ids.length === 0) return { quotas, tagVillages, windows: [], windowsMore: 0 };
    const last = await prisma.inboundMessage.groupBy({ by: ['channelAccountId', 'platformUserId'], where: { channel: 'zalo_oa', channelAccountId: { in: ids }, receivedAt: { gt: new Date(now.getTime() - OA_WINDOW_MS) } }, _max: { receivedAt: true } });
    last.sort((a, b) => a._max.receivedAt!.getTime() - b._max.receivedAt!.getTime());
    const shown = last.slice(0, WINDOW_ROWS);
    // Names only from this commune's own OA accounts: a follower id met through another OA is another person's.
    const names = await prisma.residentIdentity.findMany({ where: { platform: 'zalo_oa', channelAccountId: { in: ids }, platformUserId: { in: shown.map((w) => w.platformUserId) } }, select: { channelAccountId: true, platformUserId: true, displayName: true } });
    const nameOf = new Map(names.map((n) => [`${n.channelAccountId} ${n.platformUserId}`, n.displayName]));
    const windows = shown.map((w) => {
      const closesAt = new Date(w._max.receivedAt!.getTime() + OA_WINDOW_MS);
      const hours = Math.max(0, Math.floor((closesAt.getTime() - now.getTime()) / 3_600_000));
      return { accountId: w.channelAccountId, who: nameOf.get(`${w.channelAccountId} ${w.platformUserId}`) ?? `người dân …${w.platformUserId.slice(-4)}`, lastAt: w._max.receivedAt!, closesAt, remaining: hours >= 24 ? `${Math.floor(hours / 24)} ngày ${hours % 24} giờ` : `${hours} giờ` };
    });
    return { quotas, tagVillages, windows, windowsMore: last.length - shown.length };
  }

  /** Only the commune's admins edit; others get the refusal page (and the attempt is audited). */
  async function adminOnly(req: FastifyRequest, reply: FastifyReply): Promise<(Signed & { staff: { communeId: string } }) | undefined> {
    const who = await ctx.guard(req, reply);
    if (!who) return undefined;
    if (!isAdmin(who)) {
      await ctx.auditRefused(req, who, 'Endpoint', null, { url: req.url.slice(0, 200) });
      await ctx.forbidden(reply, who, '/admin/cum-loa');
      return undefined;
    }
    return who as Signed & { staff: { communeId: string } };
  }

  async function endpointForm(reply: FastifyReply, who: Signed, v: Record<string, string>, id: string | undefined, extra: PageExtra = {}) {
    const villages = await prisma.village.findMany({ where: { communeId: who.staff.communeId! }, orderBy: { sortOrder: 'asc' } });
    if (extra.status) reply.code(extra.status);
    return ctx.page(reply, 'endpoint-form', { title: id ? 'Sửa cụm loa' : 'Thêm cụm loa', id, v, villages, ...extra }, who, '/admin/cum-loa');
  }

  /** The form's fields as the domain's input; empty fields mean "not given" (a kept secret). */
  function endpointFields(req: FastifyRequest) {
    const f = formOf(req);
    const v = { name: f.one('name', 200), protocol: f.one('protocol', 20), baseUrl: f.one('baseUrl', 500).trim(), villageId: f.one('villageId', 40), volume: f.one('volume', 5), bitrateKbps: f.one('bitrateKbps', 5), pullMode: f.one('pullMode', 5) };
    const secret = f.one('secret', 300);
    const input = {
      name: v.name,
      ...(v.protocol ? { protocol: v.protocol } : {}),
      baseUrl: v.baseUrl,
      ...(secret ? { secret } : {}),
      villageId: pickId(v.villageId) ?? null,
      volume: v.volume === '' ? null : Number(v.volume),
      pullMode: v.pullMode === '1',
      ...(v.bitrateKbps ? { bitrateKbps: Number(v.bitrateKbps) } : {}),
    };
    return { v, input };
  }

  /** The schema's first complaint, in Vietnamese, naming the form field. */
  function invalid(issues: Array<{ path: PropertyKey[]; message: string }>): string {
    const i = issues[0]!;
    const field = String(i.path[0] ?? '');
    return `${FIELD_LABEL[field] ?? field}: ${field === 'volume' ? 'từ 0 đến 100' : field === 'baseUrl' ? 'cần địa chỉ http(s)://…' : field === 'secret' ? 'ít nhất 8 ký tự' : field === 'name' ? 'cần có, tối đa 100 ký tự' : 'không hợp lệ'}.`;
  }

  app.get('/admin/cum-loa/loa/moi', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    return endpointForm(reply, who, { protocol: 'loaxa_http', bitrateKbps: '64' }, undefined);
  });

  app.get<{ Params: { id: string } }>('/admin/cum-loa/loa/:id', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    const e = UUID.test(req.params.id) ? await prisma.endpoint.findFirst({ where: { id: req.params.id, communeId: who.staff.communeId }, omit: { secretEnc: true } }) : null;
    if (!e) return ctx.notFound(reply, who);
    return endpointForm(reply, who, { name: e.name, protocol: e.protocol, baseUrl: e.baseUrl ?? '', villageId: e.villageId ?? '', volume: e.volume === null ? '' : String(e.volume), bitrateKbps: String(e.bitrateKbps), pullMode: e.pullMode ? '1' : '' }, e.id);
  });

  app.post<{ Params: { id: string } }>('/admin/cum-loa/loa/:id', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    const creating = req.params.id === 'moi';
    const id = creating ? undefined : req.params.id;
    if (id && !UUID.test(id)) return ctx.notFound(reply, who);
    const { v, input } = endpointFields(req);
    if (!ctx.checkCsrf(req, who)) return endpointForm(reply, who, v, id, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    const c = { prisma, encryptionKey: ctx.opts.encryptionKey, staff: who.staff, ip: req.ip };
    try {
      if (creating) {
        const parsed = endpointInput.safeParse(input);
        if (!parsed.success) return endpointForm(reply, who, v, id, { error: invalid(parsed.error.issues), status: 400 });
        await createEndpoint(c, parsed.data);
      } else {
        const current = await prisma.endpoint.findFirst({ where: { id: id!, communeId: who.staff.communeId } });
        if (!current) return ctx.notFound(reply, who);
        // A simulator keeps its protocol and address; only name, village, volume change.
        const { protocol: _p, baseUrl: _b, ...rest } = input;
        const parsed = endpointInput.partial().safeParse(current.protocol === 'simulator' ? rest : input);
        if (!parsed.success) return endpointForm(reply, who, v, id, { error: invalid(parsed.error.issues), status: 400 });
        await updateEndpoint(c, id!, parsed.data);
      }
    } catch (e) {
      if (isAppError(e)) return endpointForm(reply, who, v, id, { error: e.userMessage, status: e.status });
      throw e;
    }
    return reply.redirect(`/admin/cum-loa?da=${creating ? 'them-loa' : 'sua-loa'}`, 303);
  });

  async function targetForm(reply: FastifyReply, who: Signed, id: string, v: Record<string, string> | undefined, extra: PageExtra = {}) {
    const t = await prisma.target.findFirst({ where: { id, communeId: who.staff.communeId! } });
    if (!t) return ctx.notFound(reply, who);
    const villages = await prisma.village.findMany({ where: { communeId: who.staff.communeId! }, orderBy: { sortOrder: 'asc' } });
    if (extra.status) reply.code(extra.status);
    return ctx.page(reply, 'target-form', { title: 'Sửa nhóm', t, v: v ?? { name: t.name, villageId: t.villageId ?? '', active: t.status === 'active' ? '1' : '' }, villages, ...extra }, who, '/admin/cum-loa');
  }

  app.get<{ Params: { id: string } }>('/admin/cum-loa/nhom/:id', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    if (!UUID.test(req.params.id)) return ctx.notFound(reply, who);
    return targetForm(reply, who, req.params.id, undefined);
  });

  app.post<{ Params: { id: string } }>('/admin/cum-loa/nhom/:id', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    const id = req.params.id;
    if (!UUID.test(id)) return ctx.notFound(reply, who);
    const f = formOf(req);
    const v = { name: f.one('name', 200), villageId: f.one('villageId', 40), active: f.one('active', 5) };
    if (!ctx.checkCsrf(req, who)) return targetForm(reply, who, id, v, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.', status: 403 });
    const parsed = targetInput.safeParse({ name: v.name, villageId: pickId(v.villageId) ?? null, active: v.active === '1' });
    if (!parsed.success) return targetForm(reply, who, id, v, { error: invalid(parsed.error.issues), status: 400 });
    try {
      await updateTarget({ prisma, staff: who.staff, ip: req.ip }, id, parsed.data);
    } catch (e) {
      if (isAppError(e)) return targetForm(reply, who, id, v, { error: e.userMessage, status: e.status });
      throw e;
    }
    return reply.redirect('/admin/cum-loa?da=sua-nhom', 303);
  });

  /** Telegram bot or Zalo Bot by its token (checked with getMe before it is stored). */
  app.post('/admin/cum-loa/tai-khoan', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    const f = formOf(req);
    const v = { platform: f.one('platform', 20), token: f.one('token', 200), adminChatId: f.one('adminChatId', 40) };
    const back = (error: string, status: number) => { reply.code(status); return showPage(reply, who, { error }); };
    if (!ctx.checkCsrf(req, who)) return back('Biểu mẫu đã hết hạn, xin gửi lại.', 403);
    if (v.platform !== 'telegram' && v.platform !== 'zalo-bot') return back('Chọn Telegram hoặc Zalo Bot.', 400);
    const checkToken = ctx.opts.channelSetup?.checkToken;
    if (!checkToken) return back('Máy chủ web này không kiểm tra được mã bot; dùng lệnh loaxa channels add.', 409);
    try {
      await addChannelAccount({ prisma, key: ctx.opts.encryptionKey, checkToken }, { communeId: who.staff.communeId, platform: v.platform, token: v.token, ...(v.platform === 'telegram' && v.adminChatId.trim() ? { adminChatId: v.adminChatId } : {}), actor: { staffId: who.staff.id, ip: req.ip } });
    } catch (e) {
      if (isAppError(e)) return back(e.userMessage, e.status);
      throw e;
    }
    return reply.redirect('/admin/cum-loa?da=them-tk', 303);
  });

  app.post<{ Params: { id: string } }>('/admin/cum-loa/tai-khoan/:id/go', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    if (!UUID.test(req.params.id)) return ctx.notFound(reply, who);
    if (!ctx.checkCsrf(req, who)) { reply.code(403); return showPage(reply, who, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.' }); }
    try {
      await removeChannelAccount(prisma, { accountId: req.params.id, communeId: who.staff.communeId, actor: { staffId: who.staff.id, ip: req.ip } });
    } catch (e) {
      if (isAppError(e) && e.status === 404) return ctx.notFound(reply, who);
      throw e;
    }
    return reply.redirect('/admin/cum-loa?da=go-tk', 303);
  });

  /** The admin chat of a Telegram bot: set, changed or (empty) taken off; no restart. */
  app.post<{ Params: { id: string } }>('/admin/cum-loa/tai-khoan/:id/nhom-quan-tri', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    if (!UUID.test(req.params.id)) return ctx.notFound(reply, who);
    const back = (error: string, status: number) => { reply.code(status); return showPage(reply, who, { error }); };
    if (!ctx.checkCsrf(req, who)) return back('Biểu mẫu đã hết hạn, xin gửi lại.', 403);
    try {
      await setBotAdminChat(prisma, { accountId: req.params.id, communeId: who.staff.communeId, adminChatId: formOf(req).one('adminChatId', 40), actor: { staffId: who.staff.id, ip: req.ip } });
    } catch (e) {
      if (isAppError(e) && e.status === 404) return ctx.notFound(reply, who);
      if (isAppError(e)) return back(e.userMessage, e.status);
      throw e;
    }
    return reply.redirect('/admin/cum-loa?da=nhom-qt', 303);
  });

  /** "Kết nối Zalo OA": stores the app's keys and sends the admin to Zalo's consent page (OAuth v4 + PKCE). */
  app.post('/admin/cum-loa/zalo-oa', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    const f = formOf(req);
    const v = { account: f.one('account', 60).trim(), appId: f.one('appId', 40).trim(), appSecret: f.one('appSecret', 200).trim(), oaSecret: f.one('oaSecret', 200).trim() };
    if (!ctx.checkCsrf(req, who)) { reply.code(403); return showPage(reply, who, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.' }); }
    const bad = !/^[a-z0-9][a-z0-9_-]{0,39}$/.test(v.account) ? 'Tên trong hệ thống: chữ thường không dấu (ví dụ oa-xa).' : !/^\d{5,25}$/.test(v.appId) ? 'Mã ứng dụng (App ID) là một dãy số.' : v.appSecret.length < 8 || v.oaSecret.length < 8 ? 'Khóa bí mật của ứng dụng và của OA: ít nhất 8 ký tự.' : undefined;
    if (bad) { reply.code(400); return showPage(reply, who, { error: bad }); }
    const setup = ctx.opts.channelSetup?.zaloOa;
    const base = setup?.publicBaseUrl?.replace(/\/$/, '');
    if (!base?.startsWith('https://')) { reply.code(409); return showPage(reply, who, { error: 'Cần đặt PUBLIC_BASE_URL (https://…) để Zalo gọi lại máy chủ khi kết nối OA.' }); }
    try {
      const { authorizeUrl } = await startOaConnect(prisma, ctx.opts.encryptionKey, { staffId: who.staff.id, communeId: who.staff.communeId, ...v, redirectUri: `${base}${ZALO_OA_CALLBACK_PATH}`, ...(setup?.oauthRoot ? { oauthRoot: setup.oauthRoot } : {}) });
      return reply.redirect(authorizeUrl, 303);
    } catch (e) {
      if (isAppError(e)) { reply.code(e.status); return showPage(reply, who, { error: e.userMessage }); }
      throw e;
    }
  });

  /** The OA package's monthly broadcast quota; the form's number as typed (2.000 = 2000). */
  app.post<{ Params: { id: string } }>('/admin/cum-loa/zalo-oa/:id/han-muc', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    if (!UUID.test(req.params.id)) return ctx.notFound(reply, who);
    if (!ctx.checkCsrf(req, who)) { reply.code(403); return showPage(reply, who, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.' }); }
    try {
      await saveOaMonthlyQuota(prisma, { actor: { staffId: who.staff.id, communeId: who.staff.communeId, ip: req.ip }, channelAccountId: req.params.id, monthlyLimit: formOf(req).one('monthlyLimit', 40) });
    } catch (e) {
      if (isAppError(e) && e.status === 404) return ctx.notFound(reply, who);
      if (isAppError(e)) { reply.code(e.status); return showPage(reply, who, { error: e.userMessage }); }
      throw e;
    }
    return reply.redirect('/admin/cum-loa?da=han-muc', 303);
  });

  /** A follower tag → village (no village chosen: the tag is taken off its village). */
  app.post<{ Params: { id: string } }>('/admin/cum-loa/zalo-oa/:id/nhan', async (req, reply) => {
    const who = await adminOnly(req, reply);
    if (!who) return reply;
    if (!UUID.test(req.params.id)) return ctx.notFound(reply, who);
    if (!ctx.checkCsrf(req, who)) { reply.code(403); return showPage(reply, who, { error: 'Biểu mẫu đã hết hạn, xin gửi lại.' }); }
    const f = formOf(req);
    const village = f.one('villageId', 40);
    if (village !== '' && !pickId(village)) { reply.code(400); return showPage(reply, who, { error: 'Thôn: không có trong xã này' }); }
    try {
      await saveOaTagVillage(prisma, { actor: { staffId: who.staff.id, communeId: who.staff.communeId, ip: req.ip }, channelAccountId: req.params.id, tag: f.one('tag', 200), villageId: pickId(village) ?? null });
    } catch (e) {
      if (isAppError(e) && e.status === 404) return ctx.notFound(reply, who);
      if (isAppError(e)) { reply.code(e.status); return showPage(reply, who, { error: e.userMessage }); }
      throw e;
    }
    return reply.redirect('/admin/cum-loa?da=nhan', 303);
  });

  /** The page, with a notice or (after a refused form) the refusal on top; a typed token is never echoed back. */
  async function showPage(reply: FastifyReply, who: Signed, m: { notice?: string | undefined; error?: string }) {
    const communeId = who.staff.communeId!;
    const [endpoints, targets, accounts] = await Promise.all([
      prisma.endpoint.findMany({ where: { communeId }, orderBy: { name: 'asc' }, include: { village: true }, omit: { secretEnc: true } }),
      prisma.target.findMany({ where: { communeId }, orderBy: { name: 'asc' }, include: { village: true } }),
      prisma.channelAccount.findMany({ where: { communeId }, orderBy: [{ platform: 'asc' }, { name: 'asc' }], omit: { credentialsEnc: true } }),
    ]);
    const admin = isAdmin(who);
    const villages = admin ? await prisma.village.findMany({ where: { communeId }, orderBy: { sortOrder: 'asc' }, select: { id: true, name: true } }) : [];
    const extra = await oaDetails(accounts.filter((a) => a.platform === 'zalo_oa' && a.status !== 'inactive').map((a) => a.id));
    // Bots added here or by `loaxa channels add` (token stored) take an admin chat from this page; the
    // TELEGRAM_BOT_TOKEN bot takes TELEGRAM_ADMIN_CHAT_ID from the settings.
    const stored = admin ? await prisma.channelAccount.findMany({ where: { communeId, platform: 'telegram', credentialsEnc: { not: null }, status: { not: 'inactive' } }, select: { id: true, settings: true } }) : [];
    const botChats = Object.fromEntries(stored.map((a) => [a.id, adminChatText(a.settings) ?? '']));
    return ctx.page(reply, 'targets', { title: 'Cụm loa & nhóm', scripts: admin ? ['zalo-login.js'] : [], admin, ...m, endpoints, targets, accounts, botChats, villages, ...extra, protocolLabel, endpointLabel, targetLabel, accountStatus, accountPlatform, ...fmt }, who, '/admin/cum-loa');
  }
}
