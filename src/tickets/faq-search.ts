// The published answers as residents read them on the public page: newest first, a page at a
// time, searched by word starts on the folded text so "lam can cuoc" finds "Làm căn cước". Only
// what publishing kept (anonymized question and answer, field) ever leaves this file.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import { foldVietnamese } from '../text/fold-vietnamese.ts';

/** Entries per page: a huge FAQ still answers with a small page. */
export const FAQ_PAGE_SIZE = 10;
/** Words of a search that count; the rest of a pasted paragraph is ignored. */
const MAX_WORDS = 8;
const MAX_QUERY = 200;

/** What FaqEntry.searchText holds for a question and its answer (the migration folds the same way). */
export function faqSearchText(question: string, answer: string): string {
  return ` ${foldVietnamese(`${question} ${answer}`)} `;
}

export interface FaqPage {
  entries: Array<{ id: string; question: string; answer: string; field: string | null; publishedAt: Date }>;
  total: number;
  page: number;
  pages: number;
  /** The folded words searched for (empty: no search). */
  words: string[];
}

export function searchWords(query: string | undefined): string[] {
  const folded = foldVietnamese((query ?? '').slice(0, MAX_QUERY));
  return [...new Set(folded.split(' ').filter(Boolean))].slice(0, MAX_WORDS);
}

export async function publishedFaqPage(prisma: PrismaClient, communeId: string, p: { query?: string; page?: number; pageSize?: number }): Promise<FaqPage> {
  const words = searchWords(p.query);
  const size = Math.min(Math.max(1, p.pageSize ?? FAQ_PAGE_SIZE), 50);
  // Folded words are [a-z0-9] only, so they carry no LIKE wildcard.
  const where: Prisma.FaqEntryWhereInput = { communeId, publishedAt: { not: null }, AND: words.map((w) => ({ searchText: { contains: ` ${w}` } })) };
  const total = await prisma.faqEntry.count({ where });
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, Number.isFinite(p.page) ? Math.floor(p.page!) : 1), pages);
  const rows = await prisma.faqEntry.findMany({
    where,
    orderBy: [{ publishedAt: 'desc' }, { id: 'asc' }],
    skip: (page - 1) * size,
    take: size,
    select: { id: true, question: true, answer: true, publishedAt: true, category: { select: { name: true } } },
  });
  return { entries: rows.map((r) => ({ id: r.id, question: r.question, answer: r.answer, field: r.category?.name ?? null, publishedAt: r.publishedAt! })), total, page, pages, words };
}
