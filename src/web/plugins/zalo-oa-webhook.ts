// The Zalo OA webhook, one path per connected OA (/zalo-oa/webhook/<account name>). The
// signature covers the exact bytes Zalo sent, so this scope keeps the raw body as a string and
// leaves parsing to the channel after the check. Zalo expects the answer within 2 s: the channel
// only stores the event (and queues it) before answering.
import type { FastifyPluginAsync } from 'fastify';
import type { ZaloOaChannel } from '../../../bots/zalo-oa/zalo-oa-channel.ts';
import { ZALO_OA_SIGNATURE_HEADER } from '../../../bots/zalo-oa/zalo-oa-types.ts';

export interface ZaloOaWebhookOptions {
  /** By account name (the last part of the path). */
  channels: Map<string, ZaloOaChannel>;
}

export const zaloOaWebhookPlugin: FastifyPluginAsync<ZaloOaWebhookOptions> = async (app, opts) => {
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));
  app.post<{ Params: { name: string } }>('/zalo-oa/webhook/:name', async (req, reply) => {
    const channel = opts.channels.get(req.params.name);
    if (!channel) return reply.code(404).send({ ok: false });
    const status = await channel.handleWebhook({ signature: req.headers[ZALO_OA_SIGNATURE_HEADER] as string | undefined, rawBody: typeof req.body === 'string' ? req.body : '' });
    return reply.code(status).send({ ok: status === 200 });
  });
};
