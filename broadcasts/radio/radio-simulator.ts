// A cluster of simulated smart loudspeakers speaking Loa Xã's protocol: each checks the command's
// signature, fetches the audio, verifies its SHA-256, "plays" it for its duration (scaled by
// `speed` in tests), reports started / finished / failed / interrupted to its callback, obeys
// emergency interrupts and priority order, sends heartbeats, and can be switched off. Used by the
// tests, by `npm start` (the demo commune's two endpoints) and by the benchmark.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AudioItem, EndpointReport } from './endpoint.ts';
import { memoryNonceStore, sign, verify } from './signing.ts';

export interface SimulatedEndpointConfig {
  id: string;
  secret: string;
  /** Where reports go (the web server's /radio/callback/<endpointId>); none: reports only kept. */
  callbackUrl?: string;
}

interface SimState {
  config: SimulatedEndpointConfig;
  online: boolean;
  volume: number;
  playing?: { item: AudioItem; timer: NodeJS.Timeout };
  queue: AudioItem[];
  heartbeat?: NodeJS.Timeout;
}

export interface RadioSimulatorOptions {
  /** 1 = real time; 100 = a minute of audio "plays" in 0.6 s. */
  speed?: number;
  heartbeatMs?: number;
}

export class RadioSimulator {
  readonly reports: Array<EndpointReport & { endpointId: string }> = [];
  private readonly endpoints = new Map<string, SimState>();
  private readonly nonces = memoryNonceStore();
  private server: Server | undefined;
  private readonly speed: number;
  private readonly heartbeatMs: number;

  constructor(configs: SimulatedEndpointConfig[], opts: RadioSimulatorOptions = {}) {
    this.speed = opts.speed ?? 1;
    this.heartbeatMs = opts.heartbeatMs ?? 30_000;
    for (const c of configs) this.add(c);
  }

  add(config: SimulatedEndpointConfig): void {
    this.endpoints.set(config.id, { config, online: true, volume: 80, queue: [] });
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(port, host, r));
    for (const s of this.endpoints.values()) this.startHeartbeat(s);
    return this.baseUrl;
  }

  get baseUrl(): string {
    const { port, address } = this.server!.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  /** The base URL an Endpoint row should point to for simulated loudspeaker `id`. */
  urlOf(id: string): string {
    return `${this.baseUrl}/ep/${encodeURIComponent(id)}`;
  }

  setOnline(id: string, online: boolean): void {
    const s = this.endpoints.get(id);
    if (s) s.online = online;
  }

  playing(id: string): AudioItem | undefined {
    return this.endpoints.get(id)?.playing?.item;
  }

  async close(): Promise<void> {
    for (const s of this.endpoints.values()) {
      clearInterval(s.heartbeat);
      if (s.playing) clearTimeout(s.playing.timer);
    }
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private startHeartbeat(s: SimState): void {
    clearInterval(s.heartbeat);
    s.heartbeat = setInterval(() => {
      if (s.online) void this.report(s, { event: 'heartbeat', at: new Date().toISOString(), volume: s.volume });
    }, this.heartbeatMs);
    s.heartbeat.unref();
  }

  private async report(s: SimState, r: EndpointReport): Promise<void> {
    this.reports.push({ ...r, endpointId: s.config.id });
    if (!s.config.callbackUrl) return;
    const body = JSON.stringify(r);
    await fetch(s.config.callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...sign(s.config.secret, body) }, body, signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/ep\/([^/]+)\/commands$/.exec(req.url ?? '');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const s = m ? this.endpoints.get(decodeURIComponent(m[1]!)) : undefined;
    if (!s) return this.reply(res, 404, { error: 'unknown endpoint' });
    // Switched off: the connection just drops, as with a loudspeaker without power.
    if (!s.online) return void res.destroy();
    const v = verify(s.config.secret, body, req.headers);
    if (!v.ok) return this.reply(res, 401, { error: `signature ${v.reason}` });
    if (!(await this.nonces.claim(`${s.config.id}:${v.nonce}`))) return this.reply(res, 401, { error: 'signature replayed' });
    let cmd: { type?: string; item?: AudioItem; itemId?: string; volume?: number };
    try {
      cmd = JSON.parse(body) as typeof cmd;
    } catch {
      return this.reply(res, 400, { error: 'not json' });
    }
    if (cmd.type === 'play' && cmd.item && typeof cmd.item.url === 'string' && typeof cmd.item.itemId === 'string') {
      this.reply(res, 200, { accepted: true });
      void this.fetchAndPlay(s, cmd.item);
      return;
    }
    if (cmd.type === 'stop') {
      if (s.playing && (!cmd.itemId || s.playing.item.itemId === cmd.itemId)) this.interrupt(s);
      s.queue = cmd.itemId ? s.queue.filter((q) => q.itemId !== cmd.itemId) : [];
      return this.reply(res, 200, { accepted: true });
    }
    if (cmd.type === 'volume' && Number.isInteger(cmd.volume)) {
      s.volume = cmd.volume!;
      return this.reply(res, 200, { accepted: true });
    }
    this.reply(res, 400, { error: 'unknown command' });
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async fetchAndPlay(s: SimState, item: AudioItem): Promise<void> {
    let audio: Buffer;
    try {
      const r = await fetch(item.url, { signal: AbortSignal.timeout(30_000) });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      audio = Buffer.from(await r.arrayBuffer());
    } catch (e) {
      return this.report(s, { event: 'failed', itemId: item.itemId, at: new Date().toISOString(), error: `tải âm thanh lỗi: ${(e as Error).message}` });
    }
    if (createHash('sha256').update(audio).digest('hex') !== item.sha256) {
      return this.report(s, { event: 'failed', itemId: item.itemId, at: new Date().toISOString(), error: 'sai mã kiểm tra SHA-256' });
    }
    if (item.class === 'emergency') {
      // An emergency cuts in at once; what was interrupted is reported as such.
      this.interrupt(s);
      this.begin(s, item);
      return;
    }
    if (!s.playing) return this.begin(s, item);
    // Priority items go ahead of normal ones waiting.
    const at = item.class === 'priority' ? s.queue.findIndex((q) => q.class === 'normal') : -1;
    if (at >= 0) s.queue.splice(at, 0, item);
    else s.queue.push(item);
  }

  private begin(s: SimState, item: AudioItem): void {
    void this.report(s, { event: 'started', itemId: item.itemId, at: new Date().toISOString(), volume: s.volume });
    const timer = setTimeout(() => {
      s.playing = undefined;
      void this.report(s, { event: 'finished', itemId: item.itemId, at: new Date().toISOString() });
      const next = s.queue.shift();
      if (next) this.begin(s, next);
    }, Math.max(1, item.durationMs / this.speed));
    s.playing = { item, timer };
  }

  private interrupt(s: SimState): void {
    if (!s.playing) return;
    clearTimeout(s.playing.timer);
    void this.report(s, { event: 'interrupted', itemId: s.playing.item.itemId, at: new Date().toISOString() });
    s.playing = undefined;
  }
}
