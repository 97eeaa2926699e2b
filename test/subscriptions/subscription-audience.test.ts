// Staff choose "subscribers of villages X, Y / topic Z" as a bulletin's audience: stored as one row
// per village × topic, empty lists meaning every village / topic; an unknown topic, another
// commune's village or a malformed body is refused with a precise error; the run resolves it only
// to residents who still consent, are not blocked and are reachable on a private-chat channel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { createBulletinWorkflow, type BulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { startRun } from '../../broadcasts/fanout/start-run.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let wf: BulletinWorkflow;
let communeId = '';
const staff: Record<string, string> = {};
const village: Record<string, string> = {};

beforeAll(async () => {
  db = await openMigratedTestDatabase('subaudience');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
  for (const v of await prisma.village.findMany({ where: { communeId } })) village[v.name] = v.id;
  wf = createBulletinWorkflow(prisma);
});
afterAll(async () => {
  await db?.close();
});

const as = (u: string) => ({ staffId: staff[u]! });
const draft = () => wf.createDraft(as('vanhoa'), { communeId, title: 'Lịch tiêm chủng', text: 'Trạm Y tế xã thông báo lịch tiêm chủng.' });

async function subscriber(userId: string, villageName: string, topics: string[], resident: { consent?: boolean; blocked?: boolean } = {}, platform: 'telegram' | 'zalo' | 'zalo_bot' = 'telegram') {
  const r = await prisma.resident.create({ data: { communeId, consentGivenAt: resident.consent === false ? null : new Date(), blocked: resident.blocked ?? false } });
  const i = await prisma.residentIdentity.create({ data: { residentId: r.id, platform, platformUserId: userId, platformChatId: userId } });
  await prisma.subscription.create({ data: { communeId, residentId: r.id, residentIdentityId: i.id, villageId: village[villageName]!, topics } });
  return r.id;
}

describe('subscribers as a bulletin audience', () => {
  it('stores villages × topics, and empty lists as every village / topic', async () => {
    const b = await draft();
    expect(await wf.setAudience(as('vanhoa'), b.id, { subscribers: { villageIds: [village['Thôn 1']!, village['Thôn 2']!], topics: ['Y_TE', 'THIEN_TAI'] } })).toBe(4);
    const rows = await prisma.bulletinAudience.findMany({ where: { bulletinId: b.id } });
    expect(rows.every((r) => r.kind === 'subscribers')).toBe(true);
    expect(rows.map((r) => `${r.villageId === village['Thôn 1'] ? 1 : 2}:${r.topicCode}`).sort()).toEqual(['1:THIEN_TAI', '1:Y_TE', '2:THIEN_TAI', '2:Y_TE']);
    expect(await wf.setAudience(as('vanhoa'), b.id, { all: true, subscribers: {} })).toBe(2);
    const again = await prisma.bulletinAudience.findMany({ where: { bulletinId: b.id, kind: 'subscribers' } });
    expect(again.map((r) => [r.villageId, r.topicCode])).toEqual([[null, null]]);
  });

  it('refuses an unknown topic and another commune\'s village, precisely', async () => {
    const b = await draft();
    await expect(wf.setAudience(as('vanhoa'), b.id, { subscribers: { topics: ['BONG_DA'] } })).rejects.toMatchObject({ code: 'VALIDATION', details: { field: 'subscribers.topics' } });
    const other = await prisma.commune.create({ data: { code: 'xa-khac-sub', name: 'Xã Khác', villages: { create: [{ name: 'Thôn Khác' }] } }, include: { villages: true } });
    await expect(wf.setAudience(as('vanhoa'), b.id, { subscribers: { villageIds: [other.villages[0]!.id] } })).rejects.toMatchObject({ code: 'VALIDATION', details: { field: 'subscribers.villageIds' } });
    expect(await prisma.bulletinAudience.count({ where: { bulletinId: b.id } })).toBe(0);
  });

  it('a run reaches consenting, reachable subscribers on private-chat channels only, one row per resident', async () => {
    const ok = await subscriber('a-1', 'Thôn 3', []);
    const health = await subscriber('a-2', 'Thôn 3', ['Y_TE', 'NONG_NGHIEP']);
    await subscriber('a-3', 'Thôn 3', ['NONG_NGHIEP']);
    await subscriber('a-4', 'Thôn 3', [], { consent: false });
    await subscriber('a-5', 'Thôn 3', [], { blocked: true });
    await subscriber('a-6', 'Thôn 3', [], {}, 'zalo');
    const unreachable = await subscriber('a-7', 'Thôn 3', []);
    await prisma.residentIdentity.updateMany({ where: { residentId: unreachable }, data: { unreachableAt: new Date() } });
    const zaloBot = await subscriber('a-8', 'Thôn 4', [], {}, 'zalo_bot');
    // The same resident in two villages of the audience: still one delivery.
    const identity = await prisma.residentIdentity.findFirstOrThrow({ where: { residentId: ok } });
    await prisma.subscription.create({ data: { communeId, residentId: ok, residentIdentityId: identity.id, villageId: village['Thôn 4']!, topics: [] } });

    const b = await draft();
    await wf.setAudience(as('vanhoa'), b.id, { subscribers: { villageIds: [village['Thôn 3']!, village['Thôn 4']!], topics: ['Y_TE'] } });
    await wf.submit(as('vanhoa'), b.id);
    await wf.approve(as('chutich'), b.id);
    const run = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date('2026-12-05T01:00:00Z') });
    const rows = await prisma.delivery.findMany({ where: { runId: run.runId } });
    expect(rows.map((r) => r.residentId).sort()).toEqual([ok, health, zaloBot].sort());
    expect(rows.every((r) => r.subscriptionId && r.residentIdentityId && !r.targetId && !r.endpointId)).toBe(true);
    // The same firing again is the same run, nothing added.
    const again = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date('2026-12-05T01:00:00Z') });
    expect(again.created).toBe(false);
    expect(await prisma.delivery.count({ where: { runId: run.runId } })).toBe(3);
  });
});
