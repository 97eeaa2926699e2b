// Whoever is designated for the complaints and denunciations field (or made the leader) reads every
// denunciation of the commune. An admin could give himself that right in two clicks, audited but
// told to nobody: now the leader (or, when the leader is the one changed, the one replaced) is told
// in the web admin and the admin chat hears of it, so a second person always knows.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import type { Database } from '../../src/db/database.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { ensureChannelAccount } from '../../src/tickets/channel-accounts.ts';
import { sendDirectJob } from '../../src/tickets/ticket-jobs.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { form, sessionFor } from '../support/staff-session.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
const ids: Record<string, string> = {};
const jobs: Array<{ name: string; data: Record<string, unknown>; jobId?: string }> = [];
const ADMIN_CHAT = '-1009876543';

beforeAll(async () => {
  db = await openMigratedTestDatabase('designation');
  prisma = db.prisma;
  await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
  for (const s of await prisma.staff.findMany()) ids[s.username] = s.id;
  await ensureChannelAccount(prisma, { platform: 'telegram', name: 'bot-xa', adminChatId: ADMIN_CHAT });
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    admin: {
      prisma,
      secureCookies: false,
      enqueue: async (def, data, opts) => {
        jobs.push({ name: def.name, data: data as Record<string, unknown>, ...(opts?.jobId ? { jobId: opts.jobId } : {}) });
        return 'job';
      },
      cancelJob: async () => true,
    },
  });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

async function postAs(username: string, url: string, fields: Record<string, string>) {
  const s = await sessionFor(prisma, ids[username]!);
  return app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(s, fields) });
}
async function dashboardOf(username: string) {
  const s = await sessionFor(prisma, ids[username]!);
  return (await app.inject({ method: 'GET', url: '/admin/tong-quan', headers: { cookie: s.cookie } })).body;
}
const groupNotices = () => jobs.filter((j) => j.name === sendDirectJob.name && j.data.chatId === ADMIN_CHAT).map((j) => String(j.data.text));

describe('designating someone for the confidential field', () => {
  it('an admin who designates himself: the leader is told in the web admin, the admin chat hears it, the audit says so', async () => {
    const complaints = await prisma.category.findUniqueOrThrow({ where: { code: 'KHIEU_NAI_TO_CAO' } });
    const r = await postAs('quantri', '/admin/phan-cong', { staffId: ids.quantri!, categoryId: complaints.id });
    expect(r.statusCode).toBe(303);
    const leaderPage = await dashboardOf('chutich');
    expect(leaderPage).toContain('Nguyễn Văn Quản');
    expect(leaderPage).toContain('Khiếu nại, tố cáo');
    expect(groupNotices().some((t) => t.includes('Nguyễn Văn Quản') && t.includes('Khiếu nại, tố cáo'))).toBe(true);
    expect(await prisma.auditLog.count({ where: { action: 'staff.confidential_designation', entityId: ids.quantri! } })).toBe(1);
    // Nobody else's Tổng quan carries it; only the leader can mark it read.
    expect(await dashboardOf('diachinh')).not.toContain('Nguyễn Văn Quản đã phân công');
    const notice = await prisma.staffNotice.findFirstOrThrow({ where: { staffId: ids.chutich! } });
    expect((await postAs('diachinh', `/admin/thong-bao/${notice.id}/da-xem`, {})).statusCode).toBe(404);
    expect((await postAs('chutich', `/admin/thong-bao/${notice.id}/da-xem`, {})).statusCode).toBe(303);
    expect(await dashboardOf('chutich')).not.toContain('Nguyễn Văn Quản đã phân công');
  });

  it('an ordinary field tells nobody', async () => {
    const before = jobs.length;
    const farming = await prisma.category.findUniqueOrThrow({ where: { code: 'NONG_NGHIEP' } });
    expect((await postAs('quantri', '/admin/phan-cong', { staffId: ids.yte!, categoryId: farming.id })).statusCode).toBe(303);
    expect(jobs.slice(before).filter((j) => j.name === sendDirectJob.name)).toEqual([]);
    expect(await prisma.auditLog.count({ where: { action: 'staff.confidential_designation', entityId: ids.yte! } })).toBe(0);
  });

  it('an admin who makes himself the leader: the leader he replaces is told', async () => {
    const r = await postAs('quantri', `/admin/can-bo/${ids.quantri}/sua`, { displayName: 'Nguyễn Văn Quản', roles: 'admin', isLeader: '1', active: '1' });
    expect(r.statusCode).toBe(303);
    const former = await dashboardOf('chutich');
    expect(former).toContain('lãnh đạo');
    expect(groupNotices().filter((t) => t.includes('lãnh đạo') && t.includes('Nguyễn Văn Quản')).length).toBeGreaterThan(0);
    expect(await prisma.auditLog.count({ where: { action: 'staff.confidential_designation', entityId: ids.quantri!, data: { path: ['as'], equals: 'leader' } } })).toBe(1);
  });
});
