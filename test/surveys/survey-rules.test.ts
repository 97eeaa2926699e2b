// The rules of a survey against bad input: the web form's signed link tampered with (another
// resident's or survey's id, a changed signature) or reused (from the resident's second phone: the
// same one response, changed; after the close: refused), answering twice (a change, still one response), after the close ("khảo sát
// đã kết thúc"), the survey section of the quarterly report page, a typed answer empty or huge, an optional question skipped and a required one
// left out, concurrent answers, staff of another commune or an oversight account acting, questions
// malformed or changed after approval.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient, Survey } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import type { Database } from '../../src/db/database.ts';
import { silentLogger } from '../../src/logger.ts';
import { createSurveyWorkflow } from '../../src/surveys/survey-workflow.ts';
import { createSurveyLinkSigner } from '../../src/surveys/survey-link.ts';
import { answerQuestion } from '../../src/surveys/survey-answers.ts';
import { surveyTick } from '../../src/surveys/survey-tick.ts';
import { isAppError } from '../../src/errors.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { sessionFor } from '../support/staff-session.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let communeId = '';
let staff: Record<string, string> = {};
let survey: Survey;
let residentId = '';
let otherResident = '';
let questions: Array<{ id: string; position: number }> = [];
const signer = createSurveyLinkSigner(randomBytes(32));
const wf = () => createSurveyWorkflow(prisma);
const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (isAppError(e) ? e.code : String(e)));

beforeAll(async () => {
  db = await openMigratedTestDatabase('survey-rules', 8);
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  staff = Object.fromEntries((await prisma.staff.findMany()).map((s) => [s.username, s.id]));
  const village = await prisma.village.findFirstOrThrow({ where: { communeId } });
  const account = await prisma.channelAccount.create({ data: { communeId, platform: 'telegram', name: 'bot-xa' } });
  for (const [n, uid] of [['a', '61'], ['b', '62']] as const) {
    const r = await prisma.resident.create({ data: { communeId, villageId: village.id, consentGivenAt: new Date(), consentVersion: '2026-11' } });
    await prisma.residentIdentity.create({ data: { residentId: r.id, platform: 'telegram', platformUserId: uid, platformChatId: uid, channelAccountId: account.id } });
    if (n === 'a') residentId = r.id;
    else otherResident = r.id;
  }
  const author = { staffId: staff.vanhoa! };
  survey = await wf().createDraft(author, { communeId, title: 'Hài lòng về bộ phận một cửa', opensAt: new Date(Date.now() - 60_000), closesAt: new Date(Date.now() + 86_400_000) });
  await wf().addQuestion(author, survey.id, { kind: 'choice', text: 'Thủ tục được giải quyết đúng hẹn?', choices: ['Đúng hẹn', 'Trễ hẹn'] });
  await wf().addQuestion(author, survey.id, { kind: 'scale', text: 'Thái độ của công chức', optional: true });
  await wf().addQuestion(author, survey.id, { kind: 'text', text: 'Góp ý', optional: true });
  await wf().setAudience(author, survey.id, [{ kind: 'consented' }]);
  await wf().submit(author, survey.id);
  await wf().approve({ staffId: staff.chutich! }, survey.id);
  await surveyTick({ prisma, restore: async () => true, now: () => new Date(), link: () => 'x' });
  questions = await prisma.surveyQuestion.findMany({ where: { surveyId: survey.id }, orderBy: { position: 'asc' } });
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    surveys: { prisma, signer },
    admin: { prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true },
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

const link = (r = residentId) => signer.path(survey.id, r);
const post = (url: string, fields: Record<string, string>, cookie?: string) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) }, payload: new URLSearchParams(fields).toString() });
const q = (i: number) => `q_${questions[i]!.id}`;

describe('the survey web form', () => {

  it('shows the questions to the resident whose link it is, with the residents’ CSP', async () => {
    const r = await app.inject({ url: link() });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Thủ tục được giải quyết đúng hẹn?');
    expect(r.body).toContain('5 – Rất hài lòng');
    expect(r.headers['content-security-policy']).toContain("form-action 'self'");
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('refuses a tampered link: another resident’s id, another survey, a changed signature', async () => {
    const [, , s, , sig] = link().split('/');
    for (const url of [`/khao-sat/${s}/${otherResident}/${sig}`, `/khao-sat/${otherResident}/${residentId}/${sig}`, `/khao-sat/${s}/${residentId}/${sig!.slice(0, -1)}A`, `/khao-sat/${s}/${residentId}/x`, `/khao-sat/${s}/${residentId}/${'é'.repeat(32)}`]) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(403);
      expect(r.body).toContain('Đường dẫn không hợp lệ');
      expect((await post(url, { [q(0)]: '1' })).statusCode).toBe(403);
    }
    expect(await prisma.surveyResponse.count()).toBe(0);
  });

  it('refuses a required question left out, saves an optional one as skipped', async () => {
    const missing = await post(link(), { [q(1)]: '4' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('bắt buộc');
    expect(await prisma.surveyResponse.count()).toBe(0);
    const ok = await post(link(), { [q(0)]: '1', [q(2)]: '' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('cảm ơn ông/bà đã trả lời khảo sát');
    // The link stands for the resident: no cookie ties it to this browser.
    expect(ok.headers['set-cookie']).toBeUndefined();
    const answers = await prisma.surveyAnswer.findMany({ orderBy: { question: { position: 'asc' } } });
    expect(answers.map((a) => [a.value, a.skipped])).toEqual([[1, false], [null, true], [null, true]]);
  });

  it('refuses a typed answer that is huge, and an out-of-range or malformed choice', async () => {
    const huge = await post(link(), { [q(0)]: '2', [q(2)]: 'ý kiến '.repeat(200) });
    expect(huge.statusCode).toBe(400);
    expect(huge.body).toContain('dài quá (tối đa 500 ký tự)');
    for (const bad of ['3', '0', 'abc', '1e1']) expect((await post(link(), { [q(0)]: bad })).statusCode).toBe(400);
    expect((await prisma.surveyAnswer.findFirstOrThrow({ where: { questionId: questions[0]!.id } })).value).toBe(1);
  });

  it('a second answer changes the first: still one response', async () => {
    const again = await post(link(), { [q(0)]: '2', [q(1)]: '5', [q(2)]: 'Cần thêm ghế chờ' });
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('Đã đổi câu trả lời');
    expect(await prisma.surveyResponse.count()).toBe(1);
    const answers = await prisma.surveyAnswer.findMany({ orderBy: { question: { position: 'asc' } } });
    expect(answers.map((a) => a.value ?? a.text)).toEqual([2, 5, 'Cần thêm ghế chờ']);
  });

  it('the same resident’s link on a second phone shows and changes the one response, never a second', async () => {
    // Another phone: its own cookies (or none), the same link.
    const second = await app.inject({ url: link(), headers: { cookie: 'lx_khaosat=AAAAAAAAAAAAAAAAAAAAAAAA' } });
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('Ông/bà đã trả lời (lần gần nhất lúc');
    expect(second.body).toContain('qua trang web');
    expect(second.body).toMatch(new RegExp(`name="${q(0)}" value="2" checked`));
    const changed = await post(link(), { [q(0)]: '1', [q(1)]: '4', [q(2)]: 'Cần thêm ghế chờ' }, 'lx_khaosat=AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(changed.statusCode).toBe(200);
    expect(changed.body).toContain('Đã đổi câu trả lời');
    // Both phones at once: still the one response, holding one of the two.
    const both = await Promise.all([post(link(), { [q(0)]: '2', [q(1)]: '5' }), post(link(), { [q(0)]: '1', [q(1)]: '5' })]);
    expect(both.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(await prisma.surveyResponse.count({ where: { surveyId: survey.id, residentId } })).toBe(1);
    expect(await prisma.surveyAnswer.count({ where: { response: { residentId } } })).toBe(3);
    // The first phone again: the answer it gives is the resident's latest.
    expect((await post(link(), { [q(0)]: '2', [q(1)]: '5', [q(2)]: 'Cần thêm ghế chờ' })).body).toContain('Đã đổi câu trả lời');
    const answers = await prisma.surveyAnswer.findMany({ where: { response: { residentId } }, orderBy: { question: { position: 'asc' } } });
    expect(answers.map((a) => a.value ?? a.text)).toEqual([2, 5, 'Cần thêm ghế chờ']);
    // The link of one resident answers for that resident only: the other resident has no response yet.
    expect(await prisma.surveyResponse.count({ where: { residentId: otherResident } })).toBe(0);
  });

  it('concurrent answers of one resident make one response', async () => {
    const at = new Date();
    await Promise.all([1, 2, 1, 2].map((v) => prisma.$transaction((tx) => answerQuestion(tx, { surveyId: survey.id, residentId: otherResident, position: 1, answer: { value: v }, via: 'telegram', at }))));
    expect(await prisma.surveyResponse.count({ where: { residentId: otherResident } })).toBe(1);
    expect(await prisma.surveyAnswer.count({ where: { response: { residentId: otherResident } } })).toBe(1);
    const empty = await prisma.$transaction((tx) => answerQuestion(tx, { surveyId: survey.id, residentId: otherResident, position: 1, answer: { skip: true }, via: 'telegram', at }));
    expect(empty).toMatchObject({ ok: false, reason: 'required' });
  });

  it('staff see the results by village and question, as XLSX, and in the annual satisfaction PDF', async () => {
    const { cookie } = await sessionFor(prisma, staff.chutich!);
    const village = (await prisma.village.findFirstOrThrow({ where: { communeId } })).name;
    const page = await app.inject({ url: `/admin/khao-sat/${survey.id}`, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Kết quả');
    expect(page.body).toContain(`<td>${village}</td><td>2</td><td>2</td>`);
    expect(page.body).toContain('Cần thêm ghế chờ');
    const xlsx = await app.inject({ url: `/admin/khao-sat/${survey.id}/ket-qua.xlsx`, headers: { cookie } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as never);
    expect(wb.getWorksheet('Theo thôn')!.getRow(2).values).toEqual([undefined, village, 2, 2, 1, 1, 5]);
    const pdf = await app.inject({ url: `/admin/khao-sat/bao-cao-nam.pdf?nam=${new Date().getUTCFullYear()}`, headers: { cookie } });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'survey-annual-'));
    writeFileSync(join(dir, 'a.pdf'), pdf.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'a.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('Kết quả khảo sát mức độ hài lòng của người dân');
    expect(text).toContain('Hài lòng về bộ phận một cửa');
    expect(text).toContain(village);
  });

  it('the quarterly report page has the survey section the XLSX and PDF have, from the same figures', async () => {
    const { cookie } = await sessionFor(prisma, staff.chutich!);
    const village = (await prisma.village.findFirstOrThrow({ where: { communeId } })).name;
    const res = await app.inject({ url: '/admin/bao-cao', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const section = res.body.slice(res.body.indexOf('id="hai-long"'));
    expect(section).toContain('Mức độ hài lòng của người dân');
    expect(section).toMatch(/Số cuộc khảo sát: \d+; lượt trả lời: \d+ \/ \d+ lượt mời\./);
    // Both residents answered; one of them gave the scale a 5.
    expect(section).toMatch(/<td>Hài lòng về bộ phận một cửa<\/td><td>\d+<\/td><td>2<\/td><td>5<\/td>/);
    expect(section).toMatch(new RegExp(`<td>${village}</td><td>1</td><td>1</td>`));
    expect(section).toContain('<td>Toàn xã</td>');
  });

  it('after the close: "khảo sát đã kết thúc", and nothing changes', async () => {
    await prisma.survey.update({ where: { id: survey.id }, data: { closesAt: new Date(Date.now() - 1000) } });
    const page = await app.inject({ url: link() });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('Khảo sát đã kết thúc');
    // From either phone.
    for (const cookie of [undefined, 'lx_khaosat=AAAAAAAAAAAAAAAAAAAAAAAA']) {
      const late = await post(link(), { [q(0)]: '1' }, cookie);
      expect(late.statusCode).toBe(410);
      expect(late.body).toContain('Khảo sát đã kết thúc');
    }
    const chat = await prisma.$transaction((tx) => answerQuestion(tx, { surveyId: survey.id, residentId, position: 1, answer: { value: 1 }, via: 'telegram', at: new Date() }));
    expect(chat).toMatchObject({ ok: false, reason: 'closed' });
    expect((await prisma.surveyAnswer.findFirstOrThrow({ where: { questionId: questions[0]!.id, response: { residentId } } })).value).toBe(2);
  });
});

describe('who may build and approve a survey', () => {
  it('staff of another commune see it as missing; an oversight account only reads', async () => {
    const other = await prisma.commune.create({ data: { code: '88811', name: 'Xã Bên Kia' } });
    const foreign = await prisma.staff.create({ data: { communeId: other.id, username: 'bk-admin', displayName: 'Quản trị xã bên', roles: ['admin'] } });
    const draft = await wf().createDraft({ staffId: staff.vanhoa! }, { communeId, title: 'Khảo sát quý', opensAt: new Date(), closesAt: new Date(Date.now() + 86_400_000) });
    expect(await code(wf().createDraft({ staffId: foreign.id }, { communeId, title: 'Lạ', opensAt: new Date(), closesAt: new Date(Date.now() + 1000) }))).toBe('NOT_FOUND');
    expect(await code(wf().addQuestion({ staffId: foreign.id }, draft.id, { kind: 'scale', text: 'Câu lạ' }))).toBe('NOT_FOUND');
    expect(await code(wf().approve({ staffId: foreign.id }, draft.id))).toBe('NOT_FOUND');
    expect(await code(wf().addQuestion({ staffId: staff.giamsat! }, draft.id, { kind: 'scale', text: 'Câu lạ' }))).toBe('FORBIDDEN');
    // A responder writes no survey; an editor approves none.
    expect(await code(wf().addQuestion({ staffId: staff.diachinh! }, draft.id, { kind: 'scale', text: 'Câu' }))).toBe('FORBIDDEN');
    await wf().addQuestion({ staffId: staff.vanhoa! }, draft.id, { kind: 'scale', text: 'Câu' });
    await wf().setAudience({ staffId: staff.vanhoa! }, draft.id, [{ kind: 'consented' }]);
    await wf().submit({ staffId: staff.vanhoa! }, draft.id);
    expect(await code(wf().approve({ staffId: staff.vanhoa! }, draft.id))).toBe('FORBIDDEN');
    expect(await prisma.auditLog.count({ where: { entityId: draft.id, action: 'survey.approve' } })).toBe(0);
  });

  it('an audience of village subscribers invites the subscribers of those villages only', async () => {
    const author = { staffId: staff.vanhoa! };
    const [, v2] = await prisma.village.findMany({ where: { communeId }, orderBy: { sortOrder: 'asc' }, take: 2 });
    const identity = await prisma.residentIdentity.findFirstOrThrow({ where: { residentId: otherResident } });
    await prisma.subscription.create({ data: { communeId, residentId: otherResident, residentIdentityId: identity.id, villageId: v2!.id, topics: [] } });
    const s = await wf().createDraft(author, { communeId, title: 'Tin của thôn', opensAt: new Date(Date.now() - 1000), closesAt: new Date(Date.now() + 86_400_000) });
    await wf().addQuestion(author, s.id, { kind: 'scale', text: 'Tin có hữu ích?' });
    await wf().setAudience(author, s.id, [{ kind: 'village_subscribers', villageIds: [v2!.id] }]);
    await wf().submit(author, s.id);
    await wf().approve({ staffId: staff.chutich! }, s.id);
    await surveyTick({ prisma, restore: async () => true, now: () => new Date(), link: () => 'x' });
    expect((await prisma.surveyInvitation.findMany({ where: { surveyId: s.id } })).map((i) => i.residentId)).toEqual([otherResident]);
  });

  it('refuses malformed questions, audiences and dates, and changes after approval', async () => {
    const author = { staffId: staff.vanhoa! };
    expect(await code(wf().createDraft(author, { communeId, title: '', opensAt: new Date(), closesAt: new Date(Date.now() + 1000) }))).toBe('VALIDATION');
    expect(await code(wf().createDraft(author, { communeId, title: 'Ngược', opensAt: new Date(), closesAt: new Date(Date.now() - 1000) }))).toBe('VALIDATION');
    const d = await wf().createDraft(author, { communeId, title: 'Thử', opensAt: new Date(), closesAt: new Date(Date.now() + 86_400_000) });
    expect(await code(wf().addQuestion(author, d.id, { kind: 'choice', text: 'Một lựa chọn', choices: ['Có', 'Có', ' '] }))).toBe('VALIDATION');
    expect(await code(wf().addQuestion(author, d.id, { kind: 'text', text: 'x'.repeat(301) }))).toBe('VALIDATION');
    expect(await code(wf().addQuestion(author, d.id, { kind: 'nope' as never, text: 'x' }))).toBe('VALIDATION');
    expect(await code(wf().setAudience(author, d.id, [{ kind: 'closed_tickets', from: '2026-10-01', to: '2026-09-30' }]))).toBe('VALIDATION');
    expect(await code(wf().setAudience(author, d.id, [{ kind: 'consented', villageIds: [otherResident] }]))).toBe('VALIDATION');
    expect(await code(wf().submit(author, d.id))).toBe('VALIDATION');
    expect(await code(wf().addQuestion(author, survey.id, { kind: 'scale', text: 'Thêm sau khi duyệt' }))).toBe('CONFLICT');
  });
});
