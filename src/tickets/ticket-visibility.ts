// Who may see what of a ticket: the one rule every output asks (ticket page, inbox search,
// dashboard, admin-chat posts and notices, merges, exports, reminders). A complaint or
// denunciation (confidential) is read in full only by the commune's leader, its assignee and the
// staff designated for its field; everyone else who may see the commune's tickets at all —
// other staff, province staff, the admin chat as a group, API keys — gets a placeholder
// (code, field, status, deadline), never who wrote, what, where from, attachments or answers.
//
// The rule is data (ViewerClearance) rendered three ways side by side below — a predicate for
// rows already loaded, a Prisma filter and an SQL condition — so it is still written once
// (test/tickets/ticket-visibility.test.ts holds the three to the same answers).
//
// For a new output: `ticketAccess(tx, viewer, ticket)` (or `clearanceOf` once + `accessWith` per
// row), then `visibleText` / `visibleAttachments` / `projectSummary` on what is shown. Anything
// posted in the admin chat (a follow-up, an edited post) is for the viewer { kind: 'group' }.
import { Prisma, type Staff } from '../db/generated/client.ts';
import type { TicketStatus } from '../db/generated/enums.ts';
import { communeScope, readableIds, type ScopedStaff } from '../auth/commune-scope.ts';

type Tx = Prisma.TransactionClient;

/** The field whose tickets are confidential from the moment they are filed. */
export const CONFIDENTIAL_FIELD = 'KHIEU_NAI_TO_CAO';

export const isConfidentialField = (categoryCode: string | null | undefined): boolean => categoryCode === CONFIDENTIAL_FIELD;

/** Who looks. The admin chat is a group: everything posted there is seen by all its members. */
export type Viewer =
  | { kind: 'staff'; staff: Pick<Staff, 'id' | 'isLeader'> & ScopedStaff }
  | { kind: 'group'; communeId: string }
  | { kind: 'api'; communeId: string };

/** none: not this viewer's commune (answer as missing); masked: the placeholder; full: everything. */
export type Access = 'none' | 'masked' | 'full';

/** What the rule needs of a ticket. */
export interface TicketKey {
  communeId: string;
  confidential: boolean;
  categoryId: string | null;
  assigneeId: string | null;
}

/** What one viewer is cleared for, loaded once per request. */
export interface ViewerClearance {
  /** Communes whose tickets this viewer sees at all (placeholders included). */
  communeIds: string[];
  /** A staff member of the commune (not province staff, not a group): may be cleared for confidential ones. */
  staffId: string | null;
  /** The leader reads every confidential ticket of the commune. */
  leader: boolean;
  /** Fields this staff member is designated for (Assignment rows in their own commune). */
  designatedCategoryIds: string[];
}

const NOBODY = '00000000-0000-0000-0000-000000000000';

export async function clearanceOf(tx: Tx, viewer: Viewer): Promise<ViewerClearance> {
  if (viewer.kind !== 'staff') return { communeIds: [viewer.communeId], staffId: null, leader: false, designatedCategoryIds: [] };
  const s = viewer.staff;
  if (!s.active) return { communeIds: [], staffId: null, leader: false, designatedCategoryIds: [] };
  if (!s.communeId) {
    // Province staff: every commune of the province (src/auth/commune-scope.ts), never a
    // confidential ticket's content — no designation reaches outside the commune.
    return { communeIds: readableIds(await communeScope(tx, s)), staffId: null, leader: false, designatedCategoryIds: [] };
  }
  const assignments = await tx.assignment.findMany({ where: { staffId: s.id, communeId: s.communeId }, select: { categoryId: true } });
  return { communeIds: [s.communeId], staffId: s.id, leader: s.isLeader, designatedCategoryIds: [...new Set(assignments.map((a) => a.categoryId))] };
}

/** The rule itself, for a ticket already loaded. */
export function accessWith(c: ViewerClearance, t: TicketKey): Access {
  if (!c.communeIds.includes(t.communeId)) return 'none';
  if (!t.confidential) return 'full';
  if (!c.staffId) return 'masked';
  const cleared = c.leader || t.assigneeId === c.staffId || (t.categoryId !== null && c.designatedCategoryIds.includes(t.categoryId));
  return cleared ? 'full' : 'masked';
}

/** Tickets this viewer reads in full, as a Prisma filter (same rule as accessWith). */
export function fullAccessWhere(c: ViewerClearance): Prisma.TicketWhereInput {
  const cleared: Prisma.TicketWhereInput[] = [{ confidential: false }];
  if (c.staffId && c.leader) cleared.push({ confidential: true });
  if (c.staffId) cleared.push({ assigneeId: c.staffId }, { categoryId: { in: c.designatedCategoryIds } });
  return { communeId: { in: c.communeIds }, OR: cleared };
}

/** The same rule as an SQL condition over a "Ticket" row aliased `alias`. */
export function fullAccessSql(c: ViewerClearance, alias = 't'): Prisma.Sql {
  const t = Prisma.raw(`"${alias.replace(/"/g, '')}"`);
  const communes = c.communeIds.length ? c.communeIds : [NOBODY];
  const cats = c.designatedCategoryIds.length ? c.designatedCategoryIds : [NOBODY];
  const staff = c.staffId ?? NOBODY;
  return Prisma.sql`(${t}."communeId" IN (${Prisma.join(communes.map((id) => Prisma.sql`${id}::uuid`))}) AND (NOT ${t}.confidential OR ${c.staffId !== null && c.leader}::boolean OR ${t}."assigneeId" = ${staff}::uuid OR ${t}."categoryId" IN (${Prisma.join(cats.map((id) => Prisma.sql`${id}::uuid`))})))`;
}

/** One ticket, one viewer. */
export async function ticketAccess(tx: Tx, viewer: Viewer, t: TicketKey): Promise<Access> {
  return accessWith(await clearanceOf(tx, viewer), t);
}

// ───────────────────────────── projections ─────────────────────────────

export const placeholderTexts = {
  /** Instead of the subject or the resident's words. */
  text: '🔒 Khiếu nại, tố cáo — nội dung bảo mật, chỉ cán bộ được giao xem trên trang quản trị.',
  sender: 'Người gửi: (bảo mật)',
  attachments: '(tệp đính kèm được bảo mật)',
};

/** The subject (or any text of the ticket) as this access may see it. */
export function visibleText(access: Access, text: string | null): string | null {
  return access === 'full' ? text : placeholderTexts.text;
}

/** Attachments are the resident's too: none for a masked view. */
export function visibleAttachments<T>(access: Access, attachments: T[]): T[] {
  return access === 'full' ? attachments : [];
}

/** A ticket as a list or a notice shows it: the placeholder in place of its words when masked. */
export function projectSummary<T extends TicketKey & { subject: string | null }>(access: Exclude<Access, 'none'>, t: T): Omit<T, 'subject'> & { subject: string | null; masked: boolean } {
  return { ...t, subject: visibleText(access, t.subject), masked: access !== 'full' };
}

/** Rows of a list for one viewer: those of other communes dropped, the rest projected. */
export async function projectSummaries<T extends TicketKey & { subject: string | null }>(tx: Tx, viewer: Viewer, rows: T[]) {
  const c = await clearanceOf(tx, viewer);
  return rows.flatMap((t) => {
    const access = accessWith(c, t);
    return access === 'none' ? [] : [projectSummary(access, t)];
  });
}

/**
 * Whether an answer written on one ticket may be sent to the resident of another (a merge of
 * duplicates): never across a confidential ticket, unless it is the same resident.
 */
export function mayShareAnswer(from: { confidential: boolean; residentId: string }, to: { confidential: boolean; residentId: string }): boolean {
  if (from.residentId === to.residentId) return true;
  return !from.confidential && !to.confidential;
}

/**
 * A ticket as anyone who knows its code sees it on the public page: a status and dates, never
 * text, village, field or who asked. A confidential ticket looks like any ticket being handled
 * ("Đang xử lý", the day it came in), so the page does not tell it is one.
 */
export interface PublicTicketStatus {
  code: string;
  status: TicketStatus;
  receivedAt: Date;
  answeredAt: Date | null;
  closedAt: Date | null;
}

export function publicTicketStatus(t: { code: string; status: TicketStatus; confidential: boolean; createdAt: Date; answeredAt: Date | null; closedAt: Date | null }): PublicTicketStatus {
  if (t.confidential) return { code: t.code, status: 'in_progress', receivedAt: t.createdAt, answeredAt: null, closedAt: null };
  return { code: t.code, status: t.status, receivedAt: t.createdAt, answeredAt: t.answeredAt, closedAt: t.closedAt };
}
