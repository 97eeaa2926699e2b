// Who may act on a ticket, wherever they act (admin chat or web admin): staff of its commune who
// answer tickets (responders, admins) or the leader; a confidential one (complaint,
// denunciation) only those the visibility rule clears for it (leader, assignee, designated staff).
import type { Prisma, Staff } from '../db/generated/client.ts';
import { ticketAccess, type TicketKey } from './ticket-visibility.ts';

const ACTING_ROLES = ['responder', 'admin'];

export async function mayActOnTicket(tx: Prisma.TransactionClient, staff: Staff, ticketId: string): Promise<boolean> {
  if (!staff.active || !staff.communeId) return false;
  const ticket = await tx.ticket.findUnique({ where: { id: ticketId } });
  if (!ticket || (await ticketAccess(tx, { kind: 'staff', staff }, ticket)) !== 'full') return false;
  // Cleared for a confidential one means designated for it: that is the right to handle it.
  return ticket.confidential || staff.isLeader || staff.roles.some((r) => ACTING_ROLES.includes(r));
}

/** Who may read it in full: staff of the commune (confidential ones only those cleared for them). */
export async function mayReadTicket(tx: Prisma.TransactionClient, staff: Staff, ticket: TicketKey): Promise<boolean> {
  return (await ticketAccess(tx, { kind: 'staff', staff }, ticket)) === 'full';
}
