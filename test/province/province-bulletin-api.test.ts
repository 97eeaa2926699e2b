// The province bulletin routes over HTTP (Fastify inject): a province editor writes, a province
// approver approves, a commune approver lists and declines; Vietnamese errors with stable codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { createQueueKit, type QueueKit } from '../../src/queues/queue-kit.ts';
import { bulletinApiPlugin } from '../../src/web/plugins/bulletin-api.ts';
import { installErrorHandler } from '../../src/web/error-handler.ts';
import { sessionFor } from '../support/staff-session.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let queues: QueueKit;
let app: FastifyInstance;
const prefix = testRedisPrefix();
const tokens: Record<string, string> = {};

beforeAll(async () => {
  db = await openMigratedTestDatabase('province-bulletin-api');
  prisma = db.prisma;
  const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
  const provinceId = (await prisma.commune.findUniqueOrThrow({ where: { id: communeId } })).provinceId!;
  await prisma.staff.create({ data: { username: 'tinh_bientap', displayName: 'Biên tập tỉnh', roles: [], provinceId, provinceRoles: ['editor'] } });
  await prisma.staff.create({ data: { username: 'tinh_duyet', displayName: 'Duyệt tỉnh', roles: [], provinceId, provinceRoles: ['approver'] } });
  for (const s of await prisma.staff.findMany()) tokens[s.username] = (await sessionFor(prisma, s.id)).token;
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

const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

describe('province bulletin API', () => {
  it('create → approve → the commune lists it and declines once; errors are precise', async () => {
    const denied = await app.inject({ method: 'POST', url: '/api/v1/province-bulletins', headers: as('vanhoa'), payload: { title: 'Tin', text: 'Nội dung.' } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('Chỉ cán bộ cấp tỉnh');
    const huge = await app.inject({ method: 'POST', url: '/api/v1/province-bulletins', headers: as('tinh_bientap'), payload: { title: 'Tin', text: 'a'.repeat(20_001) } });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error.message).toContain('dài quá');
    const malformed = await app.inject({ method: 'POST', url: '/api/v1/province-bulletins', headers: as('tinh_bientap'), payload: { title: 'Tin', text: 'Nội dung.', communeIds: ['khong-phai-id'] } });
    expect(malformed.statusCode).toBe(400);

    const created = await app.inject({ method: 'POST', url: '/api/v1/province-bulletins', headers: as('tinh_bientap'), payload: { title: 'Tuyên truyền an toàn giao thông', text: 'Đội mũ bảo hiểm khi đi xe máy.' } });
    expect(created.statusCode).toBe(201);
    const id = created.json().provinceBulletin.id as string;
    // The commune sees nothing before approval.
    expect((await app.inject({ method: 'GET', url: '/api/v1/province-bulletins', headers: as('chutich') })).json().bulletins).toEqual([]);
    const approved = await app.inject({ method: 'POST', url: `/api/v1/province-bulletins/${id}/approve`, headers: as('tinh_duyet') });
    expect(approved.statusCode).toBe(200);
    const again = await app.inject({ method: 'POST', url: `/api/v1/province-bulletins/${id}/approve`, headers: as('tinh_duyet') });
    expect(again.statusCode).toBe(409);

    const list = (await app.inject({ method: 'GET', url: '/api/v1/province-bulletins', headers: as('chutich') })).json();
    expect(list.scope).toBe('commune');
    expect(list.bulletins).toMatchObject([{ id, from: 'Tỉnh Mẫu', status: 'waiting', canDecline: true }]);
    const province = (await app.inject({ method: 'GET', url: '/api/v1/province-bulletins', headers: as('tinh_bientap') })).json();
    expect(province.bulletins[0]).toMatchObject({ id, status: 'approved', communes: [{ status: 'waiting' }] });

    const notApprover = await app.inject({ method: 'POST', url: `/api/v1/province-bulletins/${id}/decline`, headers: as('vanhoa') });
    expect(notApprover.statusCode).toBe(403);
    const declined = await app.inject({ method: 'POST', url: `/api/v1/province-bulletins/${id}/decline`, headers: as('chutich'), payload: { reason: 'Trùng nội dung xã đã phát' } });
    expect(declined.statusCode).toBe(200);
    const twice = await app.inject({ method: 'POST', url: `/api/v1/province-bulletins/${id}/decline`, headers: as('phochutich') });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toContain('Xã đã từ chối bản tin này lúc');
    const copy = (await prisma.provinceBulletinCommune.findFirstOrThrow({ where: { provinceBulletinId: id } })).bulletinId!;
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/bulletins/${copy}`, headers: as('chutich') })).json();
    expect(detail.bulletin).toMatchObject({ fromProvince: true, status: 'cancelled' });
  });
});
