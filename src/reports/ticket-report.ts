// The figures a commune reports upward each quarter ("Báo cáo kết quả tiếp nhận, giải quyết phản
// ánh, kiến nghị của Nhân dân"), computed once from the database for the page, the spreadsheet and
// the PDF alike, so the three never disagree.
//   received   — tickets created in the period
//   eligible   — received, less those refused (từ chối) or merged as duplicates (trùng)
//   answered   — eligible tickets answered by the end of the period; onTime — of those, by their due time
//   transferred — handed to another authority (chuyển xử lý)
//   resolvedRate — (answered + transferred) / eligible
import type { PrismaClient } from '../db/generated/client.ts';
import { localInstant } from '../calendar/local-time.ts';
import { accessWith, clearanceOf, type Viewer } from '../tickets/ticket-visibility.ts';

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
  onTime: number;
  transferred: number;
  resolvedRate: number;
  onTimeRate: number;
  avgHoursToAnswer: number | null;
  rated: number;
  satisfied: number;
}

export interface Report {
  commune: { name: string; district: string | null; province: string | null };
  period: Period;
  totals: TicketFigures;
  byField: Array<{ name: string } & TicketFigures>;
  byVillage: Array<{ name: string } & TicketFigures>;
  /** Each month of the period (local time), with its figures and its tickets per field. */
  byMonth: Array<{ month: string; label: string; byField: Record<string, number> } & TicketFigures>;
  broadcasts: { bulletins: number; runs: number; deliveredByChannel: Record<'telegram' | 'zalo' | 'loudspeaker', number>; broadcastHours: number };
  tickets: Array<{ code: string; field: string; village: string; status: string; channel: string; createdAt: Date; dueAt: Date | null; answeredAt: Date | null; onTime: boolean | null; changes: Array<{ at: Date; to: string }> }>;
}

const MASKED = '(bảo mật)';

export function quarterPeriod(year: number, quarter: 1 | 2 | 3 | 4): Period {
  const startMonth = (quarter - 1) * 3 + 1;
  const endMonth = startMonth + 2;
  const lastDay = new Date(Date.UTC(year, endMonth, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return { from: `${year}-${pad(startMonth)}-01`, to: `${year}-${pad(endMonth)}-${pad(lastDay)}`, label: `Quý ${['I', 'II', 'III', 'IV'][quarter - 1]} năm ${year}` };
}

interface Row {
  id: string;
  status: string;
  createdAt: Date;
  dueAt: Date | null;
  answeredAt: Date | null;
  ratingComment: string | null;
  ratedAt: Date | null;
}

function figures(rows: Row[], end: Date): TicketFigures {
  const eligible = rows.filter((t) => t.status !== 'rejected' && t.status !== 'duplicate');
  const answered = eligible.filter((t) => t.answeredAt && t.answeredAt <= end);
  const onTime = answered.filter((t) => !t.dueAt || t.answeredAt! <= t.dueAt);
  const transferred = eligible.filter((t) => t.status === 'transferred');
  const rated = rows.filter((t) => t.ratedAt && t.ratedAt <= end);
  const hours = answered.map((t) => (t.answeredAt!.getTime() - t.createdAt.getTime()) / 3600_000);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    received: rows.length,
    eligible: eligible.length,
    answered: answered.length,
    onTime: onTime.length,
    transferred: transferred.length,
    resolvedRate: eligible.length ? round((answered.length + transferred.length) / eligible.length) : 0,
    onTimeRate: answered.length ? round(onTime.length / answered.length) : 0,
    avgHoursToAnswer: hours.length ? Math.round((hours.reduce((a, b) => a + b, 0) / hours.length) * 10) / 10 : null,
    rated: rated.length,
    satisfied: rated.filter((t) => t.ratingComment === 'hài lòng').length,
  };
}

/** The figures, and each ticket as `viewer` may see it (a denunciation's village and channel could name the complainant). */
export async function ticketReport(prisma: PrismaClient, communeId: string, period: Period, viewer: Viewer): Promise<Report> {
  const commune = await prisma.commune.findUniqueOrThrow({ where: { id: communeId } });
  const start = localInstant(period.from, '00:00', commune.timezone);
  const end = new Date(localInstant(period.to, '00:00', commune.timezone).getTime() + 86_400_000);
  const tickets = await prisma.ticket.findMany({
    where: { communeId, createdAt: { gte: start, lt: end } },
    orderBy: { createdAt: 'asc' },
    include: { category: true, village: true, events: { where: { type: 'status_changed' }, orderBy: { createdAt: 'asc' }, select: { createdAt: true, toStatus: true } } },
  });
  const clearance = await clearanceOf(prisma, viewer);
  const group = (key: (t: (typeof tickets)[number]) => string) => {
    const m = new Map<string, Row[]>();
    for (const t of tickets) m.set(key(t), [...(m.get(key(t)) ?? []), t]);
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b, 'vi')).map(([name, rows]) => ({ name, ...figures(rows, end) }));
  };

  const monthOf = new Intl.DateTimeFormat('en-CA', { timeZone: commune.timezone, year: 'numeric', month: '2-digit' });
  const months = new Map<string, typeof tickets>();
  // Every month of the period appears, even one without tickets, so a chart's axis is whole.
  for (let d = new Date(`${period.from}T00:00:00Z`); d.toISOString().slice(0, 10) <= period.to; d.setUTCMonth(d.getUTCMonth() + 1)) months.set(d.toISOString().slice(0, 7), []);
  for (const t of tickets) months.get(monthOf.format(t.createdAt).slice(0, 7))?.push(t);
  const byMonth = [...months.entries()].map(([month, rows]) => {
    const byField: Record<string, number> = {};
    for (const t of rows) byField[t.category?.name ?? 'Chưa phân loại'] = (byField[t.category?.name ?? 'Chưa phân loại'] ?? 0) + 1;
    return { month, label: `${month.slice(5)}/${month.slice(0, 4)}`, byField, ...figures(rows, end) };
  });

  const runs = await prisma.broadcastRun.findMany({ where: { bulletin: { communeId }, scheduledFor: { gte: start, lt: end } }, select: { id: true, bulletinId: true } });
  const deliveries = await prisma.delivery.findMany({
    where: { runId: { in: runs.map((r) => r.id) }, status: 'sent' },
    select: { targetId: true, endpointId: true, playedAt: true, target: { select: { kind: true } }, bulletinVersion: { select: { renderedDurationMs: true } } },
  });
  const deliveredByChannel = { telegram: 0, zalo: 0, loudspeaker: 0 };
  let playedMs = 0;
  for (const d of deliveries) {
    if (d.endpointId) {
      deliveredByChannel.loudspeaker++;
      if (d.playedAt) playedMs += d.bulletinVersion.renderedDurationMs ?? 0;
    } else if (d.target?.kind === 'zalo_group') deliveredByChannel.zalo++;
    else deliveredByChannel.telegram++;
  }

  return {
    commune: { name: commune.name, district: commune.district, province: commune.province },
    period,
    totals: figures(tickets, end),
    byField: group((t) => t.category?.name ?? 'Chưa phân loại'),
    byVillage: group((t) => t.village?.name ?? 'Chưa rõ thôn'),
    byMonth,
    broadcasts: { bulletins: new Set(runs.map((r) => r.bulletinId)).size, runs: runs.length, deliveredByChannel, broadcastHours: Math.round((playedMs / 3600_000) * 100) / 100 },
    tickets: tickets.map((t) => ({
      code: t.code,
      field: t.category?.name ?? 'Chưa phân loại',
      ...(accessWith(clearance, t) === 'full' ? { village: t.village?.name ?? 'Chưa rõ thôn', channel: t.channel as string } : { village: MASKED, channel: MASKED }),
      status: t.status,
      createdAt: t.createdAt,
      dueAt: t.dueAt,
      answeredAt: t.answeredAt,
      onTime: t.answeredAt ? !t.dueAt || t.answeredAt <= t.dueAt : null,
      changes: t.events.filter((e) => e.toStatus).map((e) => ({ at: e.createdAt, to: e.toStatus! })),
    })),
  };
}
