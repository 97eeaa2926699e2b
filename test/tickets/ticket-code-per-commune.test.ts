// A province installation: communes keep the default prefix "PA", so their first tickets of the
// year are all PA-<year>-00001. The code is unique per commune, not per installation, and every
// lookup by code stays inside the commune it is asked from (a cadre of commune A typing commune
// B's code finds nothing; a province viewer names the commune).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { Database } from '../../src/db/database.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { ensureCategories } from '../../src/catalog/ensure-categories.ts';
import { createTicketDeps } from '../../src/tickets/ticket-runtime.ts';
import { intake } from '../../src/tickets/ticket-intake.ts';
import { markDuplicate } from '../../src/tickets/ticket-actions.ts';
import { onboardCommune } from '../../src/communes/onboard-commune.ts';
import { proposeTicketPrefix } from '../../src/communes/ticket-prefix.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { sessionFor, type TestSession } from '../support/staff-session.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let deps: Awaited<ReturnType<typeof createTicketDeps>>;
const communes: Record<'a' | 'b', { id: string; code: string; residentId: string }> = {} as never;
let cadreA = '';
let sessions: Record<'cadre' | 'province', TestSession>;
const at = new Date('2026-06-10T02:00:00Z');

beforeAll(async () => {
  db = await openMigratedTestDatabase('ticket_code');
  prisma = db.prisma;
  await ensureCategories(prisma);
  const province = await prisma.province.create({ data: { code: 'tinh-ma', name: 'Tỉnh Mã' } });
  for (const k of ['a', 'b'] as const) {
    // Both keep the default prefix, as communes made before onboarding proposed one.
    const c = await prisma.commune.create({ data: { code: `xa-${k}`, name: `Xã ${k.toUpperCase()}`, provinceId: province.id } });
    const r = await prisma.resident.create({ data: { communeId: c.id, consentGivenAt: at, consentVersion: 'v1' } });
    communes[k] = { id: c.id, code: c.code, residentId: r.id };
  }
  cadreA = (await prisma.staff.create({ data: { communeId: communes.a.id, username: 'canbo_a', displayName: 'Cán bộ A', roles: ['responder'], isLeader: true } })).id;
  const viewer = await prisma.staff.create({ data: { provinceId: province.id, provinceRoles: ['viewer'], username: 'xem_tinh', displayName: 'Tỉnh xem' } });
  sessions = { cadre: await sessionFor(prisma, cadreA), province: await sessionFor(prisma, viewer.id) };
  deps = await createTicketDeps({
    prisma,
    log: silentLogger,
    settings: loadSettings({ DATA_DIR: '/tmp/loaxa-unused' }),
    enqueue: async () => 'job',
    cancelJob: async () => true,
  });
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    publicPage: { ttlMs: 0 },
    admin: { prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true },
  });
});
afterAll(async () => {
  await app?.close();
  deps?.stop();
  await db?.close();
});

let n = 0;
async function ask(k: 'a' | 'b', text: string) {
  n += 1;
  const c = communes[k];
  const r = await prisma.$transaction((tx) =>
    intake(tx, deps, {
      communeId: c.id, residentId: c.residentId, villageId: null, platform: 'telegram', channelAccountId: null, accountName: 'bot',
      chatId: `${k}-chat`, platformMessageId: `m${n}`, text, attachments: [], receivedAt: new Date(at.getTime() + n * 1000), forceNew: true,
    }),
  );
  return prisma.ticket.findUniqueOrThrow({ where: { id: r.ticketId } });
}

const page = (s: TestSession, url: string) => app.inject({ method: 'GET', url, headers: { cookie: s.cookie } });

describe('ticket codes on an installation of several communes', () => {
  it('gives each commune its own PA-2026-00001, without a collision', async () => {
    const a1 = await ask('a', 'Đèn đường thôn Đông bị hỏng từ tuần trước');
    const b1 = await ask('b', 'Rác thải đổ bừa bãi cạnh chợ xã B');
    const b2 = await ask('b', 'Cống thoát nước ở xã B bị tắc');
    expect([a1.code, b1.code, b2.code]).toEqual(['PA-2026-00001', 'PA-2026-00001', 'PA-2026-00002']);
    expect(a1.communeId).toBe(communes.a.id);
    expect(b1.communeId).toBe(communes.b.id);
  });

  it("a cadre of commune A never reaches commune B's ticket by its code", async () => {
    // PA-2026-00002 exists in commune B only.
    const mine = await page(sessions.cadre, '/admin/phan-anh/PA-2026-00001');
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('Đèn đường thôn Đông');
    expect(mine.body).not.toContain('Rác thải');
    expect((await page(sessions.cadre, '/admin/phan-anh/PA-2026-00002')).statusCode).toBe(404);
    expect((await page(sessions.cadre, `/admin/phan-anh/PA-2026-00001?xa=${communes.b.id}`)).body).not.toContain('Rác thải');
    const a1 = await prisma.ticket.findFirstOrThrow({ where: { communeId: communes.a.id, code: 'PA-2026-00001' } });
    const dup = await prisma.$transaction((tx) => markDuplicate(tx, a1.id, 'PA-2026-00002', cadreA, new Date()));
    expect(dup).toMatchObject({ ok: false, reason: 'no_such_ticket' });
  });

  it('a province viewer opens the ticket of the commune the link names', async () => {
    const list = await page(sessions.province, `/admin/phan-anh?xa=${communes.b.id}`);
    expect(list.body).toContain(`/admin/phan-anh/PA-2026-00001?xa=${communes.b.id}`);
    const b = await page(sessions.province, `/admin/phan-anh/PA-2026-00001?xa=${communes.b.id}`);
    expect(b.statusCode).toBe(200);
    expect(b.body).toContain('Rác thải');
    const a = await page(sessions.province, `/admin/phan-anh/PA-2026-00001?xa=${communes.a.id}`);
    expect(a.body).toContain('Đèn đường thôn Đông');
    expect(a.body).not.toContain('Rác thải');
  });

  it("the public status lookup answers from the commune's own page", async () => {
    const b = await app.inject({ method: 'GET', url: '/cong-khai/xa-b/tra-cuu?ma=PA-2026-00002' });
    expect(b.statusCode).toBe(200);
    const a = await app.inject({ method: 'GET', url: '/cong-khai/xa-a/tra-cuu?ma=PA-2026-00002' });
    expect(a.statusCode).toBe(404);
  });

  it('onboarding proposes a prefix from the name, another one when the province has it', async () => {
    const province = await prisma.province.findUniqueOrThrow({ where: { code: 'tinh-ma' } });
    const one = await onboardCommune(prisma, { code: 'tan-lap', name: 'Xã Tân Lập', provinceId: province.id, villagesText: 'Thôn 1', actorStaffId: null });
    const two = await onboardCommune(prisma, { code: 'tan-long', name: 'Xã Tân Long', provinceId: province.id, villagesText: 'Thôn 1', actorStaffId: null });
    const given = await onboardCommune(prisma, { code: 'dong-son', name: 'Phường Đông Sơn', provinceId: province.id, villagesText: 'Thôn 1', ticketCodePrefix: 'pa', actorStaffId: null });
    const prefix = async (id: string) => (await prisma.commune.findUniqueOrThrow({ where: { id } })).ticketCodePrefix;
    expect(await prefix(one.communeId)).toBe('TL');
    const second = await prefix(two.communeId);
    expect(second).toMatch(/^TL[A-Z]+$/);
    // What the admin typed is kept, even a prefix another commune uses: codes stay unique per commune.
    expect(await prefix(given.communeId)).toBe('PA');
    // "Trần" of a commune's name is not the "trấn" of "Thị trấn".
    expect(proposeTicketPrefix('Xã Trần Phú', new Set())).toBe('TP');
    expect(proposeTicketPrefix('Thị trấn Sa Pa', new Set(['SP']))).toBe('SPA');
  });
});
