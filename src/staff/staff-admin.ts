// The commune's admins manage its staff: accounts (with a first password shown once and changed at
// first login), roles, the leader, switching an account off, and who answers which field in which
// village (the routing of new tickets). Every change is audited; the commune never loses its last
// admin or its leader by accident.
import type { PrismaClient, Staff } from '../db/generated/client.ts';
import type { StaffRole } from '../db/generated/enums.ts';
import { AppError } from '../errors.ts';
import { generatePassword, hashPassword } from '../auth/password.ts';
import type { Effect } from '../tickets/ticket-jobs.ts';
import { isConfidentialField } from '../tickets/ticket-visibility.ts';
import { tellOfConfidentialReader } from './confidential-designation.ts';

export const ROLES: StaffRole[] = ['admin', 'editor', 'approver', 'responder', 'viewer'];
const USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;

type Admin = Staff & { communeId: string };
interface Ctx {
  prisma: PrismaClient;
  admin: Admin;
  ip: string;
}

export interface StaffInput {
  displayName: string;
  title?: string | undefined;
  roles: string[];
  isLeader: boolean;
}

function check(input: StaffInput): { displayName: string; title: string | null; roles: StaffRole[]; isLeader: boolean } {
  const displayName = input.displayName.trim();
  if (!displayName || displayName.length > 100) throw new AppError('VALIDATION', 'Họ tên cần có, tối đa 100 ký tự.', { field: 'displayName' });
  const title = input.title?.trim() || null;
  if (title && title.length > 100) throw new AppError('VALIDATION', 'Chức vụ tối đa 100 ký tự.', { field: 'title' });
  const unknown = input.roles.filter((r) => !ROLES.includes(r as StaffRole));
  if (unknown.length) throw new AppError('VALIDATION', `Vai trò không có: ${unknown.join(', ')}.`, { field: 'roles' });
  const roles = [...new Set(input.roles)] as StaffRole[];
  if (!roles.length && !input.isLeader) throw new AppError('VALIDATION', 'Chọn ít nhất một vai trò.', { field: 'roles' });
  return { displayName, title, roles, isLeader: input.isLeader };
}

function audit(c: Ctx, action: string, staffId: string, data: Record<string, unknown>) {
  return c.prisma.auditLog.create({ data: { communeId: c.admin.communeId, actorKind: 'staff', actorStaffId: c.admin.id, action, entityType: 'Staff', entityId: staffId, data: data as never, ip: c.ip } });
}

/** A new account with a random first password, returned once for the admin to hand over. */
/** `effects`: what the route queues after the change (the notice of a new leader in the admin chat). */
export async function createStaff(c: Ctx, username: string, input: StaffInput): Promise<{ staff: Staff; password: string; effects: Effect[] }> {
  const name = username.trim().toLowerCase();
  if (!USERNAME.test(name)) throw new AppError('VALIDATION', 'Tên đăng nhập 3–32 ký tự: chữ thường không dấu, số, dấu chấm, - hoặc _.', { field: 'username' });
  const v = check(input);
  if (await c.prisma.staff.count({ where: { username: name } })) throw new AppError('CONFLICT', `Tên đăng nhập "${name}" đã có người dùng.`, { field: 'username' });
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const { staff, effects } = await c.prisma.$transaction(async (tx) => {
    const previous = v.isLeader ? await tx.staff.findFirst({ where: { communeId: c.admin.communeId, isLeader: true } }) : null;
    if (v.isLeader) await tx.staff.updateMany({ where: { communeId: c.admin.communeId, isLeader: true }, data: { isLeader: false } });
    const created = await tx.staff.create({ data: { communeId: c.admin.communeId, username: name, ...v, passwordHash, mustChangePassword: true } });
    const told = v.isLeader ? await tellOfConfidentialReader(tx, { communeId: c.admin.communeId, actorId: c.admin.id, staffId: created.id, as: 'leader', previousLeaderId: previous?.id ?? null, ip: c.ip, now: new Date() }) : [];
    return { staff: created, effects: told };
  });
  await audit(c, 'staff.create', staff.id, { username: name, roles: v.roles, isLeader: v.isLeader });
  return { staff, password, effects };
}

async function ownStaff(c: Ctx, staffId: string): Promise<Staff> {
  const s = await c.prisma.staff.findFirst({ where: { id: staffId, communeId: c.admin.communeId } });
  if (!s) throw new AppError('NOT_FOUND', 'Không tìm thấy cán bộ.');
  return s;
}

export async function updateStaff(c: Ctx, staffId: string, input: StaffInput & { active: boolean }): Promise<{ staff: Staff; effects: Effect[] }> {
  const s = await ownStaff(c, staffId);
  const v = check(input);
  if (s.id === c.admin.id && (!v.roles.includes('admin') || !input.active)) throw new AppError('CONFLICT', 'Không tự bỏ quyền quản trị hay tự khóa tài khoản của mình.', { field: 'roles' });
  return c.prisma.$transaction(async (tx) => {
    if (s.roles.includes('admin') && (!v.roles.includes('admin') || !input.active)) {
      const admins = await tx.staff.count({ where: { communeId: c.admin.communeId, active: true, roles: { has: 'admin' }, id: { not: s.id } } });
      if (admins === 0) throw new AppError('CONFLICT', 'Xã cần ít nhất một người quản trị.', { field: 'roles' });
    }
    const previous = v.isLeader && !s.isLeader ? await tx.staff.findFirst({ where: { communeId: c.admin.communeId, isLeader: true } }) : null;
    if (v.isLeader && !s.isLeader) await tx.staff.updateMany({ where: { communeId: c.admin.communeId, isLeader: true }, data: { isLeader: false } });
    const updated = await tx.staff.update({ where: { id: s.id }, data: { ...v, active: input.active } });
    // A switched-off account is signed out everywhere at once.
    if (!input.active) await tx.staffSession.deleteMany({ where: { staffId: s.id } });
    await tx.auditLog.create({
      data: { communeId: c.admin.communeId, actorKind: 'staff', actorStaffId: c.admin.id, action: 'staff.update', entityType: 'Staff', entityId: s.id, data: { roles: v.roles, isLeader: v.isLeader, active: input.active }, ip: c.ip },
    });
    // A new leader reads every denunciation: the one replaced (or the other admins) hear of it.
    const effects = v.isLeader && !s.isLeader && input.active ? await tellOfConfidentialReader(tx, { communeId: c.admin.communeId, actorId: c.admin.id, staffId: s.id, as: 'leader', previousLeaderId: previous?.id ?? null, ip: c.ip, now: new Date() }) : [];
    return { staff: updated, effects };
  });
}

/** A new first password (shown once); the person's sessions end and they choose their own again. */
export async function resetStaffPassword(c: Ctx, staffId: string): Promise<string> {
  const s = await ownStaff(c, staffId);
  if (s.id === c.admin.id) throw new AppError('CONFLICT', 'Đổi mật khẩu của mình ở trang "Đổi mật khẩu".');
  const password = generatePassword();
  await c.prisma.$transaction([
    c.prisma.staff.update({ where: { id: s.id }, data: { passwordHash: await hashPassword(password), mustChangePassword: true } }),
    c.prisma.staffSession.deleteMany({ where: { staffId: s.id } }),
  ]);
  await audit(c, 'staff.password_reset', s.id, {});
  return password;
}

/** Who answers a field in a village (no village: in every village of the commune). */
export async function addAssignment(c: Ctx, p: { staffId: string; categoryId: string; villageId: string | null }) {
  const s = await ownStaff(c, p.staffId);
  if (!s.active) throw new AppError('VALIDATION', 'Cán bộ này đã bị khóa.', { field: 'staffId' });
  if (!(await c.prisma.category.count({ where: { id: p.categoryId, active: true } }))) throw new AppError('VALIDATION', 'Lĩnh vực không có.', { field: 'categoryId' });
  if (p.villageId && !(await c.prisma.village.count({ where: { id: p.villageId, communeId: c.admin.communeId } }))) throw new AppError('VALIDATION', 'Thôn không thuộc xã.', { field: 'villageId' });
  // NULL villages are distinct to the unique index, so "every village" is checked here.
  if (await c.prisma.assignment.count({ where: { communeId: c.admin.communeId, staffId: s.id, categoryId: p.categoryId, villageId: p.villageId } })) {
    throw new AppError('CONFLICT', 'Phân công này đã có.');
  }
  return c.prisma.$transaction(async (tx) => {
    const assignment = await tx.assignment.create({ data: { communeId: c.admin.communeId, staffId: s.id, categoryId: p.categoryId, villageId: p.villageId } });
    await tx.auditLog.create({ data: { communeId: c.admin.communeId, actorKind: 'staff', actorStaffId: c.admin.id, action: 'staff.assignments', entityType: 'Staff', entityId: s.id, data: { added: { categoryId: p.categoryId, villageId: p.villageId } }, ip: c.ip } });
    // Designated for the confidential field means reading its denunciations: a second person is told.
    const category = await tx.category.findUniqueOrThrow({ where: { id: p.categoryId } });
    const effects = isConfidentialField(category.code)
      ? await tellOfConfidentialReader(tx, { communeId: c.admin.communeId, actorId: c.admin.id, staffId: s.id, as: 'field', categoryId: p.categoryId, villageId: p.villageId, ip: c.ip, now: new Date() })
      : [];
    return { assignment, effects };
  });
}

export async function removeAssignment(c: Ctx, assignmentId: string) {
  const a = await c.prisma.assignment.findFirst({ where: { id: assignmentId, communeId: c.admin.communeId } });
  if (!a) throw new AppError('NOT_FOUND', 'Không tìm thấy phân công.');
  await c.prisma.assignment.delete({ where: { id: a.id } });
  await audit(c, 'staff.assignments', a.staffId, { removed: { categoryId: a.categoryId, villageId: a.villageId } });
}
