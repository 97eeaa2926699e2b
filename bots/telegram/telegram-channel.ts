// The Telegram bot as a Channel, over telegraf's API client. Receiving is our own long-polling
// loop (or a webhook) so that an update is confirmed to Telegram only after the domain stored
// it: the offset moves past an update once its handler resolved, never before.
import { sameSecret } from '../../src/auth/same-secret.ts';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Input, Telegram } from 'telegraf';
import type { InlineKeyboardMarkup, Update } from 'telegraf/types';
import type { Logger } from 'pino';
import type { Button, Channel, ChannelCapabilities, ChannelHandlers, ChannelLimits, InboundItem, MediaRef, OutboundContent, SendResult } from '../channel.ts';
import { ChannelError } from '../channel.ts';
import { mapTelegramError } from './map-error.ts';
import { messageKey, normalizeUpdate } from './normalize-update.ts';
import { SendPacer, type TelegramPacer } from './send-pacer.ts';
import { splitText } from '../../src/text/split-text.ts';
import { captionedVoice } from '../bulletin-delivery.ts';

export const telegramLimits: ChannelLimits = {
  maxTextLength: 4096,
  maxCaptionLength: 1024,
  maxButtonDataBytes: 64,
  messagesPerSecond: 30,
  messagesPerMinutePerGroup: 20,
  maxPhotoBytes: 10 * 1024 * 1024,
  maxFileBytes: 50 * 1024 * 1024,
};

export const telegramCapabilities: ChannelCapabilities = { longText: 'split', photo: 'any', audio: 'any', voice: 'any', file: 'any', replyTo: true, buttons: 'inline', groups: true, bulletin: 'captioned-voice' };

export type TelegramMode = { kind: 'polling'; timeoutSeconds?: number } | { kind: 'webhook'; url: string; secretToken: string } | { kind: 'send-only' };

export interface TelegramChannelOptions {
  token: string;
  apiRoot: string;
  accountId?: string;
  log: Logger;
  mode: TelegramMode;
  /** Pacing below Telegram's limits; tests shrink the windows. */
  limits?: Partial<Pick<ChannelLimits, 'messagesPerSecond' | 'messagesPerMinutePerGroup'>>;
  /** The bot's pace shared by every process (Redis); without it, this process keeps its own. */
  pacer?: TelegramPacer;
  /**
   * Edits of posts (a ticket's header) on their own budget within the group limits, so a busy
   * day of status changes never holds back new tickets; a few per second for the whole bot.
   */
  editPacer?: TelegramPacer;
  /**
   * Telegram refused the token (401: revoked or wrong): polling stops, since asking again cannot
   * help; the caller marks the bot down. Without it the loop keeps retrying with backoff.
   */
  onUnauthorized?: (detail: string) => void;
}

export const EDITS_PER_SECOND = 5;

export interface TelegramChannel extends Channel {
  /** Webhook mode: the web server hands each POST here; resolves to the HTTP status to answer. */
  handleWebhook(secretHeader: string | undefined, body: unknown): Promise<number>;
}

// my_chat_member: a resident unblocking the bot (their undelivered answers then go out).
const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

function keyboard(buttons: Button[][] | undefined): { reply_markup?: InlineKeyboardMarkup } {
  if (!buttons?.length) return {};
  return { reply_markup: { inline_keyboard: buttons.map((row) => row.map((b) => ({ text: b.label, callback_data: b.data }))) } };
}

function threadParams(threadId: string | undefined) {
  return threadId && /^\d+$/.test(threadId) ? { message_thread_id: Number(threadId) } : {};
}

function replyParams(replyTo: string | undefined, chatId: string) {
  if (!replyTo) return {};
  const [chat, id] = replyTo.split(':');
  // A reply only makes sense within the same chat; allow_sending_without_reply if it was deleted.
  if (chat !== chatId || !id) return {};
  return { reply_parameters: { message_id: Number(id), allow_sending_without_reply: true } };
}

function input(ref: MediaRef) {
  // A file the bot already has on Telegram is re-sent by its id, without uploading it again.
  if ('platformFileId' in ref) return ref.platformFileId;
  if ('path' in ref) return Input.fromLocalFile(ref.path);
  if ('url' in ref) return Input.fromURL(ref.url);
  return Input.fromBuffer(ref.buffer, ref.filename);
}


type SentMedia = { chat: { id: number }; message_id: number; voice?: { file_id: string }; audio?: { file_id: string }; document?: { file_id: string }; photo?: Array<{ file_id: string }> };

/** The id Telegram gave the file just sent, to send it again without uploading it. */
function fileIdOf(m: SentMedia): string | undefined {
  return m.voice?.file_id ?? m.audio?.file_id ?? m.document?.file_id ?? m.photo?.at(-1)?.file_id;
}

/** A local file as it is now (a path written again with other bytes is another file). */
async function localFileKey(path: string): Promise<string | undefined> {
  const s = await stat(path).catch(() => undefined);
  return s ? `${path}:${s.size}:${s.mtimeMs}` : undefined;
}

export function createTelegramChannel(opts: TelegramChannelOptions): TelegramChannel {
  const accountId = opts.accountId ?? 'telegram';
  const telegram = new Telegram(opts.token, { apiRoot: opts.apiRoot });
  const log = opts.log.child({ channel: 'telegram', account: accountId });
  const pacer = opts.pacer ?? new SendPacer(opts.limits?.messagesPerSecond ?? telegramLimits.messagesPerSecond, opts.limits?.messagesPerMinutePerGroup ?? telegramLimits.messagesPerMinutePerGroup);
  const editPacer = opts.editPacer ?? new SendPacer(EDITS_PER_SECOND, opts.limits?.messagesPerMinutePerGroup ?? telegramLimits.messagesPerMinutePerGroup);
  let handlers: ChannelHandlers | undefined;
  // A file this bot already uploaded is sent again by the id Telegram gave it (ids are per bot):
  // a bulletin's voice note is uploaded once, not once per group (2,000 groups, 2,000 uploads).
  const uploaded = new Map<string, string>();
  const uploading = new Map<string, Promise<void>>();
  let abort: AbortController | undefined;
  let loop: Promise<void> | undefined;

  /** After a failed handler: whether to retry the update or move past it (quarantined). */
  async function afterFailure(u: Update, e: unknown): Promise<'retry' | 'quarantined'> {
    if (!handlers?.onFailure) return 'retry';
    try {
      const verdict = await handlers.onFailure({ updateKey: String(u.update_id), raw: u, error: (e as Error).message ?? String(e) });
      if (verdict === 'quarantined') log.error({ updateId: u.update_id }, 'tin nhắn Telegram không lưu được sau nhiều lần thử: đã để riêng, nhận tiếp các tin sau');
      return verdict;
    } catch {
      // Not even the failure could be recorded (the database is down): the update waits.
      return 'retry';
    }
  }

  async function dispatch(u: Update): Promise<void> {
    const n = normalizeUpdate(u, accountId);
    if (n.kind === 'message') await handlers!.onMessage(n.message);
    else if (n.kind === 'action') await handlers!.onAction(n.action);
  }

  /** A whole batch stored at once; false when the handlers cannot or the store failed. */
  async function dispatchBatch(updates: Update[]): Promise<boolean> {
    if (!handlers?.onBatch || updates.length < 2) return false;
    try {
      const items: InboundItem[] = [];
      for (const u of updates) {
        const n = normalizeUpdate(u, accountId);
        if (n.kind === 'message') items.push({ kind: 'message', message: n.message });
        else if (n.kind === 'action') items.push({ kind: 'action', action: n.action });
      }
      if (items.length > 0) await handlers.onBatch(items);
      return true;
    } catch (e) {
      // One at a time then: a poisoned update is found and set aside, the others stored.
      log.warn({ updates: updates.length, err: (e as Error).message }, 'không lưu được cả lô tin Telegram; lưu từng tin');
      return false;
    }
  }

  async function poll(signal: AbortSignal, timeoutSeconds: number): Promise<void> {
    let offset = 0;
    let failures = 0;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        updates = (await telegram.callApi('getUpdates', { offset, timeout: timeoutSeconds, allowed_updates: [...ALLOWED_UPDATES] }, { signal: signal as never })) as Update[];
        failures = 0;
      } catch (e) {
        if (signal.aborted) return;
        const err = mapTelegramError(e);
        if (err.opts.platformCode === 401 && opts.onUnauthorized) {
          log.error('Telegram từ chối mã bot (401): ngừng nhận tin của bot này');
          opts.onUnauthorized(`Telegram từ chối mã bot (401): ${err.message}`);
          return;
        }
        failures += 1;
        const wait = err.retryAfterMs ?? Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        log.warn({ kind: err.kind, waitMs: wait }, 'getUpdates lỗi, thử lại sau');
        await sleep(wait, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (signal.aborted) return;
      // Acknowledged (the next offset) only after the batch is committed.
      if (await dispatchBatch(updates)) {
        offset = updates[updates.length - 1]!.update_id + 1;
        continue;
      }
      for (const u of updates) {
        if (signal.aborted) return;
        try {
          await dispatch(u);
          offset = u.update_id + 1;
        } catch (e) {
          if ((await afterFailure(u, e)) === 'quarantined') {
            offset = u.update_id + 1;
            continue;
          }
          // Not confirmed: the next getUpdates returns this update again, after a pause.
          log.error({ updateId: u.update_id, err: (e as Error).message }, 'không lưu được tin nhắn Telegram; sẽ nhận lại');
          await sleep(1000, undefined, { signal }).catch(() => undefined);
          break;
        }
      }
    }
  }

  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapTelegramError(e);
    }
  }

  /** A send under the bot's pace; Telegram's own 429 pauses that chat (or the bot) for every process. */
  async function paced<T>(chatId: string, fn: () => Promise<T>, background = false): Promise<T> {
    try {
      await pacer.wait(chatId, background);
    } catch (e) {
      if (e instanceof ChannelError) throw e;
      // The shared pace is out of reach (Redis down): nothing was sent, try again later.
      throw new ChannelError('network', `pacing unavailable: ${(e as Error).message}`, { unsent: true });
    }
    try {
      return await call(fn);
    } catch (e) {
      if (e instanceof ChannelError && e.kind === 'rate_limited' && e.opts.platformCode === 429) {
        await pacer.pause(chatId, e.retryAfterMs ?? 1000).catch(() => undefined);
      }
      throw e;
    }
  }

  async function sendOne(chatId: string, content: OutboundContent): Promise<SendResult> {
    const thread = threadParams(content.threadId);
    const extra = { ...keyboard(content.buttons), ...replyParams(content.replyTo, chatId), ...thread };
    const media = content.photo ? 'photo' : content.audio ? 'audio' : content.voice ? 'voice' : content.file ? 'file' : undefined;
    const text = content.text ?? '';
    if (media) {
      const original = (content.photo ?? content.audio ?? content.voice ?? content.file)!;
      // A caption over Telegram's limit goes as a separate message after the media.
      const caption = text && text.length <= telegramLimits.maxCaptionLength ? text : undefined;
      const fileKey = 'path' in original ? await localFileKey(original.path) : undefined;
      // Sends of a file being uploaded wait for that upload, then go by its id.
      const inFlight = fileKey && !uploaded.has(fileKey) ? uploading.get(fileKey) : undefined;
      if (inFlight) await inFlight;
      const known = fileKey ? uploaded.get(fileKey) : undefined;
      let uploadDone: (() => void) | undefined;
      if (fileKey && !known && !uploading.has(fileKey)) uploading.set(fileKey, new Promise<void>((r) => (uploadDone = r)));
      const sendAs = async (ref: MediaRef) => {
        // An upload goes as multipart, where telegraf encodes only some object fields (not
        // reply_parameters): the reply is given as a string there.
        const upload = !('platformFileId' in ref) && !('url' in ref);
        const replyField = upload && 'reply_parameters' in extra ? { reply_parameters: JSON.stringify(extra.reply_parameters) as never } : {};
        const withCaption = { ...extra, ...replyField, ...(caption ? { caption } : {}) };
        return paced<SentMedia>(chatId, () =>
          media === 'photo'
            ? telegram.sendPhoto(chatId, input(ref), withCaption)
            : media === 'audio'
              ? telegram.sendAudio(chatId, input(ref), withCaption)
              : media === 'voice'
                ? telegram.sendVoice(chatId, input(ref), withCaption)
                : telegram.sendDocument(chatId, input(ref), withCaption),
          content.background,
        );
      };
      let sent: SentMedia;
      try {
        try {
          sent = await sendAs(known ? { platformFileId: known } : original);
        } catch (e) {
          // Telegram no longer knows the id (a refusal, so nothing was sent): upload it again.
          if (!known || !(e instanceof ChannelError) || e.kind !== 'bad_request') throw e;
          uploaded.delete(fileKey!);
          sent = await sendAs(original);
        }
        const id = fileIdOf(sent);
        if (fileKey && !known && id) {
          if (uploaded.size >= 100) uploaded.delete(uploaded.keys().next().value!);
          uploaded.set(fileKey, id);
        }
      } finally {
        if (uploadDone) {
          uploading.delete(fileKey!);
          uploadDone();
        }
      }
      if (text && !caption) for (const part of splitText(text, telegramLimits.maxTextLength)) await sendText(chatId, part, thread, content.background);
      return { platformMessageId: messageKey(sent.chat.id, sent.message_id) };
    }
    if (!text) throw new ChannelError('bad_request', 'nothing to send');
    const parts = splitText(text, telegramLimits.maxTextLength);
    let first: SendResult | undefined;
    for (let i = 0; i < parts.length; i++) {
      // Buttons go under the last part, where the reader ends up.
      const r = await sendText(chatId, parts[i]!, i === parts.length - 1 ? extra : { ...replyParams(content.replyTo, chatId), ...thread }, content.background);
      first ??= r;
    }
    return first!;
  }

  async function sendText(chatId: string, text: string, extra: object, background = false): Promise<SendResult> {
    const sent = await paced(chatId, () => telegram.sendMessage(chatId, text, extra), background);
    return { platformMessageId: messageKey(sent.chat.id, sent.message_id) };
  }

  return {
    platform: 'telegram',
    accountId,
    limits: telegramLimits,
    capabilities: telegramCapabilities,
    // One message per group where the words fit a caption: half the sends, half the per-group budget.
    sendBulletin: (_target, bulletin, out) => captionedVoice(bulletin, out, telegramLimits.maxCaptionLength, 'opus'),
    async start(h) {
      handlers = h;
      if (opts.mode.kind === 'send-only') return;
      if (opts.mode.kind === 'webhook') {
        await call(() => telegram.setWebhook(opts.mode.kind === 'webhook' ? opts.mode.url : '', { secret_token: (opts.mode as { secretToken: string }).secretToken, allowed_updates: [...ALLOWED_UPDATES] }));
        log.info('Telegram: dùng webhook');
        return;
      }
      // Long polling and a webhook exclude each other; polling wins when no public address is set.
      await call(() => telegram.deleteWebhook({ drop_pending_updates: false }));
      abort = new AbortController();
      const timeout = opts.mode.timeoutSeconds ?? 30;
      loop = poll(abort.signal, timeout);
      log.info('Telegram: nhận tin bằng long polling');
    },
    async stop() {
      abort?.abort();
      await loop?.catch(() => undefined);
      loop = undefined;
      handlers = undefined;
    },
    send: (chatId, content) => sendOne(chatId, content),
    async answerAction(actionId, text, alert) {
      await call(() => telegram.answerCbQuery(actionId, text, alert ? { show_alert: true } : undefined));
    },
    async editButtons(chatId, platformMessageId, buttons) {
      const id = Number(platformMessageId.split(':')[1]);
      // Edits are paced within the group's limits too (on their own budget).
      await editPacer.wait(chatId);
      try {
        await call(() => telegram.editMessageReplyMarkup(chatId, id, undefined, buttons?.length ? keyboard(buttons).reply_markup : undefined));
      } catch (e) {
        // Same markup again is not an error worth retrying.
        if (e instanceof ChannelError && /not modified/i.test(e.message)) return;
        throw e;
      }
    },
    async editText(chatId, platformMessageId, text, buttons) {
      const id = Number(platformMessageId.split(':')[1]);
      await editPacer.wait(chatId);
      try {
        await call(() => telegram.editMessageText(chatId, id, undefined, text, buttons?.length ? { reply_markup: keyboard(buttons).reply_markup! } : {}));
      } catch (e) {
        if (e instanceof ChannelError && /not modified/i.test(e.message)) return;
        throw e;
      }
    },
    async downloadFile(fileId) {
      const link = await call(() => telegram.getFileLink(fileId));
      const res = await fetch(link);
      if (!res.ok) throw new ChannelError(res.status === 404 ? 'not_found' : 'network', `file download ${res.status}`);
      return { buffer: Buffer.from(await res.arrayBuffer()), ...(res.headers.get('content-type') ? { mime: res.headers.get('content-type')! } : {}) };
    },
    async health() {
      try {
        const me = await call(() => telegram.getMe());
        return { ok: true, detail: `@${me.username}` };
      } catch (e) {
        const err = e as ChannelError;
        return { ok: false, detail: err.message };
      }
    },
    async handleWebhook(secretHeader, body) {
      if (opts.mode.kind !== 'webhook') return 404;
      if (!sameSecret(secretHeader, opts.mode.secretToken)) return 401;
      if (!handlers) return 503;
      const u = body as Update;
      if (!u || typeof u !== 'object' || typeof (u as { update_id?: unknown }).update_id !== 'number') return 400;
      // Answering 200 confirms the update: only after it is stored. An error makes Telegram retry.
      try {
        await dispatch(u);
        return 200;
      } catch (e) {
        // Set aside after a few attempts: 200 then, so Telegram stops redelivering it.
        if ((await afterFailure(u, e)) === 'quarantined') return 200;
        log.error({ updateId: u.update_id }, 'không lưu được tin nhắn Telegram (webhook); Telegram sẽ gửi lại');
        return 500;
      }
    },
  };
}
