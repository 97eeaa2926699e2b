// The HTTP API for bulletins, used by the web admin and by higher-level systems: validated input,
// precise errors, role checks in the domain. Staff authenticate with a session (Bearer token, or
// the cookie plus an X-CSRF-Token header for changes); province systems with X-Api-Key.
import { subscriberAudienceName, subscriberDeliveryCounts } from '../../subscriptions/subscriber-audience.ts';
import cookie from '@fastify/cookie';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import { communeScope, readableIds } from '../../auth/commune-scope.ts';
import { apiKeyActor, apiKeyCommunes, sessionFromToken, signIn, signOut, type ApiKeyActor, type SessionActor } from '../../auth/staff-sessions.ts';
import { createBulletinWorkflow } from '../../bulletins/bulletin-workflow.ts';
import { scheduleAtNextSlot, scheduleBulletin } from '../../bulletins/bulletin-schedule.ts';
import { sendApprovedNow, sendBulletinNow } from '../../bulletins/send-now.ts';
import { announceQaSchedule, createQaBulletin, QA_MAX_ITEMS } from '../../bulletins/qa-bulletin.ts';
import { queueOneOff } from '../../../broadcasts/schedule/scheduler.ts';
import { registerBulletinAudioRoutes, type BulletinAudioOptions } from './bulletin-audio-routes.ts';
import { registerTargetAdminRoutes } from './target-admin-routes.ts';
import { registerProvinceBulletinRoutes } from './province-bulletin-routes.ts';
import { registerChannelAccountRoutes } from './channel-account-routes.ts';
import { registerZaloQrLoginRoutes, type ZaloQrLogin } from './zalo-qr-login-routes.ts';
import type { ChannelDirectory } from '../../channels/channel-directory.ts';
import type { Enqueue } from '../../tickets/ticket-deps.ts';
import { announceSubmitted } from '../../bulletins/bulletin-admin-chat.ts';
import { changePassword } from '../../auth/change-password.ts';
import { sameSecret } from '../../auth/same-secret.ts';
import { enforceLimits, registerLimitStore, type LimitStore } from '../request-limits.ts';
import { loginLimits } from '../login-limits.ts';
import { registerZaloOaCallbackRoute, registerZaloOaConnectRoutes, type ZaloOaConnectOptions } from './zalo-oa-connect-routes.ts';

export interface BulletinApiOptions {
  prisma: PrismaClient;
  enqueue: Enqueue;
  secureCookies: boolean;
  /** Recording uploads and previews; absent where no ffmpeg is configured (tests of the rest). */
  audio?: BulletinAudioOptions;
  /** Seals loudspeaker secrets; without it, clusters cannot be given one. */
  encryptionKey?: Buffer | undefined;
  /** This process's channels, for group discovery of Zalo accounts. */
  channels?: ChannelDirectory;
  /** QR login of Zalo accounts from the web admin (zca-js in production, a fake in tests). */
  zaloQrLogin?: ZaloQrLogin;
  /** "Kết nối Zalo OA" (OAuth v4 + PKCE); the callback is public, the start needs an admin. */
  zaloOa?: ZaloOaConnectOptions;
  /** Redis for the sign-in limits per address and network (every replica shares them). */
  limits?: LimitStore;
  /** SESSION_IDLE_MINUTES. */
  sessionIdleMinutes?: number;
}

const SESSION_COOKIE = 'lx_session';
const MUST_CHANGE_ALLOWED = new Set(['/api/v1/auth/password', '/api/v1/auth/logout']);
const classSchema = z.enum(['normal', 'priority', 'emergency']);
const createBody = z.object({
  title: z.string().min(1).max(200),
  text: z.string().min(1).max(20_000),
  class: classSchema.optional(),
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
const editBody = createBody.partial().refine((b) => Object.keys(b).length > 0, 'cần ít nhất một trường');
const scheduleBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('once'), runAt: z.iso.datetime({ offset: true }) }),
  z.object({
    kind: z.literal('recurring'),
    slotId: z.uuid().optional(),
    timeOfDay: z.string().optional(),
    daysOfWeek: z.array(z.number().int()).optional(),
    startsOn: z.string().optional(),
    endsOn: z.string().optional(),
  }),
]);
const idParams = z.object({ id: z.uuid() });
// Residents subscribed over the bot, of these villages (none: every village) and topics (none: every topic).
const subscribersBody = z.object({ villageIds: z.array(z.uuid()).max(500).optional(), topics: z.array(z.string().max(40)).max(50).optional() }).strict();
const qaBody = z.object({
  tickets: z.array(z.object({ code: z.string().min(1).max(40), question: z.string().max(2000).optional(), answer: z.string().max(2000).optional() }).strict()).min(1).max(QA_MAX_ITEMS),
}).strict();
const audienceBody = z.union([
  z.object({ all: z.literal(true), subscribers: subscribersBody.optional() }).strict(),
  z
    .object({
      all: z.literal(false).optional(),
      villageIds: z.array(z.uuid()).max(500).optional(),
      targetIds: z.array(z.uuid()).max(5000).optional(),
      endpointIds: z.array(z.uuid()).max(5000).optional(),
      subscribers: subscribersBody.optional(),
    })
    .strict(),
]);

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new AppError('VALIDATION', `Dữ liệu không hợp lệ: ${issue.path.join('.') || 'nội dung'} — ${issue.message}`, { field: issue.path.join('.') });
  }
  return r.data;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor?: SessionActor | ApiKeyActor;
  }
}

export const bulletinApiPlugin: FastifyPluginAsync<BulletinApiOptions> = async (app, opts) => {
  const { prisma } = opts;
  const wf = createBulletinWorkflow(prisma);
  await app.register(cookie);
  if (opts.limits) await registerLimitStore(app, opts.limits);
  const loginLimit = opts.limits ? enforceLimits(app, loginLimits) : undefined;

  app.post('/api/v1/auth/login', { bodyLimit: 4096, ...(loginLimit ? { preHandler: loginLimit } : {}) }, async (req, reply) => {
    const body = parse(z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }), req.body);
    const s = await signIn(prisma, { username: body.username, password: body.password, ip: req.ip, ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}) });
    reply.setCookie(SESSION_COOKIE, s.token, { path: '/', httpOnly: true, sameSite: 'lax', secure: opts.secureCookies, expires: s.expiresAt });
    return { token: s.token, csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString(), staff: s.staff };
  });

  async function authenticate(req: FastifyRequest): Promise<SessionActor | ApiKeyActor> {
    const key = req.headers['x-api-key'];
    if (typeof key === 'string') {
      const a = await apiKeyActor(prisma, key);
      if (!a) throw new AppError('UNAUTHENTICATED', 'Khóa API không hợp lệ hoặc đã bị thu hồi.');
      return a;
    }
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? req.cookies[SESSION_COOKIE];
    const s = token ? await sessionFromToken(prisma, token, new Date(), opts.sessionIdleMinutes) : undefined;
    if (!s) throw new AppError('UNAUTHENTICATED');
    // A cookie is sent by the browser on its own: changes through it need the CSRF token too.
    if (!bearer && req.method !== 'GET' && !sameSecret(req.headers['x-csrf-token'], s.csrfToken)) throw new AppError('FORBIDDEN', 'Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token).');
    return s;
  }

  const staffOnly = (req: FastifyRequest): { staffId: string; ip: string } => {
    if (req.actor?.kind !== 'staff') throw new AppError('FORBIDDEN', 'Thao tác này chỉ dành cho cán bộ của xã.');
    return { staffId: req.actor.staffId, ip: req.ip };
  };

  /** Communes the caller may read: a key's commune or province; a person's (src/auth/commune-scope.ts). */
  async function readableCommunes(req: FastifyRequest): Promise<string[]> {
    if (req.actor!.kind === 'api') return apiKeyCommunes(prisma, req.actor!);
    return readableIds(await communeScope(prisma, await prisma.staff.findUniqueOrThrow({ where: { id: req.actor!.staffId } })));
  }
  async function assertCanRead(req: FastifyRequest, communeId: string): Promise<void> {
    // Another commune's id answers like a missing one: ids are not a way to probe.
    if (!(await readableCommunes(req)).includes(communeId)) throw new AppError('NOT_FOUND', 'Không tìm thấy bản tin.');
  }

  if (opts.zaloOa) registerZaloOaCallbackRoute(app, { prisma, encryptionKey: opts.encryptionKey, zaloOa: opts.zaloOa });

  app.register(async (api) => {
    api.addHook('preHandler', async (req) => {
      req.actor = await authenticate(req);
      // A temporary password (printed by the demo seed, or set by an admin) is known to others:
      // until its owner replaces it, the session may only do that, or sign out.
      if (req.actor.kind === 'staff' && req.actor.mustChangePassword && !MUST_CHANGE_ALLOWED.has(req.routeOptions.url ?? '')) {
        throw new AppError('FORBIDDEN', 'Tài khoản cần đổi mật khẩu lần đầu (POST /api/v1/auth/password) trước khi dùng API.');
      }
    });

    api.post('/api/v1/auth/password', { bodyLimit: 4096 }, async (req, reply) => {
      const body = parse(z.object({ current: z.string().max(1000), next: z.string().max(1000) }), req.body);
      const { staffId } = staffOnly(req);
      await changePassword(prisma, { staffId, sessionId: (req.actor as SessionActor).sessionId, current: body.current, next: body.next, ip: req.ip });
      reply.code(204);
      return null;
    });

    registerTargetAdminRoutes(api, { prisma, encryptionKey: opts.encryptionKey, parse, staffOnly });
    registerProvinceBulletinRoutes(api, { prisma, enqueue: opts.enqueue, audio: opts.audio, parse, staffOnly });
    registerChannelAccountRoutes(api, { prisma, channels: opts.channels, parse, staffOnly });
    if (opts.zaloOa) registerZaloOaConnectRoutes(api, { prisma, encryptionKey: opts.encryptionKey, zaloOa: opts.zaloOa, parse, staffOnly });
    if (opts.zaloQrLogin) registerZaloQrLoginRoutes(api, { prisma, encryptionKey: opts.encryptionKey, qrLogin: opts.zaloQrLogin, parse, staffOnly });
    if (opts.audio) registerBulletinAudioRoutes(api, { prisma, wf, audio: opts.audio, parse, staffOnly: (r) => staffOnly(r as FastifyRequest) });

    api.post('/api/v1/auth/logout', async (req, reply) => {
      if (req.actor?.kind === 'staff') await signOut(prisma, req.actor.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.code(204);
      return null;
    });

    api.get('/api/v1/bulletins', async (req) => {
      const q = parse(z.object({ status: z.string().optional() }), req.query);
      const communeIds = await readableCommunes(req);
      const rows = await prisma.bulletin.findMany({
        where: { communeId: { in: communeIds }, ...(q.status ? { status: q.status as never } : {}) },
        orderBy: { createdAt: 'desc' },
        take: 200,
        select: { id: true, title: true, class: true, status: true, revision: true, approvedRevision: true, createdAt: true, expiresAt: true },
      });
      return { bulletins: rows };
    });

    api.post('/api/v1/bulletins', { bodyLimit: 64 * 1024 }, async (req, reply) => {
      const body = parse(createBody, req.body);
      const input = { title: body.title, text: body.text, ...(body.class ? { class: body.class } : {}), ...(body.language ? { language: body.language } : {}), ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt) } : {}) };
      reply.code(201);
      if (req.actor!.kind === 'api') {
        const b = await wf.receiveFromSource(req.actor!, input);
        // Emergencies from above go out at once; priority ones at the commune's next slot (at once
        // when it has none); normal ones wait for the commune to schedule them.
        if (b.class === 'emergency') return { bulletin: b, run: await sendNow(b.id) };
        if (b.class === 'priority') {
          const schedule = await scheduleAtNextSlot(prisma, b.id);
          if (!schedule) return { bulletin: b, run: await sendNow(b.id) };
          await queueOneOff(opts.enqueue, schedule);
          return { bulletin: await prisma.bulletin.findUniqueOrThrow({ where: { id: b.id } }), schedule };
        }
        return { bulletin: b };
      }
      const staff = await prisma.staff.findUniqueOrThrow({ where: { id: req.actor!.staffId } });
      if (!staff.communeId) throw new AppError('FORBIDDEN', 'Tài khoản cấp tỉnh chỉ được xem bản tin của xã.');
      return { bulletin: await wf.createDraft(staffOnly(req), { communeId: staff.communeId, ...input }) };
    });

    api.patch('/api/v1/bulletins/:id', { bodyLimit: 64 * 1024 }, async (req) => {
      const { id } = parse(idParams, req.params);
      const body = parse(editBody, req.body);
      return {
        bulletin: await wf.edit(staffOnly(req), id, {
          ...(body.title !== undefined ? { title: body.title } : {}),
          ...(body.text !== undefined ? { text: body.text } : {}),
          ...(body.language !== undefined ? { language: body.language } : {}),
          ...(body.class !== undefined ? { class: body.class } : {}),
          ...(body.expiresAt !== undefined ? { expiresAt: new Date(body.expiresAt) } : {}),
        }),
      };
    });

    /** One bulletin whole: its current versions, audience, schedules, approvals. */
    api.get('/api/v1/bulletins/:id', async (req) => {
      const { id } = parse(idParams, req.params);
      const b = await prisma.bulletin.findUnique({
        where: { id },
        include: {
          audiences: { include: { village: { select: { name: true } }, target: { select: { name: true, kind: true } }, endpoint: { select: { name: true } } } },
          schedules: { where: { active: true }, orderBy: { createdAt: 'asc' } },
          approvals: { orderBy: { createdAt: 'asc' }, include: { approver: { select: { displayName: true } } } },
        },
      });
      if (!b) throw new AppError('NOT_FOUND', 'Không tìm thấy bản tin.');
      await assertCanRead(req, b.communeId);
      const versions = await prisma.bulletinVersion.findMany({ where: { bulletinId: id, revision: b.revision }, orderBy: { language: 'asc' } });
      return {
        bulletin: { id: b.id, communeId: b.communeId, title: b.title, class: b.class, status: b.status, revision: b.revision, approvedRevision: b.approvedRevision, expiresAt: b.expiresAt, createdAt: b.createdAt, fromApiKey: b.apiKeyId !== null, fromProvince: b.provinceBulletinId !== null },
        versions: versions.map((v) => ({ language: v.language, text: v.text, audioSha256: v.audioSha256, renderedDurationMs: v.renderedDurationMs, frozen: v.frozenAt !== null })),
        audience: b.audiences.map((a) => ({
          kind: a.kind,
          id: a.villageId ?? a.targetId ?? a.endpointId,
          ...(a.kind === 'subscribers' ? { topic: a.topicCode } : {}),
          name: a.kind === 'subscribers' ? subscriberAudienceName(a.village?.name ?? null, a.topicCode) : (a.village?.name ?? a.target?.name ?? a.endpoint?.name ?? 'Tất cả'),
        })),
        schedules: b.schedules,
        approvals: b.approvals.map((a) => ({ revision: a.revision, decision: a.decision, comment: a.comment, by: a.approver?.displayName ?? null, at: a.createdAt })),
      };
    });

    api.put('/api/v1/bulletins/:id/audience', { bodyLimit: 256 * 1024 }, async (req) => {
      const { id } = parse(idParams, req.params);
      const count = await wf.setAudience(staffOnly(req), id, parse(audienceBody, req.body));
      return { audience: count };
    });

    /** Where a commune's bulletins can go: villages, Telegram/Zalo groups and loudspeakers, with health. */
    api.get('/api/v1/targets', async (req) => {
      const communeIds = await readableCommunes(req);
      const [villages, targets, endpoints] = await Promise.all([
        prisma.village.findMany({ where: { communeId: { in: communeIds } }, orderBy: { name: 'asc' }, select: { id: true, communeId: true, name: true } }),
        prisma.target.findMany({ where: { communeId: { in: communeIds } }, orderBy: { name: 'asc' }, select: { id: true, communeId: true, villageId: true, kind: true, name: true, status: true, statusReason: true, lastDeliveryAt: true } }),
        prisma.endpoint.findMany({ where: { communeId: { in: communeIds } }, orderBy: { name: 'asc' }, select: { id: true, communeId: true, villageId: true, name: true, protocol: true, status: true, statusReason: true, lastHeartbeatAt: true, lastPlaybackAt: true, volume: true } }),
      ]);
      return { villages, targets, endpoints };
    });

    /** "Dân hỏi – Lãnh đạo trả lời": a bulletin draft from answered tickets (codes), words editable. */
    api.post('/api/v1/bulletins/qa', { bodyLimit: 64 * 1024 }, async (req, reply) => {
      const body = parse(qaBody, req.body);
      const actor = staffOnly(req);
      const staff = await prisma.staff.findUniqueOrThrow({ where: { id: actor.staffId } });
      if (!staff.communeId) throw new AppError('FORBIDDEN', 'Chỉ cán bộ của xã mới lập được chuyên mục của xã.');
      const bulletin = await createQaBulletin(prisma, { actor, communeId: staff.communeId, picks: body.tickets });
      reply.code(201);
      return { bulletin };
    });

    api.post('/api/v1/bulletins/:id/submit', async (req) => {
      const bulletin = await wf.submit(staffOnly(req), parse(idParams, req.params).id);
      // Approvers hear of it in the admin chat, with the Duyệt / Từ chối buttons.
      for (const e of await announceSubmitted(prisma, bulletin.id)) await opts.enqueue(e.def, e.data as never, e.jobId ? { jobId: e.jobId } : undefined);
      return { bulletin };
    });
    api.post('/api/v1/bulletins/:id/approve', async (req) => {
      const body = parse(z.object({ comment: z.string().max(1000).optional() }).optional(), req.body ?? undefined);
      return { bulletin: await wf.approve(staffOnly(req), parse(idParams, req.params).id, body?.comment) };
    });
    api.post('/api/v1/bulletins/:id/reject', async (req) => {
      const body = parse(z.object({ comment: z.string().min(1).max(1000) }), req.body);
      return { bulletin: await wf.reject(staffOnly(req), parse(idParams, req.params).id, body.comment) };
    });
    api.post('/api/v1/bulletins/:id/cancel', async (req) => ({ bulletin: await wf.cancel(staffOnly(req), parse(idParams, req.params).id) }));

    api.post('/api/v1/bulletins/:id/schedules', async (req, reply) => {
      const { id } = parse(idParams, req.params);
      const body = parse(scheduleBody, req.body);
      const schedule = await scheduleBulletin(prisma, staffOnly(req), id, body.kind === 'once' ? { kind: 'once', runAt: new Date(body.runAt) } : { ...body, kind: 'recurring' } as never);
      await queueOneOff(opts.enqueue, schedule);
      await announceQaSchedule(prisma, opts.enqueue, { schedule, staffId: staffOnly(req).staffId });
      reply.code(201);
      return { schedule };
    });

    /** An approver sends an approved bulletin now (emergencies: the moment they are approved). */
    api.post('/api/v1/bulletins/:id/send-now', async (req, reply) => {
      const { id } = parse(idParams, req.params);
      const run = await sendBulletinNow(prisma, opts.enqueue, { staffId: staffOnly(req).staffId, bulletinId: id, ip: req.ip });
      reply.code(202);
      return run;
    });

    api.get('/api/v1/bulletins/:id/report', async (req) => {
      const { id } = parse(idParams, req.params);
      const b = await prisma.bulletin.findUnique({ where: { id } });
      if (!b) throw new AppError('NOT_FOUND', 'Không tìm thấy bản tin.');
      await assertCanRead(req, b.communeId);
      const runs = await prisma.broadcastRun.findMany({
        where: { bulletinId: id },
        orderBy: { scheduledFor: 'asc' },
        include: { deliveries: { include: { target: { select: { name: true, kind: true } }, endpoint: { select: { name: true } }, residentIdentity: { select: { platform: true } } } } },
      });
      return {
        bulletin: { id: b.id, title: b.title, status: b.status, fromProvince: b.provinceBulletinId !== null },
        runs: runs.map((r) => ({
          id: r.id,
          scheduledFor: r.scheduledFor,
          status: r.status,
          // Private chats of subscribers: counted, never listed one by one (they are residents).
          subscribers: subscriberDeliveryCounts(r.deliveries),
          deliveries: r.deliveries.filter((d) => !d.residentIdentityId).map((d) => ({
            to: d.target?.name ?? d.endpoint?.name ?? '?',
            kind: d.target?.kind ?? 'smart_radio',
            status: d.status,
            attempts: d.attempts,
            // A send was repeated after an unknown outcome: the group may have it twice.
            possibleDuplicate: d.possibleDuplicate,
            sentAt: d.sentAt,
            playedAt: d.playedAt,
            error: d.error,
          })),
        })),
      };
    });
  });

  async function sendNow(bulletinId: string) {
    const run = await sendApprovedNow(prisma, opts.enqueue, { bulletinId });
    return { runId: run.runId, deliveries: run.deliveryIds.length, skipped: run.skipped };
  }
};
