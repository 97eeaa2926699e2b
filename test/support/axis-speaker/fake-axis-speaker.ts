// A local stand-in for an Axis network speaker's media-clip API (VAPIX mediaclip.cgi): HTTP Digest
// authentication (MD5, qop=auth, a fresh nonce per challenge), multipart clip upload answered
// "OK\nUploaded=<n>" or "Replaced=<n>" for a name it already holds, play / stop answered "OK…",
// and errors the way the device gives them (200 with "Error: …").
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export interface AxisPlay {
  clip: number;
  volume?: number;
  sha256: string;
  at: number;
}

export class FakeAxisSpeaker {
  readonly plays: AxisPlay[] = [];
  readonly clips = new Map<string, { id: number; audio: Buffer }>();
  stops = 0;
  authFailures = 0;
  /** Switch off: the socket is refused. */
  private server?: Server;
  private readonly nonces = new Set<string>();
  private readonly realm = 'AXIS_ACCC8E000000';

  constructor(
    private readonly user = 'root',
    private readonly password = 'pass',
  ) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }

  private authorized(req: IncomingMessage): boolean {
    const h = req.headers.authorization ?? '';
    if (!h.startsWith('Digest ')) return false;
    const f = Object.fromEntries([...h.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1]!, m[2] ?? m[3] ?? '']));
    if (f.username !== this.user || f.realm !== this.realm || !this.nonces.has(f.nonce!)) return false;
    const ha1 = md5(`${this.user}:${this.realm}:${this.password}`);
    const ha2 = md5(`${req.method}:${f.uri}`);
    const expected = f.qop ? md5(`${ha1}:${f.nonce}:${f.nc}:${f.cnonce}:${f.qop}:${ha2}`) : md5(`${ha1}:${f.nonce}:${ha2}`);
    return expected === f.response;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: string; headers?: Record<string, string> }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url!, 'http://speaker');
    if (url.pathname !== '/axis-cgi/mediaclip.cgi') return { status: 404, body: 'Not Found' };
    if (!this.authorized(req)) {
      if (req.headers.authorization) this.authFailures++;
      const nonce = randomBytes(16).toString('hex');
      this.nonces.add(nonce);
      return { status: 401, body: 'Unauthorized', headers: { 'www-authenticate': `Digest realm="${this.realm}", nonce="${nonce}", algorithm=MD5, qop="auth"` } };
    }
    const action = url.searchParams.get('action');
    if (action === 'upload') {
      const form = await new Request('http://speaker/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: Buffer.concat(chunks) }).formData().catch(() => undefined);
      const file = form?.get('file');
      if (!file || typeof file === 'string') return { status: 200, body: 'Error: no file' };
      const audio = Buffer.from(await file.arrayBuffer());
      if (audio.subarray(0, 3).toString() !== 'ID3' && !(audio[0] === 0xff && (audio[1]! & 0xe0) === 0xe0)) return { status: 415, body: 'Unsupported Media Type' };
      const existing = this.clips.get(file.name);
      const id = existing?.id ?? this.clips.size;
      this.clips.set(file.name, { id, audio });
      return { status: 200, body: `OK\n${existing ? 'Replaced' : 'Uploaded'}=${id}` };
    }
    if (action === 'play') {
      const id = Number(url.searchParams.get('clip'));
      const clip = [...this.clips.values()].find((c) => c.id === id);
      if (!clip) return { status: 200, body: 'Error: clip not found' };
      const v = url.searchParams.get('volume');
      this.plays.push({ clip: id, ...(v !== null ? { volume: Number(v) } : {}), sha256: createHash('sha256').update(clip.audio).digest('hex'), at: Date.now() });
      return { status: 200, body: `OK\nplaying=${id}` };
    }
    if (action === 'stop') {
      this.stops++;
      return { status: 200, body: 'OK' };
    }
    return { status: 200, body: `Error: unknown action ${action}` };
  }
}
