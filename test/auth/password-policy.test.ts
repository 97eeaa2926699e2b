// Finding 13 of issue 14: very common passwords and ones built from the commune's own names are
// refused, in Vietnamese, when a staff member sets their password; a long unrelated phrase passes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changePassword } from '../../src/auth/change-password.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let staffId = '';
let sessionId = '';
const FIRST = 'Tam-thoi-Qx7-Wp9';

beforeAll(async () => {
  db = await openMigratedTestDatabase('pwpolicy');
  const commune = await db.prisma.commune.create({ data: { code: 'pw', name: 'Xã Tân Phú', villages: { create: [{ name: 'Thôn Đồng Tâm' }, { name: 'Ấp Bến Đò' }] } } });
  const s = await db.prisma.staff.create({ data: { communeId: commune.id, username: 'vanhoa', displayName: 'Trần Thị Hoa', roles: ['editor'], passwordHash: await hashPassword(FIRST) } });
  staffId = s.id;
  sessionId = (await db.prisma.staffSession.create({ data: { staffId, tokenHash: 'x'.repeat(64), csrfToken: 'c', expiresAt: new Date(Date.now() + 3600_000) } })).id;
});
afterAll(async () => {
  await db?.close();
});

const change = (next: string) => changePassword(db.prisma, { staffId, sessionId, current: FIRST, next });

describe('password policy', () => {
  it.each([
    ['1234567890', 'dễ đoán'],
    ['Matkhau123', 'hay gặp'],
    ['anhyeuem2026', 'hay gặp'],
    ['TanPhu@2026!', 'tên xã'],
    ['Tân Phú 2026!', 'tên xã'],
    ['DongTam-BenDo', 'tên thôn'],
    ['TranThiHoa1990', 'họ tên'],
  ])('refuses %s', async (password, why) => {
    await expect(change(password)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining(why) });
  });

  it('accepts a long phrase of unrelated words', async () => {
    await expect(change('Tre-xanh-bo-song-47')).resolves.toBeUndefined();
    expect((await db.prisma.staff.findUniqueOrThrow({ where: { id: staffId } })).mustChangePassword).toBe(false);
  });
});
