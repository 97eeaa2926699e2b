// Survey results on the public page (/cong-khai/<commune>): the newest closed, approved survey by
// question (a bar per choice) and by village; never a typed answer; no question or village resting
// on fewer than PUBLIC_MIN_ANSWERS answers, nor a village whose figure the others would give away;
// nothing of a draft, submitted, rejected, cancelled or not-yet-open survey; a running one named
// without figures; older ones on their own page (cached, with an ETag); the page under 100 KB with the largest survey
// the builder allows.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { PUBLIC_MIN_ANSWERS, shownVillages, WITHHELD_TEXT } from '../../src/surveys/survey-public.ts';
import { SURVEY_LIMITS } from '../../src/surveys/survey-status.ts';
import { publicPagePlugin } from '../../src/web/plugins/public-page.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { many, surveyWithAnswers } from '../support/survey-fixtures.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let communeId = '';
let authorId = '';
let v: Record<'dong' | 'tay' | 'nho' | 'vua', string>;
let older = '';
let draftId = '';
const now = new Date('2026-12-03T03:00:00Z');
const day = (d: string) => new Date(`${d}T03:00:00Z`);
const SECRET_TEXT = 'Ông Tư ở xóm dưới nhận phong bì';
const page = async (url = '/cong-khai/77701') => (await app.inject({ url })).body;

beforeAll(async () => {
  db = await openMigratedTestDatabase('survey_public');
  prisma = db.prisma;
  communeId = (await prisma.commune.create({ data: { code: '77701', name: 'Xã Công Khai Thử' } })).id;
  authorId = (await prisma.staff.create({ data: { communeId, username: 'ks-tacgia', displayName: 'Tác giả', roles: ['editor'] } })).id;
  const village = async (name: string) => (await prisma.village.create({ data: { communeId, name } })).id;
  v = { dong: await village('Thôn Đông'), tay: await village('Thôn Tây'), nho: await village('Thôn Nhỏ'), vua: await village('Thôn Vừa') };
  const questions = [
    { kind: 'choice' as const, text: 'Hồ sơ được trả đúng hẹn?', choices: ['Đúng hẹn', 'Trễ hẹn'] },
    { kind: 'scale' as const, text: 'Thái độ của công chức một cửa' },
    { kind: 'scale' as const, text: 'Câu ít người trả lời', optional: true },
    { kind: 'text' as const, text: 'Góp ý thêm', optional: true },
  ];
  // The newest closed survey: Đông 7 and Tây 6 answer; Nhỏ 2 (under the threshold, and the
  // commune's total less Đông and Tây would give it away, so Tây is held back too); the optional
  // third question only 4 times; everyone typed a remark.
  await surveyWithAnswers(prisma, {
    communeId, authorId, title: 'Khảo sát bộ phận một cửa quý IV', status: 'closed', opensAt: day('2026-11-01'), closesAt: day('2026-11-30'), questions,
    answers: [...many(4, v.dong, [1, 5, 4, SECRET_TEXT]), ...many(3, v.dong, [2, 4, null, SECRET_TEXT]), ...many(6, v.tay, [1, 2, null, SECRET_TEXT]), ...many(2, v.nho, [2, 1, null, SECRET_TEXT])],
    silent: [{ villageId: v.nho, count: 3 }],
  });
  older = await surveyWithAnswers(prisma, {
    communeId, authorId, title: 'Khảo sát quý III', status: 'closed', opensAt: day('2026-08-01'), closesAt: day('2026-08-31'), questions: questions.slice(0, 2),
    answers: [...many(5, v.dong, [1, 4]), ...many(5, v.vua, [1, 5]), ...many(1, v.nho, [2, 2])],
  });
  // Open, past its end, not yet closed by the tick: closed for the page, but older than the first.
  await surveyWithAnswers(prisma, { communeId, authorId, title: 'Khảo sát hết hạn chưa đóng', status: 'open', opensAt: day('2026-07-01'), closesAt: day('2026-07-15'), questions: questions.slice(0, 1), answers: many(5, v.dong, [1]) });
  await surveyWithAnswers(prisma, { communeId, authorId, title: 'Khảo sát đang chạy', status: 'open', opensAt: day('2026-12-01'), closesAt: day('2026-12-20'), questions: [{ kind: 'scale', text: 'CÂU CỦA KHẢO SÁT ĐANG CHẠY' }], answers: many(6, v.dong, [5]) });
  for (const status of ['draft', 'submitted', 'rejected', 'approved', 'cancelled'] as const) {
    const id = await surveyWithAnswers(prisma, { communeId, authorId, title: `KHẢO SÁT ${status.toUpperCase()}`, status, opensAt: day('2026-11-02'), closesAt: day('2026-12-01'), questions: questions.slice(0, 1), answers: status === 'cancelled' ? many(6, v.dong, [1]) : [] });
    if (status === 'draft') draftId = id;
  }
  app = Fastify();
  await app.register(publicPagePlugin, { prisma, ttlMs: 0, now: () => now });
  await app.ready();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

const section = (html: string) => html.slice(html.indexOf('id="khao-sat"'), html.indexOf('aria-labelledby="hoi-dap"'));

describe('survey results on the public page', () => {
  it('holds back a village under the threshold, and the smallest other one when the rest would give it away', () => {
    expect(PUBLIC_MIN_ANSWERS).toBe(5);
    expect(shownVillages([7, 6, 2])).toEqual([true, false, false]);
    expect(shownVillages([7, 6, 0])).toEqual([true, true, false]);
    expect(shownVillages([7, 6, 5])).toEqual([true, true, true]);
    expect(shownVillages([3, 1])).toEqual([false, false]);
    expect(shownVillages([9, 3, 3])).toEqual([true, false, false]);
    expect(shownVillages([2, 6, 8, 9])).toEqual([false, false, true, true]);
  });

  it('shows the newest closed survey by question with bars, and by village above the threshold only', async () => {
    const s = section(await page());
    expect(s).toContain('Khảo sát bộ phận một cửa quý IV');
    expect(s).toContain('15 người trả lời / 18 người được mời');
    // 15 answered the first question: 10 on time, 5 late.
    expect(s).toContain('Câu 1: Hồ sơ được trả đúng hẹn?');
    expect(s).toMatch(/Đúng hẹn<\/span><div class="vach" aria-hidden="true"><span style="width:67%"><\/span><\/div><span>10 \(66,7%\)/);
    expect(s).toContain('5 – Rất hài lòng</span><div class="vach" aria-hidden="true"><span style="width:27%"></span></div><span>4 (26,7%)');
    // The optional question answered by 4: withheld.
    expect(s).toMatch(new RegExp(`Câu 3: Câu ít người trả lời</h4><p class="nho">Kết quả: ${WITHHELD_TEXT}`));
    // Đông: 7 rated, mean ≥ 4 for all → 100%; Tây (6) held back with Nhỏ (2).
    expect(s).toContain('Thôn Đông</span><div class="vach" aria-hidden="true"><span style="width:100%"></span></div><span>hài lòng 100% (7 người');
    for (const name of ['Thôn Tây', 'Thôn Nhỏ']) expect(s).toContain(`${name}</span><span class="nho">${WITHHELD_TEXT}</span>`);
  });

  it('never shows a typed answer, nor the text question', async () => {
    const html = await page();
    expect(html).not.toContain(SECRET_TEXT);
    expect(html).not.toContain('Góp ý thêm');
  });

  it('nothing of a draft, submitted, rejected, approved-not-open or cancelled survey; a running one is named only', async () => {
    const html = await page();
    expect(html).not.toMatch(/KHẢO SÁT (DRAFT|SUBMITTED|REJECTED|APPROVED|CANCELLED)/);
    expect(section(html)).toContain('Khảo sát đang chạy — đến 20/12/2026');
    expect(html).not.toContain('CÂU CỦA KHẢO SÁT ĐANG CHẠY');
    expect((await app.inject({ url: `/cong-khai/77701/khao-sat/${draftId}` })).statusCode).toBe(404);
  });

  it('links older closed surveys to their own page, with the same rules', async () => {
    const s = section(await page());
    expect(s).toContain(`<a href="/cong-khai/77701/khao-sat/${older}">Khảo sát quý III</a>`);
    expect(s).toContain('Khảo sát hết hạn chưa đóng');
    const res = await app.inject({ url: `/cong-khai/77701/khao-sat/${older}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toMatch(/^public/);
    expect((await app.inject({ url: `/cong-khai/77701/khao-sat/${older}`, headers: { 'if-none-match': String(res.headers.etag) } })).statusCode).toBe(304);
    expect(res.body).toContain('<h1>Khảo sát quý III</h1>');
    expect(res.body).toContain(`Thôn Nhỏ</span><span class="nho">${WITHHELD_TEXT}`);
    expect(res.body).toContain('Thôn Vừa</span><div class="vach"');
    for (const bad of ['khong-phai-uuid', '00000000-0000-0000-0000-000000000000']) expect((await app.inject({ url: `/cong-khai/77701/khao-sat/${bad}` })).statusCode).toBe(404);
    // Another commune's survey is not found from this one.
    const other = await prisma.commune.create({ data: { code: '77702', name: 'Xã Khác' } });
    expect((await app.inject({ url: `/cong-khai/${other.code}/khao-sat/${older}` })).statusCode).toBe(404);
  });

  it('stays under 100 KB with the largest survey the builder allows and thirty villages', async () => {
    const villages = await Promise.all(Array.from({ length: 30 }, (_, i) => prisma.village.create({ data: { communeId, name: `Thôn Số ${i + 1} Có Tên Dài Như Thế Này` } })));
    const long = (n: number) => 'Ý kiến của người dân về việc giải quyết thủ tục hành chính '.repeat(6).slice(0, n);
    const questions = Array.from({ length: SURVEY_LIMITS.questions }, (_, i) =>
      i % 2 ? { kind: 'scale' as const, text: long(SURVEY_LIMITS.question) } : { kind: 'choice' as const, text: long(SURVEY_LIMITS.question), choices: Array.from({ length: SURVEY_LIMITS.choices }, (_, c) => `${c + 1}. ${long(SURVEY_LIMITS.choice - 3)}`) });
    await surveyWithAnswers(prisma, {
      communeId, authorId, title: long(SURVEY_LIMITS.title), status: 'closed', opensAt: day('2026-12-01'), closesAt: day('2026-12-02'), questions,
      answers: villages.flatMap((vl, i) => many(5, vl.id, questions.map((q, k) => (q.kind === 'scale' ? 1 + ((i + k) % 5) : 1 + ((i + k) % SURVEY_LIMITS.choices))))),
    });
    const html = await page();
    expect(section(html)).toContain('150 người trả lời');
    expect(section(html)).toContain('Thôn Số 30 Có Tên Dài');
    expect(Buffer.byteLength(html)).toBeLessThan(100_000);
  });
});
