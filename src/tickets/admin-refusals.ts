// Why the admin chat refused someone, told truthfully: not linked yet (with their platform id and
// how to link), linked but the ticket is a confidential one they are not cleared for, or linked
// without a role that answers tickets. Short enough for a button's alert (200 characters).
import type { Prisma } from '../db/generated/client.ts';
import type { Platform } from '../../bots/channel.ts';
import { channelName } from '../channels/platform-names.ts';
import { mayActOnTicket } from './ticket-permissions.ts';

export const refusalTexts = {
  notLinked: (platform: string, userId: string) =>
    `Tài khoản ${channelName(platform)} này (mã ${userId}) chưa liên kết với cán bộ nào của xã. Nhờ quản trị tạo mã liên kết rồi gõ /lienket <mã>.`,
  confidential: (code: string) =>
    `Phiếu ${code} là khiếu nại, tố cáo (bảo mật): chỉ lãnh đạo, người được giao và cán bộ được phân công lĩnh vực này xử lý.`,
  noRole: (name: string) => `Tài khoản ${name} chưa có vai trò trả lời phản ánh. Nhờ quản trị thêm vai trò "trả lời" nếu cần.`,
  wrongButton: 'Nút này không thuộc tin nhắn này, không dùng được.',
};

export async function refusalText(tx: Prisma.TransactionClient, p: { platform: Platform; userId: string; communeId: string; ticketId?: string }): Promise<string> {
  const identity = await tx.staffIdentity.findUnique({ where: { platform_platformUserId: { platform: p.platform, platformUserId: p.userId } }, include: { staff: true } });
  const staff = identity?.staff;
  if (!staff || !staff.active || staff.communeId !== p.communeId) return refusalTexts.notLinked(p.platform, p.userId);
  if (!p.ticketId) return refusalTexts.noRole(staff.displayName);
  const ticket = await tx.ticket.findUnique({ where: { id: p.ticketId } });
  if (ticket?.confidential && !(await mayActOnTicket(tx, staff, ticket.id))) return refusalTexts.confidential(ticket.code);
  return refusalTexts.noRole(staff.displayName);
}
