// Several bots on one local Bot API server, as Telegram serves every bot at one address: each
// token has its own FakeBotApi (updates, sent messages, limits); an unknown or revoked token is
// answered 401 Unauthorized, as Telegram does.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeBotApi, type FakeBotApiOptions } from './fake-bot-api.ts';

export class FakeBotApiHub {
  private server: Server | undefined;
  private readonly bots = new Map<string, FakeBotApi>();
  /** Calls answered 401, per token. */
  private readonly refused = new Map<string, number>();
  private nextId = 700_000_001;

  async start(): Promise<{ apiRoot: string }> {
    this.server = createServer((req, res) => {
      const token = /^\/(?:file\/)?bot([^/]+)\//.exec(req.url ?? '')?.[1];
      const bot = token ? this.bots.get(decodeURIComponent(token)) : undefined;
      if (bot) return void bot.handle(req, res);
      if (token) this.refused.set(decodeURIComponent(token), (this.refused.get(decodeURIComponent(token)) ?? 0) + 1);
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }));
    });
    // Many long polls at once (one per bot), each held open for its timeout.
    this.server.maxConnections = 10_000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return { apiRoot: this.apiRoot };
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** A new bot with its own token (as @BotFather issues one). */
  addBot(opts: Omit<FakeBotApiOptions, 'token'> = {}): FakeBotApi {
    const id = this.nextId++;
    const bot = new FakeBotApi({ botUsername: `xa_${id}_bot`, ...opts, token: `${id}:TEST-hub-token-${id}-abcdefghij` });
    this.bots.set(bot.token, bot);
    return bot;
  }

  /** The owner revoked the token: every call with it now gets 401. */
  revoke(bot: FakeBotApi): void {
    this.bots.delete(bot.token);
    bot.wake();
  }

  /** getUpdates calls per bot so far, and calls refused since its token was revoked. */
  polls(bot: FakeBotApi): number {
    return bot.calls.filter((c) => c.method === 'getUpdates').length + (this.refused.get(bot.token) ?? 0);
  }

  async close(): Promise<void> {
    for (const b of this.bots.values()) b.wake();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}
