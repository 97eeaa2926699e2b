// Web chat routes: the page, the embed script, sending a message or pressing a button, and a
// server-sent event stream that pushes the commune's replies live. The anonymous session is a
// random id in an HttpOnly cookie; it is the resident's identity on this channel.
//
// Each commune has its own web chat at /chat/<slug> (the slug of its public page, commune-paths.ts),
// with a web chat account, a cookie and sessions of its own: a session is bound to its account when
// it is made, and a session of another commune's chat is refused, so a resident's conversation
// (and the tickets it makes) can never cross into another commune. /chat stays the installation's
// own web chat (its home commune; the only one on a single-commune installation).
import { createHash, randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { WebChatChannel, WebChatEvent } from '../../../bots/webchat/webchat-channel.ts';
import { parseCommand } from '../../../bots/command-text.ts';
import type { ChannelHandlers, InboundMessage } from '../../../bots/channel.ts';
import { renderChatPage, renderEmbedScript } from '../webchat/webchat-page.ts';
import { AppError } from '../../errors.ts';
import { cspHash } from '../security-headers.ts';
import { untilReady } from '../../redis/connection.ts';
import { clientAddress } from '../../auth/client-network.ts';
import { enforceLimits, registerLimitStore, type LimitStore } from '../request-limits.ts';
import { chatBase } from '../commune-paths.ts';
import { defaultWebChatLimits, streamSlots, webChatLimitRules, type WebChatLimitValues } from '../webchat/webchat-limits.ts';

export interface WebChatPluginOptions {
  channel: WebChatChannel;
  /** A Redis connection this plugin may put in subscriber mode. */
  subscriber: Redis;
  communeName: () => Promise<string>;
  /** A commune's own web chat by its code (/chat/<slug>); undefined: no such commune. */
  communes?: (code: string) => Promise<{ channel: WebChatChannel; communeName: string } | undefined>;
  publicBaseUrl?: string | undefined;
  /** Origins of the commune websites that may show /chat in a frame (CHAT_FRAME_ANCESTORS). */
  frameAncestors?: string[];
  /** Redis for the limits per session, address and overall (shared by every replica). */
  limits?: LimitStore & { values?: Partial<WebChatLimitValues> };
  /** Photos residents upload: kept by content hash (src/media), as Telegram photos are. */
  photos?: { maxBytes: number; store(buffer: Buffer, mime: string): Promise<{ sha256: string; size: number }> };
}

// What an upload really is, from its first bytes (the declared type is not trusted).
function imageType(b: Buffer): string | undefined {
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length > 12 && b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

const COOKIE = 'lx_chat';
const SESSION_MAX_AGE_S = 180 * 24 * 3600;

/** One commune's web chat as the routes see it. */
interface Room {
  channel: WebChatChannel;
  communeName: string;
  /** Where its routes are: /chat, or /chat/<slug>. */
  base: string;
  cookie: string;
  cookiePath: string;
  /** The installation's own chat: sessions from before binding are its own. */
  adoptUnbound: boolean;
}
const SESSION_RE = /^[A-Za-z0-9_-]{32}$/;
const messageBody = z.object({
  text: z.string().max(20_000),
  clientMessageId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
});
const photoQuery = z.object({
  clientMessageId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
  caption: z.string().max(1000).optional(),
});
const actionBody = z.object({
  data: z.string().min(1).max(64),
  messageId: z.string().min(1).max(80),
  actionId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
});

export const webChatPlugin: FastifyPluginAsync<WebChatPluginOptions> = async (app, opts) => {
  const { channel, subscriber } = opts;
  const secure = opts.publicBaseUrl?.startsWith('https://') ?? false;
  await app.register(cookie);
  // Limits in Redis when it is given (always in production); a test without it counts in memory.
  await registerLimitStore(app, opts.limits);
  const limitValues = { ...defaultWebChatLimits, ...opts.limits?.values };
  const sessionOfRequest = new WeakMap<FastifyRequest, string>();
  const rules = webChatLimitRules(limitValues, (req) => sessionOfRequest.get(req) ?? 'none');
  const limit = {
    messages: enforceLimits(app, rules.messages),
    actions: enforceLimits(app, rules.actions),
    newTickets: enforceLimits(app, rules.newTickets),
    sessions: enforceLimits(app, rules.sessions),
  };
  const slots = opts.limits ? streamSlots(opts.limits.redis, opts.limits.prefix, limitValues) : undefined;

  // One subscription per process, fanned out to the connected pages of each session.
  const listeners = new Map<string, Set<(ev: string) => void>>();
  /** A session's stored conversation as events, for a page that opens or may have missed some. */
  const historyEvents = async (sid: string) => (await channel.history(sid)).map((entry) => JSON.stringify({ type: 'message', entry } satisfies WebChatEvent));
  await untilReady(subscriber);
  await subscriber.psubscribe(channel.topicPattern());
  subscriber.on('pmessage', (_pattern, topic, message) => {
    const sid = topic.slice(topic.lastIndexOf(':') + 1);
    for (const l of listeners.get(sid) ?? []) l(message);
  });
  // Replies published while Redis was away never reach this process: after a reconnect each open
  // page gets its history again (it ignores what it already shows).
  subscriber.on('ready', () => {
    for (const [sid, set] of listeners) {
      historyEvents(sid).then(
        (events) => {
          for (const ev of events) for (const l of set) l(ev);
        },
        (e: Error) => app.log.warn({ err: e.message }, 'web chat: could not replay history after a Redis reconnect'),
      );
    }
  });
  // Live streams never end on their own: close them before the server waits for connections.
  const streams = new Set<import('node:http').ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
  });
  app.addHook('onClose', async () => {
    subscriber.disconnect();
  });

  /**
   * The room of a request: the installation's own chat (/chat), or the commune named in the path
   * (the installation's own chat again when that is the commune it serves).
   */
  async function roomOf(req: FastifyRequest): Promise<Room | undefined> {
    const code = (req.params as { commune?: string }).commune;
    if (code === undefined) return { channel, communeName: await opts.communeName(), base: '/chat', cookie: COOKIE, cookiePath: '/chat', adoptUnbound: true };
    const found = code.length <= 64 ? await opts.communes?.(code) : undefined;
    if (!found) return undefined;
    const base = chatBase(code);
    if (found.channel.accountId === channel.accountId) return { channel, communeName: found.communeName, base, cookie: COOKIE, cookiePath: '/chat', adoptUnbound: true };
    // A cookie of its own (name and path), so a browser holds one session per commune.
    const cookieName = `${COOKIE}_${createHash('sha256').update(found.channel.accountId).digest('hex').slice(0, 12)}`;
    return { channel: found.channel, communeName: found.communeName, base, cookie: cookieName, cookiePath: base, adoptUnbound: false };
  }

  async function requireRoom(req: FastifyRequest): Promise<Room> {
    const room = await roomOf(req);
    if (!room) throw new AppError('NOT_FOUND', 'Không có trang hỏi đáp của xã này.');
    return room;
  }

  const foreign = () => new AppError('FORBIDDEN', 'Phiên trò chuyện này thuộc trang hỏi đáp của một xã khác; xin tải lại trang.');

  /**
   * The session of the request in this room. One bound to another commune's chat is refused (the
   * page itself replaces it with a new one); a new one is bound to this room's account.
   */
  async function session(room: Room, req: FastifyRequest, reply: FastifyReply, create: boolean, replaceForeign = false): Promise<string | undefined> {
    const existing = req.cookies[room.cookie];
    if (existing && SESSION_RE.test(existing)) {
      if (await room.channel.ownsSession(existing, room.adoptUnbound)) {
        sessionOfRequest.set(req, existing);
        return existing;
      }
      if (!replaceForeign) throw foreign();
    }
    if (!create) return undefined;
    // A new identity per request would escape every per-session limit: new ones are counted too.
    await limit.sessions(req, reply);
    const sid = randomBytes(24).toString('base64url');
    await room.channel.bindSession(sid);
    sessionOfRequest.set(req, sid);
    // Inside the commune website's iframe the cookie is third-party: it needs SameSite=None; Secure.
    reply.setCookie(room.cookie, sid, { path: room.cookiePath, httpOnly: true, sameSite: secure ? 'none' : 'lax', secure, maxAge: SESSION_MAX_AGE_S });
    return sid;
  }

  const frameAncestors = ["'self'", ...(opts.frameAncestors ?? [])].join(' ');

  /** The chat's routes under one base: /chat, and /chat/:commune for each commune. */
  function chatRoutes(prefix: string) {
    app.get(prefix, async (req, reply) => {
      const room = await roomOf(req);
      if (!room) return reply.code(404).type('text/plain; charset=utf-8').send('Không có trang hỏi đáp của xã này.');
      // The page itself always shows; a refused new session surfaces when the visitor writes.
      await session(room, req, reply, true, true).catch(() => undefined);
      const html = renderChatPage(room.communeName, room.base);
      // Only the page's own inline script and style run (by hash): a message shown in it never can.
      const inline = (tag: string) => [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => cspHash(m[1]!)).join(' ');
      const csp = `default-src 'none'; script-src ${inline('script')}; style-src ${inline('style')}; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors ${frameAncestors}`;
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', csp);
      return html;
    });

    // Built only from PUBLIC_BASE_URL: from the Host header, anyone could make a cached copy point
    // residents' questions at another site.
    app.get(`${prefix}/embed.js`, async (req, reply) => {
      const room = await requireRoom(req);
      if (!opts.publicBaseUrl) return reply.code(404).type('text/plain; charset=utf-8').send('Chưa đặt PUBLIC_BASE_URL: không có mã nhúng.');
      reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300, must-revalidate');
      return renderEmbedScript(opts.publicBaseUrl, room.base);
    });

    app.get(`${prefix}/api/history`, async (req, reply) => {
      const room = await requireRoom(req);
      const sid = await session(room, req, reply, false);
      return { messages: sid ? await room.channel.history(sid) : [] };
    });

    app.post(`${prefix}/api/messages`, { bodyLimit: 64 * 1024 }, async (req, reply) => {
      const room = await requireRoom(req);
      const sid = (await session(room, req, reply, true))!;
      const parsed = messageBody.safeParse(req.body);
      if (!parsed.success) throw new AppError('VALIDATION', 'Tin nhắn không hợp lệ.');
      await limit.messages(req, reply);
      if (parseCommand(parsed.data.text)?.name === 'moi') await limit.newTickets(req, reply);
      const handlers = room.channel.handlers();
      if (!handlers) throw new AppError('DEPENDENCY_DOWN', 'Kênh hỏi đáp đang tạm dừng, xin thử lại sau ít phút.');
      const id = `r-${parsed.data.clientMessageId}`;
      const text = parsed.data.text;
      await storeResidentMessage(
        room.channel,
        handlers,
        sid,
        id,
        {
          ...(text.trim() ? { text } : {}),
          ...(text.trim().startsWith('/') ? { command: parseCommand(text) ?? { name: '', args: '' } } : {}),
          attachments: [],
        },
        text.slice(0, 4000),
      );
      reply.code(202);
      return { ok: true, id };
    });

    // A photo: the image itself as the body (JPEG, PNG or WebP), its caption and id in the query.
    if (photos) {
      app.post<{ Querystring: { clientMessageId?: string; caption?: string } }>(`${prefix}/api/photos`, { bodyLimit: photos.maxBytes }, async (req, reply) => {
        const room = await requireRoom(req);
        const sid = (await session(room, req, reply, true))!;
        const q = photoQuery.safeParse(req.query);
        if (!q.success) throw new AppError('VALIDATION', 'Ảnh gửi lên không hợp lệ.');
        const body = req.body;
        const mime = Buffer.isBuffer(body) ? imageType(body) : undefined;
        if (!Buffer.isBuffer(body) || !mime) throw new AppError('VALIDATION', 'Chỉ nhận ảnh JPEG, PNG hoặc WebP.');
        await limit.messages(req, reply);
        const handlers = room.channel.handlers();
        if (!handlers) throw new AppError('DEPENDENCY_DOWN', 'Kênh hỏi đáp đang tạm dừng, xin thử lại sau ít phút.');
        const stored = await photos.store(body, mime);
        const id = `r-${q.data.clientMessageId}`;
        const caption = q.data.caption?.trim() ?? '';
        await storeResidentMessage(
          room.channel,
          handlers,
          sid,
          id,
          { ...(caption ? { text: caption } : {}), attachments: [{ kind: 'photo', fileId: `sha256:${stored.sha256}`, mime, size: stored.size, sha256: stored.sha256 }] },
          `📷 Ảnh${caption ? `: ${caption.slice(0, 1000)}` : ''}`,
        );
        reply.code(202);
        return { ok: true, id };
      });
    }

    app.post(`${prefix}/api/actions`, { bodyLimit: 4 * 1024 }, async (req, reply) => {
      const room = await requireRoom(req);
      const sid = await session(room, req, reply, false);
      if (!sid) throw new AppError('UNAUTHENTICATED', 'Phiên trò chuyện đã hết, xin tải lại trang.');
      const parsed = actionBody.safeParse(req.body);
      if (!parsed.success) throw new AppError('VALIDATION', 'Thao tác không hợp lệ.');
      await limit.actions(req, reply);
      // Only buttons the commune actually sent to this session can be pressed.
      const entry = (await room.channel.history(sid)).find((e) => e.id === parsed.data.messageId && e.from === 'commune');
      if (!entry?.buttons?.some((row) => row.some((b) => b.data === parsed.data.data))) throw new AppError('NOT_FOUND', 'Nút này không còn dùng được.');
      const handlers = room.channel.handlers();
      if (!handlers) throw new AppError('DEPENDENCY_DOWN', 'Kênh hỏi đáp đang tạm dừng, xin thử lại sau ít phút.');
      await handlers.onAction({
        platform: 'webchat',
        accountId: room.channel.accountId,
        actionId: parsed.data.actionId,
        chatId: sid,
        chatKind: 'private',
        userId: sid,
        messageId: parsed.data.messageId,
        data: parsed.data.data,
      });
      reply.code(202);
      return { ok: true };
    });

    app.get(`${prefix}/api/events`, async (req, reply) => {
      const room = await requireRoom(req);
      const sid = (await session(room, req, reply, true))!;
      const streamId = randomBytes(9).toString('base64url');
      const address = clientAddress(req.ip, true);
      const refused = slots ? await slots.open(streamId, sid, address) : 0;
      if (refused) {
        reply.header('retry-after', '30');
        throw new AppError('RATE_LIMITED', refused === 3 ? 'Kênh hỏi đáp đang quá tải, xin thử lại sau ít phút.' : 'Trang trò chuyện đang mở ở quá nhiều nơi; xin đóng bớt rồi tải lại trang.');
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        ...(reply.getHeader('set-cookie') ? { 'set-cookie': reply.getHeader('set-cookie') as string } : {}),
      });
      // Headers and a first line at once: proxies and browsers see the stream is open.
      res.write('retry: 3000\n: connected\n\n');
      const write = (data: string) => res.write(`data: ${data}\n\n`);
      const listener = (message: string) => write(message);
      let set = listeners.get(sid);
      if (!set) listeners.set(sid, (set = new Set()));
      set.add(listener);
      // History first, then live events; the page ignores ids it already shows.
      for (const ev of await historyEvents(sid)) write(ev);
      const ping = setInterval(() => {
        res.write(': ping\n\n');
        slots?.refresh(streamId, sid, address).catch(() => undefined);
      }, 25_000);
      streams.add(res);
      const close = () => {
        slots?.close(streamId, sid, address).catch(() => undefined);
        streams.delete(res);
        clearInterval(ping);
        set!.delete(listener);
        if (set!.size === 0) listeners.delete(sid);
      };
      req.raw.on('close', close);
    });
  }

  /**
   * A resident's message (words or a photo) stored through the channel, then shown in the page's
   * history — after storing, so a failed store does not show a message the commune never got.
   */
  async function storeResidentMessage(
    ch: WebChatChannel,
    handlers: ChannelHandlers,
    sid: string,
    id: string,
    content: Pick<InboundMessage, 'text' | 'command' | 'attachments'>,
    shown: string,
  ): Promise<void> {
    await handlers.onMessage({ platform: 'webchat', accountId: ch.accountId, platformMessageId: id, chatId: sid, chatKind: 'private', userId: sid, ...content, receivedAt: new Date() });
    const history = await ch.history(sid);
    if (!history.some((e) => e.id === id)) await ch.recordResident(sid, { id, from: 'resident', text: shown, at: new Date().toISOString() });
  }

  const photos = opts.photos;
  if (photos) app.addContentTypeParser(['image/jpeg', 'image/png', 'image/webp'], { parseAs: 'buffer', bodyLimit: photos.maxBytes }, (_req, body, done) => done(null, body));
  chatRoutes('/chat');
  if (opts.communes) chatRoutes('/chat/:commune');
};
