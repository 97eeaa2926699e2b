// A Zalo Official Account as a Channel: residents write to the commune's OA, events arrive by a
// signed webhook, answers go back as consultation messages ("tin tư vấn"). Zalo allows those only
// within 7 days of the resident's last message (free for the first 48 h): the channel remembers
// each resident's last message and refuses an answer outside the window as `window_closed`, so
// the answer is offered on another channel and the cadres are told (src/tickets/answer-delivery);
// a subscriber's bulletin outside it is skipped (subscriberBulletin).
// The webhook answers 200 only after the event is stored; Zalo's retries of an event already
// stored are harmless (the inbox dedupes on the message id).
import type { Button, Channel, ChannelCapabilities, ChannelHandlers, ChannelLimits, OutboundContent, SendResult } from '../channel.ts';
import { ChannelError } from '../channel.ts';
import { splitText } from '../../src/text/split-text.ts';
import { choiceAction, numberedChoiceMethods, numberedText, rememberChoices, type ChoiceMemory } from '../zalo/numbered-choices.ts';
import { downloadZaloFile } from '../zalo/download-zalo-file.ts';
import { createZaloOaClient, OaNeedsReconnect, type OaTokenSource } from './zalo-oa-client.ts';
import { normalizeOaEvent, parseOaEvent } from './normalize-event.ts';
import { verifyZaloOaSignature } from './verify-signature.ts';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { deliverOaBulletin, oaBulletinOutcome, type OaBulletinResult, type OaBulletinTarget } from './deliver-oa-bulletin.ts';
import { uploadOaImage, type OaBulletinContent } from './zalo-oa-bulletin-api.ts';
import { ZALO_OA_FREE_WINDOW_MS, ZALO_OA_MAX_TEXT, ZALO_OA_WINDOW_MS, type ZaloOaCsRequest, type ZaloOaCsResult, type ZaloOaInfo } from './zalo-oa-types.ts';
import { SUBSCRIBER_TARGET_KIND, textOnly, type BulletinOutcome, type BulletinParts, type BulletinSender } from '../bulletin-delivery.ts';

export const zaloOaLimits: ChannelLimits = {
  maxTextLength: ZALO_OA_MAX_TEXT,
  maxCaptionLength: ZALO_OA_MAX_TEXT,
  maxButtonDataBytes: 64,
  messagesPerSecond: 20,
  messagesPerMinutePerGroup: 20,
  maxPhotoBytes: 1024 * 1024,
  maxFileBytes: 5 * 1024 * 1024,
};

// Images by public URL in a media template; uploads (files, images by upload) are not built yet.
export const zaloOaCapabilities: ChannelCapabilities = { longText: 'split', photo: 'url', audio: 'none', voice: 'none', file: 'none', replyTo: false, buttons: 'numbered', groups: false, bulletin: 'text' };

export interface ConversationWindow {
  lastMessageAt: Date;
  /** Answers are free until then… */
  freeUntil: Date;
  /** …and possible at all until then. */
  closesAt: Date;
  open: boolean;
}

export interface ZaloOaChannelOptions {
  accountId: string;
  appId: string;
  oaSecret: string;
  tokens: OaTokenSource;
  apiRoot?: string;
  /** Numbered choices and each resident's last message time; Redis in production. */
  memory: ChoiceMemory;
  texts: { anonymousRefused: string };
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };
  /** Follow / unfollow events (the follower list for bulletins). */
  onFollow?(userId: string, followed: boolean, at: Date): Promise<void>;
  client?: { retries?: number; baseBackoffMs?: number };
  now?: () => number;
  /** Where followers and the broadcast quota are kept; without it the channel cannot deliver bulletins. */
  prisma?: PrismaClient;
}

export interface ZaloOaChannel extends Channel {
  /** The web server hands each POST here with the raw body; resolves to the HTTP status. */
  handleWebhook(p: { signature: string | undefined; rawBody: string }): Promise<number>;
  /** The resident's answer window, when known. */
  windowOf(userId: string): Promise<ConversationWindow | undefined>;
  /** A bulletin to the OA's followers (within the quota) or to a GMF group: deliver-oa-bulletin.ts. */
  deliverBulletin(deliveryId: string, target: OaBulletinTarget, content: OaBulletinContent, beforeEach?: () => void): Promise<OaBulletinResult>;
  /** Uploads an image once for a bulletin's messages; returns its attachment id. */
  uploadImage(bytes: Buffer, name: string, mime: 'image/jpeg' | 'image/png'): Promise<string>;
}

/** Why a subscriber's bulletin was not sent on the OA, as the run's report shows it. */
export const OA_WINDOW_CLOSED_REASON = 'người đăng ký đã quá 7 ngày không nhắn cho Zalo OA, Zalo không cho gửi tin tư vấn; sẽ nhận lại khi họ nhắn';

// Longer than the window, so "closed" can be told apart from "never seen here".
const LAST_SEEN_TTL_S = 30 * 24 * 3600;

export function createZaloOaChannel(opts: ZaloOaChannelOptions): ZaloOaChannel {
  const now = opts.now ?? Date.now;
  const client = createZaloOaClient({ tokens: opts.tokens, ...(opts.apiRoot ? { apiRoot: opts.apiRoot } : {}), ...opts.client });
  let handlers: ChannelHandlers | undefined;
  const seenKey = (userId: string) => `${opts.accountId}:${userId}:last-message`;

  async function windowOf(userId: string): Promise<ConversationWindow | undefined> {
    const v = await opts.memory.get(seenKey(userId));
    if (!v) return undefined;
    const last = Number(v);
    return { lastMessageAt: new Date(last), freeUntil: new Date(last + ZALO_OA_FREE_WINDOW_MS), closesAt: new Date(last + ZALO_OA_WINDOW_MS), open: now() < last + ZALO_OA_WINDOW_MS };
  }

  async function cs(body: ZaloOaCsRequest): Promise<string> {
    const r = await client.call<ZaloOaCsResult>('POST', '/v3.0/oa/message/cs', body);
    return r.message_id;
  }

  async function send(chatId: string, content: OutboundContent): Promise<SendResult> {
    for (const [kind, ref] of [['audio', content.audio], ['voice', content.voice], ['file', content.file]] as const) {
      if (ref) throw new ChannelError('bad_request', `Zalo OA chưa gửi được ${kind === 'file' ? 'tệp' : 'âm thanh'}`);
    }
    if (content.photo && !('url' in content.photo)) throw new ChannelError('bad_request', 'Zalo OA chỉ gửi ảnh từ một đường dẫn (URL) công khai');
    const w = await windowOf(chatId);
    // Known closed: Zalo would refuse (-230); say so without spending a call.
    if (w && !w.open) throw new ChannelError('window_closed', `đã quá 7 ngày từ tin nhắn cuối của người dân (${w.lastMessageAt.toISOString()})`);
    const buttons: Button[][] = content.buttons ?? [];
    const parts = splitText(numberedText(content.text ?? '', buttons), zaloOaLimits.maxTextLength);
    if (parts.length === 0 && !content.photo) throw new ChannelError('bad_request', 'tin nhắn trống');
    const recipient = { user_id: chatId };
    let last = '';
    let i = 0;
    if (content.photo && 'url' in content.photo) {
      const caption = parts[0];
      last = await cs({ recipient, message: { ...(caption ? { text: caption } : {}), attachment: { type: 'template', payload: { template_type: 'media', elements: [{ media_type: 'image', url: content.photo.url }] } } } });
      i = 1;
    }
    for (; i < parts.length; i++) last = await cs({ recipient, message: { text: parts[i]! } });
    if (buttons.length) await rememberChoices(opts.memory, opts.accountId, chatId, last, buttons);
    return { platformMessageId: last };
  }

  async function deliverBulletin(deliveryId: string, target: OaBulletinTarget, content: OaBulletinContent, beforeEach?: () => void): Promise<OaBulletinResult> {
    if (!opts.prisma) throw new ChannelError('bad_request', 'kênh Zalo OA chưa được nối với cơ sở dữ liệu để gửi bản tin');
    return deliverOaBulletin({ prisma: opts.prisma, client, now: () => new Date(now()) }, deliveryId, target, content, beforeEach);
  }

  // A subscriber's bulletin is a consultation message, which Zalo takes only within 7 days of the
  // resident's last message. Outside it the delivery is skipped, not failed: the subscription is
  // fine and the next bulletin after the resident writes again goes out. Known closed: no call;
  // not known here (the memory lost it): Zalo's own -230 / -232 says the same.
  async function subscriberBulletin(chatId: string | null, bulletin: BulletinParts, out: BulletinSender): Promise<BulletinOutcome> {
    const w = chatId ? await windowOf(chatId) : undefined;
    if (w && !w.open) return { status: 'skipped', reason: OA_WINDOW_CLOSED_REASON };
    try {
      return await textOnly(bulletin, out);
    } catch (e) {
      if (e instanceof ChannelError && e.kind === 'window_closed') return { status: 'skipped', reason: OA_WINDOW_CLOSED_REASON };
      throw e;
    }
  }

  async function dispatch(body: unknown): Promise<number> {
    const e = parseOaEvent(body);
    if (!e) return 400;
    const n = normalizeOaEvent(e, opts.accountId);
    if (n.kind === 'none') return 200;
    if (n.kind === 'follow') {
      await opts.onFollow?.(n.userId, n.followed, n.at);
      return 200;
    }
    if (n.kind === 'anonymous') {
      // An anonymous sender cannot consent or be found again: say so, store nothing.
      await cs({ recipient: { anonymous_id: n.anonymousId, conversation_id: n.conversationId }, message: { text: opts.texts.anonymousRefused } }).catch((err: Error) =>
        opts.log.warn({ err: err.message }, 'Zalo OA: chưa trả lời được người nhắn ẩn danh'),
      );
      return 200;
    }
    const action = await choiceAction(opts.memory, n.message);
    if (action) await handlers!.onAction(action);
    else await handlers!.onMessage(n.message);
    // The window opens at the resident's message; kept only once the message is stored.
    const prev = Number((await opts.memory.get(seenKey(n.message.userId))) ?? 0);
    const at = n.message.receivedAt.getTime();
    if (at > prev) await opts.memory.set(seenKey(n.message.userId), String(at), LAST_SEEN_TTL_S);
    return 200;
  }

  return {
    platform: 'zalo_oa',
    accountId: opts.accountId,
    limits: zaloOaLimits,
    capabilities: zaloOaCapabilities,
    // Followers and GMF groups: the OA's own broadcast, kept exactly once per delivery by its
    // receipts (deliver-oa-bulletin.ts), its quota stops told as the outcome; any other target
    // gets the words alone.
    async sendBulletin(target, bulletin, out) {
      if (target.kind === SUBSCRIBER_TARGET_KIND) return subscriberBulletin(target.chatId, bulletin, out);
      if (target.kind !== 'zalo_oa_followers' && target.kind !== 'zalo_oa_group') return textOnly(bulletin, out);
      if (!target.channelAccountId) throw new ChannelError('bad_request', 'mục tiêu Zalo OA chưa chọn tài khoản OA gửi');
      const r = await deliverBulletin(target.deliveryId, { kind: target.kind, channelAccountId: target.channelAccountId, villageId: target.villageId, platformChatId: target.chatId }, { title: bulletin.title, text: bulletin.text }, () => out.checkpoint());
      return oaBulletinOutcome(r);
    },
    async start(h) {
      handlers = h;
    },
    async stop() {
      handlers = undefined;
    },
    send,
    ...numberedChoiceMethods(opts.memory, opts.accountId, send),
    async downloadFile(fileId) {
      if (!/^https?:\/\//.test(fileId)) throw new ChannelError('bad_request', 'không phải đường dẫn tệp Zalo');
      return downloadZaloFile(fileId, 'tệp');
    },
    async health() {
      try {
        const oa = await client.call<ZaloOaInfo>('GET', '/v2.0/oa/getoa');
        return { ok: true, detail: `OA ${oa.name}` };
      } catch (e) {
        return { ok: false, detail: e instanceof OaNeedsReconnect ? 'cần kết nối lại' : (e as Error).message };
      }
    },
    async handleWebhook(p) {
      let body: unknown;
      try {
        body = JSON.parse(p.rawBody);
      } catch {
        return 400;
      }
      const ts = body && typeof body === 'object' && 'timestamp' in body ? String((body as { timestamp: unknown }).timestamp) : undefined;
      if (!verifyZaloOaSignature({ appId: opts.appId, oaSecret: opts.oaSecret, rawBody: p.rawBody, signature: p.signature, timestamp: ts })) return 401;
      if (!handlers) return 503;
      try {
        return await dispatch(body);
      } catch (e) {
        opts.log.error({ err: (e as Error).message }, 'không lưu được sự kiện Zalo OA; Zalo sẽ gửi lại');
        return 500;
      }
    },
    windowOf,
    deliverBulletin,
    uploadImage: (bytes, name, mime) => uploadOaImage(client, bytes, name, mime),
  };
}
