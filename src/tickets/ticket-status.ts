// Ticket statuses, their Vietnamese names, and which changes are allowed. Every change is a
// TicketEvent written in the same transaction as the ticket update.
import type { TicketStatus } from '../db/generated/enums.ts';

export type { TicketStatus };

export const statusLabel: Record<TicketStatus, string> = {
  new: 'Mới',
  received: 'Đã tiếp nhận',
  in_progress: 'Đang xử lý',
  answered: 'Đã trả lời',
  closed: 'Đã đóng',
  rejected: 'Từ chối',
  transferred: 'Chuyển xử lý',
  duplicate: 'Trùng',
};

/** Statuses in which the resident's follow-up messages still join the ticket. */
export const openStatuses: TicketStatus[] = ['new', 'received', 'in_progress', 'answered'];

/** Statuses in which the ticket still waits for an answer: its deadline checks still matter. */
export const awaitingAnswerStatuses: TicketStatus[] = ['new', 'received', 'in_progress'];

/** Final statuses: nothing more happens unless the resident is not satisfied (reopen). */
export const finalStatuses: TicketStatus[] = ['closed', 'rejected', 'transferred', 'duplicate'];

const allowed: Record<TicketStatus, TicketStatus[]> = {
  new: ['received', 'in_progress', 'answered', 'closed', 'rejected', 'transferred', 'duplicate'],
  received: ['in_progress', 'answered', 'closed', 'rejected', 'transferred', 'duplicate'],
  in_progress: ['answered', 'closed', 'rejected', 'transferred', 'duplicate', 'received'],
  // An answer can be followed by another answer, a close, or a reopen (resident not satisfied).
  answered: ['answered', 'closed', 'in_progress', 'received'],
  closed: ['in_progress'],
  rejected: ['in_progress'],
  transferred: ['in_progress'],
  duplicate: [],
};

export function canChange(from: TicketStatus, to: TicketStatus): boolean {
  return allowed[from].includes(to);
}
