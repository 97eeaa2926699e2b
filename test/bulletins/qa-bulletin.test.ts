// "Dân hỏi – Lãnh đạo trả lời": a Q&A bulletin built from two answered tickets (identity removed,
// words edited) goes through the normal approval, plays on the simulated loudspeakers, tells the
// two residents on their channel that it is on air, and joins the FAQ. A confidential ticket, an
// unanswered one, another commune's, one picked twice or already used, and someone without the
// right are refused with the reason; a schedule tells the residents the time it airs.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { createQueueKit, type QueueKit } from '../../src/queues/queue-kit.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { mediaPlugin } from '../../src/web/plugins/media.ts';
import { radioCallbackPlugin } from '../../src/web/plugins/radio-callback.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createAudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';
import { createEspeakEngine } from '../../broadcasts/render/speech-engine.ts';
import { renderBulletinVersion, type AudioVariant } from '../../broadcasts/render/render-bulletin.ts';
import { deliverJobHandler } from '../../broadcasts/fanout/deliver.ts';
import { deliverJob } from '../../broadcasts/fanout/start-run.ts';
import { RadioSimulator } from '../../broadcasts/radio/radio-simulator.ts';
import { simulatorSecret } from '../../broadcasts/radio/endpoint-secret.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { sendBulletinNow } from '../../src/bulletins/send-now.ts';
import { scheduleBulletin } from '../../src/bulletins/bulletin-schedule.ts';
import { announceQaSchedule, createQaBulletin, QA_TITLE } from '../../src/bulletins/qa-bulletin.ts';
import { publishedFaqPage } from '../../src/tickets/faq-search.ts';
import { sendTicketMessageJob } from '../../src/tickets/ticket-jobs.ts';
import type { Enqueue } from '../../src/tickets/ticket-deps.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import type { Database } from '../../src/db/database.ts';
import { form, sessionFor } from '../support/staff-session.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

const DEMO_KEY = Buffer.alloc(32, 9);
let db: MigratedTestDatabase;
let prisma: PrismaClient;
let queues: QueueKit;
let sim: RadioSimulator;
let web: FastifyInstance;
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-qa-'));
const prefix = testRedisPrefix();
let communeId = '';
const staff: Record<string, string> = {};
/** Jobs other than loudspeaker deliveries (the residents' messages), kept to look at. */
const queued: Array<{ job: string; data: unknown; jobId?: string }> = [];
let enqueue: Enqueue;
let seq = 100;

async function answeredTicket(p: { name: string; question: string; answer: string; chatId: string; confidential?: boolean; answered?: boolean; commune?: string }) {
  const commune = p.commune ?? communeId;
  const resident = await prisma.resident.create({ data: { communeId: commune, displayName: p.name, identities: { create: { platform: 'telegram', platformUserId: p.chatId, platformChatId: p.chatId, displayName: p.name } } } });
  seq += 1;
  const answered = p.answered ?? true;
  return prisma.ticket.create({
    data: {
      code: `PA-2026-${String(seq).padStart(5, '0')}`, communeId: commune, year: 2026, seq, residentId: resident.id, channel: 'telegram', confidential: p.confidential ?? false,
      status: answered ? 'answered' : 'in_progress', answeredAt: answered ? new Date() : null,
      messages: { create: [{ direction: 'inbound', channel: 'telegram', text: p.question, createdAt: new Date(Date.now() - 60_000) }, ...(answered ? [{ direction: 'outbound' as const, channel: 'telegram' as const, text: `Trả lời phản ánh PA-2026-${seq}: ${p.answer}`, authorStaffId: staff.phochutich!, deliveryStatus: 'sent' }] : [])] },
    },
  });
}

beforeAll(async () => {
  db = await openMigratedTestDatabase('qa_bulletin', 8);
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
  const signer = createMediaLinkSigner(randomBytes(32));
  web = Fastify();
  await web.register(mediaPlugin, { dataDir, prisma, signer });
  await web.register(radioCallbackPlugin, { prisma, demoKey: DEMO_KEY });
  await web.listen({ port: 0, host: '127.0.0.1' });
  const publicBaseUrl = `http://127.0.0.1:${(web.server.address() as { port: number }).port}`;
  const endpoints = await prisma.endpoint.findMany({ where: { communeId } });
  sim = new RadioSimulator(endpoints.map((e) => ({ id: e.id, secret: simulatorSecret(DEMO_KEY, e.id), callbackUrl: `${publicBaseUrl}/radio/callback/${e.id}` })), { speed: 100 });
  await sim.start();
  for (const e of endpoints) await prisma.endpoint.update({ where: { id: e.id }, data: { baseUrl: sim.urlOf(e.id), status: 'online' } });
  const ffmpeg = resolveFfmpeg(process.env.FFMPEG_PATH)!;
  const pipeline = createAudioPipeline({ ffmpegPath: ffmpeg.path, cacheDir: join(dataDir, 'render-cache') });
  const speech = createEspeakEngine();
  queues = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix, log: silentLogger });
  const keep = async (def: { name: string }, data: unknown, opts?: { jobId?: string }) => {
    queued.push({ job: def.name, data, ...(opts?.jobId ? { jobId: opts.jobId } : {}) });
    return 'kept';
  };
  // Loudspeaker deliveries run for real; everything else (the residents' messages) is kept.
  enqueue = (async (def, data, opts) => (def.name === deliverJob.name ? queues.enqueue(def, data, opts) : keep(def, data, opts))) as Enqueue;
  const handle = deliverJobHandler({
    demoKey: DEMO_KEY, prisma, channels: new ChannelDirectory(), signer, publicBaseUrl, dataDir,
    render: (versionId: string, variant?: AudioVariant) => renderBulletinVersion({ prisma, pipeline, speech, dataDir }, versionId, variant),
    now: () => new Date(),
    enqueue: keep as never,
  });
  queues.startWorker('broadcast', { [deliverJob.name]: handle as never }, { concurrency: 4 });
}, 120_000);

afterAll(async () => {
  await queues?.close(2000);
  await deleteTestRedisKeys(prefix);
  await sim?.close();
  await web?.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function until(fn: () => Promise<boolean>, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Dân hỏi – Lãnh đạo trả lời', () => {
  it('two answered tickets become a Q&A bulletin that is approved, plays on the loudspeakers, tells both residents and joins the FAQ', async () => {
    const a = await answeredTicket({ name: 'Nguyễn Thị Mận', question: 'Tôi là Nguyễn Thị Mận, số 0912345678, xin hỏi khi nào sửa đường vào thôn Đông?', answer: 'Xã sẽ sửa đường thôn Đông trong tháng 12.', chatId: '7001' });
    const b = await answeredTicket({ name: 'Lò Văn Sáng', question: 'cho hỏi lịch tiêm phòng cho trẻ thế nào', answer: 'Trạm y tế tiêm vào sáng thứ Bảy hằng tuần.', chatId: '7002' });
    const bulletin = await createQaBulletin(prisma, {
      actor: { staffId: staff.vanhoa! },
      communeId,
      picks: [{ code: a.code }, { code: b.code, question: 'Lịch tiêm phòng cho trẻ em ở xã như thế nào?' }],
    });
    expect(bulletin.title).toBe(QA_TITLE);
    expect(bulletin.status).toBe('draft');
    const version = await prisma.bulletinVersion.findFirstOrThrow({ where: { bulletinId: bulletin.id } });
    // Identity removed: neither the name nor the phone number is read out.
    expect(version.text).not.toContain('Nguyễn Thị Mận');
    expect(version.text).not.toContain('0912345678');
    expect(version.text).toContain('Câu hỏi thứ nhất');
    expect(version.text).toContain('Xã sẽ sửa đường thôn Đông trong tháng 12.');
    expect(version.text).toContain('Lịch tiêm phòng cho trẻ em ở xã như thế nào?');
    expect(version.text).not.toContain('Trả lời phản ánh');

    // The normal approval: submitted by its author, approved by the leader.
    const wf = createBulletinWorkflow(prisma);
    await wf.submit({ staffId: staff.vanhoa! }, bulletin.id);
    await wf.approve({ staffId: staff.chutich! }, bulletin.id);
    const finishedBefore = sim.reports.filter((r) => r.event === 'finished').length;
    const run = await sendBulletinNow(prisma, enqueue, { staffId: staff.chutich!, bulletinId: bulletin.id });
    expect(run.deliveries).toBeGreaterThanOrEqual(2);
    await until(async () => sim.reports.filter((r) => r.event === 'finished').length >= finishedBefore + run.deliveries, 90_000);
    expect(sim.reports.filter((r) => r.event === 'failed')).toEqual([]);
    await until(async () => (await prisma.delivery.count({ where: { runId: run.runId, playedAt: { not: null } } })) === run.deliveries, 20_000);

    // Each resident is told on the channel they used, through the ticket's outbox.
    for (const t of [a, b]) {
      const told = await prisma.ticketMessage.findFirstOrThrow({ where: { ticketId: t.id, direction: 'outbound', authorStaffId: null } });
      expect(told.text).toContain(`Câu hỏi ${t.code}`);
      expect(told.text).toContain('Dân hỏi – Lãnh đạo trả lời');
      expect(told.platformChatId).toBe(t.code === a.code ? '7001' : '7002');
      expect(told.deliveryStatus).toBe('pending');
      expect(queued).toContainEqual(expect.objectContaining({ job: sendTicketMessageJob.name, data: { messageId: told.id } }));
    }
    // The FAQ gains the same entries, searchable without diacritics.
    const faq = await publishedFaqPage(prisma, communeId, { query: 'lich tiem phong' });
    expect(faq.entries.map((e) => e.question)).toEqual(['Lịch tiêm phòng cho trẻ em ở xã như thế nào?']);
    const road = await publishedFaqPage(prisma, communeId, { query: 'sua duong thon dong' });
    expect(road.entries[0]!.question).not.toContain('0912345678');
    // Sent again: nobody is told twice, no second FAQ entry.
    await sendBulletinNow(prisma, enqueue, { staffId: staff.chutich!, bulletinId: bulletin.id });
    expect(await prisma.ticketMessage.count({ where: { ticketId: { in: [a.id, b.id] }, direction: 'outbound', authorStaffId: null } })).toBe(2);
    expect(await prisma.faqEntry.count({ where: { sourceTicketId: { in: [a.id, b.id] } } })).toBe(2);
  }, 180_000);

  it('a schedule tells the resident the time it airs', async () => {
    const t = await answeredTicket({ name: 'Hà Văn Tới', question: 'Bao giờ có điện cho xóm Bãi?', answer: 'Điện lực sẽ kéo điện vào xóm Bãi trong quý I.', chatId: '7003' });
    const bulletin = await createQaBulletin(prisma, { actor: { staffId: staff.vanhoa! }, communeId, picks: [{ code: t.code }] });
    const wf = createBulletinWorkflow(prisma);
    await wf.submit({ staffId: staff.vanhoa! }, bulletin.id);
    await wf.approve({ staffId: staff.chutich! }, bulletin.id);
    const runAt = new Date('2099-03-02T23:00:00Z');
    const schedule = await scheduleBulletin(prisma, { staffId: staff.vanhoa! }, bulletin.id, { kind: 'once', runAt });
    await announceQaSchedule(prisma, enqueue, { schedule, staffId: staff.vanhoa! });
    const told = await prisma.ticketMessage.findFirstOrThrow({ where: { ticketId: t.id, direction: 'outbound', authorStaffId: null } });
    expect(told.text).toContain('lúc 06:00 ngày 03/03/2099');
  });

  it('refuses a confidential ticket, an unanswered one, another commune’s, one picked twice or used already, and an account without the right', async () => {
    const secret = await answeredTicket({ name: 'Người Tố Cáo', question: 'Tố cáo cán bộ nhận tiền', answer: 'Đã chuyển thanh tra.', chatId: '7101', confidential: true });
    const open = await answeredTicket({ name: 'Người Chờ', question: 'Hỏi về đất', answer: '', chatId: '7102', answered: false });
    const other = await prisma.commune.create({ data: { code: 'xa-khac-qa', name: 'Xã Khác' } });
    const foreign = await answeredTicket({ name: 'Người Xã Khác', question: 'Hỏi', answer: 'Đáp', chatId: '7103', commune: other.id });
    const fine = await answeredTicket({ name: 'Người Hỏi', question: 'Hỏi về chợ xã', answer: 'Chợ họp sáng chủ nhật.', chatId: '7104' });
    const refuse = (picks: Array<{ code: string; question?: string }>, staffId = staff.vanhoa!) => createQaBulletin(prisma, { actor: { staffId }, communeId, picks });
    await expect(refuse([{ code: fine.code }, { code: secret.code }])).rejects.toThrow(`Phiếu ${secret.code} là khiếu nại, tố cáo (bảo mật): không đưa lên loa.`);
    await expect(refuse([{ code: open.code }])).rejects.toThrow(`Phiếu ${open.code} chưa được trả lời: chỉ chọn phiếu cán bộ đã trả lời.`);
    await expect(refuse([{ code: foreign.code }])).rejects.toThrow(`Không tìm thấy phiếu ${foreign.code} trong`);
    await expect(refuse([{ code: fine.code }, { code: fine.code.toLowerCase() }])).rejects.toThrow(`Phiếu ${fine.code} được chọn hai lần.`);
    await expect(refuse([])).rejects.toThrow('Chọn ít nhất một phiếu đã trả lời.');
    await expect(refuse([{ code: fine.code, question: '   ' }])).rejects.toThrow(`Nội dung câu hỏi của phiếu ${fine.code} đang trống.`);
    await expect(refuse([{ code: fine.code }], staff.diachinh!)).rejects.toThrow('không có quyền soạn bản tin');
    // Nothing of the refused attempts was left behind.
    expect(await prisma.qaItem.count({ where: { ticketId: fine.id } })).toBe(0);
    await refuse([{ code: fine.code }]);
    await expect(refuse([{ code: fine.code }])).rejects.toThrow(`Phiếu ${fine.code} đã có trong một chuyên mục`);
  });

  it('the web admin form lists answered tickets (never a confidential one), takes edited words and makes the draft; the API does the same', async () => {
    const t = await answeredTicket({ name: 'Đinh Văn Hải', question: 'Đinh Văn Hải hỏi: bao giờ nạo vét mương thôn Tây?', answer: 'Xã nạo vét mương thôn Tây vào tháng 1.', chatId: '7201' });
    const secret = await answeredTicket({ name: 'Người Tố', question: 'Tố cáo trưởng thôn Tây', answer: 'Đã chuyển thanh tra xã.', chatId: '7202', confidential: true });
    const admin = await buildApp({
      log: silentLogger, db: { kind: 'postgres', label: 'test', prisma } as unknown as Database, health: new HealthRegistry(), queueDepths: async () => ({}),
      admin: { prisma, secureCookies: false, enqueue, cancelJob: async () => true, encryptionKey: randomBytes(32) },
      api: { prisma, enqueue, secureCookies: false },
    });
    try {
      const s = await sessionFor(prisma, staff.vanhoa!);
      const page = await admin.inject({ url: '/admin/ban-tin/dan-hoi', headers: { cookie: s.cookie } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`Phiếu ${t.code}`);
      expect(page.body).not.toContain(secret.code);
      expect(page.body).not.toContain('Đinh Văn Hải');
      const made = await admin.inject({ method: 'POST', url: '/admin/ban-tin/dan-hoi', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(s, { codes: t.code, [`q-${t.code}`]: 'Khi nào xã nạo vét mương thôn Tây?', [`a-${t.code}`]: 'Tháng 1 năm sau xã nạo vét.' }) });
      expect(made.statusCode).toBe(303);
      const id = String(made.headers.location).split('/').at(-1)!;
      expect((await prisma.bulletinVersion.findFirstOrThrow({ where: { bulletinId: id } })).text).toContain('Khi nào xã nạo vét mương thôn Tây?');
      const refused = await admin.inject({ method: 'POST', url: '/admin/ban-tin/dan-hoi', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(s, { codes: secret.code }) });
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toContain('khiếu nại, tố cáo (bảo mật)');
      const viaApi = await admin.inject({ method: 'POST', url: '/api/v1/bulletins/qa', headers: { authorization: `Bearer ${s.token}` }, payload: { tickets: [{ code: 'PA-2026-99999' }] } });
      expect(viaApi.statusCode).toBe(404);
      expect(viaApi.json().error.message ?? viaApi.body).toContain('Không tìm thấy phiếu PA-2026-99999');
    } finally {
      await admin.close();
    }
  });
});
