// Every "Chuyển lĩnh vực" by staff is a labelled example for the commune's classifier: the
// ticket's text as the staff member read it, the field it had and the one they chose. Written in
// the transfer's own transaction, so a transfer and its example exist together or not at all;
// enough new examples since the last training ask for the next one (after the commit).
import type { Prisma } from '../../db/generated/client.ts';
import type { Effect } from '../ticket-jobs.ts';
import { trainClassifierEffect } from './classifier-jobs.ts';
import { MAX_FEATURE_CHARS } from './text-features.ts';

type Tx = Prisma.TransactionClient;

// New corrections that make a retraining worth it before the nightly one.
export const RETRAIN_AFTER_EXAMPLES = 20;

/** The resident's words on a ticket, in order: what the classifier should have read. */
export async function ticketText(tx: Tx, ticketId: string): Promise<string> {
  const messages = await tx.ticketMessage.findMany({
    where: { ticketId, direction: 'inbound', text: { not: null } },
    orderBy: { createdAt: 'asc' },
    select: { text: true },
  });
  return messages
    .map((m) => m.text!.trim())
    .filter(Boolean)
    .join('\n')
    .slice(0, MAX_FEATURE_CHARS);
}

export async function recordTransferExample(
  tx: Tx,
  p: { communeId: string; ticketId: string; fromCategory: string | null; toCategory: string; staffId: string; at: Date; retrainAfter?: number },
): Promise<Effect[]> {
  const text = await ticketText(tx, p.ticketId);
  // A photo-only ticket teaches the text model nothing.
  if (!text) return [];
  await tx.classificationExample.create({
    data: { communeId: p.communeId, ticketId: p.ticketId, text, fromCategory: p.fromCategory, toCategory: p.toCategory, staffId: p.staffId, createdAt: p.at },
  });
  const last = await tx.classifierModel.findFirst({ where: { communeId: p.communeId }, orderBy: { version: 'desc' }, select: { trainedAt: true } });
  const fresh = await tx.classificationExample.count({ where: { communeId: p.communeId, ...(last ? { createdAt: { gt: last.trainedAt } } : {}) } });
  return fresh >= (p.retrainAfter ?? RETRAIN_AFTER_EXAMPLES) ? [trainClassifierEffect(p.communeId)] : [];
}

/** The resident asked to erase their data (/xoadulieu): their words leave the examples too. */
export async function forgetExamplesOfTickets(tx: Tx, ticketIds: string[]): Promise<number> {
  if (ticketIds.length === 0) return 0;
  return (await tx.classificationExample.deleteMany({ where: { ticketId: { in: ticketIds } } })).count;
}
