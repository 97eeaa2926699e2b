// Webhook endpoints of the communes' bots (when PUBLIC_BASE_URL is set): one path per bot,
// /webhooks/telegram/<account id> and /webhooks/zalo-bot/<account id>, each with its own secret.
// The bot is looked up at each call, so one added a moment ago is served and a removed one is
// not (404). The channel checks the secret and answers 200 only once the update is stored.
import type { FastifyPluginAsync } from 'fastify';
import { ZALO_BOT_SECRET_HEADER } from '../../../bots/zalo-bot/zalo-bot-types.ts';

interface WebhookBot {
  platform: 'telegram' | 'zalo_bot';
  channel: { handleWebhook(secretHeader: string | undefined, body: unknown): Promise<number> };
}

export interface BotWebhooksOptions {
  /** The bot of this ChannelAccount id, if this process runs it. */
  byId(id: string): WebhookBot | undefined;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const botWebhooksPlugin: FastifyPluginAsync<BotWebhooksOptions> = async (app, opts) => {
  const route = (segment: string, platform: WebhookBot['platform'], header: string, bodyLimit: number) =>
    app.post<{ Params: { id: string } }>(`/webhooks/${segment}/:id`, { bodyLimit }, async (req, reply) => {
      const bot = UUID_RE.test(req.params.id) ? opts.byId(req.params.id) : undefined;
      const status = bot && bot.platform === platform ? await bot.channel.handleWebhook(req.headers[header] as string | undefined, req.body) : 404;
      reply.code(status);
      return status === 200 ? { ok: true } : { ok: false };
    });
  route('telegram', 'telegram', 'x-telegram-bot-api-secret-token', 1024 * 1024);
  route('zalo-bot', 'zalo_bot', ZALO_BOT_SECRET_HEADER, 256 * 1024);
};
