// The province staff member acting on a province bulletin: the account, refused precisely when it is
// commune staff (who receive province bulletins, not write them) or lacks the province role. The
// role rule itself is src/auth/commune-scope.ts's (requireProvinceRole); this only loads and asks.
import type { Prisma, Staff } from '../db/generated/client.ts';
import type { ProvinceRole } from '../db/generated/enums.ts';
import { AppError } from '../errors.ts';
import { requireProvinceRole } from '../auth/commune-scope.ts';

export type ProvinceStaff = Staff & { provinceId: string };

export async function provinceStaffFor(tx: Prisma.TransactionClient, staffId: string, role: ProvinceRole, what: string): Promise<ProvinceStaff> {
  const staff = await tx.staff.findUnique({ where: { id: staffId } });
  if (!staff || !staff.active) throw new AppError('UNAUTHENTICATED');
  if (staff.communeId !== null || !staff.provinceId) throw new AppError('FORBIDDEN', `Chỉ cán bộ cấp tỉnh mới ${what}; cán bộ xã nhận bản tin của tỉnh, không soạn hay duyệt được.`);
  requireProvinceRole(staff, staff.provinceId, role);
  return staff as ProvinceStaff;
}
