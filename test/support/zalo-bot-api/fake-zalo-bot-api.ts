// A local HTTP server that speaks the Zalo Bot Platform API the way its documentation describes:
// POST /bot<token>/<method> with JSON, replies { ok, result } or { ok: false, error_code,
// description }; getUpdates hands out one update per call and answers 408 after `timeout`
// seconds with nothing; it refuses to poll while a webhook is set; texts and captions are 1–2,000
// characters; secret_token 8–256 characters and an https URL. Its method table is typed with the
// adapter's own request/response types (bots/zalo-bot/zalo-bot-types.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ZaloBotFailure, ZaloBotMethod, ZaloBotParams, ZaloBotResult, ZaloBotUpdate, ZaloBotWebhookInfo } from '../../../bots/zalo-bot/zalo-bot-types.ts';
import { ZALO_BOT_MAX_TEXT, ZALO_BOT_SECRET_MAX, ZALO_BOT_SECRET_MIN } from '../../../bots/zalo-bot/zalo-bot-types.ts';

export interface BotSent {
  method: 'sendMessage' | 'sendPhoto' | 'sendSticker';
  chatId: string;
  messageId: string;
  text?: string;
  photo?: string;
  at: number;
}

type Failure = Omit<ZaloBotFailure, 'ok'> | 'network';
type Handlers = { [M in ZaloBotMethod]: (p: Partial<ZaloBotParams<M>>) => ZaloBotResult<M> | ZaloBotFailure | Promise<ZaloBotResult<M> | ZaloBotFailure> };

const fail = (error_code: number, description: string, retryAfter?: number): ZaloBotFailure => ({ ok: false, error_code, description, ...(retryAfter ? { parameters: { retry_after: retryAfter } } : {}) });
const isFailure = (x: unknown): x is ZaloBotFailure => !!x && typeof x === 'object' && (x as { ok?: unknown }).ok === false;

export class FakeZaloBotApi {
  readonly token = '1459232241454765289:TESTzaloBOTsecretForLoaXaTests';
  readonly sent: BotSent[] = [];
  readonly calls: Array<{ method: string; body: Record<string, unknown> }> = [];
  readonly actions: Array<{ chatId: string; action: string }> = [];
  webhook: { url: string; secret: string } | undefined;
  /** Sends per second before a 429 (0: no limit). */
  perSecondLimit = 0;

  private server: Server | undefined;
  private updates: ZaloBotUpdate[] = [];
  private waiters: Array<() => void> = [];
  private failures = new Map<string, Failure[]>();
  private blocked = new Set<string>();
  private sendTimes: number[] = [];
  private seq = 0;
  private updatedAt = Date.now();
  private tokenRevoked = false;

  async start(): Promise<{ apiRoot: string }> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return { apiRoot: this.apiRoot };
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const w of this.waiters.splice(0)) w();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  // ——— test controls ———

  private id(): string {
    this.seq += 1;
    return `${Date.now().toString(16)}${this.seq.toString(16).padStart(6, '0')}`;
  }

  pushUpdate(u: ZaloBotUpdate): void {
    this.updates.push(u);
    for (const w of this.waiters.splice(0)) w();
  }

  /** A resident writes to the bot; returns the update (for replaying it). */
  residentSends(p: { userId: string; text?: string; name?: string; photoUrl?: string; sticker?: boolean; protected?: boolean; group?: boolean }): ZaloBotUpdate {
    const message: ZaloBotUpdate['message'] = {
      message_id: this.id(),
      date: Date.now(),
      chat: { id: p.group ? `grp${p.userId}` : p.userId, chat_type: p.group ? 'GROUP' : 'PRIVATE' },
      from: { id: p.userId, display_name: p.name ?? 'Người dân', is_bot: false },
    };
    let event_name: ZaloBotUpdate['event_name'] = 'message.text.received';
    if (p.protected) event_name = 'message.unsupported.received';
    else if (p.photoUrl) {
      event_name = 'message.image.received';
      message.photo_url = p.photoUrl;
      if (p.text !== undefined) message.caption = p.text;
    } else if (p.sticker) {
      event_name = 'message.sticker.received';
      message.sticker = 'a1b2c3';
    } else message.text = p.text ?? '';
    const u = { event_name, message };
    this.pushUpdate(u);
    return u;
  }

  /** The next calls of `method` fail like this (once per entry); 'network' drops the connection. */
  failNext(method: ZaloBotMethod, failure: Failure, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(method, list);
  }

  blockUser(userId: string): void {
    this.blocked.add(userId);
  }

  revokeToken(): void {
    this.tokenRevoked = true;
  }

  get pendingUpdates(): number {
    return this.updates.length;
  }

  sentTo(chatId: string): BotSent[] {
    return this.sent.filter((m) => m.chatId === chatId);
  }

  // ——— the API ———

  private info(): ZaloBotWebhookInfo {
    return { url: this.webhook?.url ?? '', updated_at: this.updatedAt };
  }

  private paced(chatId: string | undefined): ZaloBotFailure | undefined {
    if (!chatId) return fail(400, 'Bad Request: chat_id is required');
    if (this.blocked.has(chatId)) return fail(403, 'Forbidden: user has blocked the bot');
    if (this.perSecondLimit > 0) {
      const now = Date.now();
      this.sendTimes = this.sendTimes.filter((t) => t > now - 1000);
      if (this.sendTimes.length >= this.perSecondLimit) return fail(429, 'Too Many Requests', 1);
      this.sendTimes.push(now);
    }
    return undefined;
  }

  private record(method: BotSent['method'], chatId: string, extra: Partial<BotSent>) {
    const messageId = this.id();
    this.sent.push({ method, chatId, messageId, at: Date.now(), ...extra });
    return { message_id: messageId, date: Date.now() };
  }

  private readonly methods: Handlers = {
    getMe: () => ({ id: this.token.split(':')[0]!, account_name: 'bot.LoaXaTest', account_type: 'BASIC', can_join_groups: false }),
    getUpdates: async (p) => {
      if (this.webhook) return fail(409, 'Conflict: webhook is active, use deleteWebhook before getUpdates');
      const seconds = Math.min(60, Math.max(0, Number(p.timeout ?? '30') || 30));
      if (this.updates.length === 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, seconds * 1000);
          this.waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      const u = this.updates.shift();
      return u ?? fail(408, 'Request timeout');
    },
    setWebhook: (p) => {
      if (!p.url || !/^https:\/\//.test(p.url)) return fail(400, 'Bad Request: url must be HTTPS');
      if (!p.secret_token || p.secret_token.length < ZALO_BOT_SECRET_MIN || p.secret_token.length > ZALO_BOT_SECRET_MAX) return fail(400, 'Bad Request: secret_token must be 8-256 characters');
      this.webhook = { url: p.url, secret: p.secret_token };
      this.updatedAt = Date.now();
      return this.info();
    },
    deleteWebhook: () => {
      this.webhook = undefined;
      this.updatedAt = Date.now();
      return this.info();
    },
    getWebhookInfo: () => this.info(),
    sendMessage: (p) => {
      const refused = this.paced(p.chat_id);
      if (refused) return refused;
      if (!p.text || p.text.length > ZALO_BOT_MAX_TEXT) return fail(400, 'Bad Request: text must be 1-2000 characters');
      return this.record('sendMessage', p.chat_id!, { text: p.text });
    },
    sendPhoto: (p) => {
      const refused = this.paced(p.chat_id);
      if (refused) return refused;
      if (!p.photo || !/^https?:\/\//.test(p.photo)) return fail(400, 'Bad Request: photo must be a URL');
      if (p.caption !== undefined && (p.caption.length === 0 || p.caption.length > ZALO_BOT_MAX_TEXT)) return fail(400, 'Bad Request: caption must be 1-2000 characters');
      return this.record('sendPhoto', p.chat_id!, { photo: p.photo, ...(p.caption ? { text: p.caption } : {}) });
    },
    sendSticker: (p) => {
      const refused = this.paced(p.chat_id);
      if (refused) return refused;
      if (!p.sticker) return fail(400, 'Bad Request: sticker is required');
      return this.record('sendSticker', p.chat_id!, {});
    },
    sendChatAction: (p) => {
      if (!p.chat_id || (p.action !== 'typing' && p.action !== 'upload_photo')) return fail(400, 'Bad Request: action must be typing or upload_photo');
      this.actions.push({ chatId: p.chat_id, action: p.action });
      return true;
    },
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (status: number, body: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!m || !(m[2]! in this.methods)) return reply(404, fail(404, 'Not Found: method not found'));
    if (m[1] !== this.token || this.tokenRevoked) return reply(401, fail(401, 'Unauthorized'));
    let body: Record<string, unknown> = {};
    try {
      body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return reply(400, fail(400, 'Bad Request: invalid JSON'));
    }
    const method = m[2] as ZaloBotMethod;
    this.calls.push({ method, body });
    const injected = this.failures.get(method)?.shift();
    if (injected === 'network') {
      res.socket?.destroy();
      return;
    }
    if (injected) return reply(injected.error_code >= 400 && injected.error_code < 600 ? injected.error_code : 400, { ok: false, ...injected });
    const result = await (this.methods[method] as (p: unknown) => unknown)(body);
    if (isFailure(result)) return reply(result.error_code, result);
    reply(200, { ok: true, result });
  }
}
