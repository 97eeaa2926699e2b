// Recordings for a bulletin's language versions (a Ba Na or Xơ Đăng reading, or a Vietnamese one
// read by a person) and a preview of the rendered result. An upload is streamed to a temporary
// file with a byte limit (never held in memory), checked by the render pipeline (audio? silent?
// too long?), stored by hash, then attached; anything refused leaves nothing behind.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline as pump } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import { storeMediaFile } from '../../media/media-store.ts';
import { requireOwnCommune } from '../../auth/commune-scope.ts';
import type { MediaLinkSigner } from '../../media/signed-url.ts';
import type { BulletinWorkflow } from '../../bulletins/bulletin-workflow.ts';
import { AudioRenderError, type AudioPipeline } from '../../../broadcasts/render/audio-pipeline.ts';
import type { RenderedVersion } from '../../../broadcasts/render/render-bulletin.ts';
import { SpeechEngineError } from '../../../broadcasts/render/speech-engine.ts';

export interface BulletinAudioOptions {
  pipeline: AudioPipeline;
  render(versionId: string): Promise<RenderedVersion>;
  signer: MediaLinkSigner;
  dataDir: string;
  maxUploadBytes: number;
}

export const languageParams = z.object({ id: z.uuid(), language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'mã ngôn ngữ như vi, bdq (Ba Na), sed (Xơ Đăng)') });

const megabytes = (n: number) => `${Math.round(n / 1048576)} MB`;

function asAppError(e: unknown): unknown {
  if (e instanceof AudioRenderError) return new AppError(e.reason === 'too_large' ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION', e.message, { field: 'audio', reason: e.reason });
  if (e instanceof SpeechEngineError) return new AppError(e.permanent ? 'VALIDATION' : 'DEPENDENCY_DOWN', e.message);
  return e;
}

/**
 * Streams an uploaded recording to a temporary file under the byte limit, has the render pipeline
 * check it, stores it by hash and hands it to `attach`; the temporary file goes whatever happens.
 * The caller checks the person's rights before calling, so nobody without them can fill the disk.
 */
export async function receiveAudioUpload<T>(
  prisma: PrismaClient,
  audio: Pick<BulletinAudioOptions, 'pipeline' | 'dataDir' | 'maxUploadBytes'>,
  req: { headers: Record<string, string | string[] | undefined>; body: unknown },
  attach: (stored: { sha256: string; size: number }) => Promise<T>,
) {
  const max = audio.maxUploadBytes;
  const declared = Number(req.headers['content-length']);
  if (declared > max) throw new AppError('PAYLOAD_TOO_LARGE', `Tệp âm thanh quá lớn (${megabytes(declared)}, tối đa ${megabytes(max)}).`, { field: 'audio' });
  const body = req.body as Readable | undefined;
  if (!body || typeof body.pipe !== 'function') throw new AppError('VALIDATION', 'Gửi tệp âm thanh trong thân yêu cầu, với Content-Type: audio/… (MP3, WAV, M4A, OGG).', { field: 'audio' });
  const dir = await mkdtemp(join(tmpdir(), 'loaxa-upload-'));
  try {
    const file = join(dir, 'upload');
    let bytes = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        if (bytes > max) cb(new AppError('PAYLOAD_TOO_LARGE', `Tệp âm thanh quá lớn (tối đa ${megabytes(max)}).`, { field: 'audio' }));
        else cb(null, chunk);
      },
    });
    await pump(body, limit, createWriteStream(file));
    if (bytes === 0) throw new AppError('VALIDATION', 'Tệp âm thanh tải lên đang trống.', { field: 'audio' });
    const checked = await audio.pipeline.inspect(file).catch((e: unknown) => {
      throw asAppError(e);
    });
    const type = req.headers['content-type'];
    const mime = /^(audio|video)\/[\w.+-]+/.exec(typeof type === 'string' ? type : '')?.[0] ?? 'application/octet-stream';
    const stored = await storeMediaFile(prisma, audio.dataDir, file, mime, checked.durationMs);
    return { stored, checked, attached: await attach(stored) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function registerBulletinAudioRoutes(
  api: FastifyInstance,
  deps: { prisma: PrismaClient; wf: BulletinWorkflow; audio: BulletinAudioOptions; parse: <T>(schema: z.ZodType<T>, value: unknown) => T; staffOnly(req: unknown): { staffId: string; ip: string } },
): void {
  const { prisma, wf, audio, parse } = deps;
  // The body stays a stream for these types; the handler writes it to disk under its own limit.
  for (const type of ['application/octet-stream', /^audio\/.*/, /^video\/.*/]) api.addContentTypeParser(type, (_req, payload, done) => done(null, payload));

  api.put('/api/v1/bulletins/:id/versions/:language/audio', async (req) => {
    const { id, language } = parse(languageParams, req.params);
    const actor = deps.staffOnly(req);
    // Rights first, so nobody without them can fill the disk.
    await wf.checkEditable(actor, id);
    const { stored, checked, attached: bulletin } = await receiveAudioUpload(prisma, audio, req, (stored) => wf.attachAudio(actor, id, language, stored.sha256));
    return { bulletin, version: { language, audioSha256: stored.sha256, bytes: stored.size, durationMs: checked.durationMs }, warnings: checked.warnings };
  });

  /** Renders the current revision's version as it will go out, and links to it for listening. */
  api.post('/api/v1/bulletins/:id/versions/:language/preview', async (req) => {
    const { id, language } = parse(languageParams, req.params);
    const actor = deps.staffOnly(req);
    const b = await prisma.bulletin.findUnique({ where: { id } });
    const staff = await prisma.staff.findUnique({ where: { id: actor.staffId } });
    if (!b) throw new AppError('NOT_FOUND', 'Không tìm thấy bản tin.');
    if (!staff) throw new AppError('NOT_FOUND', 'Không tìm thấy bản tin.');
    await requireOwnCommune(prisma, staff, b.communeId, 'Không tìm thấy bản tin.');
    // Rendering costs the server seconds of CPU: only those who write or approve bulletins.
    if (!staff.roles.some((r) => r === 'admin' || r === 'editor' || r === 'approver')) throw new AppError('FORBIDDEN', 'Chỉ người soạn hoặc duyệt bản tin mới nghe thử được.');
    const v = await prisma.bulletinVersion.findUnique({ where: { bulletinId_revision_language: { bulletinId: id, revision: b.revision, language } } });
    if (!v) throw new AppError('NOT_FOUND', `Bản tin chưa có bản ngôn ngữ "${language}".`);
    const r = await audio.render(v.id).catch((e: unknown) => {
      throw asAppError(e);
    });
    return { url: audio.signer.link(r.sha256, 'mp3', 24 * 3600), sha256: r.sha256, durationMs: r.durationMs };
  });
}
