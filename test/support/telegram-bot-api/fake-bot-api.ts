// A local HTTP server that speaks the Telegram Bot API closely enough for the real telegraf
// client: the methods Loa Xã uses, Telegram's JSON shapes and error replies, and its limits
// (text 4096, caption 1024, callback data 64 bytes, ~30 messages/s per bot, 20/min per group).
// Tests push updates in and read what the bot sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  method: string;
  chatId: string;
  messageId: number;
  text?: string;
  caption?: string;
  replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
  replyTo?: number;
  /** message_thread_id: the forum topic it was posted in. */
  threadId?: number;
  file?: { field: string; bytes: number; filename?: string } | string;
  at: number;
}

export interface FakeBotApiOptions {
  token?: string;
  botUsername?: string;
  /** Window of the per-bot limit (ms) and its size. */
  perSecondLimit?: number;
  /** Window of the per-group limit (ms) and its size; tests shrink the window. */
  groupWindowMs?: number;
  groupLimit?: number;
}

interface Failure {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
  /** Only calls to this chat fail (others pass untouched). */
  chatId?: string;
}

type Json = Record<string, unknown>;

export class FakeBotApi {
  readonly token: string;
  readonly sent: SentMessage[] = [];
  readonly calls: Array<{ method: string; body: Json }> = [];
  readonly answeredCallbacks: Array<{ id: string; text?: string; show_alert?: boolean }> = [];
  readonly edits: Array<{ chatId: string; messageId: number; replyMarkup?: unknown; text?: string }> = [];
  webhook: { url: string; secret?: string } | undefined;
  /** A slow Telegram: a send is accepted (recorded) at once and answered only after this long. */
  sendDelayMs = 0;

  private server: Server | undefined;
  private updates: Json[] = [];
  private nextUpdateId = 1;
  private nextMessageId = new Map<string, number>();
  private waiters: Array<() => void> = [];
  private failures = new Map<string, Failure[]>();
  private blocked = new Set<string>();
  private globalSends: number[] = [];
  private groupSendTimes = new Map<string, number[]>();
  private messages = new Map<string, Json>();
  private files = new Map<string, Buffer>();
  private confirmedOffset = 0;
  private readonly opts: Required<FakeBotApiOptions>;

  constructor(opts: FakeBotApiOptions = {}) {
    this.opts = { token: '123456:TEST-token-for-loaxa-tests_abc', botUsername: 'loaxa_test_bot', perSecondLimit: 30, groupWindowMs: 60_000, groupLimit: 20, ...opts };
    this.token = this.opts.token;
  }

  async start(): Promise<{ apiRoot: string }> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return { apiRoot: this.apiRoot };
  }

  get apiRoot(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Wakes pending long polls (they answer empty), as a hub does when it closes or revokes. */
  wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async close(): Promise<void> {
    for (const w of this.waiters.splice(0)) w();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  // ——— test controls ———

  pushUpdate(update: Json): number {
    const id = this.nextUpdateId++;
    this.updates.push({ update_id: id, ...update });
    for (const w of this.waiters.splice(0)) w();
    return id;
  }

  private newMessageId(chatId: string): number {
    const n = (this.nextMessageId.get(chatId) ?? 0) + 1;
    this.nextMessageId.set(chatId, n);
    return n;
  }

  /** A resident writes to the bot in private chat; returns the message id. */
  residentSends(p: { userId: number; text?: string; firstName?: string; photo?: { fileId: string; size: number }; sticker?: boolean; replyTo?: number }): number {
    const chat = { id: p.userId, type: 'private', first_name: p.firstName ?? 'Dân' };
    return this.userMessage(chat, p);
  }

  /** A staff member writes in a group (optionally replying to a message there). */
  staffWritesInGroup(p: { chatId: number; userId: number; text?: string; firstName?: string; replyTo?: number }): number {
    return this.userMessage({ id: p.chatId, type: 'supergroup', title: 'Nhóm cán bộ' }, p);
  }

  private userMessage(chat: Json, p: { userId: number; text?: string; firstName?: string; photo?: { fileId: string; size: number }; sticker?: boolean; replyTo?: number }): number {
    const chatId = String(chat.id);
    const messageId = this.newMessageId(chatId);
    const message: Json = { message_id: messageId, date: Math.floor(Date.now() / 1000), chat, from: { id: p.userId, is_bot: false, first_name: p.firstName ?? 'Dân' } };
    if (p.text !== undefined && p.photo) {
      // With a photo, Telegram carries the words as the caption.
      message.caption = p.text;
    } else if (p.text !== undefined) {
      message.text = p.text;
      if (p.text.startsWith('/')) message.entities = [{ type: 'bot_command', offset: 0, length: p.text.split(/\s/)[0]!.length }];
    }
    if (p.photo) message.photo = [{ file_id: `${p.photo.fileId}-small`, file_unique_id: 's', width: 90, height: 90, file_size: 1000 }, { file_id: p.photo.fileId, file_unique_id: 'b', width: 1280, height: 960, file_size: p.photo.size }];
    if (p.sticker) message.sticker = { file_id: 'sticker-1', file_unique_id: 'st', width: 512, height: 512, is_animated: false, is_video: false, type: 'regular' };
    if (p.replyTo !== undefined) {
      const original = this.messages.get(`${chatId}:${p.replyTo}`);
      message.reply_to_message = original ?? { message_id: p.replyTo, date: 0, chat };
    }
    this.messages.set(`${chatId}:${messageId}`, message);
    this.pushUpdate({ message });
    return messageId;
  }

  /** Someone presses an inline button under a message the bot sent. */
  pressButton(p: { chatId: string | number; messageId: number; userId: number; data: string; firstName?: string }): string {
    const message = this.messages.get(`${p.chatId}:${p.messageId}`) ?? { message_id: p.messageId, date: 0, chat: { id: Number(p.chatId), type: Number(p.chatId) < 0 ? 'supergroup' : 'private' } };
    const id = `cb-${this.nextUpdateId}`;
    this.pushUpdate({ callback_query: { id, from: { id: p.userId, is_bot: false, first_name: p.firstName ?? 'Cán bộ' }, chat_instance: 'ci', message, data: p.data } });
    return id;
  }

  /** The next calls of `method` fail with this Telegram error (once per entry). */
  failNext(method: string, failure: Failure, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(method, list);
  }

  /** The user blocks the bot: sends to them fail as Telegram's do (403, "bot was blocked by the user"). */
  blockUser(userId: number | string): void {
    this.blocked.add(String(userId));
  }

  /** The user unblocks the bot; with `notify`, the my_chat_member update Telegram then sends. */
  unblockUser(userId: number | string, opts: { notify?: boolean } = {}): void {
    this.blocked.delete(String(userId));
    if (!opts.notify) return;
    const bot = { id: Number(this.token.split(':')[0]), is_bot: true, first_name: 'Loa Xã', username: this.opts.botUsername };
    this.pushUpdate({
      my_chat_member: {
        chat: { id: Number(userId), type: 'private', first_name: 'Dân' },
        from: { id: Number(userId), is_bot: false, first_name: 'Dân' },
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { user: bot, status: 'kicked', until_date: 0 },
        new_chat_member: { user: bot, status: 'member' },
      },
    });
  }

  addFile(fileId: string, content: Buffer): void {
    this.files.set(fileId, content);
  }

  /** Updates not yet confirmed by a getUpdates offset. */
  get pendingUpdates(): number {
    return this.updates.filter((u) => (u.update_id as number) >= this.confirmedOffset).length;
  }

  async waitFor<T>(check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) throw new Error('FakeBotApi.waitFor: timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A message as the chat shows it now, after any edits. */
  messageNow(chatId: string | number, messageId: number): { text?: string; reply_markup?: SentMessage['replyMarkup'] } | undefined {
    return this.messages.get(`${chatId}:${messageId}`) as { text?: string; reply_markup?: SentMessage['replyMarkup'] } | undefined;
  }

  sentTo(chatId: string | number): SentMessage[] {
    return this.sent.filter((m) => m.chatId === String(chatId));
  }

  // ——— the API ———

  /** One request for this bot (a FakeBotApiHub hands it over when several bots share a server). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) {
      // getFile hands out "photos/<file_id>.jpg" as the path.
      const id = decodeURIComponent(fileMatch[2]!).replace(/^photos\//, '').replace(/\.jpg$/, '');
      const buf = fileMatch[1] === this.token ? this.files.get(id) : undefined;
      res.writeHead(buf ? 200 : 404, { 'content-type': buf ? 'image/jpeg' : 'application/json' });
      res.end(buf ?? JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
      return;
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== this.token) return this.reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = m[2]!;
    let body: Json;
    try {
      body = await readBody(req);
    } catch {
      return this.reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid request body' });
    }
    for (const [k, v] of url.searchParams) body[k] ??= v;
    this.calls.push({ method, body });
    const pending = this.failures.get(method) ?? [];
    const at = pending.findIndex((f) => f.chatId === undefined || f.chatId === String(body.chat_id));
    const failure = at >= 0 ? pending.splice(at, 1)[0] : undefined;
    if (failure) {
      const { chatId: _only, ...reply } = failure;
      return this.reply(res, failure.error_code, { ok: false, ...reply });
    }
    try {
      const result = await this.dispatch(method, body, req);
      if (this.sendDelayMs > 0 && method.startsWith('send')) await new Promise((r) => setTimeout(r, this.sendDelayMs));
      if (result === undefined) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
      this.reply(res, 200, { ok: true, result });
    } catch (e) {
      const f = e as Failure;
      if (typeof f.error_code === 'number') this.reply(res, f.error_code, { ok: false, ...f });
      else this.reply(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${(e as Error).message}` });
    }
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    if (res.writableEnded) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async dispatch(method: string, b: Json, req: IncomingMessage): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return { id: Number(this.token.split(':')[0]), is_bot: true, first_name: 'Loa Xã', username: this.opts.botUsername, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
      case 'deleteWebhook':
        this.webhook = undefined;
        return true;
      case 'setWebhook':
        this.webhook = { url: String(b.url), ...(b.secret_token ? { secret: String(b.secret_token) } : {}) };
        return true;
      case 'getWebhookInfo':
        return { url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.pendingUpdates };
      case 'getUpdates':
        return this.getUpdates(b, req);
      case 'sendMessage':
        return this.send('sendMessage', b);
      case 'sendPhoto':
      case 'sendAudio':
      case 'sendVoice':
      case 'sendDocument':
        return this.send(method, b);
      case 'editMessageReplyMarkup': {
        const key = `${b.chat_id}:${b.message_id}`;
        if (!this.messages.has(key)) throw fail(400, 'Bad Request: message to edit not found');
        const markup = parseMaybeJson(b.reply_markup);
        const current = this.messages.get(key)!;
        if (JSON.stringify(current.reply_markup ?? null) === JSON.stringify(markup ?? null)) {
          throw fail(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        current.reply_markup = markup;
        this.edits.push({ chatId: String(b.chat_id), messageId: Number(b.message_id), replyMarkup: markup });
        return current;
      }
      case 'editMessageText': {
        const key = `${b.chat_id}:${b.message_id}`;
        if (!this.messages.has(key)) throw fail(400, 'Bad Request: message to edit not found');
        if (typeof b.text !== 'string' || !b.text.trim()) throw fail(400, 'Bad Request: message text is empty');
        if (b.text.length > 4096) throw fail(400, 'Bad Request: MESSAGE_TOO_LONG');
        const current = this.messages.get(key)!;
        const markup = parseMaybeJson(b.reply_markup);
        if (current.text === b.text && JSON.stringify(current.reply_markup ?? null) === JSON.stringify(markup ?? null)) {
          throw fail(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        Object.assign(current, { text: b.text, reply_markup: markup });
        if (markup === undefined) delete current.reply_markup;
        this.edits.push({ chatId: String(b.chat_id), messageId: Number(b.message_id), replyMarkup: markup, text: b.text });
        return current;
      }
      case 'answerCallbackQuery':
        if (typeof b.text === 'string' && b.text.length > 200) throw fail(400, 'Bad Request: MESSAGE_TOO_LONG');
        this.answeredCallbacks.push({ id: String(b.callback_query_id), ...(b.text ? { text: String(b.text) } : {}), ...(b.show_alert ? { show_alert: Boolean(b.show_alert) } : {}) });
        return true;
      case 'getFile': {
        const id = String(b.file_id);
        if (!this.files.has(id)) throw fail(400, 'Bad Request: invalid file_id');
        return { file_id: id, file_unique_id: id, file_size: this.files.get(id)!.length, file_path: `photos/${id}.jpg` };
      }
      case 'getChat':
        return { id: Number(b.chat_id), type: String(b.chat_id).startsWith('-') ? 'supergroup' : 'private' };
      default:
        return undefined;
    }
  }

  private async getUpdates(b: Json, req: IncomingMessage): Promise<Json[]> {
    const offset = Number(b.offset ?? 0);
    const timeout = Math.min(Number(b.timeout ?? 0), 50);
    // Telegram forgets every update below the offset: that is the confirmation.
    if (offset > 0) {
      this.confirmedOffset = Math.max(this.confirmedOffset, offset);
      this.updates = this.updates.filter((u) => (u.update_id as number) >= offset);
    }
    const ready = () => this.updates.filter((u) => (u.update_id as number) >= offset).slice(0, Number(b.limit ?? 100));
    let out = ready();
    if (out.length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeout * 1000);
        const done = () => {
          clearTimeout(t);
          resolve();
        };
        this.waiters.push(done);
        req.on('close', done);
      });
      out = ready();
    }
    return out;
  }

  private send(method: string, b: Json): Json {
    const chatId = String(b.chat_id ?? '');
    if (!chatId) throw fail(400, 'Bad Request: chat_id is empty');
    if (this.blocked.has(chatId)) throw fail(403, 'Forbidden: bot was blocked by the user');
    if (/^-?\d+$/.test(chatId) === false) throw fail(400, 'Bad Request: chat not found');
    const text = typeof b.text === 'string' ? b.text : undefined;
    const caption = typeof b.caption === 'string' ? b.caption : undefined;
    if (method === 'sendMessage') {
      if (!text || !text.trim()) throw fail(400, 'Bad Request: message text is empty');
      if (text.length > 4096) throw fail(400, 'Bad Request: message is too long');
    }
    if (caption && caption.length > 1024) throw fail(400, 'Bad Request: message caption is too long');
    const markup = parseMaybeJson(b.reply_markup) as SentMessage['replyMarkup'];
    for (const row of markup?.inline_keyboard ?? []) {
      for (const btn of row) {
        if (Buffer.byteLength(btn.callback_data ?? '') > 64) throw fail(400, 'Bad Request: BUTTON_DATA_INVALID');
      }
    }
    this.checkRate(chatId);
    const messageId = this.newMessageId(chatId);
    const replyParams = parseMaybeJson(b.reply_parameters) as { message_id?: number } | undefined;
    const replyTo = replyParams?.message_id ?? (b.reply_to_message_id !== undefined ? Number(b.reply_to_message_id) : undefined);
    const fileField = ['photo', 'audio', 'voice', 'document'].find((k) => b[k] !== undefined);
    const file = fileField ? (typeof b[fileField] === 'object' ? { field: fileField, ...(b[fileField] as { bytes: number; filename?: string }) } : String(b[fileField])) : undefined;
    const entry: SentMessage = {
      method,
      chatId,
      messageId,
      ...(text !== undefined ? { text } : {}),
      ...(caption !== undefined ? { caption } : {}),
      ...(markup ? { replyMarkup: markup } : {}),
      ...(replyTo !== undefined ? { replyTo } : {}),
      ...(b.message_thread_id !== undefined ? { threadId: Number(b.message_thread_id) } : {}),
      ...(file !== undefined ? { file } : {}),
      at: Date.now(),
    };
    this.sent.push(entry);
    const chat = chatId.startsWith('-') ? { id: Number(chatId), type: 'supergroup', title: 'Nhóm' } : { id: Number(chatId), type: 'private', first_name: 'Dân' };
    const message: Json = {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: { id: Number(this.token.split(':')[0]), is_bot: true, first_name: 'Loa Xã', username: this.opts.botUsername },
      ...(text !== undefined ? { text } : {}),
      ...(caption !== undefined ? { caption } : {}),
      ...(markup ? { reply_markup: markup } : {}),
    };
    if (method === 'sendPhoto') message.photo = [{ file_id: `sent-${messageId}`, file_unique_id: 'u', width: 100, height: 100 }];
    if (method === 'sendAudio') message.audio = { file_id: `sent-${messageId}`, file_unique_id: 'u', duration: 1 };
    if (method === 'sendVoice') message.voice = { file_id: `sent-${messageId}`, file_unique_id: 'u', duration: 1 };
    if (method === 'sendDocument') message.document = { file_id: `sent-${messageId}`, file_unique_id: 'u' };
    this.messages.set(`${chatId}:${messageId}`, message);
    return message;
  }

  private checkRate(chatId: string): void {
    const now = Date.now();
    this.globalSends = this.globalSends.filter((t) => t > now - 1000);
    if (this.globalSends.length >= this.opts.perSecondLimit) throw fail(429, 'Too Many Requests: retry after 1', 1);
    if (chatId.startsWith('-')) {
      const list = (this.groupSendTimes.get(chatId) ?? []).filter((t) => t > now - this.opts.groupWindowMs);
      if (list.length >= this.opts.groupLimit) {
        const retry = Math.max(1, Math.ceil((list[0]! + this.opts.groupWindowMs - now) / 1000));
        throw fail(429, `Too Many Requests: retry after ${retry}`, retry);
      }
      list.push(now);
      this.groupSendTimes.set(chatId, list);
    }
    this.globalSends.push(now);
  }
}

function fail(code: number, description: string, retryAfter?: number): Failure {
  return { error_code: code, description, ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}) };
}

function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

async function readBody(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return {};
  if (type.includes('application/json')) return JSON.parse(raw.toString('utf8')) as Json;
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (type.includes('multipart/form-data') && boundary) return parseMultipart(raw, boundary[1] ?? boundary[2]!);
  throw new Error('unsupported body');
}

/** Fields as strings; file parts as { bytes, filename } (their content is not kept). */
function parseMultipart(raw: Buffer, boundary: string): Json {
  const out: Json = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = raw.indexOf(delimiter);
  while (pos !== -1) {
    const start = pos + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const headerEnd = raw.indexOf('\r\n\r\n', start);
    if (headerEnd === -1) break;
    const headers = raw.subarray(start, headerEnd).toString('utf8');
    const next = raw.indexOf(delimiter, headerEnd);
    const body = raw.subarray(headerEnd + 4, next === -1 ? raw.length : next - 2);
    const name = /name="([^"]+)"/.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    // Files keep their size, name and first bytes (the container: OggS, ID3, a JPEG's FF D8…).
    if (name) out[name] = filename !== undefined ? { bytes: body.length, filename, magic: body.subarray(0, 4).toString('latin1') } : body.toString('utf8');
    pos = next;
  }
  return out;
}
