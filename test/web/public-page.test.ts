// The public page (/cong-khai): the demo commune's figures of this quarter and the last, counts
// only — a confidential ticket's village and every resident's words stay off it; an empty quarter
// says so; unknown communes are a Vietnamese 404; cached with an ETag; under 100 KB.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { currentAndPreviousQuarter, publicPagePlugin } from '../../src/web/plugins/public-page.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let code = '';
const SECRET_VILLAGE = 'Thôn Bí Mật Riêng';

beforeAll(async () => {
  db = await openMigratedTestDatabase('public_page');
  prisma = db.prisma;
  const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
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
  await app.register(publicPagePlugin, { prisma, ttlMs: 0, now: () => now });
  await app.ready();
  (globalThis as { setNow?: (d: Date) => void }).setNow = (d) => (now = d);
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const setNow = (d: Date) => (globalThis as unknown as { setNow: (d: Date) => void }).setNow(d);

describe('public page', () => {
  it('knows this quarter and the last, across a new year', () => {
    expect(currentAndPreviousQuarter('2026-01-01')).toEqual([{ year: 2026, quarter: 1 }, { year: 2025, quarter: 4 }]);
    expect(currentAndPreviousQuarter('2026-12-31')).toEqual([{ year: 2026, quarter: 4 }, { year: 2026, quarter: 3 }]);
  });

  it('an empty quarter says so', async () => {
    setNow(new Date('2026-01-01T03:00:00Z'));
    const res = await app.inject({ url: '/cong-khai' });
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
