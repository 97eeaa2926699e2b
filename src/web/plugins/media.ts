// Rendered audio (and stored photos) at stable, signed, expiring URLs, with range requests and
// ETags so loudspeakers on weak links can resume and re-check cheaply.
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import type { PrismaClient } from '../../db/generated/client.ts';
import type { MediaLinkSigner } from '../../media/signed-url.ts';
import { AppError } from '../../errors.ts';

export interface MediaPluginOptions {
  dataDir: string;
  prisma: PrismaClient;
  signer: MediaLinkSigner;
}

export const mediaPlugin: FastifyPluginAsync<MediaPluginOptions> = async (app, opts) => {
  // Files are served only through the signed route below, never by listing the folder.
  await app.register(fastifyStatic, { root: opts.dataDir, serve: false, etag: true, acceptRanges: true, cacheControl: false });
  app.get<{ Params: { file: string }; Querystring: { e?: string; s?: string } }>('/media/:file', async (req, reply) => {
    const verdict = opts.signer.check(req.params.file, req.query.e, req.query.s);
    if (verdict === 'bad') throw new AppError('FORBIDDEN', 'Đường dẫn không hợp lệ.');
    if (verdict === 'expired') throw new AppError('FORBIDDEN', 'Đường dẫn đã hết hạn.');
    const sha256 = req.params.file.slice(0, 64);
    const file = await opts.prisma.mediaFile.findUnique({ where: { sha256 } });
    if (!file) throw new AppError('NOT_FOUND', 'Không tìm thấy tệp.');
    // Content never changes under a hash: cache for as long as the link lives.
    reply.header('cache-control', 'private, max-age=86400, immutable');
    reply.type(file.mime);
    return reply.sendFile(file.path, { contentType: false });
  });
};
