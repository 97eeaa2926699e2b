// Recordings and reach over the bulletin API, with the real ffmpeg and espeak-ng: language versions
// uploaded as audio (checked, stored by hash, refused with a reason), a preview of the rendered
// result, the audience chosen within the commune only, a bulletin's detail, and priority bulletins
// from a higher level placed at the commune's next slot as a delayed job.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { createQueueKit, type QueueKit } from '../../src/queues/queue-kit.ts';
import { bulletinApiPlugin } from '../../src/web/plugins/bulletin-api.ts';
import { installErrorHandler } from '../../src/web/error-handler.ts';
import { createApiKey } from '../../src/auth/staff-sessions.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { createAudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';
import { createEspeakEngine } from '../../broadcasts/render/speech-engine.ts';
import { renderBulletinVersion } from '../../broadcasts/render/render-bulletin.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

const ffmpeg = resolveFfmpeg(process.env.FFMPEG_PATH)!;
const dir = mkdtempSync(join(tmpdir(), 'loaxa-recordings-'));
const dataDir = join(dir, 'data');
const MAX = 2 * 1024 * 1024;
let db: MigratedTestDatabase;
let prisma: PrismaClient;
let queues: QueueKit;
let app: FastifyInstance;
let communeId = '';
const prefix = testRedisPrefix();
const PASSWORD = 'MatKhauKiemThu2026';

/** A test signal made by ffmpeg (lavfi). */
function make(name: string, source: string, seconds: number, extra: string[] = []): Buffer {
  const path = join(dir, name);
  execFileSync(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `${source}:duration=${seconds}`, ...extra, path]);
  return readFileSync(path);
}

beforeAll(async () => {
  db = await openMigratedTestDatabase('recordings');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: PASSWORD })).communeId;
  // These accounts have set their own password (the forced first change has its own test).
  await prisma.staff.updateMany({ data: { mustChangePassword: false } });
  queues = createQueueKit({ redisUrl: TEST_REDIS_URL, prefix, log: silentLogger });
  const pipeline = createAudioPipeline({ ffmpegPath: ffmpeg.path, cacheDir: join(dir, 'cache'), maxInputBytes: MAX });
  const render = (versionId: string) => renderBulletinVersion({ prisma, pipeline, speech: createEspeakEngine(), dataDir }, versionId);
  app = Fastify({ loggerInstance: silentLogger as unknown as FastifyBaseLogger });
  installErrorHandler(app);
  await app.register(bulletinApiPlugin, {
    prisma,
    enqueue: queues.enqueue.bind(queues),
    secureCookies: false,
    audio: { pipeline, render, signer: createMediaLinkSigner('k'.repeat(32)), dataDir, maxUploadBytes: MAX },
  });
});
afterAll(async () => {
  await app?.close();
  await queues?.close(1000);
  await deleteTestRedisKeys(prefix);
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const tokens = new Map<string, string>();
async function as(username: string): Promise<Record<string, string>> {
  if (!tokens.has(username)) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
    tokens.set(username, (res.json() as { token: string }).token);
  }
  return { authorization: `Bearer ${tokens.get(username)}` };
}

async function draft(title = 'Lịch tiêm chủng'): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: await as('vanhoa'), payload: { title, text: 'Ngày 25/11/2026 tiêm vắc xin sởi tại trạm y tế xã.' } });
  return (res.json() as { bulletin: { id: string } }).bulletin.id;
}

async function upload(id: string, language: string, body: Buffer | string, user = 'vanhoa', type = 'audio/wav') {
  return app.inject({ method: 'PUT', url: `/api/v1/bulletins/${id}/versions/${language}/audio`, headers: { ...(await as(user)), 'content-type': type }, payload: body });
}

const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string } }).error;

describe('recordings of a bulletin', () => {
  it('takes a Ba Na recording as a language version: checked, stored by hash, shown in the detail', async () => {
    const id = await draft();
    const wav = make('ba-na.wav', 'sine=frequency=300', 3);
    const res = await upload(id, 'bdq', wav);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { version: { audioSha256: string; durationMs: number }; warnings: string[] };
    expect(body.version.durationMs).toBeGreaterThan(2900);
    expect(body.warnings).toEqual([]);
    expect(await prisma.mediaFile.findUnique({ where: { sha256: body.version.audioSha256 } })).toMatchObject({ size: wav.length, mime: 'audio/wav' });
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/bulletins/${id}`, headers: await as('vanhoa') })).json() as { versions: Array<{ language: string; audioSha256: string | null; text: string | null }> };
    expect(detail.versions.map((v) => v.language)).toEqual(['bdq', 'vi']);
    expect(detail.versions.find((v) => v.language === 'bdq')).toMatchObject({ audioSha256: body.version.audioSha256, text: null });
    const audit = await prisma.auditLog.findMany({ where: { entityId: id, action: 'bulletin.audio' } });
    expect(audit).toHaveLength(1);
  });

  it('warns about a clipped recording but keeps it', async () => {
    const id = await draft();
    const res = await upload(id, 'sed', make('clipped.wav', 'sine=frequency=440', 2, ['-af', 'volume=30dB']));
    expect(res.statusCode).toBe(200);
    expect((res.json() as { warnings: string[] }).warnings.join(' ')).toContain('méo');
  });

  it('refuses what is not audio, silence, an empty body, a file over the limit, and a declared 500 MB, storing nothing', async () => {
    const id = await draft();
    const before = await prisma.mediaFile.count();
    const text = await upload(id, 'bdq', 'Đây là văn bản, không phải âm thanh', 'vanhoa', 'audio/mpeg');
    expect(text.statusCode).toBe(400);
    expect(errorOf(text).message).toContain('không phải âm thanh');
    const image = await upload(id, 'bdq', make('red.png', 'color=c=red:size=32x32', 1, ['-frames:v', '1']), 'vanhoa', 'application/octet-stream');
    expect(errorOf(image).message).toContain('không phải âm thanh');
    const silence = await upload(id, 'bdq', make('silence.wav', 'anullsrc=r=44100:cl=mono', 3));
    expect(silence.statusCode).toBe(400);
    expect(errorOf(silence).message).toContain('im lặng');
    const empty = await upload(id, 'bdq', Buffer.alloc(0));
    expect(empty.statusCode).toBe(400);
    const big = await upload(id, 'bdq', Buffer.alloc(MAX + 1024, 1));
    expect(big.statusCode).toBe(413);
    expect(errorOf(big).message).toContain('quá lớn');
    const json = await app.inject({ method: 'PUT', url: `/api/v1/bulletins/${id}/versions/bdq/audio`, headers: await as('vanhoa'), payload: { audio: 'base64…' } });
    expect(json.statusCode).toBe(400);

    // 500 MB announced over a real socket: refused from the header, before any byte is read.
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'PUT', path: `/api/v1/bulletins/${id}/versions/bdq/audio`, headers: { ...tokensHeader(), 'content-type': 'audio/mpeg', 'content-length': String(500 * 1024 * 1024) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(Buffer.alloc(64 * 1024));
    });
    expect(status).toBe(413);
    expect(await prisma.mediaFile.count()).toBe(before);
    expect(await prisma.bulletinVersion.count({ where: { bulletinId: id, language: 'bdq' } })).toBe(0);
  });

  it('refuses uploads from someone who may not edit, before reading them', async () => {
    const id = await draft();
    const wav = make('tone.wav', 'sine=frequency=500', 1);
    expect((await upload(id, 'bdq', wav, 'diachinh')).statusCode).toBe(403);
    expect((await upload(id, 'bdq', wav, 'giamsat')).statusCode).toBe(403);
    expect((await upload(id, 'khong hop le', wav)).statusCode).toBe(400);
  });

  it('a recording added to an approved bulletin opens a new revision that needs approval again', async () => {
    const id = await draft();
    await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/submit`, headers: await as('vanhoa') });
    await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/approve`, headers: await as('chutich') });
    const res = await upload(id, 'bdq', make('late.wav', 'sine=frequency=350', 2));
    expect((res.json() as { bulletin: { status: string; revision: number; approvedRevision: number } }).bulletin).toMatchObject({ status: 'draft', revision: 2, approvedRevision: 1 });
    expect(await prisma.bulletinVersion.count({ where: { bulletinId: id, revision: 1 } })).toBe(1);
    expect(await prisma.bulletinVersion.count({ where: { bulletinId: id, revision: 2 } })).toBe(2);
  });

  it('previews the rendered audio (spoken text, or the recording) behind a signed link', async () => {
    const id = await draft();
    const res = await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/versions/vi/preview`, headers: await as('vanhoa') });
    expect(res.statusCode).toBe(200);
    const p = res.json() as { url: string; durationMs: number; sha256: string };
    expect(p.url).toMatch(new RegExp(`^/media/${p.sha256}\\.mp3\\?e=\\d+&s=`));
    expect(p.durationMs).toBeGreaterThan(1000);
    expect((await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/versions/bdq/preview`, headers: await as('vanhoa') })).statusCode).toBe(404);
  });
});

function tokensHeader(): Record<string, string> {
  return { authorization: `Bearer ${tokens.get('vanhoa')}` };
}

describe('audience and detail', () => {
  it('chooses villages, groups and loudspeakers of the commune only; "all" replaces them', async () => {
    const id = await draft('Họp thôn');
    const villages = await prisma.village.findMany({ where: { communeId }, take: 2 });
    const endpoint = await prisma.endpoint.findFirstOrThrow({ where: { communeId } });
    const ok = await app.inject({ method: 'PUT', url: `/api/v1/bulletins/${id}/audience`, headers: await as('vanhoa'), payload: { villageIds: villages.map((v) => v.id), endpointIds: [endpoint.id] } });
    expect(ok.json()).toEqual({ audience: 3 });
    const other = await prisma.commune.create({ data: { name: 'Xã khác', code: '99901', villages: { create: { name: 'Thôn lạ' } } }, include: { villages: true } });
    const foreign = await app.inject({ method: 'PUT', url: `/api/v1/bulletins/${id}/audience`, headers: await as('vanhoa'), payload: { villageIds: [other.villages[0]!.id] } });
    expect(foreign.statusCode).toBe(400);
    expect(errorOf(foreign).message).toContain('không thuộc xã');
    expect((await app.inject({ method: 'PUT', url: `/api/v1/bulletins/${id}/audience`, headers: await as('vanhoa'), payload: {} })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PUT', url: `/api/v1/bulletins/${id}/audience`, headers: await as('vanhoa'), payload: { all: true, villageIds: [] } })).statusCode).toBe(400);
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/bulletins/${id}`, headers: await as('vanhoa') })).json() as { audience: Array<{ kind: string; name: string }> };
    expect(detail.audience.map((a) => a.kind).sort()).toEqual(['endpoint', 'village', 'village']);
    await app.inject({ method: 'PUT', url: `/api/v1/bulletins/${id}/audience`, headers: await as('vanhoa'), payload: { all: true } });
    expect(await prisma.bulletinAudience.findMany({ where: { bulletinId: id }, select: { kind: true } })).toEqual([{ kind: 'all' }]);

    // Once approved, only an approver changes the reach.
    await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/submit`, headers: await as('vanhoa') });
    await app.inject({ method: 'POST', url: `/api/v1/bulletins/${id}/approve`, headers: await as('chutich') });
    expect((await app.inject({ method: 'PUT', url: `/api/v1/bulletins/${id}/audience`, headers: await as('vanhoa'), payload: { villageIds: [villages[0]!.id] } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'PUT', url: `/api/v1/bulletins/${id}/audience`, headers: await as('chutich'), payload: { villageIds: [villages[0]!.id] } })).statusCode).toBe(200);
  });

  it('lists where bulletins can go; another commune\u2019s bulletin answers as missing', async () => {
    const list = (await app.inject({ method: 'GET', url: '/api/v1/targets', headers: await as('vanhoa') })).json() as { villages: unknown[]; targets: unknown[]; endpoints: Array<{ status: string }> };
    expect(list.villages.length).toBeGreaterThan(0);
    expect(list.endpoints.length).toBe(2);
    const other = await prisma.commune.create({ data: { name: 'Xã bên cạnh', code: '99902' } });
    const foreign = await prisma.bulletin.create({ data: { communeId: other.id, title: 'Của xã khác' } });
    expect((await app.inject({ method: 'GET', url: `/api/v1/bulletins/${foreign.id}`, headers: await as('vanhoa') })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/v1/bulletins/${foreign.id}/report`, headers: await as('vanhoa') })).statusCode).toBe(404);
  });
});

describe('bulletins from a higher level', () => {
  it('a priority bulletin waits for the commune\u2019s next slot as a delayed job; without slots it goes out at once', async () => {
    const { key } = await createApiKey(prisma, { communeId, name: 'Sở Y tế' });
    const res = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: { 'x-api-key': key }, payload: { title: 'Cảnh báo sốt xuất huyết', class: 'priority', text: 'Người dân diệt lăng quăng, ngủ màn.' } });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { bulletin: { id: string; status: string }; schedule: { runAt: string } };
    expect(body.bulletin.status).toBe('scheduled');
    const at = new Date(body.schedule.runAt);
    expect(at.getTime()).toBeGreaterThan(Date.now());
    expect(at.getTime() - Date.now()).toBeLessThanOrEqual(8 * 86_400_000);
    const slots = await prisma.broadcastSlot.findMany({ where: { communeId } });
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
    expect(slots.map((s) => s.timeOfDay)).toContain(local);
    const job = await queues.queue('broadcast').getJob(`fire-${body.bulletin.id}-${at.getTime()}`);
    expect(await job?.getState()).toBe('delayed');

    await prisma.broadcastSlot.updateMany({ where: { communeId }, data: { active: false } });
    const now = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: { 'x-api-key': key }, payload: { title: 'Khẩn trương tiêm phòng', class: 'priority', text: 'Tiêm phòng dại cho chó mèo.' } });
    expect((now.json() as { run: { deliveries: number } }).run.deliveries).toBeGreaterThan(0);
    await prisma.broadcastSlot.updateMany({ where: { communeId }, data: { active: true } });
  });
});

