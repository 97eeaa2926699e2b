// Who acts in a use case that changes a commune's content (bulletins, surveys): an active staff
// member of that commune holding one of the roles (admin holds them all). Another commune's row
// answers as missing; an oversight account only reads (commune-scope.ts).
import type { Prisma, Staff } from '../db/generated/client.ts';
import type { StaffRole } from '../db/generated/enums.ts';
import { AppError } from '../errors.ts';
import { requireOwnCommune } from './commune-scope.ts';

type Tx = Prisma.TransactionClient;

export async function actingStaff(tx: Tx, staffId: string): Promise<Staff> {
  const staff = await tx.staff.findUnique({ where: { id: staffId } });
  if (!staff || !staff.active) throw new AppError('UNAUTHENTICATED');
  return staff;
}

export async function requireCommuneRole(tx: Tx, staff: Staff, communeId: string, roles: StaffRole[], what: string, notFound: string): Promise<void> {
  await requireOwnCommune(tx, staff, communeId, notFound);
  if (!staff.roles.some((r) => r === 'admin' || roles.includes(r))) throw new AppError('FORBIDDEN', `Tài khoản của bạn không có quyền ${what}.`);
}
