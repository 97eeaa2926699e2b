// A named lease in PostgreSQL that one process holds at a time: taken when free or expired,
// renewed by its holder, released at shutdown. Times come from the database's clock, so hosts
// whose clocks disagree still agree on who holds it. Works on PGlite too (single box).
import type { PrismaClient } from './generated/client.ts';
import type { Prisma } from './generated/client.ts';

export interface LeaseRecord {
  name: string;
  holder: string;
  expiresAt: Date;
  lastRunAt: Date | null;
  lastResult: Record<string, number> | null;
}

/** Takes or renews the lease for `ttlMs`; false when another live holder has it. */
export async function acquireLease(prisma: PrismaClient, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const rows = await prisma.$queryRaw<Array<{ holder: string }>>`
    INSERT INTO "ProcessLease" ("name", "holder", "expiresAt", "updatedAt")
    VALUES (${name}, ${holder}, now() + make_interval(secs => ${ttlMs / 1000}::double precision), now())
    ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "expiresAt" = EXCLUDED."expiresAt", "updatedAt" = now()
    WHERE "ProcessLease"."holder" = EXCLUDED."holder" OR "ProcessLease"."expiresAt" < now()
    RETURNING "holder"`;
  return rows.length === 1 && rows[0]!.holder === holder;
}

/** Lets another process take the lease at once (at shutdown). */
export async function releaseLease(prisma: PrismaClient, name: string, holder: string): Promise<void> {
  await prisma.$executeRaw`UPDATE "ProcessLease" SET "expiresAt" = now() - interval '1 second', "updatedAt" = now() WHERE "name" = ${name} AND "holder" = ${holder}`;
}

/** Records what the holder's run did (only while it still holds the lease). */
export async function recordLeaseRun(prisma: PrismaClient, name: string, holder: string, result: Record<string, number>): Promise<void> {
  await prisma.processLease.updateMany({ where: { name, holder }, data: { lastRunAt: new Date(), lastResult: result as Prisma.InputJsonObject } });
}

export async function readLease(prisma: PrismaClient, name: string): Promise<LeaseRecord | null> {
  const row = await prisma.processLease.findUnique({ where: { name } });
  if (!row) return null;
  return { name: row.name, holder: row.holder, expiresAt: row.expiresAt, lastRunAt: row.lastRunAt, lastResult: (row.lastResult as Record<string, number> | null) ?? null };
}
