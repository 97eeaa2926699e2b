// A bulletin goes out: one run, one delivery per target and loudspeaker, each sent exactly once
// (text + audio to Telegram groups, a signed play command to loudspeakers that fetch the audio by
// a signed link), a permanent error marks the target broken, a 429 storm only delays.
import { simulatorSecret } from '../../broadcasts/radio/endpoint-secret.ts';
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
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { createTelegramChannel } from '../../bots/telegram/telegram-channel.ts';
import { createAudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';
import { createEspeakEngine } from '../../broadcasts/render/speech-engine.ts';
import { renderBulletinVersion, type AudioVariant } from '../../broadcasts/render/render-bulletin.ts';
import { deliverJob, startRun } from '../../broadcasts/fanout/start-run.ts';
import { deliverJobHandler } from '../../broadcasts/fanout/deliver.ts';
import { HandBackJob } from '../../src/queues/job-errors.ts';
import { reconcileDeliveries } from '../../broadcasts/fanout/reconcile-deliveries.ts';
import { RadioSimulator } from '../../broadcasts/radio/radio-simulator.ts';
import { FakeBotApi } from '../support/telegram-bot-api/fake-bot-api.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';
// The demo loudspeakers' secrets derive from the installation key (endpoint-secret.ts).
const DEMO_KEY = Buffer.alloc(32, 9);

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let queues: QueueKit;
let api: FakeBotApi;
let sim: RadioSimulator;
let web: FastifyInstance;
let webUrl = '';
let handleDeliver: ReturnType<typeof deliverJobHandler>;
const mediaSigner = createMediaLinkSigner(randomBytes(32));
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-fanout-'));
const prefix = testRedisPrefix();
let communeId = '';
const staff: Record<string, string> = {};
const staffNotices: Array<{ job: string; chatId: string; text: string }> = [];

beforeAll(async () => {
  db = await openMigratedTestDatabase('fanout', 8);
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;

  api = new FakeBotApi({ groupWindowMs: 60_000, groupLimit: 20 });
  const { apiRoot } = await api.start();
  const telegram = createTelegramChannel({ token: api.token, apiRoot, log: silentLogger, mode: { kind: 'send-only' } });
  const signer = mediaSigner;
  web = Fastify();
  await web.register(mediaPlugin, { dataDir, prisma, signer });
  await web.register(radioCallbackPlugin, { prisma, demoKey: DEMO_KEY });
  await web.listen({ port: 0, host: '127.0.0.1' });
  const publicBaseUrl = `http://127.0.0.1:${(web.server.address() as { port: number }).port}`;
  webUrl = publicBaseUrl;

  const endpoints = await prisma.endpoint.findMany({ where: { communeId } });
  sim = new RadioSimulator(endpoints.map((e) => ({ id: e.id, secret: simulatorSecret(DEMO_KEY, e.id), callbackUrl: `${publicBaseUrl}/radio/callback/${e.id}` })), { speed: 100 });
  await sim.start();
  for (const e of endpoints) await prisma.endpoint.update({ where: { id: e.id }, data: { baseUrl: sim.urlOf(e.id), status: 'online' } });
  // One cluster on a weak link takes 32 kbps: its own encoding, checked by the simulator like the other.
  await prisma.endpoint.update({ where: { id: endpoints[0]!.id }, data: { bitrateKbps: 32 } });
  const targets = await prisma.target.findMany({ where: { communeId, kind: 'telegram_chat' }, orderBy: { name: 'asc' } });
  await prisma.target.update({ where: { id: targets[0]!.id }, data: { status: 'active', platformChatId: '-1001' } });
  await prisma.target.update({ where: { id: targets[1]!.id }, data: { status: 'active', platformChatId: '-1002' } });

  const ffmpeg = resolveFfmpeg(process.env.FFMPEG_PATH)!;
  const pipeline = createAudioPipeline({ ffmpegPath: ffmpeg.path, cacheDir: join(dataDir, 'render-cache') });
  const speech = createEspeakEngine();
  queues = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix, log: silentLogger });
  const deps = {
    demoKey: DEMO_KEY,
    prisma,
    channels: new ChannelDirectory().register(telegram),
    signer,
    publicBaseUrl,
    dataDir,
    render: (versionId: string, variant?: AudioVariant) => renderBulletinVersion({ prisma, pipeline, speech, dataDir }, versionId, variant),
    now: () => new Date(),
    // Staff notices go to the outbound queue, which this test does not run: they are kept here.
    enqueue: async <D>(def: { name: string }, data: D) => {
      staffNotices.push({ job: def.name, ...(data as object) } as never);
      return 'notice';
    },
  };
  handleDeliver = deliverJobHandler(deps);
  queues.startWorker('broadcast', { [deliverJob.name]: handleDeliver as never }, { concurrency: 4 });
});

afterAll(async () => {
  await queues?.close(2000);
  await deleteTestRedisKeys(prefix);
  await sim?.close();
  await web?.close();
  await api?.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function approvedBulletin(text: string, cls: 'normal' | 'emergency' = 'normal') {
  const wf = createBulletinWorkflow(prisma);
  const author = cls === 'emergency' ? staff.chutich! : staff.vanhoa!;
  const b = await wf.createDraft({ staffId: author }, { communeId, title: 'Thông báo lịch tiêm chủng', text, class: cls });
  if (cls === 'normal') await wf.submit({ staffId: author }, b.id);
  await wf.approve({ staffId: cls === 'emergency' ? staff.chutich! : staff.chutich! }, b.id);
  return b;
}

async function fanOut(bulletinId: string, at = new Date()) {
  const run = await startRun(prisma, { bulletinId, scheduledFor: at });
  for (const id of run.deliveryIds) await queues.enqueue(deliverJob, { deliveryId: id }, { jobId: `dlv-${id}`, priority: run.priority });
  return run;
}

async function until(fn: () => Promise<boolean>, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('fan-out', () => {
  it('renders once and delivers once to each Telegram group and loudspeaker', async () => {
    const b = await approvedBulletin('Trạm Y tế xã thông báo: ngày 25/11/2026 tiêm vắc xin sởi cho trẻ từ 1-5 tuổi.');
    const run = await fanOut(b.id, new Date('2026-11-25T00:00:00Z'));
    expect(run.deliveryIds).toHaveLength(4);
    expect(run.skipped.map((s) => s.why)).toEqual(['chưa kích hoạt', 'chưa kích hoạt']);
    await until(async () => (await prisma.broadcastRun.findUniqueOrThrow({ where: { id: run.runId } })).status !== 'sending');
    const deliveries = await prisma.delivery.findMany({ where: { runId: run.runId } });
    expect(deliveries.every((d) => d.status === 'sent')).toBe(true);
    for (const chat of ['-1001', '-1002']) {
      // Words that fit a caption travel with the voice note: one message per group.
      expect(api.sentTo(chat).map((m) => m.method)).toEqual(['sendVoice']);
      expect(api.sentTo(chat)[0]!.caption).toContain('25/11/2026');
    }
    // The voice note is OGG/Opus, as Telegram plays voices, uploaded once: the other group gets it
    // by the id Telegram gave the first upload.
    const voices = api.calls.filter((c) => c.method === 'sendVoice').map((c) => c.body.voice);
    expect(voices).toHaveLength(2);
    expect((voices[0] as { magic: string }).magic).toBe('OggS');
    expect(voices[1]).toBe(`sent-${api.sent.find((m) => m.method === 'sendVoice')!.messageId}`);
    expect((await prisma.bulletin.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('done');
    const version = await prisma.bulletinVersion.findFirstOrThrow({ where: { bulletinId: b.id } });
    expect(version.renderedSha256).toMatch(/^[0-9a-f]{64}$/);
    // Loudspeakers fetched the audio over the signed link, checked the hash, and played it.
    await until(async () => sim.reports.filter((r) => r.event === 'finished').length >= 2, 20_000);
    expect(sim.reports.filter((r) => r.event === 'failed')).toEqual([]);
    expect(await prisma.mediaFile.count({ where: { mime: 'audio/mpeg' } })).toBe(2);
    // Their signed reports reached the callback: playback times and endpoint status are kept.
    await until(async () => (await prisma.delivery.count({ where: { runId: run.runId, endpointId: { not: null }, playedAt: { not: null } } })) === 2, 10_000);
    const endpoints = await prisma.endpoint.findMany({ where: { communeId } });
    expect(endpoints.every((e) => e.status === 'online' && e.lastPlaybackAt !== null)).toBe(true);
  });

  it('never fires twice for the same time, and a replayed delivery job sends nothing', async () => {
    const b = await prisma.bulletin.findFirstOrThrow({ where: { status: 'done' } });
    const again = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date('2026-11-25T00:00:00Z') });
    expect(again.created).toBe(false);
    const before = api.sent.length;
    for (const id of again.deliveryIds) await queues.enqueue(deliverJob, { deliveryId: id }, { jobId: `dlv-replay-${id}` });
    await new Promise((r) => setTimeout(r, 1500));
    expect(api.sent.length).toBe(before);
  });

  it('a group the bot was removed from is marked broken, staff are told once; the bulletin is partly failed', async () => {
    await prisma.channelAccount.create({ data: { communeId, platform: 'telegram', name: 'bot-thu', status: 'connected', settings: { adminChatId: '-100500' } } });
    const t = await prisma.target.findFirstOrThrow({ where: { platformChatId: '-1002' } });
    await prisma.target.update({ where: { id: t.id }, data: { platformChatId: 'khong-ton-tai' } });
    const b = await approvedBulletin('Lịch thu gom rác thải tháng 12 thay đổi, xin bà con chú ý.');
    const run = await fanOut(b.id);
    await until(async () => (await prisma.broadcastRun.findUniqueOrThrow({ where: { id: run.runId } })).status !== 'sending');
    const finished = await prisma.broadcastRun.findUniqueOrThrow({ where: { id: run.runId }, include: { deliveries: true } });
    expect(finished.status, JSON.stringify(finished.deliveries.map((d) => [d.targetId ?? d.endpointId, d.status, d.error]))).toBe('partly_failed');
    const broken = await prisma.target.findUniqueOrThrow({ where: { id: t.id } });
    expect(broken.status).toBe('broken');
    expect(broken.statusReason).toContain('chat not found');
    expect((await prisma.bulletin.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('partly_failed');
    // Staff hear of it once, in the admin chat, and the audit log keeps it.
    expect(staffNotices).toEqual([{ job: 'direct', platform: 'telegram', accountId: 'bot-thu', chatId: '-100500', text: expect.stringContaining(`nhóm "${t.name}"`) }]);
    expect(await prisma.auditLog.count({ where: { action: 'target.broken', entityId: t.id } })).toBe(1);
    // A later bulletin skips the broken group rather than failing on it again.
    const later = await fanOut((await approvedBulletin('Thông báo họp dân thôn.')).id);
    expect(later.skipped.map((x) => x.name)).toContain(t.name);
    await until(async () => (await prisma.broadcastRun.findUniqueOrThrow({ where: { id: later.runId } })).status !== 'sending');
    expect(staffNotices).toHaveLength(1);
  });

  it('a 429 storm delays the group but every delivery ends sent exactly once', async () => {
    api.failNext('sendVoice', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } }, 3);
    const b = await approvedBulletin('Khẩn: lũ quét đang về thôn 6, bà con sơ tán ngay lên nhà văn hóa.', 'emergency');
    const before = api.sentTo('-1001').length;
    const run = await fanOut(b.id);
    await until(async () => (await prisma.broadcastRun.findUniqueOrThrow({ where: { id: run.runId } })).status !== 'sending');
    const d = await prisma.delivery.findFirstOrThrow({ where: { runId: run.runId, target: { platformChatId: '-1001' } } });
    expect(d.status).toBe('sent');
    expect(api.sentTo('-1001').length - before).toBe(1);
    expect(api.calls.filter((c) => c.method === 'sendVoice').length).toBeGreaterThan(0);
  });

  it('deliveries whose jobs were lost are queued again by the reconciler and go out once', async () => {
    const t = await prisma.target.findFirstOrThrow({ where: { statusReason: { not: null } } });
    await prisma.target.update({ where: { id: t.id }, data: { status: 'active', statusReason: null, platformChatId: '-1002' } });
    const b = await approvedBulletin('Thông báo họp dân thôn 1 vào tối thứ Sáu.');
    // The run and its deliveries are committed, but Redis lost the jobs.
    const run = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
    const before = api.sentTo('-1002').length;
    const later = () => new Date(Date.now() + 10 * 60_000);
    const r = await reconcileDeliveries({ prisma, enqueue: queues.enqueue.bind(queues), now: later }, { olderThanMs: 60_000 });
    expect(r.deliveries).toBe(run.deliveryIds.length);
    await until(async () => (await prisma.broadcastRun.findUniqueOrThrow({ where: { id: run.runId } })).status !== 'sending');
    expect(api.sentTo('-1002').length - before).toBe(1);
    // Once more: nothing is pending, nothing is sent again.
    expect((await reconcileDeliveries({ prisma, enqueue: queues.enqueue.bind(queues), now: later }, { olderThanMs: 60_000 })).deliveries).toBe(0);
  });

  it('a send whose outcome is unknown is made once more and the delivery is marked "có thể trùng"', async () => {
    const b = await approvedBulletin('Thông báo: chiều nay mất nước từ 14 giờ đến 17 giờ.');
    const run = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
    const groups = await prisma.delivery.findMany({ where: { runId: run.runId, targetId: { not: null } }, include: { target: true } });
    expect(groups.length).toBeGreaterThanOrEqual(1);
    // A worker began the text to the first group and died before recording Telegram's answer.
    const [cut] = groups;
    await prisma.delivery.update({ where: { id: cut!.id }, data: { status: 'sending', sendingPart: 'text', attempts: 1 } });
    const before = api.sentTo(cut!.target!.platformChatId!).length;
    for (const id of run.deliveryIds) await queues.enqueue(deliverJob, { deliveryId: id }, { jobId: `dlv-${id}`, priority: run.priority });
    await until(async () => (await prisma.broadcastRun.findUniqueOrThrow({ where: { id: run.runId } })).status !== 'sending');
    const after = await prisma.delivery.findMany({ where: { runId: run.runId } });
    for (const d of after) {
      expect(d.status, d.id).toBe('sent');
      expect(d.sendingPart).toBeNull();
      expect(d.possibleDuplicate, d.id).toBe(d.id === cut!.id);
    }
    // Sent once more (one captioned voice note): the honest answer to not knowing.
    expect(api.sentTo(cut!.target!.platformChatId!).length - before).toBe(1);
  });

  it('a worker that is stopping starts no send: the delivery goes back to pending untouched, even on its last attempt', async () => {
    const b = await approvedBulletin('Thông báo: sáng mai phun thuốc diệt muỗi toàn xã.');
    const run = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
    const group = await prisma.delivery.findFirstOrThrow({ where: { runId: run.runId, targetId: { not: null } }, include: { target: true } });
    const before = api.sentTo(group.target!.platformChatId!).length;
    const stopping = new AbortController();
    stopping.abort();
    await expect(handleDeliver({ deliveryId: group.id }, { job: { attemptsMade: 7, opts: { attempts: 8 } }, signal: stopping.signal })).rejects.toBeInstanceOf(HandBackJob);
    const d = await prisma.delivery.findUniqueOrThrow({ where: { id: group.id } });
    // Nothing begun, so nothing uncertain: the next worker's send is not a repeat.
    expect(d.status).toBe('pending');
    expect(d.sendingPart).toBeNull();
    expect(d.possibleDuplicate).toBe(false);
    expect(api.sentTo(group.target!.platformChatId!).length).toBe(before);
    for (const id of run.deliveryIds) await queues.enqueue(deliverJob, { deliveryId: id }, { jobId: `dlv-${id}`, priority: run.priority });
    await until(async () => (await prisma.broadcastRun.findUniqueOrThrow({ where: { id: run.runId } })).status !== 'sending');
    const after = await prisma.delivery.findUniqueOrThrow({ where: { id: group.id } });
    expect(after.status).toBe('sent');
    expect(after.possibleDuplicate).toBe(false);
    expect(api.sentTo(group.target!.platformChatId!).length - before).toBe(1);
  });

  it('words longer than a caption go first as text, then the voice note', async () => {
    const long = Array.from({ length: 15 }, (_, i) => `Mục ${i + 1}: bà con thôn 3 kiểm tra lại hồ sơ đất đai tại bộ phận một cửa.`).join(' ');
    expect(long.length).toBeGreaterThan(1024);
    const b = await approvedBulletin(long);
    const run = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
    const group = await prisma.delivery.findFirstOrThrow({ where: { runId: run.runId, targetId: { not: null } }, include: { target: true } });
    const chat = group.target!.platformChatId!;
    const before = api.sentTo(chat).length;
    for (const id of run.deliveryIds) await queues.enqueue(deliverJob, { deliveryId: id }, { jobId: `dlv-${id}`, priority: run.priority });
    // The wait fits the test's own 90 s: speech for 1,000+ characters on a busy runner.
    await until(async () => (await prisma.broadcastRun.findUniqueOrThrow({ where: { id: run.runId } })).status !== 'sending', 85_000);
    const sent = api.sentTo(chat).slice(before);
    expect(sent.map((m) => m.method)).toEqual(['sendMessage', 'sendVoice']);
    expect(sent[0]!.text).toContain('Mục 15');
    // The voice note carries only the title, so the words are not posted twice.
    expect(sent[1]!.caption ?? '').not.toContain('Mục 1:');
  }, 90_000);

  it('refuses a bulletin that is not approved', async () => {
    const wf = createBulletinWorkflow(prisma);
    const b = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId, title: 'Nháp', text: 'Chưa duyệt' });
    await expect(startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('signed media links', () => {
  it('serve the audio with ranges and ETag, and refuse forged or expired links', async () => {
    const v = await prisma.bulletinVersion.findFirstOrThrow({ where: { renderedSha256: { not: null } } });
    const link = `${webUrl}${mediaSigner.link(v.renderedSha256!, 'mp3')}`;
    const full = await fetch(link);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('audio/mpeg');
    expect(full.headers.get('etag')).toBeTruthy();
    const body = Buffer.from(await full.arrayBuffer());
    const part = await fetch(link, { headers: { range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(body.subarray(0, 100));
    expect((await fetch(link.replace(/s=[^&]+/, 's=forged'))).status).toBe(403);
    expect((await fetch(`${webUrl}${mediaSigner.link(v.renderedSha256!, 'mp3', -60)}`)).status).toBe(403);
    expect((await fetch(`${webUrl}/media/..%2F..%2Fetc%2Fpasswd?e=1&s=x`)).status).toBe(403);
  });
});
