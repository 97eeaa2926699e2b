// Reports from loudspeaker clusters (heartbeat, playback started / finished / failed /
// interrupted), signed with the endpoint's secret. Keeps each endpoint's status and each
// delivery's playback time, which staff see in the delivery report.
import type { FastifyPluginAsync } from 'fastify';
import type { PrismaClient } from '../../db/generated/client.ts';
import { verify } from '../../../broadcasts/radio/signing.ts';
import { decryptSecret } from '../../crypto/secret-box.ts';
import type { EndpointReport } from '../../../broadcasts/radio/endpoint.ts';
import { AppError } from '../../errors.ts';

export interface RadioCallbackOptions {
  prisma: PrismaClient;
  encryptionKey?: Buffer | undefined;
}

const EVENTS = new Set(['heartbeat', 'started', 'finished', 'failed', 'interrupted']);

export const radioCallbackPlugin: FastifyPluginAsync<RadioCallbackOptions> = async (app, opts) => {
  // The signature covers the exact bytes sent: keep the body as a string in this scope.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));
  app.post<{ Params: { endpointId: string } }>('/radio/callback/:endpointId', async (req, reply) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    if (!/^[0-9a-f-]{36}$/.test(req.params.endpointId)) throw new AppError('NOT_FOUND');
    const e = await opts.prisma.endpoint.findUnique({ where: { id: req.params.endpointId } });
    if (!e) throw new AppError('NOT_FOUND');
    let secret = e.id;
    if (e.secretEnc) {
      if (!opts.encryptionKey) throw new AppError('DEPENDENCY_DOWN', 'Thiếu ENCRYPTION_KEY.');
      secret = decryptSecret(opts.encryptionKey, e.secretEnc);
    }
    if (!verify(secret, raw, req.headers).ok) throw new AppError('UNAUTHENTICATED', 'Chữ ký không hợp lệ.');
    let r: EndpointReport;
    try {
      r = JSON.parse(raw) as EndpointReport;
    } catch {
      throw new AppError('VALIDATION', 'Báo cáo không phải JSON.');
    }
    if (!EVENTS.has(r.event)) throw new AppError('VALIDATION', 'Sự kiện không hợp lệ.');
    const at = Number.isNaN(Date.parse(r.at)) ? new Date() : new Date(r.at);
    await opts.prisma.endpoint.update({
      where: { id: e.id },
      data: {
        status: e.status === 'broken' ? 'broken' : 'online',
        lastHeartbeatAt: at,
        ...(Number.isInteger(r.volume) ? { volume: r.volume! } : {}),
        ...(r.event === 'finished' ? { lastPlaybackAt: at } : {}),
      },
    });
    if (r.itemId && /^[0-9a-f-]{36}$/.test(r.itemId)) {
      // Only this endpoint's own deliveries: a report cannot touch another loudspeaker's.
      const where = { id: r.itemId, endpointId: e.id };
      if (r.event === 'finished') await opts.prisma.delivery.updateMany({ where, data: { playedAt: at } });
      if (r.event === 'failed') await opts.prisma.delivery.updateMany({ where, data: { status: 'failed', error: `loa báo lỗi: ${(r.error ?? '').slice(0, 300)}` } });
      if (r.event === 'interrupted') await opts.prisma.delivery.updateMany({ where, data: { error: 'bị ngắt bởi bản tin khẩn cấp hoặc lệnh dừng' } });
    }
    reply.code(204);
    return null;
  });
};
