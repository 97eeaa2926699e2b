// Who may act on a ticket, wherever they act (admin chat or web admin): staff of its commune who
// answer tickets (responders, admins) or the leader; a confidential one (complaint,
// denunciation) only for the leader, its assignee, or staff designated for its field.
import type { Prisma, Staff } from '../db/generated/client.ts';

const ACTING_ROLES = ['responder', 'admin'];

export async function mayActOnTicket(tx: Prisma.TransactionClient, staff: Staff, ticketId: string): Promise<boolean> {
  if (!staff.active || !staff.communeId) return false;
  const ticket = await tx.ticket.findUnique({ where: { id: ticketId } });
  if (!ticket || ticket.communeId !== staff.communeId) return false;
  if (ticket.confidential) {
    if (staff.isLeader || ticket.assigneeId === staff.id) return true;
    return (await tx.assignment.count({ where: { staffId: staff.id, categoryId: ticket.categoryId ?? undefined } })) > 0;
  }
  return staff.isLeader || staff.roles.some((r) => ACTING_ROLES.includes(r));
}

/** Who may read it: staff of the commune (confidential ones only those who may act on them). */
export async function mayReadTicket(tx: Prisma.TransactionClient, staff: Staff, ticket: { id: string; communeId: string; confidential: boolean }): Promise<boolean> {
  if (!staff.active || staff.communeId !== ticket.communeId) return false;
  return ticket.confidential ? mayActOnTicket(tx, staff, ticket.id) : true;
}
