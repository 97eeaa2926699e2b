// The ticket's post in the admin chat: what cadres see and the buttons they act with. A
// confidential ticket (complaints, denunciations) shows neither who wrote nor what.
import type { Prisma } from '../db/generated/client.ts';
import type { Button } from '../../bots/channel.ts';
import { channelName } from '../channels/platform-names.ts';
import { formatDue } from './resident-texts.ts';
import { finalStatuses, statusLabel, type TicketStatus } from './ticket-status.ts';
import { placeholderTexts, ticketAccess, visibleAttachments, visibleText, type Access } from './ticket-visibility.ts';
import { splitText } from '../text/split-text.ts';
import { understandMessage } from './understanding/small-talk.ts';

export type AdminVerb = 'take' | 'transfer' | 'reject' | 'close' | 'faq';

export function adminButtonData(ticketId: string, verb: AdminVerb): string {
  // "tk:<uuid>:<verb>" stays under Telegram's 64-byte callback limit.
  return `tk:${ticketId}:${verb}`;
}

export function parseAdminButton(data: string): { ticketId: string; verb: AdminVerb } | undefined {
  const m = /^tk:([0-9a-f-]{36}):(take|transfer|reject|close|faq)$/.exec(data);
  return m ? { ticketId: m[1]!, verb: m[2] as AdminVerb } : undefined;
}

export function adminButtons(ticketId: string, status: string): Button[][] {
  if (finalStatuses.includes(status as TicketStatus)) return [];
  const row: Button[] = [];
  if (status === 'new' || status === 'received') row.push({ label: 'Nhận xử lý', data: adminButtonData(ticketId, 'take') });
  row.push({ label: 'Chuyển lĩnh vực', data: adminButtonData(ticketId, 'transfer') });
  return [row, [{ label: 'Từ chối', data: adminButtonData(ticketId, 'reject') }, { label: 'Đóng', data: adminButtonData(ticketId, 'close') }]];
}

export interface RenderedPost {
  text: string;
  buttons: Button[][];
  /** The rest of a text too long for one message, posted as replies under the post. */
  continuation: string[];
  /** The resident's messages the post shows (kept on the post row; an edit shows the same). */
  messageIds: string[];
  /** What the group may see of the ticket (ticket-visibility): whether attachments may follow. */
  access: Access;
  /** Those messages, in order, with their attachments (the photos that follow a new post). */
  shown: Array<{ id: string; attachments: Prisma.JsonValue }>;
}

// Room kept for the "(tiếp …)" prefix of a continuation part.
const CONTINUATION_PREFIX = 40;

/**
 * The ticket's post: a header (urgency, code, field, village, deadline, assignee, status, sender)
 * and the resident's words. A new post shows every message of the ticket so far (the burst);
 * an edit of an existing one passes the messages it showed, so only the header changes. The
 * group is one viewer of the visibility rule: a denunciation shows only its code, field,
 * deadline and assignee, and a placeholder where the resident's words would be.
 */
export async function renderAdminPost(
  tx: Prisma.TransactionClient,
  ticketId: string,
  opts: { maxLength?: number; messageIds?: string[] } = {},
): Promise<RenderedPost> {
  const t = await tx.ticket.findUniqueOrThrow({
    where: { id: ticketId },
    include: { category: true, village: true, assignee: true, resident: true, messages: { where: { direction: 'inbound' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } },
  });
  const max = opts.maxLength ?? 4096;
  const access = await ticketAccess(tx, { kind: 'group', communeId: t.communeId }, t);
  const full = access === 'full';
  // Posts made before posts kept their messages showed the first one only.
  const shown = opts.messageIds ? (opts.messageIds.length ? t.messages.filter((m) => opts.messageIds!.includes(m.id)) : t.messages.slice(0, 1)) : t.messages;
  // A greeting or "đồng ý" that joined the question is kept with the ticket, not shown as its text.
  const words = shown.filter((m) => m.text && understandMessage(m.text) === 'question').map((m) => m.text!.trim());
  const files = shown.reduce((n, m) => n + visibleAttachments(access, Array.isArray(m.attachments) ? (m.attachments as unknown[]) : []).length, 0);
  const header = [
    `${t.priority === 'urgent' ? '🔴 KHẨN' : full ? '🆕' : '🔒'} ${t.code} · ${t.category?.name ?? 'Khác'}`,
    full ? `Thôn: ${t.village?.name ?? 'chưa rõ'} · Hạn: ${t.dueAt ? formatDue(t.dueAt) : '—'}` : `Hạn: ${t.dueAt ? formatDue(t.dueAt) : '—'}`,
    `Phụ trách: ${t.assignee?.displayName ?? 'chưa giao'} · ${statusLabel[t.status]}`,
    full ? (t.resident.erasedAt ? 'Người gửi: (đã xoá dữ liệu theo yêu cầu của người dân)' : `Người gửi: ${t.resident.displayName ?? 'không rõ tên'}, nhắn qua ${channelName(t.channel)}`) : placeholderTexts.sender,
    '',
  ].join('\n');
  const footer = ['', ...(files ? [`📎 ${files} tệp đính kèm`] : []), '', 'Trả lời tin này để gửi câu trả lời cho người dân.'].join('\n');
  const body = visibleText(access, words.join('\n') || '(không có chữ)') ?? '(không có chữ)';
  const room = max - header.length - footer.length - 20;
  let first = body;
  let continuation: string[] = [];
  if (body.length > room) {
    const [head, ...rest] = splitText(body, room);
    first = `${head}\n(còn tiếp ↓)`;
    continuation = splitText(rest.join('\n'), max - CONTINUATION_PREFIX).map((part, i, all) => `(tiếp ${i + 1}/${all.length} — ${t.code})\n${part}`);
  }
  return { text: `${header}${first}${footer}`, buttons: adminButtons(t.id, t.status), continuation, messageIds: shown.map((m) => m.id), access, shown: shown.map((m) => ({ id: m.id, attachments: m.attachments })) };
}
