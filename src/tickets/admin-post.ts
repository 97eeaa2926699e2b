// The ticket's post in the admin chat: what cadres see and the buttons they act with. A
// confidential ticket (complaints, denunciations) shows neither who wrote nor what.
import type { Prisma } from '../db/generated/client.ts';
import type { Button } from '../../bots/channel.ts';
import { channelName } from '../channels/platform-names.ts';
import { formatDue } from './resident-texts.ts';
import { statusLabel } from './ticket-status.ts';
import { placeholderTexts, ticketAccess, visibleAttachments, visibleText, type Access } from './ticket-visibility.ts';

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
  if (['closed', 'rejected', 'transferred', 'duplicate'].includes(status)) return [];
  const row: Button[] = [];
  if (status === 'new' || status === 'received') row.push({ label: 'Nhận xử lý', data: adminButtonData(ticketId, 'take') });
  row.push({ label: 'Chuyển lĩnh vực', data: adminButtonData(ticketId, 'transfer') });
  return [row, [{ label: 'Từ chối', data: adminButtonData(ticketId, 'reject') }, { label: 'Đóng', data: adminButtonData(ticketId, 'close') }]];
}

/**
 * The post as the admin chat's members see it: the group is one viewer of the visibility rule, so
 * a denunciation shows only its code, field, deadline and assignee, and a placeholder where the
 * resident's words would be; the designated cadre reads it in the web admin. `access` tells the
 * poster whether the resident's attachments may follow the post.
 */
export async function renderAdminPost(tx: Prisma.TransactionClient, ticketId: string): Promise<{ text: string; buttons: Button[][]; access: Access }> {
  const t = await tx.ticket.findUniqueOrThrow({
    where: { id: ticketId },
    include: { category: true, village: true, assignee: true, resident: true, messages: { where: { direction: 'inbound' }, orderBy: { createdAt: 'asc' }, take: 1 } },
  });
  const access = await ticketAccess(tx, { kind: 'group', communeId: t.communeId }, t);
  const first = t.messages[0];
  const photos = visibleAttachments(access, Array.isArray(first?.attachments) ? (first.attachments as unknown[]) : []).length;
  const full = access === 'full';
  const lines = [
    `${t.priority === 'urgent' ? '🔴 KHẨN' : full ? '🆕' : '🔒'} ${t.code} · ${t.category?.name ?? 'Khác'}`,
    full ? `Thôn: ${t.village?.name ?? 'chưa rõ'} · Hạn: ${t.dueAt ? formatDue(t.dueAt) : '—'}` : `Hạn: ${t.dueAt ? formatDue(t.dueAt) : '—'}`,
    `Phụ trách: ${t.assignee?.displayName ?? 'chưa giao'} · ${statusLabel[t.status]}`,
    full ? (t.resident.erasedAt ? 'Người gửi: (đã xoá dữ liệu theo yêu cầu của người dân)' : `Người gửi: ${t.resident.displayName ?? 'không rõ tên'}, nhắn qua ${channelName(t.channel)}`) : placeholderTexts.sender,
    '',
    visibleText(access, first?.text ?? '(không có chữ)') ?? '(không có chữ)',
    ...(photos ? [`📎 ${photos} tệp đính kèm`] : []),
    '',
    'Trả lời tin này để gửi câu trả lời cho người dân.',
  ];
  return { text: lines.join('\n'), buttons: adminButtons(t.id, t.status), access };
}
