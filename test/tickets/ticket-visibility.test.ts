// The visibility rule is written once and rendered three ways (a predicate for loaded rows, a
// Prisma filter, an SQL condition for the inbox search): over a grid of tickets and viewers the
// three must agree, and agree with who the rule says may read a denunciation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma, type PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { accessWith, clearanceOf, fullAccessSql, fullAccessWhere, mayShareAnswer, type Viewer } from '../../src/tickets/ticket-visibility.ts';
import { searchTickets } from '../../src/tickets/ticket-search.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let communeId = '';
let otherCommuneId = '';
const ids: Record<string, string> = {};
const tickets: Record<string, string> = {};

beforeAll(async () => {
  db = await openMigratedTestDatabase('visibility');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  // The demo commune is in the demo province (its Sở viewer is 'giamsat'); a neighbour commune is
  // in the same province; the other commune is in another province.
  const provinceA = (await prisma.commune.findUniqueOrThrow({ where: { id: communeId } })).provinceId!;
  const provinceB = await prisma.province.create({ data: { code: 'tinh-khac', name: 'Tỉnh Khác' } });
  otherCommuneId = (await prisma.commune.create({ data: { name: 'Xã khác', code: '99955', provinceId: provinceB.id } })).id;
  const neighbourId = (await prisma.commune.create({ data: { name: 'Xã cùng tỉnh', code: '99956', provinceId: provinceA } })).id;
  for (const s of await prisma.staff.findMany()) ids[s.username] = s.id;
  ids.stranger = (await prisma.staff.create({ data: { communeId: otherCommuneId, username: 'la-mat', displayName: 'Người xã khác', roles: ['admin'], isLeader: true } })).id;
  ids.neighbourLeader = (await prisma.staff.create({ data: { communeId: neighbourId, username: 'ct-cung-tinh', displayName: 'Chủ tịch xã cùng tỉnh', roles: ['admin'], isLeader: true } })).id;
  // Province staff with every province role, marked leader and given an Assignment for the
  // complaints field in the demo commune: none of it clears them for a denunciation.
  ids.provinceAll = (await prisma.staff.create({ data: { username: 'tinh-du-vai', displayName: 'Tỉnh đủ vai trò', roles: ['admin'], isLeader: true, provinceId: provinceA, provinceRoles: ['viewer', 'editor', 'approver', 'admin'] } })).id;
  ids.provinceB = (await prisma.staff.create({ data: { username: 'so-tinh-khac', displayName: 'Sở tỉnh khác', roles: [], provinceId: provinceB.id, provinceRoles: ['viewer'] } })).id;
  ids.retired = (await prisma.staff.create({ data: { communeId, username: 'nghi-huu', displayName: 'Đã nghỉ', roles: ['responder'], isLeader: false, active: false } })).id;
  const complaints = await prisma.category.findUniqueOrThrow({ where: { code: 'KHIEU_NAI_TO_CAO' } });
  const roads = await prisma.category.findUniqueOrThrow({ where: { code: 'HA_TANG' } });
  let n = 0;
  const make = async (key: string, data: { communeId?: string; confidential: boolean; categoryId: string | null; assigneeId?: string | null }) => {
    n += 1;
    const c = data.communeId ?? communeId;
    const resident = await prisma.resident.create({ data: { communeId: c } });
    const t = await prisma.ticket.create({
      data: { code: `PA-2026-${60000 + n}`, communeId: c, year: 2026, seq: 60000 + n, residentId: resident.id, channel: 'telegram', confidential: data.confidential, categoryId: data.categoryId, assigneeId: data.assigneeId ?? null, subject: `lo van sau ${key}` },
    });
    tickets[key] = t.id;
  };
  await make('plain', { confidential: false, categoryId: roads.id });
  await make('denunciation', { confidential: true, categoryId: complaints.id });
  // Moved out of the complaints field, it stays confidential; its assignee reads it.
  await make('moved', { confidential: true, categoryId: roads.id, assigneeId: ids.yte! });
  // No field at all: only the leader and the assignee, not everyone with some assignment.
  await make('unfiled', { confidential: true, categoryId: null });
  await make('elsewhere', { communeId: otherCommuneId, confidential: false, categoryId: roads.id });
  await make('neighbour', { communeId: neighbourId, confidential: false, categoryId: roads.id });
  await make('neighbourDenunciation', { communeId: neighbourId, confidential: true, categoryId: complaints.id });
  // A denunciation "assigned" to a province account: still not theirs to read.
  await make('assignedUp', { confidential: true, categoryId: complaints.id, assigneeId: ids.provinceAll });
  await prisma.assignment.create({ data: { communeId, categoryId: complaints.id, staffId: ids.provinceAll } });
});
afterAll(async () => {
  await db?.close();
});

async function viewerOf(username: string): Promise<Viewer> {
  const staff = await prisma.staff.findUniqueOrThrow({ where: { id: ids[username]! } });
  return { kind: 'staff', staff };
}

const name = (id: string) => Object.entries(tickets).find(([, v]) => v === id)![0];

describe('one visibility rule', () => {
  const expected: Record<string, string[]> = {
    chutich: ['assignedUp', 'denunciation', 'moved', 'plain', 'unfiled'], // the leader
    phochutich: ['assignedUp', 'denunciation', 'plain'], // designated for the complaints field
    yte: ['moved', 'plain'], // the assignee of one
    diachinh: ['moved', 'plain'], // designated for roads: reads the confidential one moved to roads
    congan: ['plain'], // a responder of another field
    quantri: ['plain'], // an admin is not cleared by being admin
    giamsat: ['neighbour', 'plain'], // the province viewer: every commune of the province, placeholders for confidential ones
    provinceAll: ['neighbour', 'plain'], // no province role, leader flag, assignment or assignee clears province staff
    provinceB: ['elsewhere'], // another province's viewer: only its province
    neighbourLeader: ['neighbour', 'neighbourDenunciation'], // a commune of the same province sees nothing of this one
    stranger: ['elsewhere'],
    retired: [],
  };

  it('predicate, Prisma filter and SQL agree for every viewer, and match the rule', async () => {
    for (const [username, want] of Object.entries(expected)) {
      const c = await clearanceOf(prisma, await viewerOf(username));
      const rows = await prisma.ticket.findMany({ where: { id: { in: Object.values(tickets) } } });
      const byPredicate = rows.filter((t) => accessWith(c, t) === 'full').map((t) => name(t.id)).sort();
      const byPrisma = (await prisma.ticket.findMany({ where: { AND: [fullAccessWhere(c), { id: { in: Object.values(tickets) } }] } })).map((t) => name(t.id)).sort();
      const bySql = (await prisma.$queryRaw<Array<{ id: string }>>`SELECT t.id FROM "Ticket" t WHERE ${fullAccessSql(c)} AND t.id IN (${Prisma.join(Object.values(tickets).map((id) => Prisma.sql`${id}::uuid`))})`).map((t) => name(t.id)).sort();
      expect({ username, byPredicate }).toEqual({ username, byPredicate: want });
      expect({ username, byPrisma }).toEqual({ username, byPrisma: want });
      expect({ username, bySql }).toEqual({ username, bySql: want });
    }
  });

  it('masks, rather than hides, a confidential ticket for commune staff and oversight; other communes see nothing', async () => {
    const rows = await prisma.ticket.findMany({ where: { id: { in: [tickets.denunciation!, tickets.elsewhere!] } } });
    const d = rows.find((t) => t.id === tickets.denunciation)!;
    const e = rows.find((t) => t.id === tickets.elsewhere)!;
    expect(accessWith(await clearanceOf(prisma, await viewerOf('diachinh')), d)).toBe('masked');
    expect(accessWith(await clearanceOf(prisma, await viewerOf('giamsat')), d)).toBe('masked');
    expect(accessWith(await clearanceOf(prisma, { kind: 'group', communeId }), d)).toBe('masked');
    expect(accessWith(await clearanceOf(prisma, { kind: 'api', communeId }), d)).toBe('masked');
    expect(accessWith(await clearanceOf(prisma, await viewerOf('diachinh')), e)).toBe('none');
    expect(accessWith(await clearanceOf(prisma, await viewerOf('stranger')), d)).toBe('none');
  });

  it('province staff get the placeholder for every confidential ticket of their province, nothing of another province', async () => {
    const rows = await prisma.ticket.findMany({ where: { id: { in: Object.values(tickets) } } });
    const access = async (username: string) => {
      const c = await clearanceOf(prisma, await viewerOf(username));
      return Object.fromEntries(rows.map((t) => [name(t.id), accessWith(c, t)]));
    };
    const province = { plain: 'full', neighbour: 'full', denunciation: 'masked', moved: 'masked', unfiled: 'masked', assignedUp: 'masked', neighbourDenunciation: 'masked', elsewhere: 'none' };
    expect(await access('giamsat')).toEqual(province);
    expect(await access('provinceAll')).toEqual(province);
    const none = Object.fromEntries(Object.keys(province).map((k) => [k, 'none']));
    expect(await access('provinceB')).toEqual({ ...none, elsewhere: 'full' });
    // Province staff search a commune of the province, and find a denunciation by its words never.
    const neighbour = rows.find((t) => t.id === tickets.neighbour)!.communeId;
    const found = async (username: string, commune: string) =>
      (await searchTickets(prisma, commune, { q: 'Lò Văn Sáu', visibleTo: await clearanceOf(prisma, await viewerOf(username)) })).map((r) => name(r.id)).sort();
    expect(await found('provinceAll', communeId)).toEqual(['plain']);
    expect(await found('giamsat', neighbour)).toEqual(['neighbour']);
    expect(await found('provinceB', neighbour)).toEqual([]);
    expect(await found('neighbourLeader', communeId)).toEqual([]);
  });

  it('the inbox search finds a denunciation by its words only for those cleared for it', async () => {
    const found = async (username: string) =>
      (await searchTickets(prisma, communeId, { q: 'Lò Văn Sáu', visibleTo: await clearanceOf(prisma, await viewerOf(username)) })).map((r) => name(r.id)).sort();
    expect(await found('congan')).toEqual(['plain']);
    expect(await found('phochutich')).toEqual(['assignedUp', 'denunciation', 'plain']);
    expect(await found('chutich')).toEqual(['assignedUp', 'denunciation', 'moved', 'plain', 'unfiled']);
  });

  it('answers cross between tickets only when neither is confidential, or it is the same resident', () => {
    expect(mayShareAnswer({ confidential: false, residentId: 'a' }, { confidential: false, residentId: 'b' })).toBe(true);
    expect(mayShareAnswer({ confidential: true, residentId: 'a' }, { confidential: false, residentId: 'b' })).toBe(false);
    expect(mayShareAnswer({ confidential: false, residentId: 'a' }, { confidential: true, residentId: 'b' })).toBe(false);
    expect(mayShareAnswer({ confidential: true, residentId: 'a' }, { confidential: true, residentId: 'a' })).toBe(true);
  });
});
