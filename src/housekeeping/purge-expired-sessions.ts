// Expired web-admin sessions are useless and hold a token hash: remove them, and sign-in counters
// nobody has touched for a day.
import type { PrismaClient } from '../db/generated/client.ts';
import { purgeSignInAttempts } from '../auth/sign-in-throttle.ts';

export interface PurgeExpiredSessionsOptions {
  prisma: PrismaClient;
  now?: Date;
}

export async function purgeExpiredSessions({ prisma, now = new Date() }: PurgeExpiredSessionsOptions): Promise<number> {
  const { count } = await prisma.staffSession.deleteMany({ where: { expiresAt: { lt: now } } });
  await purgeSignInAttempts(prisma, now);
  return count;
}
