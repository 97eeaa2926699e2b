// A demo commune, so a newcomer sees the whole loop without any token: villages, staff in every
// role, fields and their assignments, broadcast slots, chat targets (inactive until configured)
// and two simulated loudspeaker clusters. Written in one transaction: all of it or nothing.
import type { PrismaClient, StaffRole } from '../db/generated/client.ts';
import { ensureCategories } from '../catalog/ensure-categories.ts';
import { generatePassword, hashPassword } from '../auth/password.ts';

export const DEMO_COMMUNE_CODE = 'demo';
// The demo commune belongs to this province; further demo communes join it.
export const DEMO_PROVINCE_CODE = 'demo-tinh';

export interface DemoAccount {
  username: string;
  displayName: string;
  roles: StaffRole[];
  password: string;
}

export interface SeedDemoResult {
  created: boolean;
  communeId: string;
  accounts: DemoAccount[];
}

interface StaffSeed {
  username: string;
  displayName: string;
  title: string;
  roles: StaffRole[];
  isLeader?: boolean;
  oversight?: boolean;
}

const VILLAGES = ['Thôn 1', 'Thôn 2', 'Thôn 3', 'Thôn 4', 'Thôn 5', 'Thôn 6', 'Thôn 7'];

const STAFF: StaffSeed[] = [
  { username: 'quantri', displayName: 'Nguyễn Văn Quản', title: 'Quản trị hệ thống', roles: ['admin'] },
  { username: 'vanhoa', displayName: 'Trần Thị Hoa', title: 'Công chức Văn hóa – Thông tin', roles: ['editor'] },
  { username: 'chutich', displayName: 'Lê Văn Minh', title: 'Chủ tịch UBND xã', roles: ['approver'], isLeader: true },
  { username: 'phochutich', displayName: 'Phạm Thị Lan', title: 'Phó Chủ tịch UBND xã', roles: ['approver', 'responder'] },
  { username: 'diachinh', displayName: 'Hoàng Văn Đất', title: 'Công chức Địa chính – Xây dựng', roles: ['responder'] },
  { username: 'giaothong', displayName: 'Đỗ Văn Cầu', title: 'Cán bộ Giao thông – Thủy lợi', roles: ['responder'] },
  { username: 'congan', displayName: 'Vũ Văn An', title: 'Trưởng Công an xã', roles: ['responder'] },
  { username: 'yte', displayName: 'Bùi Thị Thu', title: 'Trạm trưởng Trạm Y tế', roles: ['responder'] },
  { username: 'laodong', displayName: 'Ngô Thị Bình', title: 'Công chức Văn hóa – Xã hội (LĐ-TB&XH)', roles: ['responder'] },
  { username: 'tuphap', displayName: 'Đặng Văn Luật', title: 'Công chức Tư pháp – Hộ tịch', roles: ['responder'] },
  { username: 'giamsat', displayName: 'Sở Văn hóa, Thể thao và Du lịch tỉnh Mẫu', title: 'Giám sát cấp tỉnh', roles: ['viewer'], oversight: true },
];

// field → who answers it; an array of [username, villages] splits a field by village.
const ASSIGNMENTS: Record<string, Array<[string, string[] | 'all']>> = {
  DAT_DAI: [['diachinh', 'all']],
  MOI_TRUONG: [['diachinh', 'all']],
  HA_TANG: [
    ['giaothong', ['Thôn 1', 'Thôn 2', 'Thôn 3', 'Thôn 4']],
    ['diachinh', ['Thôn 5', 'Thôn 6', 'Thôn 7']],
  ],
  NONG_NGHIEP: [['giaothong', 'all']],
  AN_NINH: [['congan', 'all']],
  Y_TE: [['yte', 'all']],
  CHINH_SACH: [['laodong', 'all']],
  GIAO_DUC: [['laodong', 'all']],
  HANH_CHINH: [['tuphap', 'all']],
  KHIEU_NAI_TO_CAO: [['phochutich', 'all']],
  // KHAC has no assignment on purpose: it goes to the commune's general inbox (the leader).
};

export interface SeedDemoOptions {
  /** Fixed first password for every demo account (DEMO_PASSWORD); random per account otherwise. */
  password?: string | undefined;
  /** Base URL of the loudspeaker simulator the demo endpoints point at. */
  simulatorBaseUrl?: string;
}

/** Creates the demo commune unless it exists. Never touches an existing commune. */
export async function seedDemo(prisma: PrismaClient, opts: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  await ensureCategories(prisma);
  const existing = await prisma.commune.findUnique({ where: { code: DEMO_COMMUNE_CODE } });
  if (existing) return { created: false, communeId: existing.id, accounts: [] };

  const accounts: DemoAccount[] = [];
  const hashes = new Map<string, string>();
  for (const s of STAFF) {
    const password = opts.password ?? generatePassword();
    accounts.push({ username: s.username, displayName: s.displayName, roles: s.roles, password });
    hashes.set(s.username, await hashPassword(password));
  }
  const categories = await prisma.category.findMany();
  const categoryId = new Map(categories.map((c) => [c.code, c.id]));
  const simulator = opts.simulatorBaseUrl ?? 'http://127.0.0.1:3000/radio-sim';

  const communeId = await prisma.$transaction(async (tx) => {
    const province = await tx.province.upsert({
      where: { code: DEMO_PROVINCE_CODE },
      create: { code: DEMO_PROVINCE_CODE, name: 'Tỉnh Mẫu' },
      update: {},
    });
    const commune = await tx.commune.create({
      data: {
        code: DEMO_COMMUNE_CODE,
        name: 'Xã Hòa Bình (dữ liệu mẫu)',
        provinceId: province.id,
      },
    });
    const villages = new Map<string, string>();
    for (const [i, name] of VILLAGES.entries()) {
      const v = await tx.village.create({ data: { communeId: commune.id, name, sortOrder: i + 1 } });
      villages.set(name, v.id);
    }
    const staffIds = new Map<string, string>();
    for (const s of STAFF) {
      const row = await tx.staff.create({
        data: {
          communeId: s.oversight ? null : commune.id,
          // The oversight account is province staff: it reads every commune of the province.
          provinceId: s.oversight ? province.id : null,
          provinceRoles: s.oversight ? ['viewer'] : [],
          username: s.username,
          displayName: s.displayName,
          title: s.title,
          roles: s.roles,
          isLeader: s.isLeader ?? false,
          passwordHash: hashes.get(s.username)!,
          mustChangePassword: true,
        },
      });
      staffIds.set(s.username, row.id);
      if (s.oversight) await tx.oversightGrant.create({ data: { staffId: row.id, communeId: commune.id } });
    }
    for (const [code, rules] of Object.entries(ASSIGNMENTS)) {
      for (const [username, where] of rules) {
        const villageIds = where === 'all' ? [null] : where.map((n) => villages.get(n)!);
        for (const villageId of villageIds) {
          await tx.assignment.create({
            data: { communeId: commune.id, categoryId: categoryId.get(code)!, villageId, staffId: staffIds.get(username)! },
          });
        }
      }
    }
    await tx.broadcastSlot.createMany({
      data: [
        { communeId: commune.id, name: 'Buổi sáng', timeOfDay: '06:00', daysOfWeek: [1, 2, 3, 4, 5, 6, 7] },
        { communeId: commune.id, name: 'Buổi chiều', timeOfDay: '17:00', daysOfWeek: [1, 2, 3, 4, 5, 6, 7] },
      ],
    });
    await tx.target.createMany({
      data: [
        { communeId: commune.id, kind: 'telegram_chat', name: 'Kênh Telegram UBND xã', status: 'inactive' },
        { communeId: commune.id, kind: 'telegram_chat', name: 'Nhóm Telegram Thôn 1', villageId: villages.get('Thôn 1')!, status: 'inactive' },
        { communeId: commune.id, kind: 'zalo_group', name: 'Nhóm Zalo Thôn 3', villageId: villages.get('Thôn 3')!, status: 'inactive' },
        { communeId: commune.id, kind: 'zalo_group', name: 'Nhóm Zalo Hội Nông dân xã', status: 'inactive' },
      ],
    });
    await tx.endpoint.createMany({
      data: [
        { communeId: commune.id, name: 'Cụm loa Trung tâm xã', protocol: 'simulator', baseUrl: `${simulator}/trung-tam`, villageId: villages.get('Thôn 1')! },
        { communeId: commune.id, name: 'Cụm loa Thôn 4', protocol: 'simulator', baseUrl: `${simulator}/thon-4`, villageId: villages.get('Thôn 4')! },
      ],
    });
    await tx.auditLog.create({
      data: { communeId: commune.id, actorKind: 'system', action: 'demo.seeded', entityType: 'Commune', entityId: commune.id },
    });
    return commune.id;
  });
  return { created: true, communeId, accounts };
}

/** The table printed once after seeding, so the newcomer can log in. */
export function formatDemoAccounts(accounts: DemoAccount[]): string {
  const lines = accounts.map((a) => `  ${a.username.padEnd(12)} ${a.password.padEnd(14)} ${a.roles.join(', ').padEnd(20)} ${a.displayName}`);
  return [
    'Đã tạo xã mẫu "Xã Hòa Bình (dữ liệu mẫu)". Tài khoản cán bộ (phải đổi mật khẩu ở lần đăng nhập đầu):',
    `  ${'tên'.padEnd(12)} ${'mật khẩu'.padEnd(14)} ${'vai trò'.padEnd(20)} họ tên`,
    ...lines,
  ].join('\n');
}
