// The commune's own admins manage its accounts, loudspeakers and groups; nobody else (editors,
// other communes, province staff) may.
import type { PrismaClient, Staff } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';

export async function requireCommuneAdmin(prisma: PrismaClient, staffId: string, refusal: string): Promise<Staff & { communeId: string }> {
  const staff = await prisma.staff.findUniqueOrThrow({ where: { id: staffId } });
  if (!staff.communeId || !staff.roles.includes('admin')) throw new AppError('FORBIDDEN', refusal);
  return staff as Staff & { communeId: string };
}
