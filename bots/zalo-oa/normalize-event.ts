// Zalo OA webhook events → what the channel does with them: a resident's message (normalized),
// an anonymous message (refused with an explanation: an anonymous sender cannot consent or be
// answered later), a follow change, or nothing.
import type { Attachment, InboundMessage } from '../channel.ts';
import { parseCommand } from '../command-text.ts';
import type { ZaloOaAttachment, ZaloOaEvent } from './zalo-oa-types.ts';

export type NormalizedOaEvent =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'anonymous'; anonymousId: string; conversationId: string; msgId: string }
  | { kind: 'follow'; userId: string; followed: boolean; at: Date }
  | { kind: 'none'; reason: string };

const KIND: Record<ZaloOaAttachment['type'], Attachment['kind']> = { image: 'photo', gif: 'photo', file: 'file', audio: 'voice', video: 'video', sticker: 'sticker', link: 'other', location: 'other' };

function at(ts: string | undefined): Date {
  const n = Number(ts);
  return Number.isFinite(n) && n > 0 ? new Date(n) : new Date();
}

export function parseOaEvent(body: unknown): ZaloOaEvent | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const e = body as Partial<ZaloOaEvent> & Record<string, unknown>;
  if (typeof e.event_name !== 'string' || typeof e.app_id !== 'string') return undefined;
  return e as ZaloOaEvent;
}

export function normalizeOaEvent(e: ZaloOaEvent, accountId: string): NormalizedOaEvent {
  if (e.event_name === 'follow' || e.event_name === 'unfollow') {
    if (!e.follower?.id) return { kind: 'none', reason: 'malformed' };
    return { kind: 'follow', userId: e.follower.id, followed: e.event_name === 'follow', at: at(e.timestamp) };
  }
  if (e.event_name.startsWith('anonymous_')) {
    const a = e as Extract<ZaloOaEvent, { conversation_id: string }>;
    if (!a.sender?.id || !a.conversation_id || !a.message?.msg_id) return { kind: 'none', reason: 'malformed' };
    return { kind: 'anonymous', anonymousId: a.sender.id, conversationId: a.conversation_id, msgId: a.message.msg_id };
  }
  if (!e.event_name.startsWith('user_send_')) return { kind: 'none', reason: e.event_name };
  const m = e as Extract<ZaloOaEvent, { event_name: `user_send_${string}` }>;
  if (!m.sender?.id || !m.message?.msg_id) return { kind: 'none', reason: 'malformed' };
  const attachments: Attachment[] = [];
  for (const a of m.message.attachments ?? []) {
    const kind = KIND[a.type] ?? 'other';
    if (a.type === 'location') {
      const c = a.payload.coordinates;
      attachments.push({ kind: 'other', fileId: c ? `location:${c.latitude},${c.longitude}` : 'location' });
      continue;
    }
    const size = Number(a.payload.size);
    attachments.push({ kind, fileId: a.payload.url ?? a.payload.id ?? a.type, ...(a.payload.name ? { name: a.payload.name } : {}), ...(Number.isFinite(size) && size > 0 ? { size } : {}), ...(kind === 'photo' ? { mime: 'image/jpeg' } : {}) });
  }
  if (m.event_name === 'user_send_location' && attachments.length === 0) attachments.push({ kind: 'other', fileId: 'location' });
  // An image's text comes as the message text ("caption"); Zalo sends a placeholder when empty.
  const text = m.message.text && !(m.event_name !== 'user_send_text' && m.message.text.trim() === '') ? m.message.text : undefined;
  const command = parseCommand(text);
  return {
    kind: 'message',
    message: {
      platform: 'zalo_oa',
      accountId,
      platformMessageId: m.message.msg_id,
      // The OA talks to each follower in one conversation: the user id is the chat.
      chatId: m.sender.id,
      chatKind: 'private',
      userId: m.sender.id,
      ...(text !== undefined ? { text } : {}),
      ...(command ? { command } : {}),
      attachments,
      receivedAt: at(m.timestamp),
    },
  };
}
