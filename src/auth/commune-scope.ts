// Which communes a staff member reads and acts on, and with which rights: the one rule for access
// across communes. Every page, API route and use case asks it instead of reading Staff.communeId.
//
// - Commune staff (Staff.communeId set) read and act on their own commune only (their roles there
//   decide what they may do); province fields on such a row grant nothing.
// - Province staff (no commune, Staff.provinceId set) read every commune of their province with any
//   province role — never another province's — and change nothing inside a commune: no answering,
//   no approving, no settings. Their roles act at province level: editor writes and approver
//   approves province bulletins, admin onboards communes into the province. No role implies another.
// - Anyone else (an inactive account, province staff without a role) reads nothing.
//
// What a reader sees of a confidential ticket is decided by the visibility rule
// (src/tickets/ticket-visibility.ts): province staff are never cleared for one.
import type { Prisma, ProvinceRole, Staff } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';

type Tx = Prisma.TransactionClient;

/** What of a staff row the rule needs. */
export type ScopedStaff = Pick<Staff, 'communeId' | 'provinceId' | 'provinceRoles' | 'active'>;

export interface CommuneScope {
  /** Communes read (own commune; or every commune of the province), in name order. */
  communes: Array<{ id: string; name: string; code: string }>;
  /** The one commune acted on (its roles decide what), or null for province staff. */
  actsOn: string | null;
  /** The province whose communes are read (province staff only). */
  provinceId: string | null;
}

const NOTHING: CommuneScope = { communes: [], actsOn: null, provinceId: null };

/** Province staff: a row with no commune, a province and at least one province role. */
function provinceOf(staff: ScopedStaff): string | null {
  return staff.active && staff.communeId === null && staff.provinceId !== null && staff.provinceRoles.length > 0 ? staff.provinceId : null;
}

export async function communeScope(tx: Tx, staff: ScopedStaff): Promise<CommuneScope> {
  if (!staff.active) return NOTHING;
  if (staff.communeId !== null) {
    const own = await tx.commune.findUnique({ where: { id: staff.communeId }, select: { id: true, name: true, code: true } });
    return own ? { communes: [own], actsOn: own.id, provinceId: null } : NOTHING;
  }
  const provinceId = provinceOf(staff);
  if (!provinceId) return NOTHING;
  const communes = await tx.commune.findMany({ where: { provinceId }, orderBy: [{ name: 'asc' }, { code: 'asc' }], select: { id: true, name: true, code: true } });
  return { communes, actsOn: null, provinceId };
}

/** The ids of the communes read. */
export const readableIds = (scope: CommuneScope): string[] => scope.communes.map((c) => c.id);

/** 'act': own commune; 'read': a commune of the province, read-only; null: not theirs at all. */
export function reachOf(scope: CommuneScope, communeId: string): 'act' | 'read' | null {
  if (scope.actsOn === communeId) return 'act';
  return scope.communes.some((c) => c.id === communeId) ? 'read' : null;
}

/**
 * Acting on a row that belongs to a commune: staff of that commune go on to the role check; a
 * reader of that commune (province staff) gets 403, read-only; anyone else the same 404 as for an
 * id that does not exist, so ids of other communes (and provinces) cannot be probed.
 */
export async function requireOwnCommune(tx: Tx, staff: ScopedStaff, communeId: string, notFound: string): Promise<void> {
  if (staff.active && staff.communeId === communeId) return;
  const provinceId = provinceOf(staff);
  if (provinceId && (await tx.commune.count({ where: { id: communeId, provinceId } })) > 0) {
    throw new AppError('FORBIDDEN', 'Tài khoản cấp tỉnh chỉ được xem dữ liệu của xã, không thay đổi được.');
  }
  throw new AppError('NOT_FOUND', notFound);
}

/** Whether this account holds a province role in that province (no role implies another). */
export function hasProvinceRole(staff: ScopedStaff, provinceId: string | null | undefined, role: ProvinceRole): boolean {
  return provinceId != null && provinceOf(staff) === provinceId && staff.provinceRoles.includes(role);
}

export const canWriteProvinceBulletin = (staff: ScopedStaff, provinceId: string) => hasProvinceRole(staff, provinceId, 'editor');
export const canApproveProvinceBulletin = (staff: ScopedStaff, provinceId: string) => hasProvinceRole(staff, provinceId, 'approver');
export const canOnboardCommune = (staff: ScopedStaff, provinceId: string) => hasProvinceRole(staff, provinceId, 'admin');

const REFUSALS: Record<ProvinceRole, string> = {
  viewer: 'Chỉ cán bộ cấp tỉnh của tỉnh này mới xem được.',
  editor: 'Chỉ người soạn bản tin cấp tỉnh của tỉnh này mới soạn, sửa được bản tin tỉnh.',
  approver: 'Chỉ người duyệt bản tin cấp tỉnh của tỉnh này mới duyệt được bản tin tỉnh.',
  admin: 'Chỉ quản trị cấp tỉnh của tỉnh này mới thêm được xã.',
};

/** Throws FORBIDDEN (with the reason in Vietnamese) unless the account holds the role there. */
export function requireProvinceRole(staff: ScopedStaff, provinceId: string | null | undefined, role: ProvinceRole): void {
  if (!hasProvinceRole(staff, provinceId, role)) throw new AppError('FORBIDDEN', REFUSALS[role], { provinceRole: role });
}
