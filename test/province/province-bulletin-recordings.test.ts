// Recordings of a province bulletin over the API, with the real ffmpeg: the province editor uploads
// one per language while it waits for approval (checked, stored by hash); commune staff, a province
// viewer and another province cannot; an empty body or silence-free junk is refused with a reason;
// the recorder counts as a writer for the second-person rule; approval copies each recording into
// every commune's copy, where it renders as the bulletin that goes out; after approval it is frozen.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { bulletinApiPlugin } from '../../src/web/plugins/bulletin-api.ts';
import { installErrorHandler } from '../../src/web/error-handler.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { createAudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { resolveFfmpeg } from '../../broadcasts/render/ffmpeg-binary.ts';
import { createEspeakEngine } from '../../broadcasts/render/speech-engine.ts';
import { renderBulletinVersion } from '../../broadcasts/render/render-bulletin.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { sessionFor } from '../support/staff-session.ts';

const ffmpeg = resolveFfmpeg(process.env.FFMPEG_PATH)!;
const dir = mkdtempSync(join(tmpdir(), 'loaxa-province-recordings-'));
const dataDir = join(dir, 'data');
const MAX = 2 * 1024 * 1024;
let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let render: (versionId: string) => Promise<{ sha256: string; durationMs: number }>;
const staff: Record<string, string> = {};
const headers: Record<string, Record<string, string>> = {};

function make(name: string, source: string, seconds: number): Buffer {
  const path = join(dir, name);
  execFileSync(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `${source}:duration=${seconds}`, path]);
  return readFileSync(path);
}

beforeAll(async () => {
  db = await openMigratedTestDatabase('province_recordings', 4);
  prisma = db.prisma;
  const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
  const provinceId = (await prisma.commune.findUniqueOrThrow({ where: { id: communeId } })).provinceId!;
  await prisma.commune.create({ data: { code: 'XA-AN-LAC', name: 'Xã An Lạc', provinceId } });
  const other = await prisma.province.create({ data: { code: 'TINH-KHAC', name: 'Tỉnh Khác' } });
  const mk = async (username: string, data: object) => (staff[username] = (await prisma.staff.create({ data: { username, displayName: username, roles: [], ...data } })).id);
  await mk('tinh_soan', { provinceId, provinceRoles: ['editor'] });
  await mk('tinh_soan_duyet', { provinceId, provinceRoles: ['editor', 'approver'] });
  await mk('tinh_duyet', { provinceId, provinceRoles: ['approver'] });
  await mk('tinh_xem', { provinceId, provinceRoles: ['viewer'] });
  await mk('khac_soan', { provinceId: other.id, provinceRoles: ['editor'] });
  for (const u of ['tinh_soan', 'tinh_soan_duyet', 'tinh_duyet', 'tinh_xem', 'khac_soan', 'vanhoa']) headers[u] = { authorization: `Bearer ${(await sessionFor(prisma, staff[u]!)).token}` };
  const pipeline = createAudioPipeline({ ffmpegPath: ffmpeg.path, cacheDir: join(dir, 'cache'), maxInputBytes: MAX });
  render = (versionId: string) => renderBulletinVersion({ prisma, pipeline, speech: createEspeakEngine(), dataDir }, versionId);
  app = Fastify({ loggerInstance: silentLogger as unknown as FastifyBaseLogger });
  installErrorHandler(app);
  await app.register(bulletinApiPlugin, { prisma, enqueue: async () => 'job', secureCookies: false, audio: { pipeline, render, signer: createMediaLinkSigner('k'.repeat(32)), dataDir, maxUploadBytes: MAX } });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const create = async (who: string, title: string) =>
  ((await app.inject({ method: 'POST', url: '/api/v1/province-bulletins', headers: headers[who]!, payload: { title, text: 'Bà con chú ý phòng chống bão.' } })).json() as { provinceBulletin: { id: string } }).provinceBulletin.id;
const upload = (who: string, id: string, language: string, body: Buffer | string, type = 'audio/wav') =>
  app.inject({ method: 'PUT', url: `/api/v1/province-bulletins/${id}/recordings/${language}`, headers: { ...headers[who]!, 'content-type': type }, payload: body });
const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string } }).error;

describe('recordings of a province bulletin', () => {
  it('the editor records it in two languages; approval copies them into every commune; then it is frozen', async () => {
    const id = await create('tinh_soan', 'Phòng chống bão số 5');
    const vi = make('vi.wav', 'sine=frequency=440', 8);
    const bdq = make('bdq.wav', 'sine=frequency=300', 3);
    const ok = await upload('tinh_soan', id, 'vi', vi);
    expect(ok.statusCode).toBe(200);
    const viSha = (ok.json() as { recording: { audioSha256: string; durationMs: number } }).recording;
    expect(viSha.durationMs).toBeGreaterThan(7900);
    const bdqSha = ((await upload('tinh_soan', id, 'bdq', bdq)).json() as { recording: { audioSha256: string } }).recording.audioSha256;

    // Not theirs to record: commune staff, a province viewer, another province's editor.
    expect(errorOf(await upload('vanhoa', id, 'vi', vi))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('Chỉ cán bộ cấp tỉnh') });
    expect(errorOf(await upload('tinh_xem', id, 'vi', vi))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('Chỉ người soạn bản tin cấp tỉnh') });
    expect(errorOf(await upload('khac_soan', id, 'vi', vi))).toMatchObject({ code: 'NOT_FOUND', message: 'Không tìm thấy bản tin của tỉnh.' });
    // Nothing, and not audio at all.
    expect(errorOf(await upload('tinh_soan', id, 'vi', ''))).toMatchObject({ code: 'VALIDATION' });
    expect(errorOf(await upload('tinh_soan', id, 'vi', 'đây không phải là âm thanh'.repeat(50)))).toMatchObject({ code: 'VALIDATION' });
    expect(await prisma.provinceBulletinRecording.count({ where: { provinceBulletinId: id } })).toBe(2);

    const approved = await app.inject({ method: 'POST', url: `/api/v1/province-bulletins/${id}/approve`, headers: headers.tinh_duyet!, payload: {} });
    expect(approved.statusCode).toBe(200);
    const copies = await prisma.bulletin.findMany({ where: { provinceBulletinId: id }, include: { versions: { orderBy: { language: 'asc' } } } });
    expect(copies).toHaveLength(2);
    for (const c of copies) {
      expect(c.versions.map((v) => [v.language, v.audioSha256, v.text !== null, v.frozenAt !== null])).toEqual([
        ['bdq', bdqSha, false, true],
        ['vi', viSha.audioSha256, true, true],
      ]);
    }
    // The copy goes out as the 8-second recording, not the machine reading of its one short sentence.
    const rendered = await render(copies[0]!.versions.find((v) => v.language === 'vi')!.id);
    expect(rendered.durationMs).toBeGreaterThan(7500);

    expect(errorOf(await upload('tinh_soan', id, 'vi', vi))).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('không thay bản ghi âm được nữa') });
  });

  it('whoever recorded it may not approve it where a commune needs a second person', async () => {
    const id = await create('tinh_soan', 'Tin có người thu âm');
    expect((await upload('tinh_soan_duyet', id, 'vi', make('vi2.wav', 'sine=frequency=500', 2))).statusCode).toBe(200);
    const self = await app.inject({ method: 'POST', url: `/api/v1/province-bulletins/${id}/approve`, headers: headers.tinh_soan_duyet!, payload: {} });
    expect(errorOf(self)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('người thứ hai duyệt') });
    expect((await app.inject({ method: 'POST', url: `/api/v1/province-bulletins/${id}/approve`, headers: headers.tinh_duyet!, payload: {} })).statusCode).toBe(200);
  });
});
