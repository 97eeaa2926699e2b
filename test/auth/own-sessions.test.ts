// Finding 13 of issue 14: a session left unused ends after SESSION_IDLE_MINUTES, and a staff
// member sees where they are signed in and ends any of those sessions from the web admin —
// their own only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { hashPassword } from '../../src/auth/password.ts';
import { sessionFromToken, signIn } from '../../src/auth/staff-sessions.ts';
import { silentLogger } from '../../src/logger.ts';
import { adminPlugin } from '../../src/web/admin/admin-plugin.ts';
import { installErrorHandler } from '../../src/web/error-handler.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { form, sessionFor } from '../support/staff-session.ts';

let db: MigratedTestDatabase;
let app: FastifyInstance;
let hoa = '';
let other = '';
const PASSWORD = 'Tre-xanh-bo-song-47';

beforeAll(async () => {
  db = await openMigratedTestDatabase('ownsess');
  const commune = await db.prisma.commune.create({ data: { code: 'own', name: 'Xã Thử Phiên' } });
  const passwordHash = await hashPassword(PASSWORD);
  hoa = (await db.prisma.staff.create({ data: { communeId: commune.id, username: 'hoa', displayName: 'Hoa', roles: ['editor'], passwordHash, mustChangePassword: false } })).id;
  other = (await db.prisma.staff.create({ data: { communeId: commune.id, username: 'khac', displayName: 'Khác', roles: ['editor'], passwordHash, mustChangePassword: false } })).id;
  app = Fastify({ loggerInstance: silentLogger as unknown as FastifyBaseLogger });
  installErrorHandler(app);
  await app.register(adminPlugin, { prisma: db.prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true, sessionIdleMinutes: 30 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('own sessions', () => {
  it('ends a session idle for longer than the setting', async () => {
    const t0 = new Date();
    const s = await signIn(db.prisma, { username: 'hoa', password: PASSWORD, ip: '192.0.2.1' }, t0);
    expect(await sessionFromToken(db.prisma, s.token, new Date(t0.getTime() + 29 * 60_000), 30)).toBeDefined();
    // Used at minute 29: idle counts from then.
    expect(await sessionFromToken(db.prisma, s.token, new Date(t0.getTime() + 58 * 60_000), 30)).toBeDefined();
    expect(await sessionFromToken(db.prisma, s.token, new Date(t0.getTime() + 90 * 60_000), 30)).toBeUndefined();
    // Gone for good, not only refused this once.
    expect(await sessionFromToken(db.prisma, s.token, new Date(t0.getTime() + 58 * 60_000), 30)).toBeUndefined();
  });

  it('lists the user\'s sessions and ends one of them, not someone else\'s', async () => {
    const here = await sessionFor(db.prisma, hoa);
    const phone = await signIn(db.prisma, { username: 'hoa', password: PASSWORD, ip: '198.51.100.77', userAgent: 'Mozilla/5.0 (Linux; Android 12) DienThoaiCu' });
    const theirs = await sessionFor(db.prisma, other);
    const page = await app.inject({ method: 'GET', url: '/admin/doi-mat-khau', headers: { cookie: here.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Phiên đăng nhập');
    expect(page.body).toContain('DienThoaiCu');
    expect(page.body).toContain('198.51.100.77');
    const phoneId = (await db.prisma.staffSession.findFirstOrThrow({ where: { staffId: hoa, ip: '198.51.100.77' } })).id;
    const theirId = (await db.prisma.staffSession.findFirstOrThrow({ where: { staffId: other } })).id;
    const post = (id: string) => app.inject({ method: 'POST', url: `/admin/doi-mat-khau/phien/${id}/ket-thuc`, headers: { cookie: here.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(here) });
    expect((await post(theirId)).statusCode).toBe(404);
    expect(await sessionFromToken(db.prisma, theirs.token)).toBeDefined();
    const ended = await post(phoneId);
    expect(ended.statusCode).toBe(303);
    expect(await sessionFromToken(db.prisma, phone.token)).toBeUndefined();
    expect(await sessionFromToken(db.prisma, here.token)).toBeDefined();
    // Without the form's token nothing is ended.
    const forged = await app.inject({ method: 'POST', url: `/admin/doi-mat-khau/phien/${theirId}/ket-thuc`, headers: { cookie: theirs.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'csrf=sai' });
    expect(forged.statusCode).toBe(403);
    expect(await db.prisma.auditLog.count({ where: { action: 'staff.session_revoked' } })).toBe(1);
  });
});
