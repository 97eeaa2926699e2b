// A Zalo account (through zca-js) as a Channel: residents' private chats, a Zalo group as the admin
// chat, and Zalo groups that receive bulletins. Sends are paced per account across processes
// (zalo-pacer); buttons become numbered choices; quoted replies carry the quoted message's id.
// Only the bots role listens (one connection per account); other processes only send.
import type { Button, Channel, ChannelCapabilities, ChannelHandlers, ChannelLimits, MediaRef, OutboundContent, SendResult } from '../channel.ts';
import { ChannelError } from '../channel.ts';
import { splitText } from '../../src/text/split-text.ts';
import type { ZaloApi } from './zalo-api.ts';
import { ZaloSession, type ZaloHealth } from './zalo-session.ts';
import { normalizeZaloMessage, zaloThread } from './normalize-message.ts';
import { choiceAction, numberedChoiceMethods, numberedText, rememberChoices, type ChoiceMemory } from './numbered-choices.ts';
import { downloadZaloFile } from './download-zalo-file.ts';
import { mapZaloError, ZALO_RATE_BACKOFF_MS } from './map-zalo-error.ts';
import type { ZaloPacer } from './zalo-pacer.ts';
import { textThenVoiceLink } from '../bulletin-delivery.ts';

export const zaloLimits: ChannelLimits = {
  maxTextLength: 2000,
  maxCaptionLength: 1000,
  maxButtonDataBytes: 64,
  messagesPerSecond: 0.4,
  messagesPerMinutePerGroup: 10,
  maxPhotoBytes: 10 * 1024 * 1024,
  maxFileBytes: 25 * 1024 * 1024,
};

// Voice plays from a hosted link; audio given as a link goes as voice, otherwise as a file.
export const zaloCapabilities: ChannelCapabilities = { longText: 'split', photo: 'any', audio: 'any', voice: 'url', file: 'any', replyTo: false, buttons: 'numbered', groups: true, bulletin: 'text-then-voice-link' };

export interface ZaloChannelOptions {
  /** The ChannelAccount's name. */
  accountId: string;
  /** Logs in with the account's saved credentials. */
  login(): Promise<ZaloApi>;
  choices: ChoiceMemory;
  pacer: ZaloPacer;
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void };
  onHealth?(status: ZaloHealth, detail: string): void;
  backoff?: { baseMs: number; maxMs: number };
}

export interface ZaloChannel extends Channel {
  /** The account's groups, for staff to choose bulletin targets and the admin group. */
  groups(): Promise<Array<{ chatId: string; name: string; members: number }>>;
  /** The logged-in API (to save rotated cookies), if any. */
  currentApi(): ZaloApi | undefined;
}

export function createZaloChannel(opts: ZaloChannelOptions): ZaloChannel {
  let session: ZaloSession | undefined;
  let sendOnly: Promise<ZaloApi> | undefined;
  let health: { status: ZaloHealth | 'idle'; detail: string } = { status: 'idle', detail: 'chưa kết nối' };
  const setHealth = (status: ZaloHealth, detail: string) => {
    health = { status, detail };
    opts.onHealth?.(status, detail);
  };

  async function api(): Promise<ZaloApi> {
    const live = session?.current;
    if (live) return live;
    if (session) throw new ChannelError('network', `Zalo chưa kết nối: ${health.detail}`, { retryAfterMs: 30_000 });
    // A process that does not listen logs in over HTTP only, once.
    sendOnly ??= opts.login().catch((e: unknown) => {
      sendOnly = undefined;
      throw new ChannelError('network', `Zalo: không đăng nhập được (${(e as Error).message})`, { retryAfterMs: 60_000 });
    });
    return sendOnly;
  }

  /** One paced call; Zalo's "too fast" pauses every process of this account. */
  async function paced<T>(call: (a: ZaloApi) => Promise<T>): Promise<T> {
    const a = await api();
    await opts.pacer.acquire();
    try {
      return await call(a);
    } catch (e) {
      const ce = mapZaloError(e);
      if (ce.kind === 'rate_limited' && !ce.opts.quota) await opts.pacer.pause(ZALO_RATE_BACKOFF_MS);
      throw ce;
    }
  }

  async function attachment(ref: MediaRef): Promise<string | { data: Buffer; filename: `${string}.${string}`; metadata: { totalSize: number } }> {
    if ('path' in ref) return ref.path;
    if ('buffer' in ref) return { data: ref.buffer, filename: (ref.filename.includes('.') ? ref.filename : `${ref.filename}.bin`) as `${string}.${string}`, metadata: { totalSize: ref.buffer.length } };
    if ('url' in ref) {
      const res = await fetch(ref.url, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new ChannelError('network', `không tải được tệp để gửi qua Zalo (${res.status})`);
      const data = Buffer.from(await res.arrayBuffer());
      const name = new URL(ref.url).pathname.split('/').pop() || 'tep';
      return { data, filename: (name.includes('.') ? name : `${name}.bin`) as `${string}.${string}`, metadata: { totalSize: data.length } };
    }
    throw new ChannelError('bad_request', 'tệp của nền tảng khác không gửi được qua Zalo');
  }

  const channel: ZaloChannel = {
    platform: 'zalo',
    accountId: opts.accountId,
    limits: zaloLimits,
    capabilities: zaloCapabilities,

    // Zalo fetches the voice message itself, from a signed M4A link.
    sendBulletin: (_target, bulletin, out) => textThenVoiceLink(bulletin, out, 'm4a', 'Zalo'),
    async start(handlers: ChannelHandlers) {
      session = new ZaloSession({
        login: opts.login,
        log: opts.log,
        onHealth: setHealth,
        ...(opts.backoff ? { backoff: opts.backoff } : {}),
        onMessage: async (raw) => {
          const botUid = session?.current?.getOwnId() ?? '';
          const m = normalizeZaloMessage(raw, opts.accountId, botUid);
          if (!m) return;
          const action = await choiceAction(opts.choices, m);
          if (action) await handlers.onAction(action);
          else await handlers.onMessage(m);
        },
      });
      await session.start();
    },

    async stop() {
      await session?.stop();
      session = undefined;
      sendOnly = undefined;
    },

    async send(chatId: string, content: OutboundContent): Promise<SendResult> {
      const { threadId, type } = zaloThread(chatId);
      const voice = content.voice ?? (content.audio && 'url' in content.audio ? content.audio : undefined);
      if (voice) {
        // Zalo plays voice messages from a hosted file: the caller gives the signed audio link.
        if (!('url' in voice)) throw new ChannelError('bad_request', 'Zalo chỉ gửi tin nhắn thoại từ một đường dẫn (URL) công khai');
        const r = await paced((a) => a.sendVoice({ voiceUrl: voice.url }, threadId, type));
        return { platformMessageId: String(r.msgId) };
      }
      const buttons: Button[][] = content.buttons ?? [];
      const text = numberedText(content.text ?? '', buttons);
      const media = content.photo ?? content.file ?? content.audio;
      const parts = splitText(text, zaloLimits.maxTextLength);
      if (parts.length === 0 && !media) throw new ChannelError('bad_request', 'tin nhắn trống');
      let last = '';
      for (const [i, part] of parts.entries()) {
        // The photo or file travels with the first part, the way a caption does.
        const attachments = i === 0 && media ? [await attachment(media)] : undefined;
        const r = await paced((a) => a.sendMessage({ msg: part, ...(attachments ? { attachments } : {}) }, threadId, type));
        const id = r.message?.msgId ?? r.attachment[0]?.msgId;
        if (id === undefined) throw new ChannelError('unknown', 'Zalo không trả mã tin nhắn đã gửi');
        last = String(id);
      }
      if (parts.length === 0 && media) {
        const r = await paced(async (a) => a.sendMessage({ msg: '', attachments: [await attachment(media)] }, threadId, type));
        last = String(r.message?.msgId ?? r.attachment[0]?.msgId ?? '');
      }
      if (buttons.length) await rememberChoices(opts.choices, opts.accountId, chatId, last, buttons);
      return { platformMessageId: last };
    },

    ...numberedChoiceMethods(opts.choices, opts.accountId, (chatId, content) => channel.send(chatId, content)),

    downloadFile: (fileId) => downloadZaloFile(fileId, 'tệp'),

    async health() {
      return { ok: health.status === 'connected' || (health.status === 'idle' && !session), detail: health.detail };
    },

    async groups() {
      const a = await api();
      const ids = Object.keys((await a.getAllGroups()).gridVerMap);
      const out: Array<{ chatId: string; name: string; members: number }> = [];
      // getGroupInfo takes a list; ask in small batches.
      for (let i = 0; i < ids.length; i += 50) {
        const info = await a.getGroupInfo(ids.slice(i, i + 50));
        for (const [id, g] of Object.entries(info.gridInfoMap)) out.push({ chatId: `g:${id}`, name: g.name, members: g.totalMember });
      }
      return out.sort((x, y) => x.name.localeCompare(y.name, 'vi'));
    },

    currentApi: () => session?.current,
  };
  return channel;
}
