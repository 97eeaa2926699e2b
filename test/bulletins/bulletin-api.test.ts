// The bulletin API over HTTP (Fastify inject) on the real PostgreSQL and Redis: sign-in with
// lockout, the whole workflow, CSRF for cookie sessions, API keys of higher levels, validation
// errors, and a report of where the bulletin went.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { createQueueKit, type QueueKit } from '../../src/queues/queue-kit.ts';
import { bulletinApiPlugin } from '../../src/web/plugins/bulletin-api.ts';
import { installErrorHandler } from '../../src/web/error-handler.ts';
import { createApiKey } from '../../src/auth/staff-sessions.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let queues: QueueKit;
let app: FastifyInstance;
let communeId = '';
const prefix = testRedisPrefix();
const PASSWORD = 'MatKhauKiemThu2026';

beforeAll(async () => {
  db = await openMigratedTestDatabase('api');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: PASSWORD })).communeId;
  // These accounts have set their own password (the forced first change has its own test).
  await prisma.staff.updateMany({ data: { mustChangePassword: false } });
  const groups = await prisma.target.findMany({ where: { communeId, kind: 'telegram_chat' } });
  for (const [i, g] of groups.entries()) await prisma.target.update({ where: { id: g.id }, data: { status: 'active', platformChatId: String(-100 - i) } });
  queues = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix, log: silentLogger });
  app = Fastify({ loggerInstance: silentLogger as unknown as FastifyBaseLogger });
  installErrorHandler(app);
  await app.register(bulletinApiPlugin, { prisma, enqueue: queues.enqueue.bind(queues), secureCookies: false });
});
afterAll(async () => {
  await app?.close();
  await queues?.close(1000);
  await deleteTestRedisKeys(prefix);
  await db?.close();
});

async function login(username: string, password = PASSWORD) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  return { res, body: res.json() as { token: string; csrfToken: string }, cookie: res.cookies.find((c) => c.name === 'lx_session') };
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('bulletin API', () => {
  it('signs in, refuses wrong passwords alike, and locks an account after five failures', async () => {
    const ok = await login('vanhoa');
    expect(ok.res.statusCode).toBe(200);
    expect(ok.cookie?.httpOnly).toBe(true);
    const unknown = await login('khong-co-ai', 'x');
    const wrong = await login('yte', 'sai-mat-khau');
    expect(unknown.res.statusCode).toBe(401);
    expect(wrong.res.json()).toEqual(unknown.res.json());
    for (let i = 0; i < 4; i++) await login('yte', 'sai-mat-khau');
    const locked = await login('yte');
    expect(locked.res.statusCode).toBe(429);
    expect((locked.res.json() as { error: { message: string } }).error.message).toContain('tạm khóa');
  });

  it('runs the workflow: draft, submit, approve by another person, schedule, send now, report', async () => {
    const editor = (await login('vanhoa')).body.token;
    const approver = (await login('chutich')).body.token;
    const created = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: bearer(editor), payload: { title: 'Tiêm chủng', text: 'Ngày 25/11/2026 tiêm vắc xin sởi tại trạm y tế.' } });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { bulletin: { id: string } }).bulletin.id;
    expect((await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/approve`, headers: bearer(approver) })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/submit`, headers: bearer(editor) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/approve`, headers: bearer(editor) })).statusCode).toBe(403);
    const approved = await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/approve`, headers: bearer(approver), payload: { comment: 'Phát' } });
    expect((approved.json() as { bulletin: { status: string } }).bulletin.status).toBe('approved');
    const past = await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/schedules`, headers: bearer(editor), payload: { kind: 'once', runAt: '2020-01-01T00:00:00+07:00' } });
    expect(past.statusCode).toBe(400);
    const slot = await prisma.broadcastSlot.findFirstOrThrow({ where: { communeId } });
    expect((await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/schedules`, headers: bearer(editor), payload: { kind: 'recurring', slotId: slot.id } })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/send-now`, headers: bearer(editor) })).statusCode).toBe(403);
    const sent = await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/send-now`, headers: bearer(approver) });
    expect(sent.statusCode).toBe(202);
    expect((sent.json() as { deliveries: number }).deliveries).toBe(4);
    const report = (await app.inject({ method: 'GET', url: `/api/v1/bulletins/${id}/report`, headers: bearer(editor) })).json() as { runs: Array<{ deliveries: Array<{ to: string; status: string }> }> };
    expect(report.runs[0]!.deliveries.map((d) => d.to).sort()).toEqual(['Cụm loa Thôn 4', 'Cụm loa Trung tâm xã', 'Kênh Telegram UBND xã', 'Nhóm Telegram Thôn 1']);
    // Province oversight reads the report of a commune it oversees, but cannot change anything.
    const oversight = (await login('giamsat')).body.token;
    expect((await app.inject({ method: 'GET', url: `/api/v1/bulletins/${id}/report`, headers: bearer(oversight) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: bearer(oversight), payload: { title: 'x', text: 'y' } })).statusCode).toBe(403);
  });

  it('requires the CSRF token for changes made with the session cookie', async () => {
    const s = await login('vanhoa');
    const cookie = `lx_session=${s.cookie!.value}`;
    const without = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: { cookie }, payload: { title: 'A', text: 'Thông báo' } });
    expect(without.statusCode).toBe(403);
    const withToken = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: { cookie, 'x-csrf-token': s.body.csrfToken }, payload: { title: 'A', text: 'Thông báo' } });
    expect(withToken.statusCode).toBe(201);
    expect((await app.inject({ method: 'GET', url: '/api/v1/bulletins', headers: { cookie } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/bulletins' })).statusCode).toBe(401);
  });

  it('takes bulletins from a higher level by API key: normal ones wait approved, emergencies go out at once', async () => {
    const { key } = await createApiKey(prisma, { communeId, name: 'UBND tỉnh' });
    const normal = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: { 'x-api-key': key }, payload: { title: 'Lịch tiếp dân', text: 'Tỉnh tiếp dân vào thứ Năm.' } });
    expect((normal.json() as { bulletin: { status: string; apiKeyId: string } }).bulletin).toMatchObject({ status: 'approved' });
    const emergency = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: { 'x-api-key': key }, payload: { title: 'Khẩn: bão', class: 'emergency', text: 'Bão đổ bộ chiều nay, sơ tán ngay.' } });
    const eid = (emergency.json() as { bulletin: { id: string } }).bulletin.id;
    expect(await prisma.broadcastRun.count({ where: { bulletinId: eid } })).toBe(1);
    // A key may not act as a staff member, and a revoked or forged key is refused.
    expect((await app.inject({ method: 'POST', url: `/api/v1/bulletins/${eid}/cancel`, headers: { 'x-api-key': key } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/bulletins', headers: { 'x-api-key': 'lx_forged_forged_forged_forged' } })).statusCode).toBe(401);
    await prisma.apiKey.updateMany({ data: { revokedAt: new Date() } });
    expect((await app.inject({ method: 'GET', url: '/api/v1/bulletins', headers: { 'x-api-key': key } })).statusCode).toBe(401);
  });

  it('answers bad input precisely', async () => {
    const t = (await login('vanhoa')).body.token;
    const emoji = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: bearer(t), payload: { title: 'x', text: '📢📢' } });
    expect(emoji.statusCode).toBe(400);
    expect((emoji.json() as { error: { message: string } }).error.message).toContain('không có chữ');
    const missing = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: bearer(t), payload: { text: 'Thiếu tiêu đề' } });
    expect((missing.json() as { error: { message: string } }).error.message).toContain('title');
    expect((await app.inject({ method: 'POST', url: '/api/v1/bulletins/khong-phai-uuid/submit', headers: bearer(t) })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: { ...bearer(t), 'content-type': 'application/json' }, payload: '{"title":' })).statusCode).toBe(400);
    const huge = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: bearer(t), payload: { title: 'x', text: 'a'.repeat(70_000) } });
    expect(huge.statusCode).toBe(413);
  });
});
