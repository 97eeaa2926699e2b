// One commune's ticket figures for a period — received, answered, on time, average time to answer,
// satisfaction; in total, by field and by village — computed here once for the quarterly report,
// the province dashboard and the public page, so none of them disagrees with another.
// Nothing personal leaves this file: counts only. On the public page a confidential ticket (complaint
// or denunciation) counts in the totals and its field, never in a village: in a small village one
// denunciation counted there could point at the resident who filed it.
import type { PrismaClient } from '../db/generated/client.ts';
import { localInstant } from '../calendar/local-time.ts';

export interface Period {
  /** Local dates, inclusive. */
  from: string;
  to: string;
  label: string;
}

export interface TicketFigures {
  received: number;
  eligible: number;
  answered: number;
  /** Tickets whose answer was due: answered, or past their deadline unanswered (see onTimeShare). */
  due: number;
  onTime: number;
  transferred: number;
  resolvedRate: number;
  onTimeRate: number;
  avgHoursToAnswer: number | null;
  rated: number;
  satisfied: number;
}

export type NamedFigures = { name: string } & TicketFigures;

export interface CommuneFigures {
  communeId: string;
  period: Period;
  totals: TicketFigures;
  byField: NamedFigures[];
  byVillage: NamedFigures[];
}

/** What the figures need of a ticket. */
export interface FigureRow {
  status: string;
  createdAt: Date;
  dueAt: Date | null;
  answeredAt: Date | null;
  ratingComment: string | null;
  ratedAt: Date | null;
}

export const UNCATEGORISED = 'Chưa phân loại';
export const UNKNOWN_VILLAGE = 'Chưa rõ thôn';

/** The period's bounds as instants: its first local midnight, and the one after its last day. */
export function periodBounds(period: Period, timezone: string): { start: Date; end: Date } {
  return { start: localInstant(period.from, '00:00', timezone), end: new Date(localInstant(period.to, '00:00', timezone).getTime() + 86_400_000) };
}

/**
 * THE on-time rule, for the commune report, the province ranking and the public page alike:
 * answered on time ÷ tickets that were due. A ticket is due once it is answered, or once its
 * deadline has passed without an answer (an overdue ticket counts against the commune — dividing
 * by answered tickets only would give 100% to a commune that answers one ticket and leaves the
 * rest). Not yet due, refused, duplicate, transferred or closed without an answer: not counted.
 * Null when nothing was due (0 of 0 is not "on time").
 */
export function onTimeShare(onTime: number, due: number): number | null {
  return due > 0 ? Math.round((onTime / due) * 1000) / 1000 : null;
}

/** The rule as staff and residents read it under the figure. */
export const ON_TIME_RULE_TEXT =
  'Tỉ lệ đúng hạn = số phiếu trả lời đúng hạn ÷ số phiếu đã đến hạn (đã trả lời, hoặc đã quá hạn mà chưa trả lời). Phiếu chưa đến hạn, bị từ chối, trùng, chuyển cơ quan khác hoặc đóng không cần trả lời không tính.';

const SETTLED_WITHOUT_ANSWER = new Set(['transferred', 'closed']);

/** Figures of `rows` (tickets created in a period ending at `end`), as of `now` for a period still running. */
export function figures(rows: FigureRow[], end: Date, now = new Date()): TicketFigures {
  const cutoff = now < end ? now : end;
  const eligible = rows.filter((t) => t.status !== 'rejected' && t.status !== 'duplicate');
  const answered = eligible.filter((t) => t.answeredAt && t.answeredAt <= end);
  const overdue = eligible.filter((t) => !(t.answeredAt && t.answeredAt <= end) && t.dueAt && t.dueAt <= cutoff && !SETTLED_WITHOUT_ANSWER.has(t.status));
  const onTime = answered.filter((t) => !t.dueAt || t.answeredAt! <= t.dueAt);
  const transferred = eligible.filter((t) => t.status === 'transferred');
  const rated = rows.filter((t) => t.ratedAt && t.ratedAt <= end);
  const hours = answered.map((t) => (t.answeredAt!.getTime() - t.createdAt.getTime()) / 3600_000);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    received: rows.length,
    eligible: eligible.length,
    answered: answered.length,
    due: answered.length + overdue.length,
    onTime: onTime.length,
    transferred: transferred.length,
    resolvedRate: eligible.length ? round((answered.length + transferred.length) / eligible.length) : 0,
    onTimeRate: onTimeShare(onTime.length, answered.length + overdue.length) ?? 0,
    avgHoursToAnswer: hours.length ? Math.round((hours.reduce((a, b) => a + b, 0) / hours.length) * 10) / 10 : null,
    rated: rated.length,
    satisfied: rated.filter((t) => t.ratingComment === 'hài lòng').length,
  };
}

/** Figures per group, groups in Vietnamese order. */
export function groupFigures<T extends FigureRow>(rows: T[], key: (t: T) => string, end: Date): NamedFigures[] {
  const m = new Map<string, T[]>();
  for (const t of rows) {
    const k = key(t);
    const group = m.get(k);
    if (group) group.push(t);
    else m.set(k, [t]);
  }
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b, 'vi')).map(([name, group]) => ({ name, ...figures(group, end) }));
}

/**
 * The commune's figures for `period`. `audience: 'public'` leaves confidential tickets out of the
 * villages (they still count in the totals and their field); 'staff' counts them everywhere, as the
 * quarterly report always has.
 */
export async function communeFigures(prisma: PrismaClient, communeId: string, period: Period, audience: 'staff' | 'public'): Promise<CommuneFigures> {
  const commune = await prisma.commune.findUniqueOrThrow({ where: { id: communeId }, select: { timezone: true } });
  const { start, end } = periodBounds(period, commune.timezone);
  const rows = await prisma.ticket.findMany({
    where: { communeId, createdAt: { gte: start, lt: end } },
    select: { status: true, createdAt: true, dueAt: true, answeredAt: true, ratingComment: true, ratedAt: true, confidential: true, category: { select: { name: true } }, village: { select: { name: true } } },
  });
  const inVillages = audience === 'public' ? rows.filter((t) => !t.confidential) : rows;
  return {
    communeId,
    period,
    totals: figures(rows, end),
    byField: groupFigures(rows, (t) => t.category?.name ?? UNCATEGORISED, end),
    byVillage: groupFigures(inVillages, (t) => t.village?.name ?? UNKNOWN_VILLAGE, end),
  };
}

/**
 * Totals of several communes for one period, from one query: what the province ranking needs of
 * each commune (by field and by village are its own report's). The same `figures` rule as above.
 */
export async function communesTotals(prisma: PrismaClient, communes: ReadonlyArray<{ id: string; timezone: string }>, period: Period): Promise<Map<string, TicketFigures>> {
  const bounds = new Map(communes.map((c) => [c.id, periodBounds(period, c.timezone)]));
  const all = [...bounds.values()];
  const rows = communes.length === 0 ? [] : await prisma.ticket.findMany({
    // The widest window of the communes' time zones; each commune's own bounds are applied below.
    where: { communeId: { in: communes.map((c) => c.id) }, createdAt: { gte: new Date(Math.min(...all.map((b) => b.start.getTime()))), lt: new Date(Math.max(...all.map((b) => b.end.getTime()))) } },
    select: { communeId: true, status: true, createdAt: true, dueAt: true, answeredAt: true, ratingComment: true, ratedAt: true },
  });
  const byCommune = new Map<string, FigureRow[]>(communes.map((c) => [c.id, []]));
  for (const t of rows) {
    const b = bounds.get(t.communeId)!;
    if (t.createdAt >= b.start && t.createdAt < b.end) byCommune.get(t.communeId)!.push(t);
  }
  return new Map([...byCommune.entries()].map(([id, r]) => [id, figures(r, bounds.get(id)!.end)]));
}
