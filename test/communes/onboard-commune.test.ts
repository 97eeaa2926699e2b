// Onboarding a commune from pasted lists: villages with their other names, staff from CSV, fields
// from the national list; every bad input named precisely (with its line) and nothing half-created.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { onboardCommune, onboardingChecklist } from '../../src/communes/onboard-commune.ts';
import { parseCsv, parseVillages } from '../../src/communes/onboarding-csv.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { addCommuneFromRequest } from '../../src/communes/commune-add-request.ts';
import { communeScope, readableIds } from '../../src/auth/commune-scope.ts';

let db: MigratedTestDatabase;
beforeAll(async () => {
  db = await openMigratedTestDatabase('onboard');
});
afterAll(async () => {
  await db?.close();
});

const VILLAGES = 'tên thôn,tên khác\nThôn Bãi,xóm Bãi; đội 5\n"Thôn Đông, Tây",Đông Tây\nThôn Trung\n';
const STAFF = 'tên đăng nhập,họ tên,vai trò,chức vụ,điện thoại,trưởng\nqt.anson,Nguyễn Văn A,admin;editor,Công chức VH-XH,0912 345 678,\nct.anson,"Trần Thị ""Bé"" B",approver,Chủ tịch UBND,,x\n';

async function nothingCreated(code: string) {
  expect(await db.prisma.commune.count({ where: { code } })).toBe(0);
  expect(await db.prisma.village.count({ where: { commune: { code } } })).toBe(0);
}

describe('onboarding a commune', () => {
  it('creates the commune, its villages with aliases, its staff with first passwords, and the fields, in one go', async () => {
    const r = await onboardCommune(db.prisma, { code: 'an-son', name: 'Xã An Sơn', villagesText: VILLAGES, staffText: STAFF, actorStaffId: null });
    expect(r.villages).toBe(3);
    expect(r.categories).toBeGreaterThan(5);
    expect(await db.prisma.category.count()).toBe(r.categories);
    const villages = await db.prisma.village.findMany({ where: { communeId: r.communeId }, orderBy: { sortOrder: 'asc' } });
    expect(villages.map((v) => [v.name, v.aliases])).toEqual([['Thôn Bãi', ['xóm Bãi', 'đội 5']], ['Thôn Đông, Tây', ['Đông Tây']], ['Thôn Trung', []]]);
    const staff = await db.prisma.staff.findMany({ where: { communeId: r.communeId }, orderBy: { username: 'asc' } });
    expect(staff.map((s) => [s.username, s.displayName, s.roles, s.isLeader, s.phone])).toEqual([
      ['ct.anson', 'Trần Thị "Bé" B', ['approver'], true, null],
      ['qt.anson', 'Nguyễn Văn A', ['admin', 'editor'], false, '0912 345 678'],
    ]);
    const pw = r.staff.find((s) => s.username === 'qt.anson')!.password;
    expect(await verifyPassword(staff[1]!.passwordHash!, pw)).toBe(true);
    expect(staff.every((s) => s.mustChangePassword)).toBe(true);
    expect(await db.prisma.auditLog.count({ where: { action: 'commune.onboard', communeId: r.communeId } })).toBe(1);

    const list = await onboardingChecklist(db.prisma, r.communeId);
    const done = Object.fromEntries(list.map((i) => [i.key, i.done]));
    expect(done).toEqual({ villages: true, staff: true, admin: true, leader: true, bot: false, admin_chat: false, loudspeakers: false, zalo: false });
  });

  it('the checklist sees a bot with its admin chat, a loudspeaker and Zalo once they are added', async () => {
    const r = await onboardCommune(db.prisma, { code: 'binh-an', name: 'Xã Bình An', villagesText: 'Thôn 1\nThôn 2', actorStaffId: null });
    const id = r.communeId;
    let done = Object.fromEntries((await onboardingChecklist(db.prisma, id)).map((i) => [i.key, i.done]));
    expect(done).toMatchObject({ staff: false, admin: false, bot: false, loudspeakers: false });
    // A removed bot (inactive, token forgotten) is no bot: its admin chat does not count either.
    await db.prisma.channelAccount.create({ data: { communeId: id, platform: 'telegram', name: 'binhan_old_bot', status: 'inactive', settings: { adminChatId: '-100999' } } });
    done = Object.fromEntries((await onboardingChecklist(db.prisma, id)).map((i) => [i.key, i.done]));
    expect(done).toMatchObject({ bot: false, admin_chat: false });
    await db.prisma.channelAccount.create({ data: { communeId: id, platform: 'telegram', name: 'binhan_bot', status: 'connected', settings: { adminChatId: '-100123' } } });
    await db.prisma.channelAccount.create({ data: { communeId: id, platform: 'zalo_bot', name: 'binhan_zalo', status: 'connected' } });
    await db.prisma.endpoint.create({ data: { communeId: id, name: 'Loa thôn 1', baseUrl: 'http://127.0.0.1:9/' } });
    done = Object.fromEntries((await onboardingChecklist(db.prisma, id)).map((i) => [i.key, i.done]));
    expect(done).toMatchObject({ bot: true, admin_chat: true, loudspeakers: true, zalo: true });
  });
});

describe('bad input: a precise error and nothing created', () => {
  const attempt = (over: Partial<Parameters<typeof onboardCommune>[1]>) =>
    onboardCommune(db.prisma, { code: 'xa-loi', name: 'Xã Lỗi', villagesText: VILLAGES, staffText: STAFF.replace(/anson/g, 'loi'), actorStaffId: null, ...over });

  it('a malformed CSV: an unclosed quote, text after a closing quote, a quote inside a cell', async () => {
    await expect(attempt({ villagesText: 'Thôn A\n"Thôn B,xóm B\nThôn C' })).rejects.toThrow('Danh sách thôn, dòng 2: dấu ngoặc kép chưa đóng.');
    await expect(attempt({ staffText: 'tên đăng nhập,họ tên,vai trò\nabc,"Văn" A,admin' })).rejects.toThrow('Danh sách cán bộ, dòng 2: có ký tự sau dấu ngoặc kép đóng.');
    await expect(attempt({ villagesText: 'Thôn A\nThôn "B"' })).rejects.toThrow('dòng 2: dấu ngoặc kép ở giữa ô.');
    await expect(attempt({ staffText: 'tên đăng nhập,họ tên,vai trò\nabc,Văn A,admin,thừa' })).rejects.toThrow('dòng 2: có 4 ô, dòng tiêu đề có 3 cột.');
    await expect(attempt({ staffText: 'username,họ tên,vai trò\nabc,A,admin' })).rejects.toThrow('cột "username" không có');
    await expect(attempt({ staffText: 'tên đăng nhập,vai trò\nabc,admin' })).rejects.toThrow('thiếu cột "họ tên"');
    await nothingCreated('xa-loi');
  });

  it('duplicate villages, also without diacritics or through an alias', async () => {
    await expect(attempt({ villagesText: 'Thôn Bãi\nThôn Trung\nThôn Bãi' })).rejects.toThrow('Danh sách thôn, dòng 3: "Thôn Bãi" trùng với "Thôn Bãi" ở dòng 1.');
    await expect(attempt({ villagesText: 'Thôn Bãi\nthon bai' })).rejects.toThrow('dòng 2: "thon bai" trùng với "Thôn Bãi" ở dòng 1.');
    await expect(attempt({ villagesText: 'Thôn Bãi,đội 5\nThôn Trung,Đội 5' })).rejects.toThrow('dòng 2: "Đội 5" trùng với "đội 5" ở dòng 1.');
    await expect(attempt({ villagesText: 'tên thôn\n\n  \n' })).rejects.toThrow('Danh sách thôn: chưa có thôn nào.');
    await nothingCreated('xa-loi');
  });

  it('a huge paste is refused before it is read', async () => {
    const huge = Array.from({ length: 20_000 }, (_, i) => `Thôn số ${i}`).join('\n');
    await expect(attempt({ villagesText: huge })).rejects.toThrow('Danh sách thôn: quá lớn (tối đa 200 KB).');
    const many = Array.from({ length: 501 }, (_, i) => `Thôn ${i}`).join('\n');
    await expect(attempt({ villagesText: many })).rejects.toThrow('quá nhiều thôn (501, tối đa 500)');
    await nothingCreated('xa-loi');
  });

  it('an unknown role, a bad username, a username twice, two leaders', async () => {
    const head = 'tên đăng nhập,họ tên,vai trò,trưởng\n';
    await expect(attempt({ staffText: `${head}abc,Văn A,admin;chutich,` })).rejects.toThrow('Danh sách cán bộ, dòng 2: vai trò không có: chutich (dùng: admin, editor, approver, responder, viewer).');
    await expect(attempt({ staffText: `${head}Nguyễn A,Văn A,admin,` })).rejects.toThrow('dòng 2: tên đăng nhập "nguyễn a" không hợp lệ');
    await expect(attempt({ staffText: `${head}abc,Văn A,admin,\nABC,Văn B,viewer,` })).rejects.toThrow('dòng 3: tên đăng nhập "abc" đã có ở dòng 2.');
    await expect(attempt({ staffText: `${head}abc,Văn A,admin,x\nabd,Văn B,viewer,x` })).rejects.toThrow('dòng 3: chỉ một người là trưởng (đã có ở dòng 2).');
    await nothingCreated('xa-loi');
  });

  it('a taken commune code or username: refused, the existing commune untouched, nothing of the new one', async () => {
    await expect(attempt({ code: 'an-son' })).rejects.toThrow('Mã xã "an-son" đã có.');
    expect(await db.prisma.village.count({ where: { commune: { code: 'an-son' } } })).toBe(3);
    await expect(attempt({ staffText: STAFF })).rejects.toThrow('Tên đăng nhập đã có người dùng: qt.anson, ct.anson.');
    await expect(attempt({ code: 'Xã Lỗi' })).rejects.toThrow('Mã xã 2–32 ký tự');
    await nothingCreated('xa-loi');
  });

  it('a failure inside the transaction leaves no commune and no villages', async () => {
    // Two communes onboarded at once with the same code: one wins, the other leaves nothing.
    const results = await Promise.allSettled([attempt({ code: 'dong-thoi', staffText: '' }), attempt({ code: 'dong-thoi', staffText: '' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await db.prisma.commune.count({ where: { code: 'dong-thoi' } })).toBe(1);
    expect(await db.prisma.village.count({ where: { commune: { code: 'dong-thoi' } } })).toBe(3);
  });

  it('CSV records keep newlines inside quotes and count lines from the file', () => {
    expect(parseCsv('a,"b\nc"\nd,e', 'x')).toEqual([{ line: 1, cells: ['a', 'b\nc'] }, { line: 3, cells: ['d', 'e'] }]);
    expect(parseVillages('\uFEFFThôn A\r\nThôn B|x\r\n').map((v) => v.name)).toEqual(['Thôn A', 'Thôn B|x']);
  });

  it('from the web only a province admin onboards, and only into their own province; the CLI names the province by code', async () => {
    const prisma = db.prisma;
    const [a, b] = [await prisma.province.create({ data: { code: 'tinh-a', name: 'Tỉnh A' } }), await prisma.province.create({ data: { code: 'tinh-b', name: 'Tỉnh B' } })];
    const inA = await prisma.commune.create({ data: { code: 'xa-co-san', name: 'Xã Có Sẵn', provinceId: a.id } });
    const staff = async (username: string, data: object) => (await prisma.staff.create({ data: { username, displayName: username, roles: [], ...data } })).id;
    const admin = await staff('tinh-a-qt', { provinceId: a.id, provinceRoles: ['admin'] });
    const viewer = await staff('tinh-a-xem', { provinceId: a.id, provinceRoles: ['viewer', 'editor', 'approver'] });
    const communeAdmin = await staff('xa-qt', { communeId: inA.id, roles: ['admin'], provinceId: a.id, provinceRoles: ['admin'] });
    const by = (actorStaffId: string, provinceId: string | null, code: string) => onboardCommune(prisma, { code, name: 'Xã Mới', villagesText: 'Thôn 1', actorStaffId, provinceId });

    for (const [actor, province] of [[viewer, a.id], [communeAdmin, a.id], [admin, b.id], [admin, null]] as const) {
      await expect(by(actor, province, 'xa-tu-choi')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    await nothingCreated('xa-tu-choi');
    const made = await by(admin, a.id, 'xa-tinh-a');
    expect((await prisma.commune.findUniqueOrThrow({ where: { id: made.communeId } })).provinceId).toBe(a.id);
    // The province's viewers read it at once; the other province does not.
    expect(readableIds(await communeScope(prisma, await prisma.staff.findUniqueOrThrow({ where: { id: viewer } })))).toContain(made.communeId);
    expect((await prisma.auditLog.findFirstOrThrow({ where: { action: 'commune.onboard', communeId: made.communeId } })).actorStaffId).toBe(admin);

    const text = await addCommuneFromRequest(prisma, { code: 'xa-cli', name: 'Xã Dòng Lệnh', villagesText: 'Thôn 1', provinceCode: 'tinh-b' });
    expect(text).toContain('Đã tạo xã Xã Dòng Lệnh');
    expect((await prisma.commune.findUniqueOrThrow({ where: { code: 'xa-cli' } })).provinceId).toBe(b.id);
    await expect(addCommuneFromRequest(prisma, { code: 'xa-cli-2', name: 'Xã Lỗi', villagesText: 'Thôn 1', provinceCode: 'khong-co' })).rejects.toThrow('Không có tỉnh mã "khong-co".');
    await nothingCreated('xa-cli-2');
  });
});
