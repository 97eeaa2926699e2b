// What `loaxa link-staff` does, against whichever process holds the database: link or unlink a
// chat account to a staff account, or make a one-time code the cadre types as "/lienket 123456".
// Returns the sentence to print; refusals are AppErrors with the operator's sentence.
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { formatVi } from '../text/format-vi.ts';
import { createLinkCode } from './staff-link-codes.ts';

export const LINK_PLATFORMS = ['telegram', 'zalo'] as const;

export interface LinkStaffRequest {
  username: string;
  /** Absent: make a one-time code instead. */
  platform?: string;
  userId?: string;
  unlink?: boolean;
}

export async function linkStaff(prisma: PrismaClient, r: LinkStaffRequest, now = new Date()): Promise<string> {
  const staff = await prisma.staff.findUnique({ where: { username: r.username } });
  if (!staff) throw new AppError('NOT_FOUND', `Không có cán bộ với tên đăng nhập "${r.username}"`);
  if (!r.platform) {
    const { code, expiresAt } = await createLinkCode(prisma, { staffId: staff.id, by: null, now });
    return `Mã liên kết của ${staff.displayName}: ${code} (dùng một lần, đến ${formatVi.dateTime(expiresAt)}).\nCán bộ gõ /lienket ${code} trong nhóm quản trị hoặc nhắn riêng cho bot của xã.\n`;
  }
  if (!(LINK_PLATFORMS as readonly string[]).includes(r.platform)) throw new AppError('VALIDATION', `Nền tảng "${r.platform}" không hợp lệ: dùng telegram hoặc zalo`);
  const userId = r.userId ?? '';
  if (!/^-?\d{1,20}$|^[A-Za-z0-9_.-]{1,64}$/.test(userId)) throw new AppError('VALIDATION', `Mã tài khoản "${userId}" không hợp lệ`);
  const platform = r.platform as (typeof LINK_PLATFORMS)[number];
  const key = { platform_platformUserId: { platform, platformUserId: userId } };
  if (r.unlink) {
    const { count } = await prisma.staffIdentity.deleteMany({ where: { platform, platformUserId: userId, staffId: staff.id } });
    if (count) await prisma.auditLog.create({ data: { communeId: staff.communeId, actorKind: 'system', action: 'staff.unlink_identity', entityType: 'Staff', entityId: staff.id, data: { platform, userId, via: 'cli' } } });
    return count ? `Đã bỏ liên kết ${platform} ${userId} khỏi ${staff.displayName}.\n` : 'Không có liên kết nào như vậy.\n';
  }
  const existing = await prisma.staffIdentity.findUnique({ where: key, include: { staff: true } });
  if (existing && existing.staffId !== staff.id) throw new AppError('CONFLICT', `Tài khoản ${platform} ${userId} đang gắn với ${existing.staff.username}; bỏ liên kết đó trước (--unlink)`);
  await prisma.staffIdentity.upsert({ where: key, create: { staffId: staff.id, platform, platformUserId: userId }, update: {} });
  await prisma.auditLog.create({ data: { communeId: staff.communeId, actorKind: 'system', action: 'staff.link_identity', entityType: 'Staff', entityId: staff.id, data: { platform, userId, via: 'cli' } } });
  return `Đã liên kết ${platform} ${userId} với ${staff.displayName} (${staff.username}).\n`;
}
