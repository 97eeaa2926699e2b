// Expired web-admin sessions are useless and hold a token hash: remove them.
import type { PrismaClient } from '../db/generated/client.ts';

export interface PurgeExpiredSessionsOptions {
  prisma: PrismaClient;
  now?: Date;
}

export async function purgeExpiredSessions({ prisma, now = new Date() }: PurgeExpiredSessionsOptions): Promise<number> {
  const { count } = await prisma.staffSession.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
