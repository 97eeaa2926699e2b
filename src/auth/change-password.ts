// A staff member sets their own password: forced on first login (demo and new accounts get a
// temporary one), and whenever they wish. The old one must be given; the new one must be long
// and not guessable (password-policy.ts); other sessions end, since the old password may be known.
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { foldVietnamese } from '../text/fold-vietnamese.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { checkPasswordStrength } from './password-policy.ts';

export const MIN_PASSWORD_LENGTH = 10;

export async function changePassword(prisma: PrismaClient, p: { staffId: string; sessionId: string; current: string; next: string; ip?: string }): Promise<void> {
  const staff = await prisma.staff.findUniqueOrThrow({ where: { id: p.staffId } });
  if (!staff.passwordHash || !(await verifyPassword(staff.passwordHash, p.current))) throw new AppError('VALIDATION', 'Mật khẩu hiện tại không đúng.', { field: 'current' });
  const next = p.next;
  if (next.length < MIN_PASSWORD_LENGTH) throw new AppError('VALIDATION', `Mật khẩu mới cần ít nhất ${MIN_PASSWORD_LENGTH} ký tự.`, { field: 'next' });
  if (next.length > 200) throw new AppError('VALIDATION', 'Mật khẩu mới dài quá (tối đa 200 ký tự).', { field: 'next' });
  if (next === p.current) throw new AppError('VALIDATION', 'Mật khẩu mới phải khác mật khẩu hiện tại.', { field: 'next' });
  const folded = foldVietnamese(next).replace(/ /g, '');
  if (folded.includes(foldVietnamese(staff.username).replace(/ /g, '')) || new Set(next).size < 4) throw new AppError('VALIDATION', 'Mật khẩu mới quá dễ đoán (chứa tên đăng nhập hoặc lặp ký tự).', { field: 'next' });
  const commune = staff.communeId ? await prisma.commune.findUnique({ where: { id: staff.communeId }, include: { villages: { select: { name: true } } } }) : null;
  await checkPasswordStrength(next, { username: staff.username, displayName: staff.displayName, communeName: commune?.name, villageNames: commune?.villages.map((v) => v.name) ?? [] });
  const passwordHash = await hashPassword(next);
  await prisma.$transaction([
    prisma.staff.update({ where: { id: staff.id }, data: { passwordHash, mustChangePassword: false } }),
    prisma.staffSession.deleteMany({ where: { staffId: staff.id, id: { not: p.sessionId } } }),
    prisma.auditLog.create({ data: { communeId: staff.communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'staff.password_changed', entityType: 'Staff', entityId: staff.id, ip: p.ip ?? null } }),
  ]);
}
