// What a commune's classifier learns from: the fields staff chose ("Chuyển lĩnh vực", stored as
// ClassificationExample), and the fields staff accepted by answering a ticket where the classifier
// had put it. Corrections alone would paint the rules as always wrong (every one is a miss), so
// the held-back score would say nothing about how the model does on ordinary messages.
import type { Prisma } from '../../db/generated/client.ts';
import { MAX_FEATURE_CHARS } from './text-features.ts';

export interface CommuneExample {
  /** Stable across trainings (the ticket's id when there is one): decides held-back or not. */
  key: string;
  text: string;
  category: string;
  source: 'transfer' | 'accepted';
}

export interface LoadedExamples {
  examples: CommuneExample[];
  /** Examples left out: a field code no longer known, or no text. */
  skipped: number;
}

// A commune's recent history is what it sounds like now; older examples only slow training.
const MAX_TRANSFERS = 5000;
const MAX_ACCEPTED = 5000;

export async function loadCommuneExamples(prisma: Prisma.TransactionClient, communeId: string): Promise<LoadedExamples> {
  const known = new Set((await prisma.category.findMany({ where: { active: true }, select: { code: true } })).map((c) => c.code));
  let skipped = 0;
  const byKey = new Map<string, CommuneExample>();
  const transfers = await prisma.classificationExample.findMany({
    where: { communeId },
    orderBy: { createdAt: 'desc' },
    take: MAX_TRANSFERS,
    select: { id: true, ticketId: true, text: true, toCategory: true },
  });
  // Newest first: a ticket moved twice is labelled by its last move.
  for (const e of transfers) {
    const key = e.ticketId ?? e.id;
    if (byKey.has(key)) continue;
    const text = e.text.trim().slice(0, MAX_FEATURE_CHARS);
    if (!text || !known.has(e.toCategory)) {
      skipped += 1;
      continue;
    }
    byKey.set(key, { key, text, category: e.toCategory, source: 'transfer' });
  }

  // Answered by staff in the field the classifier chose, never moved: the field was right.
  // Tickets of residents who erased their data are left out (their words are gone).
  const accepted = await prisma.ticket.findMany({
    where: {
      communeId,
      status: { in: ['answered', 'closed'] },
      answeredAt: { not: null },
      categoryId: { not: null },
      classifiedBy: { not: 'staff' },
      resident: { erasedAt: null },
    },
    orderBy: { createdAt: 'desc' },
    take: MAX_ACCEPTED,
    select: {
      id: true,
      category: { select: { code: true } },
      messages: { where: { direction: 'inbound', text: { not: null } }, orderBy: { createdAt: 'asc' }, select: { text: true } },
    },
  });
  for (const t of accepted) {
    if (byKey.has(t.id)) continue;
    const text = t.messages
      .map((m) => m.text!.trim())
      .filter(Boolean)
      .join('\n')
      .slice(0, MAX_FEATURE_CHARS);
    const code = t.category?.code;
    if (!text || !code || !known.has(code)) {
      skipped += 1;
      continue;
    }
    byKey.set(t.id, { key: t.id, text, category: code, source: 'accepted' });
  }
  return { examples: [...byKey.values()], skipped };
}

/**
 * One example in five is held back from training, by a hash of its key: the same examples stay
 * held back in every version, so a new version is never scored on what an older one learned.
 */
export function isHeldBack(key: string): boolean {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % 5 === 0;
}
