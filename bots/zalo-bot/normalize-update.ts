// Zalo Bot updates → the platform-neutral InboundMessage. Only private chats count today (the
// platform has no groups yet); a protected user's message carries no content and is reported as
// such so the channel can answer it with a pointer to the web chat.
import type { Attachment, InboundMessage } from '../channel.ts';
import { parseCommand } from '../command-text.ts';
import type { ZaloBotUpdate } from './zalo-bot-types.ts';

export type NormalizedBotUpdate =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'unsupported'; chatId: string; platformMessageId: string }
  | { kind: 'none'; reason: string };

/** A webhook body or a getUpdates result; undefined when it is not an update at all. */
export function asUpdate(body: unknown): ZaloBotUpdate | undefined {
  if (!body || typeof body !== 'object') return undefined;
  // Webhook deliveries wrap the update like a getUpdates reply does ({ ok, result }).
  const inner = 'result' in body && body.result && typeof body.result === 'object' ? body.result : body;
  const u = inner as Partial<ZaloBotUpdate>;
  const m = u.message;
  if (typeof u.event_name !== 'string' || !m || typeof m !== 'object') return undefined;
  if (typeof m.message_id !== 'string' || !m.chat || typeof m.chat.id !== 'string' || !m.from || typeof m.from.id !== 'string') return undefined;
  return u as ZaloBotUpdate;
}

export function normalizeBotUpdate(u: ZaloBotUpdate, accountId: string): NormalizedBotUpdate {
  const m = u.message;
  if (m.chat.chat_type !== 'PRIVATE') return { kind: 'none', reason: 'group' };
  if (m.from.is_bot) return { kind: 'none', reason: 'bot' };
  if (u.event_name === 'message.unsupported.received') return { kind: 'unsupported', chatId: m.chat.id, platformMessageId: m.message_id };
  const attachments: Attachment[] = [];
  let text: string | undefined = m.text;
  if (u.event_name === 'message.image.received') {
    const url = m.photo_url ?? m.url;
    if (url) attachments.push({ kind: 'photo', fileId: url, mime: 'image/jpeg' });
    text = m.caption ?? m.text;
  } else if (u.event_name === 'message.sticker.received') {
    attachments.push({ kind: 'sticker', fileId: m.sticker ?? 'sticker' });
    text = undefined;
  } else if (u.event_name !== 'message.text.received') {
    // An event this adapter does not know yet: recorded as "other" so the resident gets an answer.
    attachments.push({ kind: 'other', fileId: u.event_name });
  }
  const command = text !== undefined ? parseCommand(text) : undefined;
  const name = m.from.display_name ?? m.from.first_name;
  return {
    kind: 'message',
    message: {
      platform: 'zalo_bot',
      accountId,
      // Zalo's message ids are unique strings; with the chat they are the dedupe key.
      platformMessageId: m.message_id,
      chatId: m.chat.id,
      chatKind: 'private',
      userId: m.from.id,
      ...(name ? { userName: name } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(command ? { command } : {}),
      attachments,
      receivedAt: new Date(typeof m.date === 'number' && m.date > 0 ? m.date : Date.now()),
    },
  };
}
