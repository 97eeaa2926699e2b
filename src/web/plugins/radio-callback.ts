// Reports from loudspeaker clusters (heartbeat, playback started / finished / failed /
// interrupted), signed with the endpoint's secret. Keeps each endpoint's status and each
// delivery's playback time, which staff see in the delivery report. Clusters that cannot take
// commands pull their queue instead (GET /radio/queue/<id>, signed over an empty body).
import type { FastifyPluginAsync } from 'fastify';
import type { PrismaClient } from '../../db/generated/client.ts';
import { memoryNonceStore, verify, type NonceStore } from '../../../broadcasts/radio/signing.ts';
import { endpointSecret } from '../../../broadcasts/radio/endpoint-secret.ts';
import { PULL_MARK, type AudioItem, type EndpointReport } from '../../../broadcasts/radio/endpoint.ts';
import { finishRunIfDone } from '../../../broadcasts/fanout/deliver.ts';
import { CLASS_PRIORITY } from '../../../broadcasts/fanout/start-run.ts';
import type { MediaLinkSigner } from '../../media/signed-url.ts';
import { AppError } from '../../errors.ts';

export interface RadioCallbackOptions {
  prisma: PrismaClient;
  encryptionKey?: Buffer | undefined;
  /** Derives the simulated endpoints' secrets. */
  demoKey?: Buffer | undefined;
  /** For the pull queue: links to the audio. */
  signer?: MediaLinkSigner;
  publicBaseUrl?: string;
  /** Nonces seen within the signature window (Redis in production, shared by replicas). */
  nonces?: NonceStore;
}

const EVENTS = new Set(['heartbeat', 'started', 'finished', 'failed', 'interrupted']);

export const radioCallbackPlugin: FastifyPluginAsync<RadioCallbackOptions> = async (app, opts) => {
  const nonces = opts.nonces ?? memoryNonceStore();
  /** The endpoint named in the path, if the request carries its valid signature. */
  async function signedEndpoint(endpointId: string, raw: string, headers: Record<string, string | string[] | undefined>) {
    if (!/^[0-9a-f-]{36}$/.test(endpointId)) throw new AppError('NOT_FOUND');
    const e = await opts.prisma.endpoint.findUnique({ where: { id: endpointId } });
    if (!e) throw new AppError('NOT_FOUND');
    const found = endpointSecret(e, opts);
    if (!found.ok && found.reason === 'no-key') throw new AppError('DEPENDENCY_DOWN', 'Thiếu ENCRYPTION_KEY.');
    if (!found.ok) throw new AppError('UNAUTHENTICATED', 'Cụm loa chưa có khóa bí mật riêng.');
    const secret = found.secret;
    const v = verify(secret, raw, headers);
    if (!v.ok) throw new AppError('UNAUTHENTICATED', 'Chữ ký không hợp lệ.');
    // A valid signature seen before is a replay, however fresh its timestamp.
    if (!(await nonces.claim(`${e.id}:${v.nonce}`))) throw new AppError('UNAUTHENTICATED', 'Chữ ký đã được dùng.');
    return e;
  }

  /**
   * A pull-mode cluster's queue: what waits for it, most urgent first. Items stay listed until the
   * cluster reports them finished or failed (it dedupes by itemId); the first pull marks them sent.
   */
  app.get<{ Params: { endpointId: string } }>('/radio/queue/:endpointId', async (req) => {
    const e = await signedEndpoint(req.params.endpointId, '', req.headers);
    if (!opts.signer || !opts.publicBaseUrl) throw new AppError('DEPENDENCY_DOWN', 'Máy chủ chưa cấu hình liên kết âm thanh.');
    const now = new Date();
    await opts.prisma.endpoint.update({ where: { id: e.id }, data: { status: e.status === 'broken' ? 'broken' : 'online', lastHeartbeatAt: now } });
    const rows = await opts.prisma.delivery.findMany({
      where: { endpointId: e.id, platformMessageId: PULL_MARK, status: { in: ['sending', 'sent'] }, playedAt: null, createdAt: { gt: new Date(now.getTime() - 24 * 3600_000) }, run: { bulletin: { status: { not: 'cancelled' } } } },
      include: { bulletinVersion: true, run: { include: { bulletin: true } } },
      orderBy: { createdAt: 'asc' },
    });
    const ready = rows.filter((d) => d.bulletinVersion.renderedSha256 && d.bulletinVersion.renderedDurationMs);
    const first = ready.filter((d) => d.status === 'sending').map((d) => d.id);
    if (first.length) {
      await opts.prisma.delivery.updateMany({ where: { id: { in: first }, status: 'sending' }, data: { status: 'sent', sentAt: now } });
      for (const runId of new Set(ready.filter((d) => first.includes(d.id)).map((d) => d.runId))) await finishRunIfDone(opts.prisma, runId, now);
    }
    const items: AudioItem[] = ready
      .sort((a, b) => CLASS_PRIORITY[a.run.bulletin.class] - CLASS_PRIORITY[b.run.bulletin.class])
      .map((d) => ({
        itemId: d.id,
        url: `${opts.publicBaseUrl!.replace(/\/$/, '')}${opts.signer!.link(d.bulletinVersion.renderedSha256!, 'mp3')}`,
        sha256: d.bulletinVersion.renderedSha256!,
        durationMs: d.bulletinVersion.renderedDurationMs!,
        class: d.run.bulletin.class,
        title: d.run.bulletin.title,
        ...(e.volume != null ? { volume: e.volume } : {}),
      }));
    return { items };
  });

  // The signature covers the exact bytes sent: keep the body as a string in this scope.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));
  app.post<{ Params: { endpointId: string } }>('/radio/callback/:endpointId', async (req, reply) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    const e = await signedEndpoint(req.params.endpointId, raw, req.headers);
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
      if (r.event === 'failed') {
        const failed = await opts.prisma.delivery.updateManyAndReturn({ where, data: { status: 'failed', error: `loa báo lỗi: ${(r.error ?? '').slice(0, 300)}` }, select: { runId: true } });
        // A pulled item that fails may be the run's last open one.
        if (failed[0]) await finishRunIfDone(opts.prisma, failed[0].runId, new Date());
      }
      if (r.event === 'interrupted') await opts.prisma.delivery.updateMany({ where, data: { error: 'bị ngắt bởi bản tin khẩn cấp hoặc lệnh dừng' } });
    }
    reply.code(204);
    return null;
  });
};
