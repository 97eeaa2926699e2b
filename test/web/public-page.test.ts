// The public page (/cong-khai): the demo commune's figures of this quarter and the last, counts
// only — a confidential ticket's village and every resident's words stay off it; an empty quarter
// says so; unknown communes are a Vietnamese 404; cached with an ETag; under 100 KB. The published
// answers are searched without diacritics and paged (a FAQ of thousands stays a small page); the
// archive holds only bulletins that played, with their audio; a ticket's status by its code shows
// status and dates only, a confidential one as any ticket being handled, and lookups are limited;
// several communes are listed by province.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { currentAndPreviousQuarter, publicPagePlugin } from '../../src/web/plugins/public-page.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { faqSearchText } from '../../src/tickets/faq-search.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let code = '';
let communeId = '';
let dataDir = '';
const AUDIO = Buffer.from('ID3\u0003 loa xa ban tin da phat '.repeat(40));
const AUDIO_SHA = 'a'.repeat(64);
const SECRET_VILLAGE = 'Thôn Bí Mật Riêng';

beforeAll(async () => {
  db = await openMigratedTestDatabase('public_page');
  prisma = db.prisma;
  ({ communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' }));
  code = (await prisma.commune.findUniqueOrThrow({ where: { id: communeId } })).code;
  const resident = await prisma.resident.create({ data: { communeId } });
  const village = await prisma.village.create({ data: { communeId, name: SECRET_VILLAGE } });
  const secret = await prisma.category.findFirstOrThrow({ where: { code: 'KHIEU_NAI_TO_CAO' } });
  // A confidential denunciation in Q3 2026 from a village with no other ticket.
  await prisma.ticket.create({ data: { code: 'PA-2026-90001', communeId, year: 2026, seq: 90001, residentId: resident.id, channel: 'telegram', createdAt: new Date('2026-08-10T08:00:00+07:00'), villageId: village.id, categoryId: secret.id, confidential: true, status: 'new', subject: 'Tố cáo cán bộ nhận tiền' } });
  // An ordinary ticket answered on time in Q4 2026.
  const open = await prisma.village.create({ data: { communeId, name: 'Thôn Công Khai' } });
  await prisma.ticket.create({ data: { code: 'PA-2026-90002', communeId, year: 2026, seq: 90002, residentId: resident.id, channel: 'telegram', createdAt: new Date('2026-11-10T08:00:00+07:00'), villageId: open.id, status: 'answered', subject: 'Đường vào thôn ngập sâu', dueAt: new Date('2026-11-17T17:00:00+07:00'), answeredAt: new Date('2026-11-11T08:00:00+07:00') } });
  app = Fastify();
  // 1 January 2026: this quarter (Q1 2026) and the last (Q4 2025) hold nothing.
  let now = new Date('2026-01-01T03:00:00Z');
  dataDir = mkdtempSync(join(tmpdir(), 'loaxa-public-'));
  mkdirSync(join(dataDir, 'media', 'aa'), { recursive: true });
  writeFileSync(join(dataDir, 'media', 'aa', AUDIO_SHA), AUDIO);
  await prisma.mediaFile.create({ data: { sha256: AUDIO_SHA, mime: 'audio/mpeg', size: AUDIO.length, path: join('media', 'aa', AUDIO_SHA), durationMs: 4000 } });
  await app.register(publicPagePlugin, { prisma, ttlMs: 0, now: () => now, dataDir, lookupsPer10Minutes: 5 });
  await app.ready();
  (globalThis as { setNow?: (d: Date) => void }).setNow = (d) => (now = d);
});
afterAll(async () => {
  await app?.close();
  await db?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const setNow = (d: Date) => (globalThis as unknown as { setNow: (d: Date) => void }).setNow(d);

describe('public page', () => {
  it('knows this quarter and the last, across a new year', () => {
    expect(currentAndPreviousQuarter('2026-01-01')).toEqual([{ year: 2026, quarter: 1 }, { year: 2025, quarter: 4 }]);
    expect(currentAndPreviousQuarter('2026-12-31')).toEqual([{ year: 2026, quarter: 4 }, { year: 2026, quarter: 3 }]);
  });

  it('an empty quarter says so', async () => {
    setNow(new Date('2026-01-01T03:00:00Z'));
    const res = await app.inject({ url: `/cong-khai/${code}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="vi">');
    expect(res.body).toContain('Quý I năm 2026');
    expect(res.body).toContain('Quý IV năm 2025');
    expect(res.body.match(/Chưa có phản ánh, kiến nghị nào trong quý này/g)).toHaveLength(2);
  });

  it('shows the demo figures but never a confidential ticket’s village, code or words; under 100 KB', async () => {
    setNow(new Date('2026-12-03T03:00:00Z'));
    const res = await app.inject({ url: `/cong-khai/${code}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Quý IV năm 2026');
    expect(res.body).toContain('Quý III năm 2026');
    expect(res.body).toContain('Tiếp nhận');
    expect(res.body).not.toContain(SECRET_VILLAGE);
    expect(res.body).not.toMatch(/PA-\d{4}-\d{5}/);
    expect(res.body).toContain('Thôn Công Khai');
    expect(res.body).toMatch(/Trả lời đúng hạn<\/dt><dd>1 \/ 1 phiếu đến hạn \(100%\)/);
    expect(res.body).not.toContain('Tố cáo cán bộ');
    expect(res.body).not.toContain('Đường vào thôn ngập sâu');
    expect(Buffer.byteLength(res.body)).toBeLessThan(100_000);
  });

  it('answers an unchanged page with 304 and caches publicly', async () => {
    const first = await app.inject({ url: '/cong-khai' });
    expect(first.headers['cache-control']).toMatch(/^public, max-age=/);
    const again = await app.inject({ url: '/cong-khai', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('an unknown or malformed commune is a Vietnamese 404', async () => {
    for (const bad of ['khong-co-xa', '%3Cscript%3E', 'x'.repeat(90)]) {
      const res = await app.inject({ url: `/cong-khai/${bad}` });
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('Không tìm thấy xã này');
      expect(res.body).not.toContain('<script>');
    }
  });
});

async function bulletin(title: string, status: 'draft' | 'submitted' | 'rejected' | 'approved' | 'scheduled' | 'done' | 'partly_failed' | 'cancelled', run?: 'done' | 'partly_failed' | 'missed' | 'due') {
  const b = await prisma.bulletin.create({
    data: { communeId, title, status, ...(run ? { approvedRevision: 1 } : {}), versions: { create: { revision: 1, language: 'vi', text: `Nội dung: ${title}.`, renderedSha256: AUDIO_SHA, renderedDurationMs: 4000 } } },
  });
  if (run) await prisma.broadcastRun.create({ data: { bulletinId: b.id, revision: 1, scheduledFor: new Date('2026-11-20T23:00:00Z'), status: run, finishedAt: run === 'done' || run === 'partly_failed' ? new Date('2026-11-20T23:01:00Z') : null } });
  return b;
}

describe('published answers', () => {
  beforeAll(async () => {
    const field = await prisma.category.findFirstOrThrow({ where: { code: { not: 'KHIEU_NAI_TO_CAO' } } });
    const entry = (question: string, answer: string, publishedAt: Date | null) => ({ communeId, categoryId: field.id, question, answer, searchText: faqSearchText(question, answer), publishedAt });
    await prisma.faqEntry.create({ data: entry('Làm căn cước cho con ở đâu?', 'Bà con mang giấy khai sinh đến công an xã vào giờ hành chính.', new Date('2026-11-01T02:00:00Z')) });
    // Not published (withdrawn or never published): never on the page.
    await prisma.faqEntry.create({ data: entry('Làm căn cước gắn chip mất bao lâu?', 'BẢN NHÁP CHƯA CÔNG KHAI', null) });
    // A huge FAQ: 3,000 more entries about one topic.
    await prisma.faqEntry.createMany({ data: Array.from({ length: 3000 }, (_, i) => entry(`Đăng ký hộ kinh doanh số ${i} cần giấy tờ gì?`, `Câu trả lời mẫu số ${i}: ${'nộp hồ sơ tại bộ phận một cửa. '.repeat(8)}`, new Date(Date.UTC(2026, 9, 1, 0, 0, i)))) });
  });

  it('finds "Làm căn cước" when typed without diacritics, and never an unpublished entry', async () => {
    const res = await app.inject({ url: `/cong-khai/${code}/hoi-dap?q=${encodeURIComponent('lam can cuoc')}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Làm căn cước cho con ở đâu?');
    expect(res.body).toContain('Tìm thấy 1 câu hỏi.');
    expect(res.body).not.toContain('BẢN NHÁP CHƯA CÔNG KHAI');
    expect(res.body).not.toContain('hộ kinh doanh');
    // Upper case, diacritics, punctuation: the same words.
    const same = await app.inject({ url: `/cong-khai/${code}/hoi-dap?q=${encodeURIComponent('  LÀM, căn-CƯỚC!! ')}` });
    expect(same.body).toContain('Làm căn cước cho con ở đâu?');
  });

  it('a search with nothing found, an empty one, and a hostile or huge one answer in Vietnamese', async () => {
    const none = await app.inject({ url: `/cong-khai/${code}/hoi-dap?q=xyzw` });
    expect(none.body).toContain('Không tìm thấy câu hỏi nào khớp');
    const hostile = await app.inject({ url: `/cong-khai/${code}/hoi-dap?q=${encodeURIComponent('<script>alert(1)</script> % _')}` });
    expect(hostile.statusCode).toBe(200);
    expect(hostile.body).not.toContain('<script>alert');
    const huge = await app.inject({ url: `/cong-khai/${code}/hoi-dap?q=${'can%20'.repeat(3000)}` });
    expect(huge.statusCode).toBe(200);
    expect(Buffer.byteLength(huge.body)).toBeLessThan(100_000);
  });

  it('a FAQ of thousands is paged: ten per page, the page stays small, out-of-range pages are clamped', async () => {
    const first = await app.inject({ url: `/cong-khai/${code}/hoi-dap` });
    expect(first.body.match(/<article>/g)).toHaveLength(10);
    expect(first.body).toContain('Trang 1/301');
    expect(Buffer.byteLength(first.body)).toBeLessThan(30_000);
    const search = await app.inject({ url: `/cong-khai/${code}/hoi-dap?q=ho%20kinh%20doanh&trang=2` });
    expect(search.body).toContain('Tìm thấy 3000 câu hỏi.');
    expect(search.body).toContain('Trang 2/300');
    expect(search.body).toContain('href="/cong-khai/demo/hoi-dap?q=ho+kinh+doanh&amp;trang=3"');
    // Past the end: the last page (one entry); nonsense: the first.
    expect((await app.inject({ url: `/cong-khai/${code}/hoi-dap?trang=999999999` })).body).toContain('Trang 301/301');
    for (const bad of ['-4', 'abc', '1e400', '']) {
      const res = await app.inject({ url: `/cong-khai/${code}/hoi-dap?trang=${bad}` });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Trang 1/301');
    }
    // The commune's own page shows a few, and links to the rest.
    const home = await app.inject({ url: `/cong-khai/${code}` });
    expect(home.body).toContain('Làm căn cước cho con ở đâu?');
    expect(home.body).toContain('Xem tất cả câu hỏi (3001)');
    expect(Buffer.byteLength(home.body)).toBeLessThan(100_000);
  });
});

describe('bulletin archive', () => {
  let played = '';
  let draft = '';
  beforeAll(async () => {
    played = (await bulletin('Lịch tiêm phòng cho trẻ', 'done', 'done')).id;
    await bulletin('Thông báo họp dân thôn 2', 'partly_failed', 'partly_failed');
    draft = (await bulletin('Bản nháp chưa duyệt', 'draft')).id;
    await bulletin('Bản tin bị từ chối', 'rejected');
    await bulletin('Bản tin chờ duyệt', 'submitted');
    await bulletin('Bản tin đã duyệt chưa phát', 'scheduled', 'due');
    await bulletin('Bản tin lỡ giờ phát', 'scheduled', 'missed');
    await bulletin('Bản tin đã phát rồi bị hủy', 'cancelled', 'done');
  });

  it('lists only bulletins that played, with date, words and an audio player', async () => {
    const res = await app.inject({ url: `/cong-khai/${code}/ban-tin` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Lịch tiêm phòng cho trẻ');
    expect(res.body).toContain('Nội dung: Lịch tiêm phòng cho trẻ.');
    expect(res.body).toContain('Thông báo họp dân thôn 2');
    expect(res.body).toContain('Phát lúc 06:01 21/11/2026');
    expect(res.body).toContain(`<audio controls preload="none" src="/cong-khai/${code}/ban-tin/${played}/am-thanh"`);
    for (const hidden of ['Bản nháp chưa duyệt', 'bị từ chối', 'chờ duyệt', 'chưa phát', 'lỡ giờ', 'bị hủy']) expect(res.body).not.toContain(hidden);
    const home = await app.inject({ url: `/cong-khai/${code}` });
    expect(home.body).toContain('Lịch tiêm phòng cho trẻ');
    expect(String(home.headers['content-security-policy'])).toContain("media-src 'self'");
  });

  it('serves a played bulletin’s audio publicly cacheable, with ranges; never a draft’s', async () => {
    const res = await app.inject({ url: `/cong-khai/${code}/ban-tin/${played}/am-thanh` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/mpeg');
    expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+/);
    expect(res.rawPayload.equals(AUDIO)).toBe(true);
    const part = await app.inject({ url: `/cong-khai/${code}/ban-tin/${played}/am-thanh`, headers: { range: 'bytes=0-9' } });
    expect(part.statusCode).toBe(206);
    expect(part.rawPayload.length).toBe(10);
    for (const url of [`/cong-khai/${code}/ban-tin/${draft}/am-thanh`, `/cong-khai/${code}/ban-tin/not-a-uuid/am-thanh`, `/cong-khai/khong-co-xa/ban-tin/${played}/am-thanh`]) {
      expect((await app.inject({ url })).statusCode).toBe(404);
    }
  });
});

describe('ticket status by code', () => {
  let n = 0;
  // Each case from its own network, so the lookup limit is the last case's business only.
  const lookup = (ma: string) => app.inject({ url: `/cong-khai/${code}/tra-cuu?ma=${encodeURIComponent(ma)}`, remoteAddress: `10.9.${(n += 1)}.7` });

  it('shows status and dates, never the words; a confidential ticket is only "Đang xử lý"', async () => {
    const open = await lookup('pa 2026 90002');
    expect(open.statusCode).toBe(200);
    expect(open.headers['cache-control']).toBe('no-store');
    expect(open.body).toContain('PA-2026-90002');
    expect(open.body).toMatch(/Tình trạng<\/dt><dd>Đã trả lời/);
    expect(open.body).toContain('Ngày trả lời');
    expect(open.body).not.toContain('Đường vào thôn ngập sâu');
    expect(open.body).not.toContain('Thôn Công Khai');
    const secret = await lookup('PA-2026-90001');
    expect(secret.statusCode).toBe(200);
    expect(secret.body).toMatch(/Tình trạng<\/dt><dd>Đang xử lý/);
    expect(secret.body).not.toMatch(/Tố cáo|Khiếu nại|bảo mật|SECRET|Bí Mật/i);
  });

  it('an unknown, malformed or empty code gets a clear Vietnamese answer', async () => {
    const unknown = await lookup('PA-2026-77777');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('Không tìm thấy phiếu PA-2026-77777');
    const malformed = await lookup('xin chào <b>');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).toContain('Mã phiếu chưa đúng dạng');
    expect(malformed.body).not.toContain('<b>');
    const empty = await lookup('');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('<label for="ma">');
  });

  it('a ticket of another commune is not found from this one', async () => {
    const other = await prisma.commune.create({ data: { code: 'xa-khac', name: 'Xã Khác' } });
    const r = await prisma.resident.create({ data: { communeId: other.id } });
    await prisma.ticket.create({ data: { code: 'PA-2026-90003', communeId: other.id, year: 2026, seq: 90003, residentId: r.id, channel: 'telegram', status: 'new' } });
    expect((await lookup('PA-2026-90003')).statusCode).toBe(404);
  });

  it('one address trying code after code is stopped, in Vietnamese', async () => {
    const from = { remoteAddress: '10.77.1.1' };
    const codes = Array.from({ length: 8 }, (_, i) => `PA-2026-${String(1 + i).padStart(5, '0')}`);
    const statuses: number[] = [];
    for (const ma of codes) statuses.push((await app.inject({ url: `/cong-khai/${code}/tra-cuu?ma=${ma}`, ...from })).statusCode);
    expect(statuses.slice(0, 5).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const refused = await app.inject({ url: `/cong-khai/${code}/tra-cuu?ma=PA-2026-90002`, ...from });
    expect(refused.body).toContain('Bạn tra cứu quá nhiều lần');
    expect(refused.body).not.toContain('Đã trả lời');
  });
});

describe('a province installation', () => {
  it('lists its communes by province, each at /cong-khai/<commune code>', async () => {
    const province = await prisma.province.findFirstOrThrow();
    const other = await prisma.province.create({ data: { code: 'tinh-khac', name: 'Tỉnh Khác' } });
    await prisma.commune.create({ data: { code: 'xa-son-ha', name: 'Xã Sơn Hà', provinceId: other.id } });
    const res = await app.inject({ url: '/cong-khai' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<h2>${province.name}</h2>`);
    expect(res.body).toContain('<h2>Tỉnh Khác</h2><ul><li><a href="/cong-khai/xa-son-ha">Xã Sơn Hà</a></li></ul>');
    expect(res.body).toContain(`<a href="/cong-khai/${code}">`);
    const page = await app.inject({ url: '/cong-khai/xa-son-ha' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Xã Sơn Hà</h1>');
  });
});
