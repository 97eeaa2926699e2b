// Keeps one Zalo account listening. zca-js's listener stops for good on some disconnects (1006)
// and when the account logs in elsewhere (3000 duplicate connection, 3003 kicked): this supervisor
// logs in again with backoff and jitter after the first, asks Zalo for what was missed meanwhile
// (requestOldMessages; the inbox drops what it already has), and gives up only when a new QR
// login is needed — saying so through `onHealth`, which tells staff.
import { CloseReason, ThreadType, type Message } from 'zca-js';
import type { ZaloApi } from './zalo-api.ts';

export type ZaloHealth = 'connected' | 'reconnecting' | 'logged_out' | 'kicked' | 'suspected_ban';

export interface ZaloSessionOptions {
  login(): Promise<ZaloApi>;
  onMessage(m: Message): Promise<void>;
  onHealth(status: ZaloHealth, detail: string): void;
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void };
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
}

/** Messages that say the saved login is no longer any good (cookie expired, logged out). */
const LOGGED_OUT_RE = /đăng nhập thất bại|login fail|cookie|expired|hết hạn|session|unauthori[sz]ed|401/i;
const BANNED_RE = /bị khóa|banned|locked|vô hiệu hóa|disabled/i;

export class ZaloSession {
  private api: ZaloApi | undefined;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Newest message id seen per thread type: where "what was missed" starts. */
  private readonly lastSeen = new Map<ThreadType, string>();
  private readonly recent = new Set<string>();
  private everConnected = false;

  constructor(private readonly opts: ZaloSessionOptions) {}

  get current(): ZaloApi | undefined {
    return this.api;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const api = this.api;
    this.api = undefined;
    api?.listener.stop();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let api: ZaloApi;
    try {
      api = await this.opts.login();
    } catch (e) {
      const message = (e as Error).message;
      if (BANNED_RE.test(message)) return this.giveUp('suspected_ban', `Zalo từ chối tài khoản (có thể bị khóa): ${message}`);
      if (LOGGED_OUT_RE.test(message)) return this.giveUp('logged_out', `Phiên đăng nhập Zalo đã hết hạn: ${message}`);
      return this.retry(`không đăng nhập được: ${message}`);
    }
    if (this.stopped) return;
    this.api = api;
    const l = api.listener;
    l.on('connected', () => {
      this.attempt = 0;
      this.opts.onHealth('connected', 'đang kết nối');
      // After a break, ask for what arrived while we were away.
      if (this.everConnected) {
        l.requestOldMessages(ThreadType.User, this.lastSeen.get(ThreadType.User) ?? null);
        l.requestOldMessages(ThreadType.Group, this.lastSeen.get(ThreadType.Group) ?? null);
      }
      this.everConnected = true;
    });
    l.on('message', (m) => void this.handle(m));
    l.on('old_messages', (ms) => {
      for (const m of ms) void this.handle(m);
    });
    l.on('error', (e) => this.opts.log.warn({ err: String((e as Error)?.message ?? e) }, 'Zalo: lỗi kết nối'));
    l.on('closed', (code, reason) => this.closed(api, code, reason));
    try {
      l.start({ retryOnClose: false });
    } catch (e) {
      this.retry(`không mở được kết nối: ${(e as Error).message}`);
    }
  }

  private async handle(m: Message): Promise<void> {
    const id = String(m.data.msgId);
    // The same message can come live and again among the old ones: hand it on once.
    if (this.recent.has(id)) return;
    this.recent.add(id);
    if (this.recent.size > 5000) this.recent.delete(this.recent.values().next().value!);
    const prev = this.lastSeen.get(m.type);
    if (!prev || BigInt(id) > BigInt(prev)) this.lastSeen.set(m.type, id);
    try {
      await this.opts.onMessage(m);
    } catch (e) {
      // Not stored: forget it was seen, so the next catch-up brings it again.
      this.recent.delete(id);
      this.opts.log.warn({ err: (e as Error).message, msgId: id }, 'Zalo: chưa lưu được tin nhắn');
    }
  }

  private closed(api: ZaloApi, code: number, reason: string): void {
    if (this.api !== api) return;
    // The API object still sends over HTTP while the socket is down; a new login replaces it.
    if (this.stopped || code === CloseReason.ManualClosure) return;
    if (code === CloseReason.DuplicateConnection || code === CloseReason.KickConnection) {
      return this.giveUp('kicked', `Tài khoản Zalo đã đăng nhập ở nơi khác (mã ${code}); cần đăng nhập lại bằng mã QR`);
    }
    this.retry(`mất kết nối (mã ${code}${reason ? `: ${reason}` : ''})`);
  }

  private retry(why: string): void {
    if (this.stopped) return;
    const { baseMs, maxMs } = this.opts.backoff ?? { baseMs: 2000, maxMs: 5 * 60_000 };
    const ceiling = Math.min(maxMs, baseMs * 2 ** this.attempt++);
    // Full jitter: many accounts dropped together do not come back together.
    const delay = Math.round(ceiling / 2 + (this.opts.random ?? Math.random)() * (ceiling / 2));
    this.opts.onHealth('reconnecting', `${why}; thử lại sau ${Math.round(delay / 1000)} giây`);
    this.opts.log.warn({ why, delayMs: delay, attempt: this.attempt }, 'Zalo: kết nối lại');
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  private giveUp(status: ZaloHealth, detail: string): void {
    this.stopped = true;
    this.api = undefined;
    this.opts.onHealth(status, detail);
    this.opts.log.warn({ status, detail }, 'Zalo: tài khoản cần được xử lý');
  }
}
