// The one interface every messaging platform hides behind (Telegram, Zalo personal accounts, the
// Zalo Bot Platform, Zalo Official Accounts, web chat). Domain code in src/ speaks only these
// types; it never imports telegraf or zca-js.
import type { BulletinDelivery } from './bulletin-delivery.ts';

/** zalo: a personal account through zca-js; zalo_bot: Zalo Bot Platform; zalo_oa: Official Account. */
export type Platform = 'telegram' | 'zalo' | 'webchat' | 'zalo_bot' | 'zalo_oa';

export interface Attachment {
  kind: 'photo' | 'audio' | 'voice' | 'file' | 'video' | 'sticker' | 'other';
  fileId: string;
  mime?: string;
  size?: number;
  name?: string;
  /** Already stored by content hash where it arrived (web chat uploads): nothing to fetch. */
  sha256?: string;
}

/** A message a person sent, normalized. */
export interface InboundMessage {
  platform: Platform;
  /** Which bot or account received it (ChannelAccount name or id). */
  accountId: string;
  /** Stable and unique within the chat; the dedupe key with chatId. */
  platformMessageId: string;
  chatId: string;
  chatKind: 'private' | 'group';
  userId: string;
  userName?: string;
  text?: string;
  /** The message this answers; its text when the platform includes it. */
  replyTo?: { platformMessageId: string; text?: string };
  /** "/tracuu PA-2026-00001" → { name: 'tracuu', args: 'PA-2026-00001' }. */
  command?: { name: string; args: string };
  attachments: Attachment[];
  receivedAt: Date;
}

/** A button pressed under a message. */
export interface InboundAction {
  platform: Platform;
  accountId: string;
  actionId: string;
  chatId: string;
  chatKind: 'private' | 'group';
  userId: string;
  userName?: string;
  /** The message carrying the button, in the same form as platformMessageId. */
  messageId: string;
  data: string;
}

/**
 * InboundAction.data of a signal from the platform, not a button: the person can be reached again
 * (Telegram: they unblocked the bot). Nothing answers it; undelivered answers go out.
 */
export const REACHABLE_ACTION = 'channel:reachable';

/** A file to send: on disk, at a URL, in memory, or already on the same platform (its file id). */
export type MediaRef = { path: string } | { url: string } | { buffer: Buffer; filename: string } | { platformFileId: string };

export interface Button {
  label: string;
  /** What comes back in InboundAction.data; keep it short (Telegram: 64 bytes). */
  data: string;
}

export interface OutboundContent {
  text?: string;
  photo?: MediaRef;
  audio?: MediaRef;
  voice?: MediaRef;
  file?: MediaRef;
  buttons?: Button[][];
  /** platformMessageId of the message this answers. */
  replyTo?: string;
  /** A group with topics: the topic to post in (Telegram message_thread_id). */
  threadId?: string;
  /** Restored backlog: it may not take a group's last sends of the minute, kept for new work. */
  background?: boolean;
}

export interface SendResult {
  platformMessageId: string;
}

/** The platform's limits, as data the domain plans with. */
export interface ChannelLimits {
  maxTextLength: number;
  maxCaptionLength: number;
  maxButtonDataBytes: number;
  messagesPerSecond: number;
  messagesPerMinutePerGroup: number;
  maxPhotoBytes: number;
  maxFileBytes: number;
}

/** How a kind of media can be sent: from anything (upload), only from a public URL, or not at all. */
export type MediaSupport = 'any' | 'url' | 'none';

/**
 * What the adapter can do, declared as data; the conformance suite checks every declaration
 * against the adapter's behaviour over its fake, so a caller can plan with it.
 */
export interface ChannelCapabilities {
  /** A text over maxTextLength: sent in several parts, or refused as bad_request. */
  longText: 'split' | 'refuse';
  photo: MediaSupport;
  audio: MediaSupport;
  voice: MediaSupport;
  file: MediaSupport;
  /** Whether OutboundContent.replyTo quotes the message on the platform (otherwise ignored). */
  replyTo: boolean;
  /** inline: buttons under the message; numbered: "Trả lời bằng số" and the reply becomes an action. */
  buttons: 'inline' | 'numbered';
  /** Whether group chats exist for this adapter (admin chats, bulletin targets). */
  groups: boolean;
  /**
   * How sendBulletin sends: captioned-voice: one voice note with the words as caption when they
   * fit maxCaptionLength (words then voice otherwise); text-then-voice-link: words, then a voice
   * message fetched from a public link (words only without one); text: words only.
   */
  bulletin: 'captioned-voice' | 'text-then-voice-link' | 'text';
}

/** window_closed: the platform only lets us answer within a time after the person's last message (Zalo OA: 7 days). */
export type ChannelErrorKind = 'rate_limited' | 'blocked' | 'not_found' | 'bad_request' | 'window_closed' | 'network' | 'unknown';

/** What went wrong, in terms the domain decides retries on. */
export class ChannelError extends Error {
  override name = 'ChannelError';
  constructor(
    readonly kind: ChannelErrorKind,
    message: string,
    /**
     * quota: the account reached its own sending cap (another account may send instead).
     * unsent: failed before anything reached the platform, so a retry cannot be a repeat.
     */
    readonly opts: { retryAfterMs?: number; platformCode?: number; quota?: boolean; unsent?: boolean } = {},
  ) {
    super(message);
  }
  /** Retrying cannot help: the user blocked the bot, the chat is gone, the request is wrong, the answer window closed. */
  get permanent(): boolean {
    return this.kind === 'blocked' || this.kind === 'not_found' || this.kind === 'bad_request' || this.kind === 'window_closed';
  }
  get retryAfterMs(): number | undefined {
    return this.opts.retryAfterMs;
  }
}

/** One thing a person sent: a message or a button press. */
export type InboundItem = { kind: 'message'; message: InboundMessage } | { kind: 'action'; action: InboundAction };

export interface ChannelHandlers {
  /** Resolves once the message is stored; only then does the adapter acknowledge it. */
  onMessage(m: InboundMessage): Promise<void>;
  onAction(a: InboundAction): Promise<void>;
  /**
   * Everything one poll returned, stored together (one transaction) so a backlog drains at
   * database speed; the adapter acknowledges the whole batch once it resolves. A rejection makes
   * the adapter fall back to one update at a time (and so to onFailure for a poisoned one).
   */
  onBatch?(items: InboundItem[]): Promise<void>;
  /**
   * An update whose onMessage/onAction failed: 'quarantined' when it has failed often enough to
   * be set aside (the adapter then acknowledges it and moves on), 'retry' otherwise.
   */
  onFailure?(f: { updateKey: string; raw: unknown; error: string }): Promise<'retry' | 'quarantined'>;
}

export interface Channel extends BulletinDelivery {
  readonly platform: Platform;
  readonly accountId: string;
  readonly limits: ChannelLimits;
  readonly capabilities: ChannelCapabilities;
  start(handlers: ChannelHandlers): Promise<void>;
  stop(): Promise<void>;
  send(chatId: string, content: OutboundContent): Promise<SendResult>;
  answerAction(actionId: string, text?: string, alert?: boolean): Promise<void>;
  editButtons(chatId: string, platformMessageId: string, buttons: Button[][] | null): Promise<void>;
  /** Replaces a sent message's text and buttons; platforms whose messages cannot change lack it. */
  editText?(chatId: string, platformMessageId: string, text: string, buttons: Button[][] | null): Promise<void>;
  downloadFile(fileId: string): Promise<{ buffer: Buffer; mime?: string }>;
  health(): Promise<{ ok: boolean; detail: string }>;
}
