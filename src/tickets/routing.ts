// Who answers a ticket: the staff assigned to its field in its village (or in every village);
// among several, the one with the fewest open tickets; nobody → the commune leader.
import type { Prisma } from '../db/generated/client.ts';
import { openStatuses } from './ticket-status.ts';

export async function chooseAssignee(
  tx: Prisma.TransactionClient,
  communeId: string,
  categoryId: string | null,
  villageId: string | null,
): Promise<string | null> {
  if (categoryId) {
    const assignments = await tx.assignment.findMany({
      where: {
        communeId,
        categoryId,
        staff: { active: true },
        // Unknown village: anyone responsible for the field somewhere in the commune.
        ...(villageId ? { OR: [{ villageId }, { villageId: null }] } : {}),
      },
      select: { staffId: true },
    });
    const candidates = [...new Set(assignments.map((a) => a.staffId))];
    if (candidates.length === 1) return candidates[0]!;
    if (candidates.length > 1) {
      const load = await tx.ticket.groupBy({
        by: ['assigneeId'],
        where: { assigneeId: { in: candidates }, status: { in: openStatuses } },
        _count: { _all: true },
      });
      const count = new Map(load.map((l) => [l.assigneeId, l._count._all]));
      // Ties go to the first in a stable order, so routing is predictable.
      return candidates.sort().reduce((best, id) => ((count.get(id) ?? 0) < (count.get(best) ?? 0) ? id : best));
    }
  }
  const leader = await tx.staff.findFirst({ where: { communeId, isLeader: true, active: true }, select: { id: true } });
  return leader?.id ?? null;
}
