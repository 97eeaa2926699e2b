// /xoadulieu, after the resident confirmed: personal fields, subscriptions and consent (with its time) cleared,
// what they wrote blanked, their open tickets closed as anonymized (a new message starts afresh,
// after consent again, and never joins them), and the admin-chat posts re-rendered without who
// wrote or what. Tickets stay for the statistics.
import type { Prisma } from '../db/generated/client.ts';
import { forgetExamplesOfTickets } from './classification/record-example.ts';
import { openStatuses } from './ticket-status.ts';
import { cancelDeadlines, effect, refreshAdminPostsJob, type Effect } from './ticket-jobs.ts';

export const ERASED_TEXT = '[đã xoá theo yêu cầu]';
export const ERASE_REASON = 'Người dân yêu cầu xoá dữ liệu cá nhân';

export async function eraseResident(tx: Prisma.TransactionClient, residentId: string, now: Date): Promise<Effect[]> {
  await tx.resident.update({ where: { id: residentId }, data: { displayName: null, phone: null, villageId: null, erasedAt: now, consentGivenAt: null, consentVersion: null } });
  await tx.residentIdentity.updateMany({ where: { residentId }, data: { displayName: null, state: {} } });
  // Subscriptions are personal data under the consent just withdrawn; queued deliveries find them gone.
  await tx.subscription.deleteMany({ where: { residentId } });
  const tickets = await tx.ticket.findMany({ where: { residentId }, select: { id: true, status: true } });
  const ids = tickets.map((t) => t.id);
  await tx.ticketMessage.updateMany({ where: { ticketId: { in: ids }, direction: 'inbound' }, data: { text: ERASED_TEXT, attachments: [] } });
  await tx.ticket.updateMany({ where: { id: { in: ids } }, data: { subject: null } });
  await forgetExamplesOfTickets(tx, ids);
  const effects: Effect[] = [];
  for (const t of tickets) {
    if (openStatuses.includes(t.status)) {
      const closed = await tx.ticket.updateMany({ where: { id: t.id, status: t.status }, data: { status: 'closed', closedAt: now } });
      if (closed.count === 1) {
        await tx.ticketEvent.create({ data: { ticketId: t.id, type: 'status_changed', fromStatus: t.status, toStatus: 'closed', actorKind: 'resident', reason: ERASE_REASON, data: { anonymized: true }, createdAt: now } });
        effects.push(...cancelDeadlines(t.id));
      }
    }
    // The post in the admin chat follows: no name, no words, no buttons on a closed ticket.
    effects.push(effect(refreshAdminPostsJob, { ticketId: t.id, version: now.getTime() }, `refresh-${t.id}-erase-${now.getTime()}`));
  }
  await tx.auditLog.create({ data: { actorKind: 'resident', action: 'resident.erase', entityType: 'Resident', entityId: residentId, data: { tickets: ids.length } } });
  return effects;
}
