// The figures a commune reports upward each quarter ("Báo cáo kết quả tiếp nhận, giải quyết phản
// ánh, kiến nghị của Nhân dân"), computed once from the database for the page, the spreadsheet and
// the PDF alike, so the three never disagree.
//   received   — tickets created in the period
//   eligible   — received, less those refused (từ chối) or merged as duplicates (trùng)
//   answered   — eligible tickets answered by the end of the period; onTime — of those, by their due time
//   transferred — handed to another authority (chuyển xử lý)
//   resolvedRate — (answered + transferred) / eligible
import type { PrismaClient } from '../db/generated/client.ts';
import { figures, groupFigures, periodBounds, UNCATEGORISED, UNKNOWN_VILLAGE, type Period, type TicketFigures } from './commune-figures.ts';
import { accessWith, clearanceOf, type Viewer } from '../tickets/ticket-visibility.ts';
import { subscriberFigures, type SubscriberFigures } from './subscriber-figures.ts';
import { satisfactionFigures, type SatisfactionFigures } from '../surveys/survey-results.ts';

export type { Period, TicketFigures } from './commune-figures.ts';

export interface Report {
  commune: { name: string; province: string | null };
  period: Period;
  totals: TicketFigures;
  byField: Array<{ name: string } & TicketFigures>;
  byVillage: Array<{ name: string } & TicketFigures>;
  /** Each month of the period (local time), with its figures and its tickets per field. */
  byMonth: Array<{ month: string; label: string; byField: Record<string, number> } & TicketFigures>;
  broadcasts: { bulletins: number; fromProvince: number; runs: number; deliveredByChannel: Record<'telegram' | 'zalo' | 'loudspeaker', number>; broadcastHours: number };
  /** Residents receiving bulletins privately (per village and channel) and the period's private deliveries. */
  subscribers: SubscriberFigures;
  /** Surveys of the period and the ratings after answers, by village (src/surveys/survey-results.ts). */
  satisfaction: SatisfactionFigures;
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

/** The figures, and each ticket as `viewer` may see it (a denunciation's village and channel could name the complainant). */
export async function ticketReport(prisma: PrismaClient, communeId: string, period: Period, viewer: Viewer): Promise<Report> {
  const commune = await prisma.commune.findUniqueOrThrow({ where: { id: communeId }, include: { province: true } });
  const { start, end } = periodBounds(period, commune.timezone);
  const tickets = await prisma.ticket.findMany({
    where: { communeId, createdAt: { gte: start, lt: end } },
    orderBy: { createdAt: 'asc' },
    include: { category: true, village: true, events: { where: { type: 'status_changed' }, orderBy: { createdAt: 'asc' }, select: { createdAt: true, toStatus: true } } },
  });
  const clearance = await clearanceOf(prisma, viewer);
  const monthOf = new Intl.DateTimeFormat('en-CA', { timeZone: commune.timezone, year: 'numeric', month: '2-digit' });
  const months = new Map<string, typeof tickets>();
  // Every month of the period appears, even one without tickets, so a chart's axis is whole.
  for (let d = new Date(`${period.from}T00:00:00Z`); d.toISOString().slice(0, 10) <= period.to; d.setUTCMonth(d.getUTCMonth() + 1)) months.set(d.toISOString().slice(0, 7), []);
  for (const t of tickets) months.get(monthOf.format(t.createdAt).slice(0, 7))?.push(t);
  const byMonth = [...months.entries()].map(([month, rows]) => {
    const byField: Record<string, number> = {};
    for (const t of rows) byField[t.category?.name ?? UNCATEGORISED] = (byField[t.category?.name ?? UNCATEGORISED] ?? 0) + 1;
    return { month, label: `${month.slice(5)}/${month.slice(0, 4)}`, byField, ...figures(rows, end) };
  });

  const runs = await prisma.broadcastRun.findMany({ where: { bulletin: { communeId }, scheduledFor: { gte: start, lt: end } }, select: { id: true, bulletinId: true, bulletin: { select: { provinceBulletinId: true } } } });
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
    else if (d.target) deliveredByChannel.telegram++;
  }

  return {
    commune: { name: commune.name, province: commune.province?.name ?? null },
    period,
    totals: figures(tickets, end),
    byField: groupFigures(tickets, (t) => t.category?.name ?? UNCATEGORISED, end),
    byVillage: groupFigures(tickets, (t) => t.village?.name ?? UNKNOWN_VILLAGE, end),
    byMonth,
    broadcasts: {
      bulletins: new Set(runs.map((r) => r.bulletinId)).size,
      // The province's bulletins played here, counted among the bulletins above.
      fromProvince: new Set(runs.filter((r) => r.bulletin.provinceBulletinId).map((r) => r.bulletinId)).size,
      runs: runs.length, deliveredByChannel, broadcastHours: Math.round((playedMs / 3600_000) * 100) / 100 },
    subscribers: await subscriberFigures(prisma, communeId, runs.map((r) => r.id)),
    satisfaction: await satisfactionFigures(prisma, communeId, period),
    tickets: tickets.map((t) => ({
      code: t.code,
      field: t.category?.name ?? UNCATEGORISED,
      ...(accessWith(clearance, t) === 'full' ? { village: t.village?.name ?? UNKNOWN_VILLAGE, channel: t.channel as string } : { village: MASKED, channel: MASKED }),
      status: t.status,
      createdAt: t.createdAt,
      dueAt: t.dueAt,
      answeredAt: t.answeredAt,
      onTime: t.answeredAt ? !t.dueAt || t.answeredAt <= t.dueAt : null,
      changes: t.events.filter((e) => e.toStatus).map((e) => ({ at: e.createdAt, to: e.toStatus! })),
    })),
  };
}
