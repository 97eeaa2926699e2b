// Telegram's webhook endpoint (when PUBLIC_BASE_URL is set). The channel checks the secret
// header and answers 200 only once the update is stored, so Telegram redelivers otherwise.
import type { FastifyPluginAsync } from 'fastify';
import type { TelegramChannel } from '../../../bots/telegram/telegram-channel.ts';

export interface TelegramWebhookOptions {
  path: string;
  channel: TelegramChannel;
}

export const telegramWebhookPlugin: FastifyPluginAsync<TelegramWebhookOptions> = async (app, opts) => {
  app.post(opts.path, { bodyLimit: 1024 * 1024 }, async (req, reply) => {
    const status = await opts.channel.handleWebhook(req.headers['x-telegram-bot-api-secret-token'] as string | undefined, req.body);
    reply.code(status);
    return status === 200 ? { ok: true } : { ok: false };
  });
};
