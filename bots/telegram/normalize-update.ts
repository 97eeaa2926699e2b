// Telegram updates → the platform-neutral InboundMessage / InboundAction.
import type { Update, Message } from 'telegraf/types';
import { REACHABLE_ACTION, type Attachment, type InboundAction, type InboundMessage } from '../channel.ts';
import { parseCommand } from '../command-text.ts';

export type Normalized = { kind: 'message'; message: InboundMessage } | { kind: 'action'; action: InboundAction } | { kind: 'none' };

export function messageKey(chatId: number | string, messageId: number): string {
  return `${chatId}:${messageId}`;
}

function attachmentsOf(m: Message): Attachment[] {
  const out: Attachment[] = [];
  const any = m as Message & Record<string, unknown>;
  if ('photo' in m && Array.isArray(m.photo) && m.photo.length) {
    // Telegram sends several sizes; the last is the largest.
    const p = m.photo[m.photo.length - 1]!;
    out.push({ kind: 'photo', fileId: p.file_id, mime: 'image/jpeg', ...(p.file_size ? { size: p.file_size } : {}) });
  }
  if ('document' in m && m.document) out.push({ kind: 'file', fileId: m.document.file_id, ...(m.document.mime_type ? { mime: m.document.mime_type } : {}), ...(m.document.file_size ? { size: m.document.file_size } : {}), ...(m.document.file_name ? { name: m.document.file_name } : {}) });
  if ('audio' in m && m.audio) out.push({ kind: 'audio', fileId: m.audio.file_id, ...(m.audio.mime_type ? { mime: m.audio.mime_type } : {}), ...(m.audio.file_size ? { size: m.audio.file_size } : {}) });
  if ('voice' in m && m.voice) out.push({ kind: 'voice', fileId: m.voice.file_id, ...(m.voice.mime_type ? { mime: m.voice.mime_type } : {}), ...(m.voice.file_size ? { size: m.voice.file_size } : {}) });
  if ('video' in m && m.video) out.push({ kind: 'video', fileId: m.video.file_id, ...(m.video.file_size ? { size: m.video.file_size } : {}) });
  if ('sticker' in m && m.sticker) out.push({ kind: 'sticker', fileId: m.sticker.file_id });
  // Locations, contacts, polls, video notes…: recorded as "other" so the resident gets an answer.
  for (const k of ['video_note', 'location', 'contact', 'poll', 'animation', 'dice', 'venue']) {
    if (any[k] !== undefined && !(k === 'animation' && out.length)) out.push({ kind: 'other', fileId: k });
  }
  return out;
}

export function normalizeUpdate(u: Update, accountId: string): Normalized {
  if ('message' in u && u.message) {
    const m = u.message;
    const text = 'text' in m ? m.text : 'caption' in m ? m.caption : undefined;
    const command = 'text' in m ? parseCommand(m.text) : undefined;
    const reply = 'reply_to_message' in m && m.reply_to_message ? m.reply_to_message : undefined;
    const from = m.from;
    return {
      kind: 'message',
      message: {
        platform: 'telegram',
        accountId,
        platformMessageId: messageKey(m.chat.id, m.message_id),
        chatId: String(m.chat.id),
        chatKind: m.chat.type === 'private' ? 'private' : 'group',
        userId: String(from?.id ?? m.chat.id),
        ...(from ? { userName: [from.first_name, from.last_name].filter(Boolean).join(' ') || from.username || '' } : {}),
        ...(text !== undefined ? { text } : {}),
        ...(reply ? { replyTo: { platformMessageId: messageKey(m.chat.id, reply.message_id), ...('text' in reply && typeof reply.text === 'string' ? { text: reply.text } : {}) } } : {}),
        ...(command ? { command } : {}),
        attachments: attachmentsOf(m),
        receivedAt: new Date(m.date * 1000),
      },
    };
  }
  if ('callback_query' in u && u.callback_query) {
    const q = u.callback_query;
    const msg = q.message;
    if (!msg || !('data' in q) || typeof q.data !== 'string') return { kind: 'none' };
    return {
      kind: 'action',
      action: {
        platform: 'telegram',
        accountId,
        actionId: q.id,
        chatId: String(msg.chat.id),
        chatKind: msg.chat.type === 'private' ? 'private' : 'group',
        userId: String(q.from.id),
        userName: [q.from.first_name, q.from.last_name].filter(Boolean).join(' '),
        messageId: messageKey(msg.chat.id, msg.message_id),
        data: q.data,
      },
    };
  }
  if ('my_chat_member' in u && u.my_chat_member) {
    // A person unblocked (or restarted) the bot: they can be reached before they write again.
    const c = u.my_chat_member;
    if (c.chat.type !== 'private' || c.new_chat_member.status !== 'member') return { kind: 'none' };
    return {
      kind: 'action',
      action: {
        platform: 'telegram',
        accountId,
        actionId: `reachable:${c.chat.id}:${c.date}`,
        chatId: String(c.chat.id),
        chatKind: 'private',
        userId: String(c.from.id),
        messageId: '',
        data: REACHABLE_ACTION,
      },
    };
  }
  // Edited messages, channel posts, group member changes: not questions from residents.
  return { kind: 'none' };
}
