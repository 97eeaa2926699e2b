// The demo, so a newcomer sees the whole loop without any token. Tests seed one commune: villages,
// staff in every role, fields and their assignments, broadcast slots, chat targets (inactive until
// configured) and two simulated loudspeaker clusters. `npm start` seeds the demo province instead
// (`province: true`): three communes, each with a quarter of history (demo-history.ts), and a
// province admin. Each commune is written in one transaction — all of it or nothing — and a
// commune that exists is never touched, so seeding again changes nothing.
import type { PrismaClient, StaffRole } from '../db/generated/client.ts';
import { ensureCategories } from '../catalog/ensure-categories.ts';
import { generatePassword, hashPassword } from '../auth/password.ts';
import { DEMO_COMMUNES, DEMO_PROVINCE_ADMIN, DEMO_PROVINCE_CODE, type DemoCommuneSpec, type StaffSeed } from './demo-communes.ts';
import { seedDemoHistory } from './demo-history.ts';

export { DEMO_COMMUNE_CODE, DEMO_PROVINCE_CODE } from './demo-communes.ts';

export interface DemoAccount {
  username: string;
  displayName: string;
  roles: StaffRole[];
  password: string;
}

export interface SeedDemoResult {
  created: boolean;
  /** The first demo commune (Xã Hòa Bình). */
  communeId: string;
  /** Every demo commune, in the order of DEMO_COMMUNES. */
  communeIds: string[];
  accounts: DemoAccount[];
}

export interface SeedDemoOptions {
  /** Fixed first password for every demo account (DEMO_PASSWORD); random per account otherwise. */
  password?: string | undefined;
  /** Base URL of the loudspeaker simulator the demo endpoints point at. */
  simulatorBaseUrl?: string;
  /** The whole demo province: three communes with a quarter of history each, and a province admin. */
  province?: boolean;
  /** The last day of the history (tests pin it); now by default. */
  now?: Date;
}

/** Creates whatever of the demo is missing; never touches an existing commune. */
export async function seedDemo(prisma: PrismaClient, opts: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  await ensureCategories(prisma);
  const specs = opts.province ? DEMO_COMMUNES : DEMO_COMMUNES.slice(0, 1);
  const existing = new Map((await prisma.commune.findMany({ where: { code: { in: specs.map((s) => s.code) } }, select: { id: true, code: true } })).map((c) => [c.code, c.id]));
  const todo = specs.filter((s) => !existing.has(s.code));
  const provinceStaff = opts.province && !(await prisma.staff.count({ where: { username: DEMO_PROVINCE_ADMIN.username } })) ? [DEMO_PROVINCE_ADMIN] : [];

  // Hashes in parallel (argon2 runs on the thread pool); one fixed password is hashed once.
  const seeds = [...todo.flatMap((s) => s.staff), ...provinceStaff];
  const fixed = opts.password ? await hashPassword(opts.password) : undefined;
  const accounts: DemoAccount[] = seeds.map((s) => ({ username: s.username, displayName: s.displayName, roles: s.roles, password: opts.password ?? generatePassword() }));
  const hashes = new Map(await Promise.all(accounts.map(async (a) => [a.username, fixed ?? (await hashPassword(a.password))] as const)));

  const categories = await prisma.category.findMany({ select: { id: true, code: true } });
  const province = await prisma.province.upsert({ where: { code: DEMO_PROVINCE_CODE }, create: { code: DEMO_PROVINCE_CODE, name: 'Tỉnh Mẫu' }, update: {} });
  const ctx = { prisma, provinceId: province.id, hashes, categories, simulator: opts.simulatorBaseUrl ?? 'http://127.0.0.1:3000/radio-sim', history: opts.province ? (opts.now ?? new Date()) : undefined };
  for (const spec of todo) existing.set(spec.code, await createCommune(ctx, spec));

  if (provinceStaff.length) {
    await prisma.staff.create({ data: { ...staffRow(DEMO_PROVINCE_ADMIN, hashes), provinceId: province.id, provinceRoles: ['admin'] } });
  }
  // Province staff read every demo commune by their province role (src/auth/commune-scope.ts).
  const communeIds = specs.map((s) => existing.get(s.code)!);

  return { created: todo.length > 0 || provinceStaff.length > 0, communeId: communeIds[0]!, communeIds, accounts };
}

type SeedContext = {
  prisma: PrismaClient;
  provinceId: string;
  hashes: Map<string, string>;
  categories: Array<{ id: string; code: string }>;
  simulator: string;
  history: Date | undefined;
};

function staffRow(s: StaffSeed, hashes: Map<string, string>) {
  return { username: s.username, displayName: s.displayName, title: s.title, roles: s.roles, isLeader: s.isLeader ?? false, passwordHash: hashes.get(s.username)!, mustChangePassword: true };
}

async function createCommune(ctx: SeedContext, spec: DemoCommuneSpec): Promise<string> {
  const categoryId = new Map(ctx.categories.map((c) => [c.code, c.id]));
  return ctx.prisma.$transaction(async (tx) => {
    const commune = await tx.commune.create({ data: { code: spec.code, name: spec.name, ticketCodePrefix: spec.ticketCodePrefix, provinceId: ctx.provinceId } });
    await tx.village.createMany({ data: spec.villages.map((name, i) => ({ communeId: commune.id, name, sortOrder: i + 1 })) });
    const villages = new Map((await tx.village.findMany({ where: { communeId: commune.id }, select: { id: true, name: true } })).map((v) => [v.name, v.id]));
    await tx.staff.createMany({
      data: spec.staff.map((s) => ({
        ...staffRow(s, ctx.hashes),
        communeId: s.oversight ? null : commune.id,
        // The oversight account is province staff: it reads every commune of the province.
        provinceId: s.oversight ? ctx.provinceId : null,
        provinceRoles: s.oversight ? ['viewer' as const] : [],
      })),
    });
    const staffIds = new Map((await tx.staff.findMany({ where: { username: { in: spec.staff.map((s) => s.username) } }, select: { id: true, username: true } })).map((s) => [s.username, s.id]));
    await tx.assignment.createMany({
      data: Object.entries(spec.assignments).flatMap(([code, rules]) =>
        rules.flatMap(([username, where]) => (where === 'all' ? [null] : where.map((n) => villages.get(n)!)).map((villageId) => ({ communeId: commune.id, categoryId: categoryId.get(code)!, villageId, staffId: staffIds.get(username)! }))),
      ),
    });
    await tx.broadcastSlot.createMany({
      data: [
        { communeId: commune.id, name: 'Buổi sáng', timeOfDay: '06:00', daysOfWeek: [1, 2, 3, 4, 5, 6, 7] },
        { communeId: commune.id, name: 'Buổi chiều', timeOfDay: '17:00', daysOfWeek: [1, 2, 3, 4, 5, 6, 7] },
      ],
    });
    await tx.target.createMany({ data: spec.targets.map((t) => ({ communeId: commune.id, kind: t.kind, name: t.name, villageId: t.village ? villages.get(t.village)! : null, status: 'inactive' as const })) });
    await tx.endpoint.createMany({ data: spec.endpoints.map((e) => ({ communeId: commune.id, name: e.name, protocol: 'simulator' as const, baseUrl: `${ctx.simulator}/${e.path}`, villageId: villages.get(e.village)! })) });
    if (ctx.history) {
      const cadres = spec.staff.filter((s) => s.roles.includes('responder')).map((s) => staffIds.get(s.username)!);
      const by = (role: StaffRole) => staffIds.get(spec.staff.find((s) => s.roles.includes(role))!.username)!;
      await seedDemoHistory(tx, {
        communeId: commune.id, code: spec.code, ticketCodePrefix: spec.ticketCodePrefix, villageIds: [...villages.values()], categories: ctx.categories, responderIds: cadres,
        authorId: by('editor'), approverId: by('approver'),
        endpointIds: (await tx.endpoint.findMany({ where: { communeId: commune.id }, orderBy: { name: 'asc' }, select: { id: true } })).map((e) => e.id),
        targetIds: (await tx.target.findMany({ where: { communeId: commune.id }, orderBy: { name: 'asc' }, select: { id: true } })).map((t) => t.id),
        profile: spec.profile, now: ctx.history,
      });
    }
    await tx.auditLog.create({ data: { communeId: commune.id, actorKind: 'system', action: 'demo.seeded', entityType: 'Commune', entityId: commune.id } });
    return commune.id;
  }, { timeout: 60_000 });
}

/** The table printed once after seeding, so the newcomer can log in. */
export function formatDemoAccounts(accounts: DemoAccount[]): string {
  const lines = accounts.map((a) => `  ${a.username.padEnd(20)} ${a.password.padEnd(14)} ${(a.roles.join(', ') || 'cấp tỉnh').padEnd(20)} ${a.displayName}`);
  return [
    'Đã tạo dữ liệu mẫu (Tỉnh Mẫu). Tài khoản cán bộ (phải đổi mật khẩu ở lần đăng nhập đầu):',
    `  ${'tên'.padEnd(20)} ${'mật khẩu'.padEnd(14)} ${'vai trò'.padEnd(20)} họ tên`,
    ...lines,
  ].join('\n');
}
