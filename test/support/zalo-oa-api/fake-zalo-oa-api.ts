// A local server that speaks Zalo's Official Account API v3 and OAuth v4 as documented: replies
// { error, message, data } with Zalo's error codes (-216 invalid token, -230 no interaction in 7
// days, -201 invalid parameter, -32 too many calls…), texts up to 2,000 characters, access tokens
// that expire, refresh tokens that work once and rotate, and webhook events signed with
// X-ZEvent-Signature ("mac=" + sha256(app id + body + timestamp + OA secret)). It keeps its own
// clock so tests can move past the 7-day window. Typed with the adapter's own declarations.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ZaloOaAttachment, ZaloOaCsRequest, ZaloOaCsResult, ZaloOaEvent, ZaloOaGroupMessageRequest, ZaloOaInfo, ZaloOaPromotionRequest, ZaloOaReply, ZaloOaTagRequest, ZaloOaTokenReply, ZaloOaUploadResult, ZaloOaUserList } from '../../../bots/zalo-oa/zalo-oa-types.ts';
import { ZALO_OA_ERRORS as E, ZALO_OA_MAX_HEADER, ZALO_OA_MAX_IMAGE_BYTES, ZALO_OA_MAX_TEXT, ZALO_OA_USER_PAGE, ZALO_OA_WINDOW_MS } from '../../../bots/zalo-oa/zalo-oa-types.ts';

export interface OaSent {
  userId: string;
  messageId: string;
  text?: string;
  imageUrl?: string;
  anonymous?: boolean;
  at: number;
}

/** A broadcast ("tin truyền thông") or a GMF group message as the fake received it. */
export interface OaBroadcastSent {
  to: { userId: string } | { groupId: string };
  messageId: string;
  header?: string;
  text?: string;
  imageAttachmentId?: string;
  at: number;
}

const TOKEN_LIFETIME_S = 90_000;

export class FakeZaloOaApi {
  readonly appId = '4318765432109876543';
  readonly appSecret = 'APPsecretForLoaXaTests';
  readonly oaSecret = 'OAsecretKeyForLoaXaTests';
  readonly oaId = '2345678901234567890';
  readonly sent: OaSent[] = [];
  /** Consultation messages refused for the 7-day rule (-230, -232): user ids, in order. */
  readonly refusedOutsideWindow: string[] = [];
  readonly refreshCalls: string[] = [];
  readonly broadcasts: OaBroadcastSent[] = [];
  readonly uploads = new Map<string, { bytes: number; mime: string }>();
  /** Follower → tags, as the OA's tag endpoints keep them. */
  readonly tags = new Map<string, Set<string>>();
  /** Zalo's own count of broadcasts left this month (the package); undefined: unlimited. */
  monthlyBroadcastsLeft: number | undefined;
  readonly followers = new Set<string>();
  readonly groups = new Set<string>();
  /** Milliseconds added to the real clock (tests move time forward). */
  offsetMs = 0;

  private server: Server | undefined;
  private access = new Map<string, number>();
  private refresh = new Map<string, 'live' | 'spent'>();
  private codes = new Map<string, string>();
  private lastMessage = new Map<string, number>();
  private blocked = new Set<string>();
  private failures: Array<{ error: number; message: string } | 'network'> = [];
  private seq = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  async start(): Promise<{ apiRoot: string; oauthRoot: string }> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return { apiRoot: this.root, oauthRoot: this.root };
  }

  get root(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  // ——— test controls ———

  /** Tokens as the OAuth callback would have given them. */
  issueTokens(): { accessToken: string; refreshToken: string; expiresAt: Date } {
    const accessToken = `AT-${randomBytes(9).toString('base64url')}`;
    const refreshToken = `RT-${randomBytes(9).toString('base64url')}`;
    const expires = this.now() + TOKEN_LIFETIME_S * 1000;
    this.access.set(accessToken, expires);
    this.refresh.set(refreshToken, 'live');
    return { accessToken, refreshToken, expiresAt: new Date(expires) };
  }

  /** An OA admin approved the app: the code Zalo hands the callback, bound to the challenge. */
  authorize(codeChallenge: string): string {
    const code = `CODE-${randomBytes(6).toString('hex')}`;
    this.codes.set(code, codeChallenge);
    return code;
  }

  revokeAccessTokens(): void {
    this.access.clear();
  }

  revokeRefreshTokens(): void {
    for (const k of this.refresh.keys()) this.refresh.set(k, 'spent');
  }

  blockUser(userId: string): void {
    this.blocked.add(userId);
  }

  failNext(f: { error: number; message: string } | 'network', times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(f);
  }

  sentTo(userId: string): OaSent[] {
    return this.sent.filter((m) => m.userId === userId);
  }

  /** A signed webhook delivery for an event (what Zalo POSTs). */
  signed(event: ZaloOaEvent, opts: { secret?: string } = {}): { rawBody: string; signature: string } {
    const rawBody = JSON.stringify(event);
    const mac = createHash('sha256').update(this.appId + rawBody + event.timestamp + (opts.secret ?? this.oaSecret)).digest('hex');
    return { rawBody, signature: `mac=${mac}` };
  }

  private msgId(): string {
    this.seq += 1;
    return `${this.now().toString(16)}${this.seq.toString(16).padStart(8, '0')}`;
  }

  /** A resident writes to the OA: the event, and the 7-day window opens again. */
  residentSends(p: { userId: string; text?: string; image?: string; file?: { url: string; name: string; size: number }; audio?: string; location?: [number, number]; sticker?: boolean }): ZaloOaEvent {
    const attachments: ZaloOaAttachment[] = [];
    let event_name: Extract<ZaloOaEvent, { sender: unknown; recipient: unknown }>['event_name'] = 'user_send_text';
    if (p.image) {
      event_name = 'user_send_image';
      attachments.push({ type: 'image', payload: { url: p.image, thumbnail: p.image } });
    } else if (p.file) {
      event_name = 'user_send_file';
      attachments.push({ type: 'file', payload: { url: p.file.url, name: p.file.name, size: String(p.file.size), type: 'pdf' } });
    } else if (p.audio) {
      event_name = 'user_send_audio';
      attachments.push({ type: 'audio', payload: { url: p.audio } });
    } else if (p.location) {
      event_name = 'user_send_location';
      attachments.push({ type: 'location', payload: { coordinates: { latitude: String(p.location[0]), longitude: String(p.location[1]) } } });
    } else if (p.sticker) {
      event_name = 'user_send_sticker';
      attachments.push({ type: 'sticker', payload: { id: 'st1', url: 'https://zalo.example/st1.png' } });
    }
    this.lastMessage.set(p.userId, this.now());
    return {
      app_id: this.appId,
      event_name,
      sender: { id: p.userId },
      recipient: { id: this.oaId },
      message: { msg_id: this.msgId(), ...(p.text !== undefined ? { text: p.text } : {}), ...(attachments.length ? { attachments } : {}) },
      timestamp: String(this.now()),
    } as ZaloOaEvent;
  }

  follow(userId: string, followed = true): ZaloOaEvent {
    if (followed) this.followers.add(userId);
    else this.followers.delete(userId);
    return { app_id: this.appId, event_name: followed ? 'follow' : 'unfollow', oa_id: this.oaId, follower: { id: userId }, source: 'oa_profile', timestamp: String(this.now()) };
  }

  anonymous(text: string): ZaloOaEvent {
    return { app_id: this.appId, event_name: 'anonymous_send_text', sender: { id: `anon${this.seq}` }, recipient: { id: this.oaId }, conversation_id: `conv${this.seq}`, message: { msg_id: this.msgId(), text }, timestamp: String(this.now()) };
  }

  // ——— the API ———

  private validAccess(token: string | undefined): boolean {
    const exp = token ? this.access.get(token) : undefined;
    return exp !== undefined && exp > this.now();
  }

  private cs(body: Partial<ZaloOaCsRequest>): ZaloOaReply<ZaloOaCsResult> {
    const r = body.recipient as { user_id?: string; anonymous_id?: string; conversation_id?: string } | undefined;
    const m = body.message as { text?: string; attachment?: { type: string; payload: { elements?: Array<{ url?: string }> } } } | undefined;
    if (!r || !m) return { error: E.invalidParam, message: 'recipient or message is invalid!' };
    if (m.text !== undefined && (m.text.length === 0 || m.text.length > ZALO_OA_MAX_TEXT)) return { error: E.invalidParam, message: 'text is invalid!' };
    const imageUrl = m.attachment?.type === 'template' ? m.attachment.payload.elements?.[0]?.url : undefined;
    if (m.attachment && !imageUrl) return { error: E.unsupportedType, message: 'message type is invalid or not support' };
    if (!m.text && !imageUrl) return { error: E.invalidParam, message: 'message is invalid!' };
    const userId = r.user_id ?? r.anonymous_id;
    if (!userId) return { error: E.invalidParam, message: 'user_id is invalid!' };
    if (r.user_id) {
      if (this.blocked.has(r.user_id)) return { error: E.userInactive, message: 'User is banned or inactive for more than 45 days' };
      const last = this.lastMessage.get(r.user_id);
      if (last === undefined || this.now() - last > ZALO_OA_WINDOW_MS) {
        this.refusedOutsideWindow.push(r.user_id);
        if (last === undefined) return { error: E.noInteraction, message: 'User has not interacted with the OA' };
        return { error: E.noInteraction7Days, message: 'User has not interacted with the OA in the past 7 days' };
      }
    }
    const messageId = this.msgId();
    this.sent.push({ userId, messageId, at: this.now(), ...(m.text ? { text: m.text } : {}), ...(imageUrl ? { imageUrl } : {}), ...(r.anonymous_id ? { anonymous: true } : {}) });
    return { error: 0, message: 'Success', data: { message_id: messageId, user_id: userId } };
  }

  private promotion(body: Partial<ZaloOaPromotionRequest>): ZaloOaReply<ZaloOaCsResult> {
    const userId = body.recipient?.user_id;
    const p = body.message?.attachment?.payload;
    if (!userId || p?.template_type !== 'promotion' || !Array.isArray(p.elements)) return { error: E.invalidParam, message: 'recipient or message is invalid!' };
    if (!this.followers.has(userId)) return { error: E.notFollower, message: 'User is not a follower of the OA' };
    if (this.blocked.has(userId)) return { error: E.userInactive, message: 'User is banned or inactive for more than 45 days' };
    const header = p.elements.find((e) => e.type === 'header');
    const text = p.elements.find((e) => e.type === 'text');
    const banner = p.elements.find((e) => e.type === 'banner');
    if (!header || header.content.length === 0 || header.content.length > ZALO_OA_MAX_HEADER) return { error: E.invalidParam, message: 'header is invalid!' };
    if (text && text.content.length > ZALO_OA_MAX_TEXT) return { error: E.invalidParam, message: 'text is invalid!' };
    if (banner && !this.uploads.has(banner.attachment_id)) return { error: E.invalidParam, message: 'attachment_id is invalid!' };
    if (this.monthlyBroadcastsLeft !== undefined) {
      if (this.monthlyBroadcastsLeft <= 0) return { error: E.outOfQuota, message: 'Out of quota' };
      this.monthlyBroadcastsLeft -= 1;
    }
    const messageId = this.msgId();
    this.broadcasts.push({ to: { userId }, messageId, header: header.content, at: this.now(), ...(text ? { text: text.content } : {}), ...(banner ? { imageAttachmentId: banner.attachment_id } : {}) });
    return { error: 0, message: 'Success', data: { message_id: messageId, user_id: userId } };
  }

  private groupMessage(body: Partial<ZaloOaGroupMessageRequest>): ZaloOaReply<{ message_id: string }> {
    const groupId = body.recipient?.group_id;
    const m = body.message as { text?: string; attachment?: { payload?: { elements?: Array<{ attachment_id?: string }> } } } | undefined;
    if (!groupId || !m) return { error: E.invalidParam, message: 'recipient or message is invalid!' };
    if (!this.groups.has(groupId)) return { error: E.invalidParam, message: 'group_id is invalid!' };
    if (m.text !== undefined && (m.text.length === 0 || m.text.length > ZALO_OA_MAX_TEXT)) return { error: E.invalidParam, message: 'text is invalid!' };
    const att = m.attachment?.payload?.elements?.[0]?.attachment_id;
    if (m.text === undefined && (!att || !this.uploads.has(att))) return { error: E.invalidParam, message: 'attachment_id is invalid!' };
    const messageId = this.msgId();
    this.broadcasts.push({ to: { groupId }, messageId, at: this.now(), ...(m.text !== undefined ? { text: m.text } : {}), ...(att ? { imageAttachmentId: att } : {}) });
    return { error: 0, message: 'Success', data: { message_id: messageId } };
  }

  private async upload(req: IncomingMessage, raw: Buffer): Promise<ZaloOaReply<ZaloOaUploadResult>> {
    const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: new Uint8Array(raw) }).formData().catch(() => undefined);
    const file = form?.get('file');
    if (!file || typeof file === 'string') return { error: E.invalidParam, message: 'file is invalid!' };
    if (!['image/jpeg', 'image/png'].includes(file.type)) return { error: E.unsupportedType, message: 'file type is not support' };
    if (file.size === 0 || file.size > ZALO_OA_MAX_IMAGE_BYTES) return { error: E.overLimit, message: 'file size is over limit' };
    const id = `att-${randomBytes(6).toString('hex')}`;
    this.uploads.set(id, { bytes: file.size, mime: file.type });
    return { error: 0, message: 'Success', data: { attachment_id: id } };
  }

  private tag(body: Partial<ZaloOaTagRequest>): ZaloOaReply<unknown> {
    if (!body.user_id || !body.tag_name) return { error: E.invalidParam, message: 'user_id or tag_name is invalid!' };
    if (!this.followers.has(body.user_id)) return { error: E.notFollower, message: 'User is not a follower of the OA' };
    const set = this.tags.get(body.user_id) ?? new Set<string>();
    set.add(body.tag_name);
    this.tags.set(body.user_id, set);
    return { error: 0, message: 'Success' };
  }

  private userList(q: string | null): ZaloOaReply<ZaloOaUserList> {
    let d: { offset?: number; count?: number; tag_name?: string };
    try {
      d = JSON.parse(q ?? '') as typeof d;
    } catch {
      return { error: E.invalidParam, message: 'data is invalid!' };
    }
    const offset = d.offset ?? 0;
    const count = d.count ?? ZALO_OA_USER_PAGE;
    if (count < 1 || count > ZALO_OA_USER_PAGE || offset < 0) return { error: E.invalidParam, message: 'count is invalid!' };
    const all = [...this.followers].filter((u) => !d.tag_name || this.tags.get(u)?.has(d.tag_name)).sort();
    const users = all.slice(offset, offset + count).map((user_id) => ({ user_id }));
    return { error: 0, message: 'Success', data: { total: all.length, count: users.length, offset, users } };
  }

  private token(form: URLSearchParams, secret: string | undefined): ZaloOaTokenReply {
    if (secret !== this.appSecret || form.get('app_id') !== this.appId) return { error: -14002, error_name: 'Invalid app', error_description: 'app_id or secret_key is invalid' };
    if (form.get('grant_type') === 'refresh_token') {
      const rt = form.get('refresh_token') ?? '';
      this.refreshCalls.push(rt);
      if (this.refresh.get(rt) !== 'live') return { error: -14014, error_name: 'Invalid refresh token', error_description: 'refresh_token is invalid or already used' };
      this.refresh.set(rt, 'spent');
    } else if (form.get('grant_type') === 'authorization_code') {
      const code = form.get('code') ?? '';
      const challenge = this.codes.get(code);
      this.codes.delete(code);
      const verifier = form.get('code_verifier') ?? '';
      if (!challenge || createHash('sha256').update(verifier, 'ascii').digest('base64url') !== challenge) return { error: -14019, error_name: 'Invalid code', error_description: 'code or code_verifier is invalid' };
    } else return { error: -14001, error_name: 'Invalid grant_type' };
    const t = this.issueTokens();
    return { access_token: t.accessToken, refresh_token: t.refreshToken, expires_in: String(TOKEN_LIFETIME_S) };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBytes = Buffer.concat(chunks);
    const raw = rawBytes.toString('utf8');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const [path, search] = (req.url ?? '').split('?');
    if (path === '/v4/oa/access_token' && req.method === 'POST') return reply(200, this.token(new URLSearchParams(raw), req.headers['secret_key'] as string | undefined));
    const injected = path?.startsWith('/v') ? this.failures.shift() : undefined;
    if (injected === 'network') {
      res.socket?.destroy();
      return;
    }
    if (injected) return reply(200, injected);
    if (!this.validAccess(req.headers['access_token'] as string | undefined)) return reply(200, { error: E.invalidToken, message: 'Access token is invalid' });
    if (path === '/v2.0/oa/getoa' && req.method === 'GET') return reply(200, { error: 0, message: 'Success', data: { oa_id: this.oaId, name: 'UBND xã Thử Nghiệm', num_follower: 1200, package_name: 'Gói nâng cao' } satisfies ZaloOaInfo });
    if (path === '/v3.0/oa/message/cs' && req.method === 'POST') {
      let body: Partial<ZaloOaCsRequest>;
      try {
        body = JSON.parse(raw) as Partial<ZaloOaCsRequest>;
      } catch {
        return reply(200, { error: E.invalidParam, message: 'body is invalid!' });
      }
      return reply(200, this.cs(body));
    }
    const json = <T,>(): Partial<T> | undefined => {
      try {
        return JSON.parse(raw) as Partial<T>;
      } catch {
        return undefined;
      }
    };
    const bad = { error: E.invalidParam, message: 'body is invalid!' };
    if (path === '/v3.0/oa/message/promotion' && req.method === 'POST') return reply(200, json<ZaloOaPromotionRequest>() ? this.promotion(json<ZaloOaPromotionRequest>()!) : bad);
    if (path === '/v3.0/oa/group/message' && req.method === 'POST') return reply(200, json<ZaloOaGroupMessageRequest>() ? this.groupMessage(json<ZaloOaGroupMessageRequest>()!) : bad);
    if (path === '/v2.0/oa/upload/image' && req.method === 'POST') return reply(200, await this.upload(req, rawBytes));
    if (path === '/v2.0/oa/tag/tagfollower' && req.method === 'POST') return reply(200, json<ZaloOaTagRequest>() ? this.tag(json<ZaloOaTagRequest>()!) : bad);
    if (path === '/v3.0/oa/user/getlist' && req.method === 'GET') return reply(200, this.userList(new URLSearchParams(search ?? '').get('data')));
    reply(404, { error: -209, message: 'Not supported this api' });
  }
}
