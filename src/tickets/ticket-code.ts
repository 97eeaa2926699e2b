// Ticket codes per commune and year, easy to read aloud over the phone: PA-2026-00123.
// One counter row per commune and year, bumped atomically: concurrent tickets never share a
// number.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';

export function formatTicketCode(prefix: string, year: number, seq: number): string {
  return `${prefix}-${year}-${String(seq).padStart(5, '0')}`;
}

/** Finds a ticket code in free text: "pa-2026-123", "PA 2026 00123", "PA202600123". */
export function parseTicketCode(text: string, prefix: string): string | undefined {
  const re = new RegExp(`\\b${prefix}[\\s_-]*(20\\d\\d)[\\s_-]*(\\d{1,6})\\b`, 'i');
  const m = re.exec(text);
  if (!m) return undefined;
  return formatTicketCode(prefix.toUpperCase(), Number(m[1]), Number(m[2]));
}

export async function nextTicketSeq(tx: Prisma.TransactionClient | PrismaClient, communeId: string, year: number): Promise<number> {
  const rows = await tx.$queryRaw<Array<{ lastSeq: number }>>`
    INSERT INTO "TicketCounter" ("communeId", "year", "lastSeq") VALUES (${communeId}::uuid, ${year}, 1)
    ON CONFLICT ("communeId", "year") DO UPDATE SET "lastSeq" = "TicketCounter"."lastSeq" + 1
    RETURNING "lastSeq"`;
  return rows[0]!.lastSeq;
}
