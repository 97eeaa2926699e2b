// The built-in web chat as a Channel: residents without Zalo or Telegram write from the commune's
// website. What the commune sends is kept in a short Redis history per chat session and
// published, so whichever web process holds the resident's live connection pushes it at once.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Button, Channel, ChannelCapabilities, ChannelHandlers, ChannelLimits, OutboundContent, SendResult } from '../channel.ts';
import { ChannelError } from '../channel.ts';
import { splitText } from '../../src/text/split-text.ts';
import { textOnly } from '../bulletin-delivery.ts';

export interface WebChatEntry {
  id: string;
  from: 'resident' | 'commune';
  text: string;
  buttons?: Button[][];
  at: string;
}

export type WebChatEvent = { type: 'message'; entry: WebChatEntry } | { type: 'buttons'; id: string; buttons: Button[][] | null };

export const webChatLimits: ChannelLimits = {
  maxTextLength: 4000,
  maxCaptionLength: 4000,
  maxButtonDataBytes: 64,
  messagesPerSecond: 100,
  messagesPerMinutePerGroup: 600,
  maxPhotoBytes: 10 * 1024 * 1024,
  maxFileBytes: 10 * 1024 * 1024,
};

export const webChatCapabilities: ChannelCapabilities = { longText: 'split', photo: 'none', audio: 'none', voice: 'none', file: 'none', replyTo: false, buttons: 'inline', groups: false, bulletin: 'text' };

// A month of conversation is enough to read an answer that came days later.
const HISTORY_TTL_S = 30 * 24 * 3600;
const HISTORY_MAX = 200;
// As long as the session cookie (webchat plugin).
const SESSION_TTL_S = 180 * 24 * 3600;

export interface WebChatChannel extends Channel {
  /** Receiving side, used by the web server's chat routes. */
  handlers(): ChannelHandlers | undefined;
  /** Records what the resident wrote, so the page shows the whole conversation after a reload. */
  recordResident(sessionId: string, entry: WebChatEntry): Promise<void>;
  history(sessionId: string): Promise<WebChatEntry[]>;
  /**
   * Binds a new session to this account (its commune) for as long as its cookie lives, so that
   * the session can never write to another commune's web chat.
   */
  bindSession(sessionId: string): Promise<void>;
  /**
   * Whether the session is this account's. With `adoptUnbound` (the installation's first web chat,
   * whose sessions predate binding) a session bound to nobody becomes this account's.
   */
  ownsSession(sessionId: string, adoptUnbound: boolean): Promise<boolean>;
  /** Redis channel name carrying one session's events. */
  topic(sessionId: string): string;
  topicPattern(): string;
}

export function createWebChatChannel(opts: { redis: Redis; prefix: string; accountId?: string }): WebChatChannel {
  const { redis, prefix } = opts;
  let current: ChannelHandlers | undefined;
  const historyKey = (sid: string) => `${prefix}:webchat:h:${sid}`;
  const topic = (sid: string) => `${prefix}:webchat:c:${sid}`;
  const ownerKey = (sid: string) => `${prefix}:webchat:s:${sid}`;
  const accountId = opts.accountId ?? 'webchat';

  async function append(sid: string, entry: WebChatEntry): Promise<void> {
    await redis.multi().rpush(historyKey(sid), JSON.stringify(entry)).ltrim(historyKey(sid), -HISTORY_MAX, -1).expire(historyKey(sid), HISTORY_TTL_S).exec();
  }

  return {
    platform: 'webchat',
    accountId,
    limits: webChatLimits,
    capabilities: webChatCapabilities,
    // No group bulletins on this platform: the words alone, should a target ever point here.
    sendBulletin: (_target, bulletin, out) => textOnly(bulletin, out),
    async start(h) {
      current = h;
    },
    async stop() {
      current = undefined;
    },
    handlers: () => current,
    async send(chatId: string, content: OutboundContent): Promise<SendResult> {
      // As declared in webChatCapabilities: text only (a file would be silently lost otherwise).
      if (!content.text || content.photo || content.audio || content.voice || content.file) throw new ChannelError('bad_request', 'web chat sends text only');
      const parts = splitText(content.text, webChatLimits.maxTextLength);
      let first: string | undefined;
      for (const [i, text] of parts.entries()) {
        const last = i === parts.length - 1;
        const entry: WebChatEntry = { id: `w-${randomUUID()}`, from: 'commune', text, at: new Date().toISOString(), ...(last && content.buttons?.length ? { buttons: content.buttons } : {}) };
        try {
          await append(chatId, entry);
          await redis.publish(topic(chatId), JSON.stringify({ type: 'message', entry } satisfies WebChatEvent));
        } catch (e) {
          throw new ChannelError('network', (e as Error).message);
        }
        first ??= entry.id;
        // Buttons sit under the last part: its id is the one edits and presses refer to.
        if (last && content.buttons?.length) first = entry.id;
      }
      return { platformMessageId: first! };
    },
    async answerAction() {
      // The page shows the result as a message; there is no separate notice to answer.
    },
    async editButtons(chatId, platformMessageId, buttons) {
      const list = await redis.lrange(historyKey(chatId), 0, -1);
      const idx = list.findIndex((s) => (JSON.parse(s) as WebChatEntry).id === platformMessageId);
      if (idx < 0) throw new ChannelError('bad_request', 'message to edit not found');
      const entry = JSON.parse(list[idx]!) as WebChatEntry;
      if (buttons?.length) entry.buttons = buttons;
      else delete entry.buttons;
      await redis.lset(historyKey(chatId), idx, JSON.stringify(entry));
      await redis.publish(topic(chatId), JSON.stringify({ type: 'buttons', id: platformMessageId, buttons } satisfies WebChatEvent));
    },
    async downloadFile() {
      throw new ChannelError('bad_request', 'web chat files are stored on upload');
    },
    async health() {
      try {
        await redis.ping();
        return { ok: true, detail: 'sẵn sàng' };
      } catch {
        return { ok: false, detail: 'Redis không phản hồi' };
      }
    },
    recordResident: append,
    async bindSession(sid) {
      await redis.set(ownerKey(sid), accountId, 'EX', SESSION_TTL_S);
    },
    async ownsSession(sid, adoptUnbound) {
      if (adoptUnbound) await redis.set(ownerKey(sid), accountId, 'EX', SESSION_TTL_S, 'NX');
      return (await redis.get(ownerKey(sid))) === accountId;
    },
    async history(sid) {
      return (await redis.lrange(historyKey(sid), 0, -1)).map((s) => JSON.parse(s) as WebChatEntry);
    },
    topic,
    topicPattern: () => `${prefix}:webchat:c:*`,
  };
}
