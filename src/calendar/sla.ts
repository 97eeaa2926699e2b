// A ticket's deadlines in working time: when it must be received (taken), when it must be
// answered (urgent ones within hours), and when to remind the assignee: at half time and one
// working day before the answer is due.
import type { WorkingCalendar } from './working-time.ts';

export interface SlaInput {
  receivedAt: Date;
  priority: 'normal' | 'urgent';
  receiveWorkingHours: number;
  answerWorkingDays: number;
  urgentWorkingHours: number;
}

export interface SlaDeadlines {
  receiveDueAt: Date;
  dueAt: Date;
  remindAt: Date[];
  escalateAt: Date;
}

export function slaDeadlines(input: SlaInput, calendar: WorkingCalendar): SlaDeadlines {
  const totalHours = input.priority === 'urgent' ? input.urgentWorkingHours : input.answerWorkingDays * calendar.hoursPerDay;
  const dueAt = calendar.addWorkingHours(input.receivedAt, totalHours);
  const receiveDueAt = calendar.addWorkingHours(input.receivedAt, Math.min(input.receiveWorkingHours, totalHours));
  const reminders = [calendar.addWorkingHours(input.receivedAt, totalHours / 2)];
  if (totalHours > calendar.hoursPerDay * 1.5) reminders.push(calendar.addWorkingHours(input.receivedAt, totalHours - calendar.hoursPerDay));
  const remindAt = [...new Set(reminders.map((d) => d.getTime()))].filter((t) => t > input.receivedAt.getTime() && t < dueAt.getTime()).sort((a, b) => a - b).map((t) => new Date(t));
  return { receiveDueAt, dueAt, remindAt, escalateAt: dueAt };
}
