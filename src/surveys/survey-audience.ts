// Who a survey reaches, as data: each SurveyAudience row is one kind with its parameters, and one
// resolver per kind turns it into residents. Adding a kind is one enum value, one input shape and
// one resolver here (subscribers of villages came that way). Only residents who consented, are not
// blocked or erased, and have a chat the bot can write to are invited, each once, on their own channel.
import type { Prisma } from '../db/generated/client.ts';
import type { Platform, SurveyAudienceKind } from '../db/generated/enums.ts';
import { AppError } from '../errors.ts';
import { periodBounds } from '../reports/commune-figures.ts';

type Tx = Prisma.TransactionClient;

export type AudienceInput =
  | { kind: 'closed_tickets'; from: string; to: string; villageIds?: string[] }
  | { kind: 'consented'; villageIds?: string[] }
  | { kind: 'village_subscribers'; villageIds?: string[] };

export interface AudienceRow {
  kind: SurveyAudienceKind;
  periodFrom: string | null;
  periodTo: string | null;
  villageIds: string[];
}

export const audienceLabel: Record<SurveyAudienceKind, string> = {
  closed_tickets: 'Người dân có phản ánh đã đóng trong khoảng thời gian',
  consented: 'Mọi người dân đã đồng ý lưu dữ liệu',
  village_subscribers: 'Người đăng ký nhận tin của thôn',
};

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export async function validateAudience(tx: Tx, communeId: string, input: AudienceInput[]): Promise<AudienceRow[]> {
  if (input.length === 0) throw new AppError('VALIDATION', 'Cần chọn ít nhất một nhóm người nhận khảo sát.', { field: 'audience' });
  const rows: AudienceRow[] = [];
  for (const a of input) {
    const villageIds = [...new Set(a.villageIds ?? [])];
    if (villageIds.length && (await tx.village.count({ where: { id: { in: villageIds }, communeId } })) !== villageIds.length) {
      throw new AppError('VALIDATION', 'Có thôn không thuộc xã của khảo sát.', { field: 'villageIds' });
    }
    if (a.kind === 'closed_tickets') {
      if (!DATE_RE.test(a.from) || !DATE_RE.test(a.to) || a.from > a.to) throw new AppError('VALIDATION', 'Khoảng thời gian đóng phản ánh cần ngày bắt đầu và ngày kết thúc hợp lệ.', { field: 'period' });
      rows.push({ kind: 'closed_tickets', periodFrom: a.from, periodTo: a.to, villageIds });
    } else if (a.kind === 'consented' || a.kind === 'village_subscribers') {
      rows.push({ kind: a.kind, periodFrom: null, periodTo: null, villageIds });
    } else {
      throw new AppError('VALIDATION', 'Nhóm người nhận không hợp lệ.', { field: 'audience' });
    }
  }
  return rows;
}

const resolvers: Record<SurveyAudienceKind, (tx: Tx, communeId: string, timezone: string, row: AudienceRow) => Promise<string[]>> = {
  closed_tickets: async (tx, communeId, timezone, row) => {
    const { start, end } = periodBounds({ from: row.periodFrom!, to: row.periodTo!, label: '' }, timezone);
    const tickets = await tx.ticket.findMany({
      where: { communeId, closedAt: { gte: start, lt: end }, ...(row.villageIds.length ? { villageId: { in: row.villageIds } } : {}) },
      select: { residentId: true },
      distinct: ['residentId'],
    });
    return tickets.map((t) => t.residentId);
  },
  consented: async (tx, communeId, _tz, row) => {
    const residents = await tx.resident.findMany({ where: { communeId, consentGivenAt: { not: null }, ...(row.villageIds.length ? { villageId: { in: row.villageIds } } : {}) }, select: { id: true } });
    return residents.map((r) => r.id);
  },
  // Subscribers of the villages (of any village when none is named), on any topic.
  village_subscribers: async (tx, communeId, _tz, row) => {
    const subs = await tx.subscription.findMany({ where: { communeId, ...(row.villageIds.length ? { villageId: { in: row.villageIds } } : {}) }, select: { residentId: true }, distinct: ['residentId'] });
    return subs.map((s) => s.residentId);
  },
};

/** Platforms an invitation can go to unasked (the web chat only answers an open page). */
const PUSH_PLATFORMS: Platform[] = ['telegram', 'zalo', 'zalo_bot', 'zalo_oa'];

export interface Invitee {
  residentId: string;
  platform: Platform;
  accountName: string;
  platformChatId: string;
}

/** The residents the survey's audiences name, each with the chat an invitation goes to. */
export async function resolveInvitees(tx: Tx, survey: { id: string; communeId: string }): Promise<Invitee[]> {
  const commune = await tx.commune.findUniqueOrThrow({ where: { id: survey.communeId }, select: { timezone: true } });
  const rows = await tx.surveyAudience.findMany({ where: { surveyId: survey.id } });
  const ids = new Set<string>();
  for (const row of rows) for (const id of await resolvers[row.kind](tx, survey.communeId, commune.timezone, row)) ids.add(id);
  if (ids.size === 0) return [];
  const residents = await tx.resident.findMany({
    where: { id: { in: [...ids] }, communeId: survey.communeId, consentGivenAt: { not: null }, erasedAt: null, blocked: false },
    select: { id: true, identities: { where: { platform: { in: PUSH_PLATFORMS }, platformChatId: { not: null }, unreachableAt: null, channelAccountId: { not: null } }, orderBy: { createdAt: 'desc' }, include: { channelAccount: { select: { name: true } } } } },
  });
  const out: Invitee[] = [];
  for (const r of residents) {
    const identity = r.identities.find((i) => i.channelAccount);
    if (identity) out.push({ residentId: r.id, platform: identity.platform, accountName: identity.channelAccount!.name, platformChatId: identity.platformChatId! });
  }
  return out;
}
