// Two bulletin forms in headless Chromium at 360 px, as an editor uses them. The compose page:
// "Thôn 2, Thôn 4 and their subscribers to Y tế" is ticked and saved, and the stored audience is
// exactly that. The "Dân hỏi – Lãnh đạo trả lời" form: two answered tickets are picked, their
// words edited, the draft made; a confidential ticket, or one of the complaints-and-denunciations
// field, is never offered.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import type { Database } from '../../src/db/database.ts';
import { silentLogger } from '../../src/logger.ts';
import { CONFIDENTIAL_FIELD } from '../../src/tickets/ticket-visibility.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { sessionFor } from '../support/staff-session.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let browser: Browser;
let base = '';
let communeId = '';
const staff: Record<string, string> = {};
let seq = 700;

beforeAll(async () => {
  db = await openMigratedTestDatabase('bulletin-compose-browser', 6);
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    admin: { prisma, secureCookies: false, enqueue: async () => 'job', cancelJob: async () => true },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

async function editorPage(): Promise<{ context: BrowserContext; page: Page }> {
  const s = await sessionFor(prisma, staff.vanhoa!);
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  await context.addCookies([{ name: 'lx_session', value: s.cookie.split('=')[1]!, url: base }]);
  return { context, page: await context.newPage() };
}

async function answeredTicket(p: { name: string; question: string; answer: string; confidential?: boolean; categoryCode?: string }) {
  const resident = await prisma.resident.create({ data: { communeId, displayName: p.name, identities: { create: { platform: 'telegram', platformUserId: String(seq), platformChatId: String(seq), displayName: p.name } } } });
  seq += 1;
  const category = p.categoryCode ? await prisma.category.findFirstOrThrow({ where: { code: p.categoryCode } }) : undefined;
  return prisma.ticket.create({
    data: {
      code: `PA-2026-${String(seq).padStart(5, '0')}`, communeId, year: 2026, seq, residentId: resident.id, channel: 'telegram', confidential: p.confidential ?? false, categoryId: category?.id ?? null,
      status: 'answered', answeredAt: new Date(),
      messages: { create: [{ direction: 'inbound', channel: 'telegram', text: p.question, createdAt: new Date(Date.now() - 60_000) }, { direction: 'outbound', channel: 'telegram', text: p.answer, authorStaffId: staff.phochutich!, deliveryStatus: 'sent' }] },
    },
  });
}

describe('bulletin forms in Chromium', () => {
  it('compose: villages X, Y and their subscribers to topic Z, stored as that audience', async () => {
    const { context, page } = await editorPage();
    await page.goto(`${base}/admin/ban-tin/moi`);
    await page.fill('#title', 'Tiêm vắc-xin sởi cho trẻ');
    await page.fill('#text', 'Trạm y tế xã thông báo: sáng thứ bảy tiêm vắc-xin sởi cho trẻ dưới 5 tuổi tại nhà văn hóa thôn.');
    await page.check('input[name="reach"][value="villages"]');
    await page.getByLabel('Thôn 2', { exact: true }).check();
    await page.getByLabel('Thôn 4', { exact: true }).check();
    await page.check('input[name="subscribers"]');
    await page.getByLabel('Y tế, bảo hiểm y tế').check();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(SCREENSHOTS, 'bulletin-compose-360.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/admin\/ban-tin\/[0-9a-f-]{36}$/), page.click('button:has-text("Lưu bản nháp")')]);
    // The bulletin page reads the audience back as staff chose it.
    const shown = (await page.locator('body').textContent()) ?? '';
    expect(shown).toContain('Người đăng ký — Thôn 2 — Y tế, bảo hiểm y tế');
    expect(shown).toContain('Người đăng ký — Thôn 4 — Y tế, bảo hiểm y tế');

    const id = page.url().split('/').at(-1)!;
    const audiences = await prisma.bulletinAudience.findMany({ where: { bulletinId: id }, include: { village: true } });
    const rows = audiences.map((a) => [a.kind, a.village?.name ?? null, a.topicCode]).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    expect(rows).toEqual([
      ['subscribers', 'Thôn 2', 'Y_TE'],
      ['subscribers', 'Thôn 4', 'Y_TE'],
      ['village', 'Thôn 2', null],
      ['village', 'Thôn 4', null],
    ]);
    await context.close();
  }, 60_000);

  it('compose: the whole commune and every subscriber, of every topic', async () => {
    const { context, page } = await editorPage();
    await page.goto(`${base}/admin/ban-tin/moi`);
    await page.fill('#title', 'Lịch tiếp công dân tháng 12');
    await page.fill('#text', 'Chủ tịch xã tiếp công dân vào sáng thứ năm hằng tuần tại trụ sở Ủy ban.');
    await page.check('input[name="subscribers"]');
    await Promise.all([page.waitForURL(/\/admin\/ban-tin\/[0-9a-f-]{36}$/), page.click('button:has-text("Lưu bản nháp")')]);
    const id = page.url().split('/').at(-1)!;
    const audiences = await prisma.bulletinAudience.findMany({ where: { bulletinId: id } });
    expect(audiences.map((a) => [a.kind, a.villageId, a.topicCode]).sort()).toEqual([['all', null, null], ['subscribers', null, null]]);
    await context.close();
  }, 60_000);

  it('compose: a refused form comes back with the villages, subscribers and topics still ticked', async () => {
    const { context, page } = await editorPage();
    await page.goto(`${base}/admin/ban-tin/moi`);
    await page.fill('#title', 'Phun thuốc muỗi');
    await page.fill('#text', 'Trạm y tế phun thuốc diệt muỗi phòng sốt xuất huyết vào chiều thứ tư.');
    await page.check('input[name="reach"][value="villages"]');
    await page.getByLabel('Thôn 5', { exact: true }).check();
    await page.check('input[name="subscribers"]');
    await page.getByLabel('Y tế, bảo hiểm y tế').check();
    // Something only the server refuses: the form's token has expired.
    await page.evaluate(() => {
      (document.querySelector('form[action="/admin/ban-tin/moi"] input[name="csrf"]') as HTMLInputElement).value = 'het-han';
    });
    const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button:has-text("Lưu bản nháp")')]);
    expect(refused.status()).toBe(403);
    await page.waitForLoadState('load');
    await expect(page.locator('[role="alert"]').textContent()).resolves.toContain('Biểu mẫu đã hết hạn');
    expect(await page.inputValue('#title')).toBe('Phun thuốc muỗi');
    expect(await page.getByLabel('Thôn 5', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('Thôn 1', { exact: true }).isChecked()).toBe(false);
    expect(await page.locator('input[name="subscribers"]').isChecked()).toBe(true);
    expect(await page.getByLabel('Y tế, bảo hiểm y tế').isChecked()).toBe(true);
    // Sent again as it stands (a fresh form token), it is stored with those choices.
    await Promise.all([page.waitForURL(/\/admin\/ban-tin\/[0-9a-f-]{36}$/), page.click('button:has-text("Lưu bản nháp")')]);
    const id = page.url().split('/').at(-1)!;
    const audiences = await prisma.bulletinAudience.findMany({ where: { bulletinId: id }, include: { village: true } });
    expect(audiences.map((a) => [a.kind, a.village?.name ?? null, a.topicCode]).sort()).toEqual([['subscribers', 'Thôn 5', 'Y_TE'], ['village', 'Thôn 5', null]]);
    await context.close();
  }, 60_000);

  it('Q&A form: two answered tickets picked and edited become the draft; confidential ones are not offered', async () => {
    const a = await answeredTicket({ name: 'Lường Văn Chiến', question: 'Lường Văn Chiến hỏi: bao giờ xã làm lại cầu treo bản Mòng?', answer: 'Cầu treo bản Mòng được làm lại trong tháng 3.' });
    const b = await answeredTicket({ name: 'Quàng Thị Hoa', question: 'Chị Quàng Thị Hoa hỏi: hồ sơ hộ nghèo nộp ở đâu?', answer: 'Hồ sơ nộp tại bộ phận một cửa của xã.' });
    const flagged = await answeredTicket({ name: 'Người Kín', question: 'Xin giữ kín: trưởng thôn thu tiền sai', answer: 'Đã chuyển thanh tra.', confidential: true });
    const denunciation = await answeredTicket({ name: 'Người Tố', question: 'Tố cáo cán bộ địa chính nhận tiền', answer: 'Đã chuyển thanh tra xã.', categoryCode: CONFIDENTIAL_FIELD });
    const { context, page } = await editorPage();
    await page.goto(`${base}/admin/ban-tin/dan-hoi`);
    const offered = (await page.locator('body').textContent()) ?? '';
    expect(offered).toContain(`Phiếu ${a.code}`);
    expect(offered).toContain(`Phiếu ${b.code}`);
    expect(offered).not.toContain(flagged.code);
    expect(offered).not.toContain(denunciation.code);
    // The names were taken out before staff see the words.
    expect(await page.inputValue(`#q-${a.code}`)).not.toContain('Lường Văn Chiến');
    expect(await page.inputValue(`#q-${b.code}`)).not.toContain('Quàng Thị Hoa');

    await page.getByLabel(`Phiếu ${a.code}`).check();
    await page.getByLabel(`Phiếu ${b.code}`).check();
    await page.fill(`#q-${a.code}`, 'Bao giờ xã làm lại cầu treo bản Mòng?');
    await page.fill(`#a-${a.code}`, 'Tháng 3 tới, xã làm lại cầu treo bản Mòng.');
    await page.fill(`#q-${b.code}`, 'Hồ sơ hộ nghèo nộp ở đâu?');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(SCREENSHOTS, 'qa-form-360.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/admin\/ban-tin\/[0-9a-f-]{36}$/), page.click('button:has-text("Tạo bản nháp chuyên mục")')]);

    const id = page.url().split('/').at(-1)!;
    const bulletin = await prisma.bulletin.findUniqueOrThrow({ where: { id }, include: { versions: true } });
    expect(bulletin.status).toBe('draft');
    const items = await prisma.qaItem.findMany({ where: { bulletinId: id }, orderBy: { position: 'asc' }, include: { ticket: true } });
    const byCode = Object.fromEntries(items.map((i) => [i.ticket.code, i]));
    expect(Object.keys(byCode).sort()).toEqual([a.code, b.code].sort());
    expect(byCode[a.code]!.question).toBe('Bao giờ xã làm lại cầu treo bản Mòng?');
    expect(byCode[a.code]!.answer).toBe('Tháng 3 tới, xã làm lại cầu treo bản Mòng.');
    expect(byCode[b.code]!.question).toBe('Hồ sơ hộ nghèo nộp ở đâu?');
    expect(byCode[b.code]!.answer).toBe('Hồ sơ nộp tại bộ phận một cửa của xã.');
    const text = bulletin.versions[0]!.text ?? '';
    expect(text).toContain('Bao giờ xã làm lại cầu treo bản Mòng?');
    expect(text).toContain('Hồ sơ hộ nghèo nộp ở đâu?');
    expect(text).not.toMatch(/Lường Văn Chiến|Quàng Thị Hoa/);

    // Used tickets are not offered again.
    await page.goto(`${base}/admin/ban-tin/dan-hoi`);
    const again = (await page.locator('body').textContent()) ?? '';
    expect(again).not.toContain(a.code);
    expect(again).not.toContain(b.code);
    await context.close();
  }, 60_000);
});
