// Acting on a row that belongs to a commune: staff of that commune go on to the role check; an
// oversight account granted that commune reads it but changes nothing (403); anyone else gets the
// same 404 as for an id that does not exist, so ids of other communes cannot be probed.
import type { Prisma, Staff } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';

export async function requireOwnCommune(tx: Prisma.TransactionClient, staff: Pick<Staff, 'id' | 'communeId'>, communeId: string, notFound: string): Promise<void> {
  if (staff.communeId === communeId) return;
  if (staff.communeId === null && (await tx.oversightGrant.count({ where: { staffId: staff.id, communeId } })) > 0) {
    throw new AppError('FORBIDDEN', 'Tài khoản giám sát chỉ được xem, không thay đổi được.');
  }
  throw new AppError('NOT_FOUND', notFound);
}
