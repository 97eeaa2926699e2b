// The migrated database is exactly what schema.prisma describes: the committed SQL migrations
// were written offline, so this is what catches a model edited without a new migration.
// Two independent readings of the schema are compared with the live catalog of a database
// migrated by the application's own migrator, then every model is written and read back through
// the generated client.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

interface SchemaField {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  /** The @db.X native type, when the field names one. */
  native?: string;
}
interface ParsedSchema {
  models: Map<string, SchemaField[]>;
  enums: Map<string, string[]>;
}

/** Reads model scalar/enum fields and enums from schema.prisma (relation fields left out). */
function parseSchema(text: string): ParsedSchema {
  const models = new Map<string, SchemaField[]>();
  const enums = new Map<string, string[]>();
  const blocks = text.replace(/\/\/.*$/gm, '').matchAll(/^(model|enum)\s+(\w+)\s*\{([\s\S]*?)^\}/gm);
  const raw: Array<[string, string, string]> = [...blocks].map((m) => [m[1]!, m[2]!, m[3]!]);
  for (const [kind, name, body] of raw) {
    if (kind === 'enum') enums.set(name, body.split('\n').map((l) => /^\s*(\w+)(?:\s+@map\("([^"]+)"\))?\s*$/.exec(l)).filter((m) => m !== null).map((m) => m[2] ?? m[1]!));
  }
  const modelNames = new Set(raw.filter(([k]) => k === 'model').map(([, n]) => n));
  for (const [kind, name, body] of raw) {
    if (kind !== 'model') continue;
    const fields: SchemaField[] = [];
    for (const line of body.split('\n')) {
      const m = /^\s+(\w+)\s+(\w+)(\?|\[\])?/.exec(line);
      if (!m) continue;
      const [, field, type, mod] = m;
      if (modelNames.has(type!)) continue; // relation field, not a column
      const native = /@db\.(\w+)/.exec(line)?.[1];
      fields.push({ name: field!, type: type!, optional: mod === '?', list: mod === '[]', ...(native ? { native } : {}) });
    }
    models.set(name, fields);
  }
  return { models, enums };
}

const NATIVE_TYPES: Record<string, string> = { Uuid: 'uuid', Timestamptz: 'timestamptz', Date: 'date', VarChar: 'varchar', Text: 'text', SmallInt: 'int2', Char: 'bpchar' };
const SQL_TYPES: Record<string, string[]> = {
  String: ['text'],
  Int: ['int4'],
  BigInt: ['int8'],
  Float: ['float8'],
  Boolean: ['bool'],
  DateTime: ['timestamptz'],
  Json: ['jsonb'],
  Bytes: ['bytea'],
};

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let schema: ParsedSchema;

beforeAll(async () => {
  db = await openMigratedTestDatabase('schema', 4);
  prisma = db.prisma;
  schema = parseSchema(await readFile(fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url)), 'utf8'));
});
afterAll(async () => {
  await db?.close();
});

describe('migrated database vs schema.prisma', () => {
  it('the generated client and the schema file list the same models and columns', async () => {
    // The generated client's own data model is the second reading of the schema.
    const { Prisma } = await import('../../src/db/generated/client.ts');
    const modelNames = Object.values(Prisma.ModelName).sort();
    expect(modelNames).toEqual([...schema.models.keys()].sort());
    for (const model of modelNames) {
      const fieldEnum = (Prisma as unknown as Record<string, Record<string, string>>)[`${model}ScalarFieldEnum`];
      expect(Object.keys(fieldEnum ?? {}).sort(), model).toEqual(schema.models.get(model)!.map((f) => f.name).sort());
    }
  });

  it('every table has exactly the schema columns, with the right type, nullability and array-ness', async () => {
    const { rows } = await db.pool.query<{ table_name: string; column_name: string; is_nullable: string; data_type: string; udt_name: string }>(
      `SELECT table_name, column_name, is_nullable, data_type, udt_name FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const tables = new Set(rows.map((r) => r.table_name));
    tables.delete('_prisma_migrations');
    expect([...tables].sort()).toEqual([...schema.models.keys()].sort());

    const problems: string[] = [];
    for (const [model, fields] of schema.models) {
      const cols = rows.filter((r) => r.table_name === model);
      const colNames = cols.map((c) => c.column_name).sort();
      const want = fields.map((f) => f.name).sort();
      if (JSON.stringify(colNames) !== JSON.stringify(want)) problems.push(`${model}: columns ${colNames.join(',')} ≠ ${want.join(',')}`);
      for (const f of fields) {
        const c = cols.find((x) => x.column_name === f.name);
        if (!c) continue;
        const nullable = c.is_nullable === 'YES';
        // Prisma creates scalar-list columns without NOT NULL (its own convention).
        if (nullable !== (f.optional || f.list)) problems.push(`${model}.${f.name}: nullable ${nullable}, schema ${f.optional}`);
        const isArray = c.data_type === 'ARRAY';
        if (isArray !== f.list) problems.push(`${model}.${f.name}: array ${isArray}, schema ${f.list}`);
        const udt = isArray ? c.udt_name.replace(/^_/, '') : c.udt_name;
        const expected = schema.enums.has(f.type) ? [f.type] : f.native ? [NATIVE_TYPES[f.native] ?? f.native.toLowerCase()] : SQL_TYPES[f.type];
        if (!expected?.includes(udt)) problems.push(`${model}.${f.name}: type ${udt}, schema ${f.type}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every enum type has exactly the schema values, in order', async () => {
    const { rows } = await db.pool.query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)::text[] AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    const live = Object.fromEntries(rows.map((r) => [r.typname, r.labels]));
    expect(live).toEqual(Object.fromEntries(schema.enums));
  });

  it('every model can be written and read back through the generated client', async () => {
    const demo = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
    const commune = await prisma.commune.findUniqueOrThrow({ where: { id: demo.communeId }, include: { villages: true } });
    const village = commune.villages[0]!;
    const staff = await prisma.staff.findFirstOrThrow({ where: { communeId: commune.id, roles: { has: 'responder' } } });
    const category = await prisma.category.findFirstOrThrow({ where: { code: { not: 'KHAC' } } });
    const target = await prisma.target.findFirstOrThrow({ where: { communeId: commune.id } });
    const endpoint = await prisma.endpoint.findFirstOrThrow({ where: { communeId: commune.id } });
    const slot = await prisma.broadcastSlot.findFirstOrThrow({ where: { communeId: commune.id } });

    const account = await prisma.channelAccount.create({
      data: { communeId: commune.id, platform: 'zalo', name: 'Zalo xã', credentialsEnc: 'v1:a:b:c', settings: { perHour: 30 } },
    });
    await prisma.staffIdentity.create({ data: { staffId: staff.id, platform: 'telegram', platformUserId: '1001', displayName: 'Cán bộ' } });
    await prisma.staffSession.create({
      data: { staffId: staff.id, tokenHash: 'h'.repeat(64), csrfToken: 'c'.repeat(32), expiresAt: new Date(Date.now() + 3600_000) },
    });
    const resident = await prisma.resident.create({
      data: { communeId: commune.id, displayName: 'Bà Tư', phone: '0912345678', villageId: village.id, consentGivenAt: new Date() },
    });
    await prisma.residentIdentity.create({
      data: { residentId: resident.id, platform: 'zalo', platformUserId: 'z-1', platformChatId: 'z-1', channelAccountId: account.id },
    });
    await prisma.classificationRule.create({ data: { communeId: commune.id, categoryId: category.id, kind: 'keyword', pattern: 'đường', weight: 1.5 } });
    await prisma.ticketCounter.create({ data: { communeId: commune.id, year: 2026, lastSeq: 1 } });
    const ticket = await prisma.ticket.create({
      data: {
        code: 'PA-2026-00001', communeId: commune.id, year: 2026, seq: 1, residentId: resident.id, villageId: village.id,
        categoryId: category.id, channel: 'zalo', assigneeId: staff.id, dueAt: new Date(), confidential: true,
      },
    });
    const inbound = await prisma.inboundMessage.create({
      data: { channel: 'zalo', channelAccountId: account.id, platformChatId: 'z-1', platformMessageId: 'm-1', platformUserId: 'z-1', payload: { text: 'Đường hỏng' } },
    });
    await prisma.ticketMessage.create({
      data: { ticketId: ticket.id, direction: 'inbound', channel: 'zalo', platformMessageId: 'm-1', text: 'Đường hỏng', attachments: [], channelAccountId: account.id },
    });
    await prisma.ticketEvent.create({ data: { ticketId: ticket.id, type: 'created', actorKind: 'resident', toStatus: 'new' } });
    await prisma.ticketAdminPost.create({ data: { ticketId: ticket.id, platform: 'telegram', platformChatId: '-100', platformMessageId: '7' } });
    await prisma.faqEntry.create({ data: { communeId: commune.id, categoryId: category.id, question: 'Hỏi?', answer: 'Đáp.', publishedById: staff.id, sourceTicketId: ticket.id } });
    await prisma.mediaFile.create({ data: { sha256: 'a'.repeat(64), mime: 'audio/mpeg', size: 1024, path: 'media/aa.mp3' } });
    const apiKey = await prisma.apiKey.create({ data: { communeId: commune.id, name: 'Tỉnh', keyHash: 'k'.repeat(64), keyPrefix: 'lx_abc' } });
    const bulletin = await prisma.bulletin.create({ data: { communeId: commune.id, title: 'Lịch tiêm phòng', authorId: staff.id, apiKeyId: apiKey.id } });
    const version = await prisma.bulletinVersion.create({ data: { bulletinId: bulletin.id, revision: 1, language: 'vi', text: 'Nội dung', createdById: staff.id } });
    await prisma.approval.create({ data: { bulletinId: bulletin.id, revision: 1, approverId: staff.id, decision: 'approved', comment: 'Được' } });
    await prisma.bulletinAudience.create({ data: { bulletinId: bulletin.id, kind: 'village', villageId: village.id } });
    const schedule = await prisma.schedule.create({ data: { bulletinId: bulletin.id, kind: 'recurring', slotId: slot.id, daysOfWeek: [1, 2, 3, 4, 5] } });
    const run = await prisma.broadcastRun.create({ data: { bulletinId: bulletin.id, revision: 1, scheduleId: schedule.id, scheduledFor: new Date() } });
    const faq = await prisma.faqEntry.findFirstOrThrow({ where: { sourceTicketId: ticket.id } });
    await prisma.qaItem.create({ data: { bulletinId: bulletin.id, ticketId: ticket.id, position: 0, question: 'Hỏi?', answer: 'Đáp.', faqEntryId: faq.id, notifiedAt: new Date() } });
    await prisma.delivery.create({ data: { runId: run.id, bulletinVersionId: version.id, targetId: target.id } });
    await prisma.delivery.create({ data: { runId: run.id, bulletinVersionId: version.id, endpointId: endpoint.id } });
    await prisma.auditLog.create({ data: { communeId: commune.id, actorKind: 'staff', actorStaffId: staff.id, action: 'test.write', entityType: 'Ticket', entityId: ticket.id, data: { ok: true } } });
    await prisma.bulletinChatPost.create({ data: { bulletinId: bulletin.id, platform: 'telegram', platformChatId: '-100', platformMessageId: '8', purpose: 'announcement', accountName: 'bot' } });
    await prisma.staffLinkCode.create({ data: { staffId: staff.id, codeHash: 'c'.repeat(64), expiresAt: new Date(), createdById: staff.id } });
    await prisma.loginThrottle.create({ data: { key: 'k'.repeat(64), attempts: 3, failures: 2, blockedUntil: new Date() } });
    await prisma.processLease.create({ data: { name: 'reconcile', holder: 'test', expiresAt: new Date(), lastResult: { deliveries: 0 } } });
    await prisma.classificationExample.create({ data: { communeId: commune.id, ticketId: ticket.id, text: 'Đường hỏng', fromCategory: 'KHAC', toCategory: 'HA_TANG', staffId: staff.id } });
    await prisma.classifierModel.create({
      data: { communeId: commune.id, version: 1, exampleCount: 40, heldOutCount: 10, heldOutAccuracy: 0.9, modelAccuracy: 0.8, rulesAccuracy: 0.85, active: true, decision: 'activated', weights: { format: 'nb-1' } },
    });
    // The migration's own guarantee: one active version per commune.
    await expect(
      prisma.classifierModel.create({ data: { communeId: commune.id, version: 2, exampleCount: 40, heldOutCount: 10, heldOutAccuracy: 0.9, modelAccuracy: 0.8, rulesAccuracy: 0.85, active: true, decision: 'activated', weights: {} } }),
    ).rejects.toThrow();
    await prisma.quarantinedUpdate.create({ data: { channel: 'telegram', accountKey: account.id, updateKey: '42', raw: '{"update_id":42}', error: 'lỗi', quarantinedAt: new Date() } });
    await prisma.staffNotice.create({ data: { communeId: commune.id, staffId: staff.id, kind: 'confidential_field', text: 'Thông báo', data: { staffId: staff.id } } });

    await prisma.oaFollower.create({ data: { channelAccountId: account.id, userId: 'f-1', followedAt: new Date(), lastEventAt: new Date(), tags: ['thon-1'] } });
    await prisma.oaTagVillage.create({ data: { channelAccountId: account.id, tag: 'thon-1', villageId: village.id } });
    await prisma.oaQuota.create({ data: { channelAccountId: account.id, monthlyLimit: 2000 } });
    await prisma.oaQuotaMonth.create({ data: { channelAccountId: account.id, month: '2026-12', used: 1 } });
    await prisma.oaBroadcastReceipt.create({ data: { channelAccountId: account.id, userId: 'f-1', day: '2026-12-03' } });
    await prisma.target.create({ data: { communeId: commune.id, kind: 'zalo_oa_followers', name: 'Người theo dõi OA', villageId: village.id, channelAccountId: account.id } });
    const subIdentity = await prisma.residentIdentity.create({ data: { residentId: resident.id, platform: 'telegram', platformUserId: 'sub-1', platformChatId: 'sub-1' } });
    const subscription = await prisma.subscription.create({ data: { communeId: commune.id, residentId: resident.id, residentIdentityId: subIdentity.id, villageId: village.id, topics: ['Y_TE'] } });
    await prisma.bulletinAudience.create({ data: { bulletinId: bulletin.id, kind: 'subscribers', villageId: village.id, topicCode: 'Y_TE' } });
    await prisma.delivery.create({ data: { runId: run.id, bulletinVersionId: version.id, residentId: resident.id, residentIdentityId: subIdentity.id, subscriptionId: subscription.id } });
    const provinceBulletin = await prisma.provinceBulletin.create({ data: { provinceId: commune.provinceId!, title: 'Bản tin của tỉnh', text: 'Nội dung', authorId: staff.id } });
    await prisma.provinceBulletinCommune.create({ data: { provinceBulletinId: provinceBulletin.id, communeId: commune.id, villageIds: [village.id], bulletinId: bulletin.id } });
    await prisma.provinceBulletinRecording.create({ data: { provinceBulletinId: provinceBulletin.id, language: 'bdq', audioSha256: 'a'.repeat(64), createdById: staff.id } });
    // One recording per language of a province bulletin.
    await expect(prisma.provinceBulletinRecording.create({ data: { provinceBulletinId: provinceBulletin.id, language: 'bdq', audioSha256: 'b'.repeat(64) } })).rejects.toThrow();
    const survey = await prisma.survey.create({ data: { communeId: commune.id, title: 'Khảo sát', opensAt: new Date(), closesAt: new Date(), authorId: staff.id, writerIds: [staff.id] } });
    const question = await prisma.surveyQuestion.create({ data: { surveyId: survey.id, position: 1, kind: 'choice', text: 'Hài lòng?', choices: ['Có', 'Không'] } });
    await prisma.surveyAudience.create({ data: { surveyId: survey.id, kind: 'closed_tickets', periodFrom: '2026-07-01', periodTo: '2026-09-30', villageIds: [village.id] } });
    await prisma.surveyInvitation.create({ data: { surveyId: survey.id, residentId: resident.id, platform: 'telegram', accountName: 'bot', platformChatId: '1' } });
    const response = await prisma.surveyResponse.create({ data: { surveyId: survey.id, residentId: resident.id, villageId: village.id, via: 'web' } });
    await prisma.surveyAnswer.create({ data: { responseId: response.id, questionId: question.id, value: 1, answeredAt: new Date() } });
    // One response per resident per survey.
    await expect(prisma.surveyResponse.create({ data: { surveyId: survey.id, residentId: resident.id, via: 'telegram' } })).rejects.toThrow();
    // Read every model back through the client: each has at least one row.
    const { Prisma } = await import('../../src/db/generated/client.ts');
    const empty: string[] = [];
    for (const model of Object.values(Prisma.ModelName)) {
      const delegate = (prisma as unknown as Record<string, { findMany(a: unknown): Promise<unknown[]> }>)[model.charAt(0).toLowerCase() + model.slice(1)];
      const found = await delegate!.findMany({ take: 1 });
      if (found.length === 0) empty.push(model);
    }
    expect(empty).toEqual([]);

    // Round-trips that matter: Vietnamese text, JSON, arrays, timestamps in UTC.
    const back = await prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id }, include: { messages: true, resident: true } });
    expect(back.resident.displayName).toBe('Bà Tư');
    expect(back.messages[0]!.text).toBe('Đường hỏng');
    expect(back.confidential).toBe(true);
    const inboundBack = await prisma.inboundMessage.findUniqueOrThrow({ where: { id: inbound.id } });
    expect(inboundBack.payload).toEqual({ text: 'Đường hỏng' });
  });
});
