// zca-js messages → the platform-neutral InboundMessage. Group chat ids carry a "g:" prefix, so a
// reply knows the thread type. In groups only what concerns the bot passes: a quote of its own
// message (a cadre answering a ticket post), a mention of it, or a command — the rest of the group's
// chatter is never stored.
import { ThreadType, type Message } from 'zca-js';
import type { Attachment, InboundMessage } from '../channel.ts';
import { parseCommand } from '../command-text.ts';

const GROUP = 'g:';

export const zaloChatId = (m: Pick<Message, 'type' | 'threadId'>) => (m.type === ThreadType.Group ? `${GROUP}${m.threadId}` : m.threadId);

export function zaloThread(chatId: string): { threadId: string; type: ThreadType } {
  return chatId.startsWith(GROUP) ? { threadId: chatId.slice(GROUP.length), type: ThreadType.Group } : { threadId: chatId, type: ThreadType.User };
}

interface RichContent {
  title?: string;
  href?: string;
  description?: string;
}

function contentOf(m: Message): { text?: string; attachments: Attachment[] } {
  const c = m.data.content;
  if (typeof c === 'string') return { text: c, attachments: [] };
  const rich = c as RichContent;
  const kind: Attachment['kind'] =
    m.data.msgType === 'chat.photo' ? 'photo' : m.data.msgType === 'chat.voice' ? 'voice' : m.data.msgType === 'share.file' ? 'file' : m.data.msgType === 'chat.sticker' ? 'sticker' : m.data.msgType === 'chat.video.msg' ? 'video' : 'other';
  const caption = kind === 'file' ? undefined : rich.title || undefined;
  return {
    ...(caption ? { text: caption } : {}),
    // A Zalo file id is its download address.
    attachments: rich.href ? [{ kind, fileId: rich.href, ...(kind === 'file' && rich.title ? { name: rich.title } : {}) }] : [],
  };
}

export function normalizeZaloMessage(m: Message, accountId: string, botUid: string): InboundMessage | undefined {
  if (m.isSelf) return undefined;
  const { text: raw, attachments } = contentOf(m);
  const quote = m.data.quote;
  let text = raw;
  if (m.type === ThreadType.Group) {
    const mentions = 'mentions' in m.data ? (m.data.mentions ?? []) : [];
    const mention = mentions.find((x) => x.uid === botUid);
    const quotesBot = quote && String(quote.ownerId) === botUid;
    // "@Loa Xã cho hỏi…": the mention itself is not part of what was asked.
    if (mention && text) text = (text.slice(0, mention.pos) + text.slice(mention.pos + mention.len)).trim();
    if (!quotesBot && !mention && !parseCommand(text)) return undefined;
  }
  const command = parseCommand(text);
  return {
    platform: 'zalo',
    accountId,
    platformMessageId: String(m.data.msgId),
    chatId: zaloChatId(m),
    chatKind: m.type === ThreadType.Group ? 'group' : 'private',
    userId: String(m.data.uidFrom),
    ...(m.data.dName ? { userName: m.data.dName } : {}),
    ...(text ? { text } : {}),
    ...(quote ? { replyTo: { platformMessageId: String(quote.globalMsgId), ...(quote.msg ? { text: quote.msg } : {}) } } : {}),
    ...(command ? { command } : {}),
    attachments,
    receivedAt: new Date(Number(m.data.ts) || Date.now()),
  };
}
