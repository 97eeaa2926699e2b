// Who may act for a province: staff of that province (Staff.provinceId) holding the province role.
// The one place that asks; a stand-in until src/auth has province-role checks, then it calls them.
import type { Prisma, Staff } from '../db/generated/client.ts';
import type { ProvinceRole } from '../db/generated/enums.ts';
import { AppError } from '../errors.ts';

export const provinceRoleLabel: Record<ProvinceRole, string> = {
  viewer: 'xem',
  editor: 'biên tập',
  approver: 'duyệt',
  admin: 'quản trị',
};

export type ProvinceStaff = Staff & { provinceId: string };

/** The active staff member, if they are province staff with `role`; otherwise a precise refusal. */
export async function requireProvinceRole(tx: Prisma.TransactionClient, staffId: string, role: ProvinceRole, what: string): Promise<ProvinceStaff> {
  const staff = await tx.staff.findUnique({ where: { id: staffId } });
  if (!staff || !staff.active) throw new AppError('UNAUTHENTICATED');
  if (!staff.provinceId) throw new AppError('FORBIDDEN', `Chỉ cán bộ cấp tỉnh mới ${what}; cán bộ xã nhận bản tin của tỉnh, không soạn hay duyệt được.`);
  if (!staff.provinceRoles.includes(role)) throw new AppError('FORBIDDEN', `Tài khoản tỉnh của bạn cần vai trò ${provinceRoleLabel[role]} để ${what}.`);
  return staff as ProvinceStaff;
}
