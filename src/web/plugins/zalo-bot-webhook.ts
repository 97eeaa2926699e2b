// The Zalo Bot's webhook endpoint (when PUBLIC_BASE_URL is set). The channel checks the
// X-Bot-Api-Secret-Token header and answers 200 only once the update is stored.
import type { FastifyPluginAsync } from 'fastify';
import type { ZaloBotChannel } from '../../../bots/zalo-bot/zalo-bot-channel.ts';
import { ZALO_BOT_SECRET_HEADER } from '../../../bots/zalo-bot/zalo-bot-types.ts';

export interface ZaloBotWebhookOptions {
  path: string;
  channel: ZaloBotChannel;
}

export const zaloBotWebhookPlugin: FastifyPluginAsync<ZaloBotWebhookOptions> = async (app, opts) => {
  app.post(opts.path, { bodyLimit: 256 * 1024 }, async (req, reply) => {
    const status = await opts.channel.handleWebhook(req.headers[ZALO_BOT_SECRET_HEADER] as string | undefined, req.body);
    reply.code(status);
    return status === 200 ? { ok: true } : { ok: false };
  });
};
