// A commune's first months of tickets, replayed: each labelled question becomes a ticket filed
// where the rules put it; staff move the misfiled ones ("Chuyển lĩnh vực", through the real
// transferTicket, which records the example) and answer the rest where they are.
import { readFileSync } from 'node:fs';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { Classifier } from '../../src/tickets/classification/classifier.ts';
import { transferTicket } from '../../src/tickets/ticket-actions.ts';
import type { Effect } from '../../src/tickets/ticket-jobs.ts';

export interface Labelled {
  text: string;
  category: string;
}

export function loadQuestions(path: string): Labelled[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Labelled);
}

export async function createCommune(prisma: PrismaClient, code: string) {
  const commune = await prisma.commune.create({ data: { code, name: `Xã ${code}` } });
  const staff = await prisma.staff.create({ data: { communeId: commune.id, username: `canbo-${code}`, displayName: `Cán bộ ${code}`, roles: ['responder'] } });
  const resident = await prisma.resident.create({ data: { communeId: commune.id, consentGivenAt: new Date() } });
  return { communeId: commune.id, staffId: staff.id, residentId: resident.id };
}

let seq = 0;
/** A ticket with one inbound message, filed under `category`. */
export async function fileTicket(prisma: PrismaClient, c: { communeId: string; residentId: string }, text: string, category: string) {
  const cat = await prisma.category.findUniqueOrThrow({ where: { code: category } });
  seq += 1;
  return prisma.ticket.create({
    data: {
      code: `SIM-${c.communeId.slice(0, 8)}-${seq}`,
      communeId: c.communeId,
      year: 2026,
      seq,
      residentId: c.residentId,
      categoryId: cat.id,
      channel: 'webchat',
      status: 'in_progress',
      classifiedBy: 'rules',
      messages: { create: { direction: 'inbound', channel: 'webchat', text } },
    },
  });
}

/** Files every question by the rules, then moves or answers it as staff would; returns the effects of the moves. */
export async function replayCommune(
  prisma: PrismaClient,
  c: { communeId: string; residentId: string; staffId: string },
  rows: readonly Labelled[],
  rules: Classifier,
  at = new Date(),
): Promise<{ moved: number; answered: number; effects: Effect[] }> {
  let moved = 0;
  let answered = 0;
  const effects: Effect[] = [];
  for (const row of rows) {
    const filed = rules.classify(row.text).category;
    const t = await fileTicket(prisma, c, row.text, filed);
    if (filed !== row.category) {
      const name = (await prisma.category.findUniqueOrThrow({ where: { code: row.category } })).name;
      const r = await prisma.$transaction((tx) => transferTicket(tx, t.id, c.staffId, name, at));
      if (!r.ok) throw new Error(`transfer failed: ${r.message}`);
      effects.push(...r.effects);
      moved += 1;
    } else {
      await prisma.ticket.update({ where: { id: t.id }, data: { status: 'answered', answeredAt: at } });
      answered += 1;
    }
  }
  return { moved, answered, effects };
}
