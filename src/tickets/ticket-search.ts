// The inbox's list: filters by status, field, village, assignee and overdue, and a search that
// ignores diacritics ("tiem chung" finds "tiêm chủng") over the ticket's code, subject and the
// residents' and cadres' messages. Folding happens in SQL with translate(), which PostgreSQL and
// PGlite both have, so no extension and no extra column are needed.
import { Prisma, type PrismaClient } from '../db/generated/client.ts';
import type { TicketStatus } from '../db/generated/enums.ts';
import { foldDiacritics, foldVietnamese } from '../text/fold-vietnamese.ts';
import { fullAccessSql, type ViewerClearance } from './ticket-visibility.ts';

// Every Vietnamese letter with a mark, both cases, and what it folds to (lower case, no mark).
const MARKED = 'àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ';
const FROM = MARKED + MARKED.toUpperCase() + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const TO = foldDiacritics(MARKED) + foldDiacritics(MARKED) + 'abcdefghijklmnopqrstuvwxyz';
const COMBINING = '[\u0300-\u036f]';

export interface TicketFilters {
  status?: TicketStatus;
  categoryId?: string;
  villageId?: string;
  assigneeId?: string;
  overdue?: boolean;
  q?: string;
  /**
   * Whose list it is: only tickets this viewer reads in full are listed or searched (a confidential
   * one matching the words would tell that it exists and what it says).
   */
  visibleTo: ViewerClearance;
  limit?: number;
}

export interface TicketRow {
  id: string;
  code: string;
  subject: string | null;
  status: TicketStatus;
  channel: string;
  dueAt: Date | null;
  createdAt: Date;
  confidential: boolean;
  category: string | null;
  village: string | null;
  assignee: string | null;
}

export async function searchTickets(prisma: PrismaClient, communeId: string, f: TicketFilters, now = new Date()): Promise<TicketRow[]> {
  const where: Prisma.Sql[] = [Prisma.sql`t."communeId" = ${communeId}::uuid`];
  if (f.status) where.push(Prisma.sql`t.status = ${f.status}::"TicketStatus"`);
  if (f.categoryId) where.push(Prisma.sql`t."categoryId" = ${f.categoryId}::uuid`);
  if (f.villageId) where.push(Prisma.sql`t."villageId" = ${f.villageId}::uuid`);
  if (f.assigneeId) where.push(Prisma.sql`t."assigneeId" = ${f.assigneeId}::uuid`);
  if (f.overdue) where.push(Prisma.sql`t.status IN ('new','received','in_progress') AND t."dueAt" < ${now}`);
  where.push(fullAccessSql(f.visibleTo, 't'));
  const q = foldVietnamese(f.q ?? '').slice(0, 100);
  if (q) {
    const like = `%${q.replace(/[%_\\]/g, '')}%`;
    // Decomposed text (base letter + combining mark, as some phones send) loses its marks first.
    const fold = (col: Prisma.Sql) => Prisma.sql`translate(regexp_replace(${col}, ${COMBINING}, '', 'g'), ${FROM}, ${TO})`;
    where.push(
      Prisma.sql`(${fold(Prisma.sql`t.code`)} LIKE ${like} OR ${fold(Prisma.sql`coalesce(t.subject, '')`)} LIKE ${like} OR EXISTS (SELECT 1 FROM "TicketMessage" m WHERE m."ticketId" = t.id AND ${fold(Prisma.sql`coalesce(m.text, '')`)} LIKE ${like}))`,
    );
  }
  return prisma.$queryRaw<TicketRow[]>`
    SELECT t.id, t.code, t.subject, t.status::text AS status, t.channel::text AS channel, t."dueAt", t."createdAt", t.confidential,
           c.name AS category, v.name AS village, s."displayName" AS assignee
    FROM "Ticket" t
    LEFT JOIN "Category" c ON c.id = t."categoryId"
    LEFT JOIN "Village" v ON v.id = t."villageId"
    LEFT JOIN "Staff" s ON s.id = t."assigneeId"
    WHERE ${Prisma.join(where, ' AND ')}
    ORDER BY t."createdAt" DESC
    LIMIT ${Math.min(f.limit ?? 50, 200)}`;
}
