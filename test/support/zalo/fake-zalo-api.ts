// A stand-in for zca-js's API object at the seam the Zalo adapter uses: the same method signatures
// and listener events (message, old_messages, connected, closed with its codes, error). `ZaloApi`
// is checked against zca-js's own typings (bots/zalo/zalo-api.ts) and this class `implements` it,
// so the fake cannot drift from the library. Tests script it: residents write, Zalo closes the
// socket, sends fail with Zalo's error codes, and everything sent is recorded.
import { EventEmitter } from 'node:events';
import { CookieJar } from 'tough-cookie';
import { CloseReason, GroupMessage, ThreadType, UserMessage, ZaloApiError, type Message, type TGroupMessage, type TMessage } from 'zca-js';
import type { ZaloApi, ZaloListener } from '../../../bots/zalo/zalo-api.ts';

export const BOT_UID = '9000000000000000001';

export interface FakeSent {
  kind: 'message' | 'voice';
  threadId: string;
  type: ThreadType;
  text?: string;
  attachments?: unknown;
  voiceUrl?: string;
  msgId: string;
  at: number;
}

class FakeListener extends EventEmitter implements ZaloListener {
  started = 0;
  running = false;
  oldRequests: Array<{ type: ThreadType; lastMsgId: string | null }> = [];
  constructor(private readonly api: FakeZaloApi) {
    super();
  }
  start(): void {
    if (this.running) throw new ZaloApiError('Already started');
    this.started++;
    this.running = true;
    setImmediate(() => this.emit('connected'));
  }
  stop(): void {
    if (!this.running) return;
    this.running = false;
    setImmediate(() => this.emit('closed', CloseReason.ManualClosure, ''));
  }
  requestOldMessages(threadType: ThreadType, lastMsgId: string | null = null): void {
    this.oldRequests.push({ type: threadType, lastMsgId });
    const missed = this.api.missed.filter((m) => m.type === threadType);
    this.api.missed = this.api.missed.filter((m) => m.type !== threadType);
    if (missed.length) setImmediate(() => this.emit('old_messages', missed, threadType));
  }
}

let seq = 7_000_000_000;

export class FakeZaloApi implements ZaloApi {
  readonly listener: FakeListener;
  readonly sent: FakeSent[] = [];
  /** Messages Zalo holds for the account while it is disconnected; returned by requestOldMessages. */
  missed: Message[] = [];
  private failures: Array<{ code: number; message: string }> = [];
  readonly cookieJar = new CookieJar();

  constructor(readonly uid = BOT_UID) {
    this.listener = new FakeListener(this);
    this.cookieJar.setCookieSync('zpw_sek=fake-session; Domain=chat.zalo.me; Path=/', 'https://chat.zalo.me');
  }

  /** The next sends fail with Zalo's error (e.g. 221 or -69 for sending too fast). */
  failNext(code: number, message: string, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ code, message });
  }

  private maybeFail(): void {
    const f = this.failures.shift();
    if (f) throw new ZaloApiError(f.message, f.code);
  }

  sendMessage: ZaloApi['sendMessage'] = async (message, threadId, type = ThreadType.User) => {
    this.maybeFail();
    const msgId = String(seq++);
    const text = typeof message === 'string' ? message : message.msg;
    this.sent.push({ kind: 'message', threadId, type, text, ...(typeof message !== 'string' && message.attachments ? { attachments: message.attachments } : {}), msgId, at: Date.now() });
    return { message: { msgId: Number(msgId) }, attachment: [] };
  };

  sendVoice: ZaloApi['sendVoice'] = async (options, threadId, type = ThreadType.User) => {
    this.maybeFail();
    const msgId = String(seq++);
    this.sent.push({ kind: 'voice', threadId, type, voiceUrl: options.voiceUrl, msgId, at: Date.now() });
    return { msgId };
  };

  groups: Record<string, string> = {};
  getAllGroups: ZaloApi['getAllGroups'] = async () => ({ version: '1', gridVerMap: Object.fromEntries(Object.keys(this.groups).map((id) => [id, '1'])) });
  getGroupInfo: ZaloApi['getGroupInfo'] = async (groupId) => {
    const ids = Array.isArray(groupId) ? groupId : [groupId];
    return {
      removedsGroup: [],
      unchangedsGroup: [],
      gridInfoMap: Object.fromEntries(ids.filter((id) => this.groups[id]).map((id) => [id, { groupId: id, name: this.groups[id]!, totalMember: 12 } as never])),
    };
  };
  getOwnId: ZaloApi['getOwnId'] = () => this.uid;
  getCookie: ZaloApi['getCookie'] = () => this.cookieJar;

  // ── scripting ──
  private base(from: string, text: string | Record<string, unknown>, msgType: string): TMessage {
    const id = String(seq++);
    return { actionId: id, msgId: id, cliMsgId: id, msgType, uidFrom: from, idTo: this.uid, dName: 'Người dân', ts: String(Date.now()), status: 1, content: text as never, notify: '1', ttl: 0, userId: '0', uin: '0', topOut: '0', topOutTimeOut: '0', topOutImprTimeOut: '0', propertyExt: undefined, paramsExt: { countUnread: 1, containType: 0, platformType: 1 }, cmd: 501, st: 3, at: 5, realMsgId: '0', quote: undefined };
  }

  /** A private message from a resident (not delivered unless `deliver`; e.g. kept as missed). */
  userMessage(from: string, text: string, opts: { quote?: { msgId: string; text: string }; photo?: string } = {}): UserMessage {
    const data = this.base(from, opts.photo ? { title: text, href: opts.photo, thumb: opts.photo, description: '', childnumber: 0, action: '', params: '', type: '' } : text, opts.photo ? 'chat.photo' : 'webchat');
    if (opts.quote) data.quote = { ownerId: this.uid, cliMsgId: Number(opts.quote.msgId), globalMsgId: Number(opts.quote.msgId), cliMsgType: 1, ts: Date.now(), msg: opts.quote.text, attach: '', fromD: 'Loa Xã', ttl: 0 };
    return new UserMessage(this.uid, data);
  }

  groupMessage(groupId: string, from: string, text: string, opts: { quote?: { msgId: string; text: string }; mentionBot?: boolean } = {}): GroupMessage {
    const data = { ...this.base(from, text, 'webchat'), idTo: groupId, mentions: opts.mentionBot ? [{ uid: this.uid, pos: 0, len: 7, type: 0 as const }] : undefined } as TGroupMessage;
    if (opts.quote) data.quote = { ownerId: this.uid, cliMsgId: Number(opts.quote.msgId), globalMsgId: Number(opts.quote.msgId), cliMsgType: 1, ts: Date.now(), msg: opts.quote.text, attach: '', fromD: 'Loa Xã', ttl: 0 };
    return new GroupMessage(this.uid, data);
  }

  deliver(m: Message): void {
    this.listener.emit('message', m);
  }

  /** Zalo closes the socket (1006 abnormal, 3000 duplicate connection, 3003 kicked). */
  close(code: CloseReason): void {
    this.listener.running = false;
    this.listener.emit('disconnected', code, '');
    this.listener.emit('closed', code, '');
  }
}
