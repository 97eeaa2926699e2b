// Province bulletins: written by a province editor, approved by a province approver, sent to the
// province's communes. An emergency reaches every loudspeaker and every target of the three
// communes at once, each commune's group through that commune's own bot; a normal one waits for
// each commune's approver to decline within the province's window, then takes the commune's next
// free slot; a priority one takes the next slot ahead of the commune's own bulletins. Each commune
// sees it in its calendar and report, marked as from the province. Precise refusals for the rest.
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
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { mediaPlugin } from '../../src/web/plugins/media.ts';
import { radioCallbackPlugin } from '../../src/web/plugins/radio-callback.ts';
import { createTelegramChannel } from '../../bots/telegram/telegram-channel.ts';
import { createAudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';
import { createEspeakEngine } from '../../broadcasts/render/speech-engine.ts';
import { renderBulletinVersion, type AudioVariant } from '../../broadcasts/render/render-bulletin.ts';
import { CLASS_PRIORITY, deliverJob } from '../../broadcasts/fanout/start-run.ts';
import { deliverJobHandler } from '../../broadcasts/fanout/deliver.ts';
import { simulatorSecret } from '../../broadcasts/radio/endpoint-secret.ts';
import { RadioSimulator } from '../../broadcasts/radio/radio-simulator.ts';
import { createProvinceBulletin } from '../../src/province/create-province-bulletin.ts';
import { approveProvinceBulletin } from '../../src/province/approve-province-bulletin.ts';
import { rejectProvinceBulletin } from '../../src/province/reject-province-bulletin.ts';
import { declineProvinceBulletin } from '../../src/province/decline-province-bulletin.ts';
import { closeDeclineWindows } from '../../src/province/close-decline-windows.ts';
import { weekCalendar, weekStart } from '../../src/bulletins/broadcast-calendar.ts';
import { localDate } from '../../src/calendar/local-time.ts';
import { quarterPeriod, ticketReport } from '../../src/reports/ticket-report.ts';
import { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

const DEMO_KEY = Buffer.alloc(32, 9);
let db: MigratedTestDatabase;
let prisma: PrismaClient;
let queues: QueueKit;
let sim: RadioSimulator;
let web: FastifyInstance;
const bots: FakeBotApi[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-province-bulletins-'));
const prefix = testRedisPrefix();
const communes: Array<{ id: string; chatId: string; bot: FakeBotApi; approverId: string }> = [];
const staff: Record<string, string> = {};
let provinceId = '';

async function until(fn: () => Promise<boolean> | boolean, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function rejected(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  db = await openMigratedTestDatabase('province-bulletins', 10);
  prisma = db.prisma;
  const demo = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
  const first = await prisma.commune.findUniqueOrThrow({ where: { id: demo.communeId } });
  provinceId = first.provinceId!;

  // Two more communes of the demo province, each with a slot, an approver, a loudspeaker and a group.
  const ids = [first.id];
  for (const [code, name] of [['XA-AN-LAC', 'Xã An Lạc'], ['XA-TAN-TIEN', 'Xã Tân Tiến']] as const) {
    const c = await prisma.commune.create({ data: { code, name, provinceId } });
    await prisma.village.create({ data: { communeId: c.id, name: 'Thôn Đông', sortOrder: 1 } });
    await prisma.broadcastSlot.create({ data: { communeId: c.id, name: 'Buổi sáng', timeOfDay: '06:30', daysOfWeek: [1, 2, 3, 4, 5, 6, 7] } });
    await prisma.endpoint.create({ data: { communeId: c.id, name: `Cụm loa ${name}`, protocol: 'simulator' } });
    await prisma.target.create({ data: { communeId: c.id, kind: 'telegram_chat', name: `Nhóm Telegram ${name}`, status: 'inactive' } });
    ids.push(c.id);
  }
  const mk = async (username: string, data: object) => (staff[username] = (await prisma.staff.create({ data: { username, displayName: username, roles: [], ...data } })).id);
  await mk('tinh_bientap', { provinceId, provinceRoles: ['editor'] });
  await mk('tinh_duyet', { provinceId, provinceRoles: ['approver'] });
  await mk('tinh_ca_hai', { provinceId, provinceRoles: ['editor', 'approver'] });
  await mk('tinh_xem', { provinceId, provinceRoles: ['viewer'] });
  const other = await prisma.province.create({ data: { code: 'TINH-KHAC', name: 'Tỉnh Khác' } });
  await prisma.commune.create({ data: { code: 'XA-KHAC', name: 'Xã Khác', provinceId: other.id } });
  await mk('khac_bientap', { provinceId: other.id, provinceRoles: ['editor', 'approver'] });
  await mk('anlac_duyet', { communeId: ids[1], roles: ['approver'] });
  await mk('tantien_duyet', { communeId: ids[2], roles: ['approver'] });
  await mk('tantien_duyet2', { communeId: ids[2], roles: ['approver'] });
  await mk('tantien_traloi', { communeId: ids[2], roles: ['responder'] });

  web = Fastify();
  const signer = createMediaLinkSigner(randomBytes(32));
  await web.register(mediaPlugin, { dataDir, prisma, signer });
  await web.register(radioCallbackPlugin, { prisma, demoKey: DEMO_KEY });
  await web.listen({ port: 0, host: '127.0.0.1' });
  const publicBaseUrl = `http://127.0.0.1:${(web.server.address() as { port: number }).port}`;

  // Every commune's group is sent by that commune's own bot (its ChannelAccount), on its own server.
  const directory = new ChannelDirectory();
  for (const [i, communeId] of ids.entries()) {
    const bot = new FakeBotApi({ token: `${100 + i}:TEST-token-commune-${i}`, botUsername: `xa_${i}_bot` });
    const { apiRoot } = await bot.start();
    bots.push(bot);
    const account = await prisma.channelAccount.create({ data: { communeId, platform: 'telegram', name: `bot-xa-${i}`, status: 'connected' } });
    directory.register(createTelegramChannel({ token: bot.token, apiRoot, log: silentLogger, accountId: account.name, mode: { kind: 'send-only' } }));
    const chatId = String(-1_000_100 - i);
    const t = await prisma.target.findFirstOrThrow({ where: { communeId, kind: 'telegram_chat' }, orderBy: { name: 'asc' } });
    await prisma.target.update({ where: { id: t.id }, data: { status: 'active', platformChatId: chatId, channelAccountId: account.id } });
    const approver = await prisma.staff.findFirstOrThrow({ where: { communeId, roles: { has: 'approver' } }, orderBy: { username: 'asc' } });
    communes.push({ id: communeId, chatId, bot, approverId: approver.id });
  }
  const endpoints = await prisma.endpoint.findMany();
  sim = new RadioSimulator(endpoints.map((e) => ({ id: e.id, secret: simulatorSecret(DEMO_KEY, e.id), callbackUrl: `${publicBaseUrl}/radio/callback/${e.id}` })), { speed: 100 });
  await sim.start();
  for (const e of endpoints) await prisma.endpoint.update({ where: { id: e.id }, data: { baseUrl: sim.urlOf(e.id), status: 'online' } });

  const pipeline = createAudioPipeline({ ffmpegPath: resolveFfmpeg(process.env.FFMPEG_PATH)!.path, cacheDir: join(dataDir, 'render-cache') });
  const speech = createEspeakEngine();
  queues = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix, log: silentLogger });
  const handler = deliverJobHandler({
    demoKey: DEMO_KEY,
    prisma,
    channels: directory,
    signer,
    publicBaseUrl,
    dataDir,
    render: (versionId: string, variant?: AudioVariant) => renderBulletinVersion({ prisma, pipeline, speech, dataDir }, versionId, variant),
    now: () => new Date(),
  });
  queues.startWorker('broadcast', { [deliverJob.name]: handler as never }, { concurrency: 4 });
}, 120_000);

afterAll(async () => {
  await queues?.close(2000);
  await deleteTestRedisKeys(prefix);
  await sim?.close();
  await web?.close();
  for (const b of bots) await b.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const enqueue = ((...a: Parameters<QueueKit['enqueue']>) => queues.enqueue(...a)) as QueueKit['enqueue'];
const TEXT = 'Ban Chỉ huy phòng chống thiên tai tỉnh: lũ quét có thể xảy ra trong đêm nay, bà con vùng trũng sơ tán ngay.';

describe('province bulletins', () => {
  it('a province editor sends an emergency that reaches all three demo communes’ loudspeakers and targets', async () => {
    const pb = await createProvinceBulletin(prisma, { actor: { staffId: staff.tinh_bientap! }, title: 'Khẩn cấp: lũ quét', text: TEXT, class: 'emergency' });
    expect(pb.status).toBe('submitted');
    const r = await approveProvinceBulletin({ prisma, enqueue }, { actor: { staffId: staff.tinh_duyet! }, provinceBulletinId: pb.id });
    expect(r.sentNow).toHaveLength(3);
    const copies = await prisma.bulletin.findMany({ where: { provinceBulletinId: pb.id } });
    expect(copies.map((c) => c.communeId).sort()).toEqual(communes.map((c) => c.id).sort());
    await until(async () => (await prisma.broadcastRun.count({ where: { bulletin: { provinceBulletinId: pb.id }, status: 'sending' } })) === 0, 90_000);

    // Every loudspeaker of the three communes started it, and every group got it from its commune's bot.
    const endpoints = await prisma.endpoint.findMany({ where: { communeId: { in: communes.map((c) => c.id) } } });
    const items = new Set((await prisma.delivery.findMany({ where: { run: { bulletin: { provinceBulletinId: pb.id } }, endpointId: { not: null } } })).map((d) => d.id));
    await until(() => sim.reports.filter((x) => x.event === 'started' && items.has(x.itemId!)).length >= endpoints.length, 30_000);
    expect(new Set(sim.reports.filter((x) => x.event === 'started' && items.has(x.itemId!)).map((x) => x.endpointId))).toEqual(new Set(endpoints.map((e) => e.id)));
    for (const c of communes) {
      expect(c.bot.sentTo(c.chatId).map((m) => m.method)).toEqual(['sendVoice']);
      expect(c.bot.sentTo(c.chatId)[0]!.caption).toContain('lũ quét');
    }
    const deliveries = await prisma.delivery.findMany({ where: { run: { bulletin: { provinceBulletinId: pb.id } } } });
    expect(deliveries.length).toBe(endpoints.length + communes.length);
    expect(deliveries.every((d) => d.status === 'sent' && !d.possibleDuplicate)).toBe(true);
    const dispatch = await prisma.provinceBulletinCommune.findMany({ where: { provinceBulletinId: pb.id } });
    expect(dispatch.map((d) => d.status)).toEqual(['sent', 'sent', 'sent']);

    // Each commune sees it in its calendar and its report, marked as from the province.
    for (const c of communes) {
      const commune = await prisma.commune.findUniqueOrThrow({ where: { id: c.id } });
      const days = await weekCalendar(prisma, c.id, weekStart(localDate(new Date(), commune.timezone).date));
      const item = days.flatMap((d) => d.items).find((i) => copies.some((b) => b.id === i.bulletinId));
      expect(item).toMatchObject({ fromProvince: true, class: 'emergency' });
      const today = localDate(new Date(), commune.timezone).date;
      const quarter = (Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1) as 1 | 2 | 3 | 4;
      const report = await ticketReport(prisma, c.id, quarterPeriod(Number(today.slice(0, 4)), quarter), { kind: 'api', communeId: c.id });
      expect(report.broadcasts.fromProvince).toBe(1);
    }
  }, 120_000);

  it('refuses precisely: commune staff, a viewer, another province, empty or huge text, approving one’s own', async () => {
    const base = { title: 'Lịch tiêm phòng', text: 'Tiêm phòng dại cho chó mèo vào thứ Bảy.' };
    expect(await rejected(createProvinceBulletin(prisma, { actor: { staffId: staff.vanhoa! }, ...base }))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('Chỉ cán bộ cấp tỉnh') });
    expect(await rejected(createProvinceBulletin(prisma, { actor: { staffId: staff.tinh_xem! }, ...base }))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('Chỉ người soạn bản tin cấp tỉnh') });
    expect(await rejected(createProvinceBulletin(prisma, { actor: { staffId: staff.khac_bientap! }, ...base, communeIds: [communes[0]!.id] }))).toMatchObject({ code: 'VALIDATION', message: 'Có xã không thuộc tỉnh của bạn.' });
    expect(await rejected(createProvinceBulletin(prisma, { actor: { staffId: staff.tinh_bientap! }, ...base, text: '   ' }))).toMatchObject({ code: 'VALIDATION', message: 'Nội dung bản tin không có chữ để đọc.' });
    expect(await rejected(createProvinceBulletin(prisma, { actor: { staffId: staff.tinh_bientap! }, ...base, text: 'a'.repeat(20_001) }))).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('dài quá') });
    expect(await rejected(createProvinceBulletin(prisma, { actor: { staffId: staff.tinh_bientap! }, ...base, title: '' }))).toMatchObject({ code: 'VALIDATION' });
    const foreignVillage = await prisma.village.findFirstOrThrow({ where: { communeId: communes[1]!.id } });
    expect(await rejected(createProvinceBulletin(prisma, { actor: { staffId: staff.tinh_bientap! }, ...base, communeIds: [communes[0]!.id], villageIds: [foreignVillage.id] }))).toMatchObject({ code: 'VALIDATION', message: 'Có thôn không thuộc các xã đã chọn.' });

    const own = await createProvinceBulletin(prisma, { actor: { staffId: staff.tinh_ca_hai! }, ...base });
    expect(await rejected(approveProvinceBulletin({ prisma, enqueue }, { actor: { staffId: staff.tinh_ca_hai! }, provinceBulletinId: own.id }))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('người thứ hai duyệt') });
    // Another province's approver, and a commune approver, cannot approve it.
    expect(await rejected(approveProvinceBulletin({ prisma, enqueue }, { actor: { staffId: staff.khac_bientap! }, provinceBulletinId: own.id }))).toMatchObject({ code: 'NOT_FOUND', message: 'Không tìm thấy bản tin của tỉnh.' });
    expect(await rejected(approveProvinceBulletin({ prisma, enqueue }, { actor: { staffId: staff.chutich! }, provinceBulletinId: own.id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejected(rejectProvinceBulletin(prisma, { actor: { staffId: staff.tinh_duyet! }, provinceBulletinId: own.id, comment: ' ' }))).toMatchObject({ code: 'VALIDATION' });
    await rejectProvinceBulletin(prisma, { actor: { staffId: staff.tinh_duyet! }, provinceBulletinId: own.id, comment: 'Sửa ngày tiêm.' });
    expect(await rejected(approveProvinceBulletin({ prisma, enqueue }, { actor: { staffId: staff.tinh_duyet! }, provinceBulletinId: own.id }))).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('Bị trả lại') });
    // Nothing reached any commune.
    expect(await prisma.bulletin.count({ where: { provinceBulletinId: own.id } })).toBe(0);
  });

  it('a normal one: communes may decline within the window (once, not after it), then it takes each commune’s next free slot', async () => {
    const [hoaBinh, anLac, tanTien] = communes as [(typeof communes)[0], (typeof communes)[0], (typeof communes)[0]];
    const t0 = new Date();
    // Hòa Bình's next slot is already taken by one of its own bulletins: the province's takes the one after.
    const own = await prisma.bulletin.create({ data: { communeId: hoaBinh.id, title: 'Bản tin của xã', status: 'scheduled', approvedRevision: 1, versions: { create: { revision: 1, text: 'Họp dân.' } } } });
    const province = await prisma.province.findUniqueOrThrow({ where: { id: provinceId } });
    const pb = await createProvinceBulletin(prisma, { actor: { staffId: staff.tinh_bientap! }, title: 'Tuyên truyền bầu cử', text: 'Ngày bầu cử là Chủ nhật tuần sau.' });
    const approved = await approveProvinceBulletin({ prisma, enqueue }, { actor: { staffId: staff.tinh_duyet! }, provinceBulletinId: pb.id, now: t0 });
    expect(approved.sentNow).toEqual([]);
    const deadline = approved.provinceBulletin.declineDeadline!;
    expect(deadline.getTime()).toBe(t0.getTime() + province.declineWindowMinutes * 60_000);
    const hbCopy = await prisma.bulletin.findFirstOrThrow({ where: { provinceBulletinId: pb.id, communeId: hoaBinh.id } });
    const firstSlot = (await prisma.schedule.findMany({ where: { bulletinId: hbCopy.id } })).length;
    expect(firstSlot).toBe(0);
    const { upcomingSlotTimes } = await import('../../src/calendar/local-time.ts');
    const hbSlots = upcomingSlotTimes(await prisma.broadcastSlot.findMany({ where: { communeId: hoaBinh.id } }), deadline, 'Asia/Ho_Chi_Minh');
    await prisma.schedule.create({ data: { bulletinId: own.id, kind: 'once', runAt: hbSlots[0]! } });

    // Someone without the approver role, and an emergency, cannot be declined.
    expect(await rejected(declineProvinceBulletin(prisma, { actor: { staffId: staff.tantien_traloi! }, provinceBulletinId: pb.id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejected(declineProvinceBulletin(prisma, { actor: { staffId: staff.tinh_duyet! }, provinceBulletinId: pb.id }))).toMatchObject({ code: 'FORBIDDEN' });
    const emergency = await prisma.provinceBulletin.findFirstOrThrow({ where: { class: 'emergency' } });
    expect(await rejected(declineProvinceBulletin(prisma, { actor: { staffId: anLac.approverId }, provinceBulletinId: emergency.id }))).toMatchObject({ code: 'CONFLICT' });
    // A commune not addressed (another province's) does not find it.
    expect(await rejected(declineProvinceBulletin(prisma, { actor: { staffId: anLac.approverId }, provinceBulletinId: '00000000-0000-4000-8000-000000000000' }))).toMatchObject({ code: 'NOT_FOUND' });

    // The province reads why: no reason (or only spaces) is refused, and nothing is declined.
    for (const reason of [undefined, '', '   \n ']) {
      expect(await rejected(declineProvinceBulletin(prisma, { actor: { staffId: anLac.approverId }, provinceBulletinId: pb.id, ...(reason === undefined ? {} : { reason }) }))).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('Cần ghi lý do từ chối') });
    }
    expect((await prisma.provinceBulletinCommune.findFirstOrThrow({ where: { provinceBulletinId: pb.id, communeId: anLac.id } })).status).toBe('waiting');
    await declineProvinceBulletin(prisma, { actor: { staffId: anLac.approverId }, provinceBulletinId: pb.id, reason: 'Xã đã phát tuần trước', now: new Date(t0.getTime() + 60_000) });
    expect(await rejected(declineProvinceBulletin(prisma, { actor: { staffId: anLac.approverId }, provinceBulletinId: pb.id }))).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('Xã đã từ chối bản tin này lúc') });
    expect((await prisma.bulletin.findFirstOrThrow({ where: { provinceBulletinId: pb.id, communeId: anLac.id } })).status).toBe('cancelled');

    // Two approvers of Tân Tiến press at once: one decline, one precise refusal.
    const both = await Promise.allSettled([
      declineProvinceBulletin(prisma, { actor: { staffId: staff.tantien_duyet! }, provinceBulletinId: pb.id, reason: 'Trùng lịch họp' }),
      declineProvinceBulletin(prisma, { actor: { staffId: staff.tantien_duyet2! }, provinceBulletinId: pb.id, reason: 'Xã đã phát rồi' }),
    ]);
    expect(both.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect((both.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason.message).toContain('Xã đã từ chối bản tin này lúc');
    expect(await prisma.auditLog.count({ where: { action: 'province_bulletin.decline', entityId: pb.id, communeId: tanTien.id } })).toBe(1);

    // After the window: too late for Hòa Bình, and the tick schedules it in its next free slot.
    const after = new Date(deadline.getTime() + 1000);
    expect(await rejected(declineProvinceBulletin(prisma, { actor: { staffId: staff.chutich! }, provinceBulletinId: pb.id, now: after }))).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('Đã quá hạn từ chối') });
    expect(await closeDeclineWindows({ prisma, enqueue }, new Date(deadline.getTime() - 1000))).toBe(0);
    expect(await closeDeclineWindows({ prisma, enqueue }, after)).toBe(1);
    expect(await closeDeclineWindows({ prisma, enqueue }, after)).toBe(0);
    const schedules = await prisma.schedule.findMany({ where: { bulletinId: hbCopy.id } });
    expect(schedules.map((s) => s.runAt!.getTime())).toEqual([hbSlots[1]!.getTime()]);
    expect((await prisma.bulletin.findUniqueOrThrow({ where: { id: hbCopy.id } })).status).toBe('scheduled');
    const dispatch = await prisma.provinceBulletinCommune.findMany({ where: { provinceBulletinId: pb.id }, orderBy: { communeId: 'asc' } });
    expect(Object.fromEntries(dispatch.map((d) => [d.communeId, d.status]))).toEqual({ [hoaBinh.id]: 'scheduled', [anLac.id]: 'declined', [tanTien.id]: 'declined' });
    expect(await rejected(declineProvinceBulletin(prisma, { actor: { staffId: staff.chutich! }, provinceBulletinId: pb.id }))).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('Đã quá hạn từ chối') });
  });

  it('a priority one takes each commune’s next slot, even one its own bulletins already hold, and goes first there', async () => {
    const pb = await createProvinceBulletin(prisma, { actor: { staffId: staff.tinh_bientap! }, title: 'Ưu tiên: phòng dịch', text: 'Phun thuốc khử trùng chuồng trại trong tuần này.', class: 'priority', communeIds: [communes[0]!.id, communes[2]!.id] });
    const t0 = new Date();
    const r = await approveProvinceBulletin({ prisma, enqueue }, { actor: { staffId: staff.tinh_duyet! }, provinceBulletinId: pb.id, now: t0 });
    expect(r.sentNow).toEqual([]);
    expect(r.scheduled).toHaveLength(2);
    const { upcomingSlotTimes } = await import('../../src/calendar/local-time.ts');
    for (const c of [communes[0]!, communes[2]!]) {
      const next = upcomingSlotTimes(await prisma.broadcastSlot.findMany({ where: { communeId: c.id } }), t0, 'Asia/Ho_Chi_Minh')[0]!;
      const copy = await prisma.bulletin.findFirstOrThrow({ where: { provinceBulletinId: pb.id, communeId: c.id }, include: { schedules: true } });
      expect(copy.schedules.map((s) => s.runAt!.getTime())).toEqual([next.getTime()]);
    }
    expect(await prisma.bulletin.count({ where: { provinceBulletinId: pb.id } })).toBe(2);
    // At the slot its deliveries are queued ahead of the commune's normal ones.
    expect(CLASS_PRIORITY.priority).toBeLessThan(CLASS_PRIORITY.normal);
  });
});
