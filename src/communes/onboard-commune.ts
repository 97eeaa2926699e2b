// Onboarding a commune in minutes: the commune, its villages (with their other names) and its staff
// come from pasted or uploaded lists and are created in one transaction — a bad line, a taken code
// or username leaves nothing behind. Fields are the national list (global, kept by ensureCategories).
// The first passwords are returned once, for the admin to hand over. From the web, only a province
// admin (src/auth/commune-scope.ts) onboards, and only into their own province; the CLI on the
// server (no actor) may place the commune in any province, or in none.
import type { PrismaClient } from '../db/generated/client.ts';
import { notRemovedAccount } from '../channels/removed-account.ts';
import { AppError } from '../errors.ts';
import { generatePassword, hashPassword } from '../auth/password.ts';
import { ensureCategories } from '../catalog/ensure-categories.ts';
import { requireProvinceRole } from '../auth/commune-scope.ts';
import { parseStaff, parseVillages } from './onboarding-csv.ts';
import { proposeTicketPrefix } from './ticket-prefix.ts';

const CODE = /^[a-z0-9][a-z0-9-]{1,31}$/;

export interface OnboardCommuneInput {
  code: string;
  name: string;
  ticketCodePrefix?: string | undefined;
  villagesText: string;
  staffText?: string | undefined;
  /** The province the commune joins; a staff actor must be its province admin. */
  provinceId?: string | null | undefined;
  /** Who does it, checked and audited (null: the CLI on the server). */
  actorStaffId: string | null;
  ip?: string | null;
}

export interface OnboardedCommune {
  communeId: string;
  villages: number;
  staff: { username: string; password: string }[];
  categories: number;
}

/** The prefixes the province's communes (or, outside a province, the unplaced ones) already use. */
async function prefixesOfProvince(prisma: PrismaClient, provinceId: string | null): Promise<Set<string>> {
  const rows = await prisma.commune.findMany({ where: { provinceId }, select: { ticketCodePrefix: true } });
  return new Set(rows.map((r) => r.ticketCodePrefix));
}

export async function onboardCommune(prisma: PrismaClient, input: OnboardCommuneInput): Promise<OnboardedCommune> {
  const provinceId = input.provinceId ?? null;
  if (input.actorStaffId) {
    const actor = await prisma.staff.findUnique({ where: { id: input.actorStaffId } });
    if (!actor) throw new AppError('FORBIDDEN', 'Chỉ quản trị cấp tỉnh mới thêm được xã.');
    requireProvinceRole(actor, provinceId, 'admin');
  }
  if (provinceId && !(await prisma.province.count({ where: { id: provinceId } }))) throw new AppError('VALIDATION', 'Không có tỉnh này.', { field: 'province' });
  const code = input.code.trim().toLowerCase();
  if (!CODE.test(code)) throw new AppError('VALIDATION', 'Mã xã 2–32 ký tự: chữ thường không dấu, số hoặc dấu -.', { field: 'code' });
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (!name || name.length > 100) throw new AppError('VALIDATION', 'Tên xã cần có, tối đa 100 ký tự.', { field: 'name' });
  const given = input.ticketCodePrefix?.trim();
  const prefix = given ? given.toUpperCase() : proposeTicketPrefix(name, await prefixesOfProvince(prisma, provinceId));
  if (!/^[A-Z]{1,6}$/.test(prefix)) throw new AppError('VALIDATION', 'Tiền tố mã phản ánh 1–6 chữ cái không dấu.', { field: 'ticketCodePrefix' });
  // Every list is read in full before anything is written.
  const villages = parseVillages(input.villagesText);
  const staff = input.staffText?.trim() ? parseStaff(input.staffText) : [];

  if (await prisma.commune.count({ where: { code } })) throw new AppError('CONFLICT', `Mã xã "${code}" đã có.`, { field: 'code' });
  const taken = await prisma.staff.findMany({ where: { username: { in: staff.map((s) => s.username) } }, select: { username: true } });
  if (taken.length) throw new AppError('CONFLICT', `Tên đăng nhập đã có người dùng: ${taken.map((t) => t.username).join(', ')}.`, { field: 'staff' });

  const categories = await ensureCategories(prisma);
  const accounts = await Promise.all(staff.map(async (s) => {
    const password = generatePassword();
    return { ...s, password, passwordHash: await hashPassword(password) };
  }));
  try {
    const communeId = await prisma.$transaction(async (tx) => {
      const commune = await tx.commune.create({ data: { code, name, ticketCodePrefix: prefix, provinceId } });
      await tx.village.createMany({ data: villages.map((v, i) => ({ communeId: commune.id, name: v.name, aliases: v.aliases, sortOrder: i + 1 })) });
      if (accounts.length) {
        await tx.staff.createMany({
          data: accounts.map((a) => ({ communeId: commune.id, username: a.username, displayName: a.displayName, title: a.title, phone: a.phone, roles: a.roles, isLeader: a.isLeader, passwordHash: a.passwordHash, mustChangePassword: true })),
        });
      }
      await tx.auditLog.create({
        data: {
          communeId: commune.id, actorKind: input.actorStaffId ? 'staff' : 'system', actorStaffId: input.actorStaffId, action: 'commune.onboard', entityType: 'Commune', entityId: commune.id,
          data: { code, provinceId, villages: villages.length, staff: accounts.map((a) => a.username) }, ip: input.ip ?? null,
        },
      });
      return commune.id;
    });
    return { communeId, villages: villages.length, staff: accounts.map((a) => ({ username: a.username, password: a.password })), categories };
  } catch (e) {
    // Someone else took the code or a username between the check and the transaction.
    if ((e as { code?: string }).code === 'P2002') throw new AppError('CONFLICT', 'Mã xã hoặc tên đăng nhập vừa được dùng, xin thử lại.', { field: 'code' });
    throw e;
  }
}

export interface ChecklistItem {
  key: 'villages' | 'staff' | 'admin' | 'leader' | 'bot' | 'admin_chat' | 'loudspeakers' | 'zalo';
  label: string;
  done: boolean;
  detail: string;
}

/** What a newly onboarded commune still lacks before it can receive and broadcast. */
export async function onboardingChecklist(prisma: PrismaClient, communeId: string): Promise<ChecklistItem[]> {
  const [villages, staff, accounts, endpoints] = await Promise.all([
    prisma.village.count({ where: { communeId } }),
    prisma.staff.findMany({ where: { communeId, active: true }, select: { roles: true, isLeader: true } }),
    // A removed bot is not "đã có".
    prisma.channelAccount.findMany({ where: { communeId, ...notRemovedAccount }, select: { platform: true, status: true, settings: true } }),
    prisma.endpoint.count({ where: { communeId } }),
  ]);
  const bots = accounts.filter((a) => a.platform === 'telegram');
  const zalo = accounts.filter((a) => a.platform === 'zalo' || a.platform === 'zalo_bot' || a.platform === 'zalo_oa');
  const withAdminChat = accounts.filter((a) => typeof (a.settings as { adminChatId?: unknown } | null)?.adminChatId === 'string');
  return [
    { key: 'villages', label: 'Danh sách thôn', done: villages > 0, detail: `${villages} thôn` },
    { key: 'staff', label: 'Cán bộ', done: staff.length > 0, detail: `${staff.length} tài khoản` },
    { key: 'admin', label: 'Quản trị viên của xã', done: staff.some((s) => s.roles.includes('admin')), detail: staff.some((s) => s.roles.includes('admin')) ? 'đã có' : 'chưa có ai vai trò quản trị' },
    { key: 'leader', label: 'Lãnh đạo nhận phản ánh chưa phân công', done: staff.some((s) => s.isLeader), detail: staff.some((s) => s.isLeader) ? 'đã có' : 'chưa chọn' },
    { key: 'bot', label: 'Bot Telegram', done: bots.length > 0, detail: bots.length ? `${bots.length} bot` : 'chưa thêm bot' },
    { key: 'admin_chat', label: 'Nhóm quản trị', done: withAdminChat.length > 0, detail: withAdminChat.length ? 'đã gắn' : 'chưa gắn nhóm quản trị cho kênh nào' },
    { key: 'loudspeakers', label: 'Loa truyền thanh', done: endpoints > 0, detail: `${endpoints} loa` },
    { key: 'zalo', label: 'Zalo', done: zalo.length > 0, detail: zalo.length ? `${zalo.length} tài khoản` : 'chưa kết nối' },
  ];
}
