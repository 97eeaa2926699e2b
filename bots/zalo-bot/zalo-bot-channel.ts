// A Zalo Bot (Zalo Bot Platform) as a Channel: residents' private chats with the commune's bot.
// Receiving is long polling (one update per getUpdates call) or a webhook with a secret header.
// An update is stored before the next one is asked for (polling) or before the webhook answers
// 200, so nothing a resident wrote is confirmed unless the domain kept it. Buttons become
// numbered choices, as on Zalo personal accounts. The platform's terms require a bot to say it is
// a bot: the first message to each resident starts with that notice.
import { sameSecret } from '../../src/auth/same-secret.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Button, Channel, ChannelCapabilities, ChannelHandlers, ChannelLimits, OutboundContent, SendResult } from '../channel.ts';
import { ChannelError } from '../channel.ts';
import { splitText } from '../../src/text/split-text.ts';
import { choiceAction, numberedChoiceMethods, numberedText, rememberChoices, type ChoiceMemory } from '../zalo/numbered-choices.ts';
import { downloadZaloFile } from '../zalo/download-zalo-file.ts';
import { createZaloBotClient, type ZaloBotClient } from './zalo-bot-client.ts';
import { asUpdate, normalizeBotUpdate } from './normalize-update.ts';
import { ZALO_BOT_MAX_TEXT, ZALO_BOT_SECRET_MAX, ZALO_BOT_SECRET_MIN, type ZaloBotUpdate } from './zalo-bot-types.ts';
import { textOnly } from '../bulletin-delivery.ts';

export const zaloBotLimits: ChannelLimits = {
  maxTextLength: ZALO_BOT_MAX_TEXT,
  maxCaptionLength: ZALO_BOT_MAX_TEXT,
  maxButtonDataBytes: 64,
  // Not published; kept well under what a chat bot platform allows.
  messagesPerSecond: 10,
  messagesPerMinutePerGroup: 20,
  maxPhotoBytes: 5 * 1024 * 1024,
  maxFileBytes: 0,
};

// The Bot API sends photos by address only; no audio, voice, files, quotes or groups (yet).
export const zaloBotCapabilities: ChannelCapabilities = { longText: 'split', photo: 'url', audio: 'none', voice: 'none', file: 'none', replyTo: false, buttons: 'numbered', groups: false, bulletin: 'text' };

export type ZaloBotMode = { kind: 'polling'; timeoutSeconds?: number } | { kind: 'webhook'; url: string; secretToken: string } | { kind: 'send-only' };

export interface ZaloBotTexts {
  /** Said once to each resident before anything else (the platform's terms). */
  disclosure: string;
  /** The answer to a protected user's message, whose content the bot cannot see. */
  unsupported: string;
}

export interface ZaloBotChannelOptions {
  token: string;
  apiRoot?: string;
  accountId?: string;
  mode: ZaloBotMode;
  texts: ZaloBotTexts;
  /** Numbered choices and "already told this resident it is a bot"; Redis in production. */
  memory: ChoiceMemory;
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };
  /** Client retries and backoff; tests shrink them. */
  client?: { retries?: number; baseBackoffMs?: number };
  /** Pause after a failed store before trying the same update again. */
  storeRetryMs?: number;
  /** Zalo refused the token (401): polling stops and the caller marks the bot down. */
  onUnauthorized?: (detail: string) => void;
}

export interface ZaloBotChannel extends Channel {
  /** Webhook mode: the web server hands each POST here; resolves to the HTTP status to answer. */
  handleWebhook(secretHeader: string | undefined, body: unknown): Promise<number>;
  /** The typing indicator, shown while a long answer is on its way. */
  typing(chatId: string): Promise<void>;
}

const DISCLOSED_TTL_S = 400 * 24 * 3600;


export function createZaloBotChannel(opts: ZaloBotChannelOptions): ZaloBotChannel {
  const accountId = opts.accountId ?? 'zalo-bot';
  let down: string | undefined;
  const client: ZaloBotClient = createZaloBotClient({
    token: opts.token,
    ...(opts.apiRoot ? { apiRoot: opts.apiRoot } : {}),
    ...opts.client,
    onUnauthorized: (d) => {
      down = `Zalo từ chối mã bot (401): kiểm tra ZALO_BOT_TOKEN (${d})`;
    },
  });
  if (opts.mode.kind === 'webhook') {
    const n = opts.mode.secretToken.length;
    if (n < ZALO_BOT_SECRET_MIN || n > ZALO_BOT_SECRET_MAX) throw new Error(`Zalo Bot: secret_token cần ${ZALO_BOT_SECRET_MIN}–${ZALO_BOT_SECRET_MAX} ký tự`);
  }
  let handlers: ChannelHandlers | undefined;
  let abort: AbortController | undefined;
  let loop: Promise<void> | undefined;

  async function dispatch(u: ZaloBotUpdate): Promise<void> {
    const n = normalizeBotUpdate(u, accountId);
    if (n.kind === 'none') return;
    if (n.kind === 'unsupported') {
      // Nothing to store: the platform withheld the content. Tell the resident where to write.
      await send(n.chatId, { text: opts.texts.unsupported }).catch((e: Error) => opts.log.warn({ err: e.message }, 'Zalo Bot: chưa báo được cho người dùng được bảo vệ'));
      return;
    }
    const action = await choiceAction(opts.memory, n.message);
    if (action) await handlers!.onAction(action);
    else await handlers!.onMessage(n.message);
  }

  async function poll(signal: AbortSignal, timeoutSeconds: number): Promise<void> {
    let failures = 0;
    // getUpdates has no offset: an update it returned is gone from Zalo. It is kept here and
    // stored (retrying) before the next one is asked for.
    let pending: ZaloBotUpdate | undefined;
    while (!signal.aborted) {
      if (pending) {
        const u = pending;
        try {
          await dispatch(u);
          pending = undefined;
        } catch (e) {
          opts.log.error({ messageId: u.message.message_id, err: (e as Error).message }, 'không lưu được tin nhắn Zalo Bot; sẽ thử lại');
          await sleep(opts.storeRetryMs ?? 1000, undefined, { signal }).catch(() => undefined);
        }
        continue;
      }
      try {
        const u = await client.call('getUpdates', { timeout: String(timeoutSeconds) }, { signal, timeoutMs: (timeoutSeconds + 10) * 1000 });
        failures = 0;
        pending = asUpdate(u);
      } catch (e) {
        if (signal.aborted) return;
        const err = e as ChannelError;
        if (err.opts?.platformCode === 408) continue;
        if (err.opts?.platformCode === 401 && opts.onUnauthorized) {
          opts.log.error({}, 'Zalo từ chối mã bot (401): ngừng nhận tin của bot này');
          opts.onUnauthorized(`Zalo từ chối mã bot (401): ${err.message}`);
          return;
        }
        failures += 1;
        const wait = err.retryAfterMs ?? Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        opts.log.warn({ kind: err.kind, waitMs: wait }, 'Zalo Bot: getUpdates lỗi, thử lại sau');
        await sleep(wait, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  async function disclosed(chatId: string): Promise<boolean> {
    return (await opts.memory.get(`${accountId}:${chatId}:disclosed`)) !== undefined;
  }

  async function send(chatId: string, content: OutboundContent): Promise<SendResult> {
    const buttons: Button[][] = content.buttons ?? [];
    for (const [kind, ref] of [['audio', content.audio], ['voice', content.voice], ['file', content.file]] as const) {
      if (ref) throw new ChannelError('bad_request', `Zalo Bot chưa gửi được ${kind === 'file' ? 'tệp' : 'âm thanh'}`);
    }
    if (content.photo && !('url' in content.photo)) throw new ChannelError('bad_request', 'Zalo Bot chỉ gửi ảnh từ một đường dẫn (URL) công khai');
    const first = !(await disclosed(chatId));
    const body = numberedText(content.text ?? '', buttons);
    const text = first ? (body ? `${opts.texts.disclosure}\n\n${body}` : opts.texts.disclosure) : body;
    const parts = splitText(text, zaloBotLimits.maxTextLength);
    if (parts.length === 0 && !content.photo) throw new ChannelError('bad_request', 'tin nhắn trống');
    let last = '';
    let i = 0;
    if (content.photo && 'url' in content.photo) {
      // The first part rides along as the caption.
      const caption = parts[0];
      const r = await client.call('sendPhoto', { chat_id: chatId, photo: content.photo.url, ...(caption ? { caption } : {}) });
      last = r.message_id;
      i = 1;
    }
    for (; i < parts.length; i++) last = (await client.call('sendMessage', { chat_id: chatId, text: parts[i]! })).message_id;
    if (first) await opts.memory.set(`${accountId}:${chatId}:disclosed`, '1', DISCLOSED_TTL_S);
    if (buttons.length) await rememberChoices(opts.memory, accountId, chatId, last, buttons);
    return { platformMessageId: last };
  }

  const channel: ZaloBotChannel = {
    platform: 'zalo_bot',
    accountId,
    limits: zaloBotLimits,
    capabilities: zaloBotCapabilities,
    // No group bulletins on this platform: the words alone, should a target ever point here.
    sendBulletin: (_target, bulletin, out) => textOnly(bulletin, out),
    async start(h) {
      handlers = h;
      const mode = opts.mode;
      if (mode.kind === 'send-only') return;
      if (mode.kind === 'webhook') {
        await client.call('setWebhook', { url: mode.url, secret_token: mode.secretToken });
        opts.log.info({}, 'Zalo Bot: dùng webhook');
        return;
      }
      // getUpdates does not work while a webhook is set.
      await client.call('deleteWebhook', {});
      abort = new AbortController();
      loop = poll(abort.signal, mode.timeoutSeconds ?? 30);
      opts.log.info({}, 'Zalo Bot: nhận tin bằng long polling');
    },
    async stop() {
      abort?.abort();
      await loop?.catch(() => undefined);
      loop = undefined;
      handlers = undefined;
    },
    send,
    ...numberedChoiceMethods(opts.memory, accountId, send),
    async downloadFile(fileId) {
      if (!/^https?:\/\//.test(fileId)) throw new ChannelError('bad_request', 'không phải đường dẫn ảnh Zalo');
      return downloadZaloFile(fileId, 'ảnh');
    },
    async health() {
      try {
        const me = await client.call('getMe', {}, { timeoutMs: 5000 });
        down = undefined;
        return { ok: true, detail: `bot ${me.account_name}` };
      } catch (e) {
        return { ok: false, detail: down ?? (e as Error).message };
      }
    },
    async typing(chatId) {
      await client.call('sendChatAction', { chat_id: chatId, action: 'typing' });
    },
    async handleWebhook(secretHeader, body) {
      if (opts.mode.kind !== 'webhook') return 404;
      if (!sameSecret(secretHeader, opts.mode.secretToken)) return 401;
      if (!handlers) return 503;
      const u = asUpdate(body);
      if (!u) return 400;
      // 200 confirms the update: only after it is stored. An error makes Zalo deliver it again.
      try {
        await dispatch(u);
        return 200;
      } catch (e) {
        opts.log.error({ err: (e as Error).message }, 'không lưu được tin nhắn Zalo Bot (webhook); Zalo sẽ gửi lại');
        return 500;
      }
    },
  };
  return channel;
}
