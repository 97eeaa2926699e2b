// Loa Xã's loudspeaker protocol end to end: the HTTP endpoint adapter commanding the simulator,
// signatures both ways, checksums, priorities, emergency interrupts, and endpoints that are off.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoaxaHttpEndpoint } from '../../broadcasts/radio/loaxa-http-endpoint.ts';
import { RadioSimulator } from '../../broadcasts/radio/radio-simulator.ts';
import { sign, verify } from '../../broadcasts/radio/signing.ts';
import type { AudioItem, EndpointReport } from '../../broadcasts/radio/endpoint.ts';

const audio = Buffer.from('ID3 giả lập âm thanh bản tin'.repeat(100));
const sha = createHash('sha256').update(audio).digest('hex');
let files: Server;
let filesUrl = '';
let callbacks: Server;
const received: Array<{ endpointId: string; report: EndpointReport; valid: boolean }> = [];
let sim: RadioSimulator;

beforeAll(async () => {
  files = createServer((req, res) => {
    if (req.url === '/a.mp3') res.end(audio);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  callbacks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const endpointId = req.url!.split('/').at(-1)!;
      received.push({ endpointId, report: JSON.parse(body) as EndpointReport, valid: verify(`secret-${endpointId}`, body, req.headers).ok });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => callbacks.listen(0, '127.0.0.1', r));
  const cb = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}/radio/callback`;
  sim = new RadioSimulator(['loa-1', 'loa-2', 'loa-3'].map((id) => ({ id, secret: `secret-${id}`, callbackUrl: `${cb}/${id}` })), { speed: 50, heartbeatMs: 100 });
  await sim.start();
});
afterAll(async () => {
  await sim?.close();
  files?.close();
  callbacks?.close();
});

const item = (id: string, cls: AudioItem['class'] = 'normal', extra: Partial<AudioItem> = {}): AudioItem => ({ itemId: id, url: `${filesUrl}/a.mp3`, sha256: sha, durationMs: 5000, class: cls, title: 'Bản tin', ...extra });
// In the order the loudspeaker did things (callbacks may arrive out of order over HTTP).
const events = (endpointId: string, itemId: string) => sim.reports.filter((r) => r.endpointId === endpointId && r.itemId === itemId).map((r) => r.event);
async function until(fn: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('signing', () => {
  it('accepts its own signature and refuses tampered, missing and stale ones', () => {
    const h = sign('s', '{"a":1}', 1_000_000);
    expect(verify('s', '{"a":1}', h, 1_000_010)).toEqual({ ok: true, nonce: h['x-loaxa-nonce'] });
    expect(verify('s', '{"a":2}', h, 1_000_010)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify('other', '{"a":1}', h, 1_000_010)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify('s', '{"a":1}', {}, 1_000_010)).toEqual({ ok: false, reason: 'missing' });
    expect(verify('s', '{"a":1}', h, 1_000_000 + 3600)).toEqual({ ok: false, reason: 'stale' });
  });
});

describe('loudspeaker protocol with the simulator', () => {
  it('plays an item: fetches, checks the SHA-256, reports started then finished, signed', async () => {
    const ep = createLoaxaHttpEndpoint({ baseUrl: sim.urlOf('loa-1'), secret: 'secret-loa-1' });
    await expect(ep.play(item('d1'))).resolves.toEqual({ accepted: true });
    await until(() => events('loa-1', 'd1').includes('finished'));
    expect(events('loa-1', 'd1')).toEqual(['started', 'finished']);
    // The same reports reached the callback, each signed with the endpoint's secret.
    await until(() => received.filter((r) => r.report.itemId === 'd1').length === 2);
    expect(received.every((r) => r.valid)).toBe(true);
  });

  it('reports a checksum mismatch as failed', async () => {
    const ep = createLoaxaHttpEndpoint({ baseUrl: sim.urlOf('loa-1'), secret: 'secret-loa-1' });
    await ep.play(item('d2', 'normal', { sha256: '0'.repeat(64) }));
    await until(() => events('loa-1', 'd2').length > 0);
    expect(sim.reports.find((r) => r.itemId === 'd2')).toMatchObject({ event: 'failed', error: expect.stringContaining('SHA-256') });
  });

  it('an emergency interrupts what is playing; priority goes ahead of normal in the queue', async () => {
    const ep = createLoaxaHttpEndpoint({ baseUrl: sim.urlOf('loa-2'), secret: 'secret-loa-2' });
    await ep.play(item('n1', 'normal', { durationMs: 20_000 }));
    await until(() => sim.playing('loa-2')?.itemId === 'n1');
    await ep.play(item('n2', 'normal'));
    await ep.play(item('p1', 'priority'));
    await ep.play(item('e1', 'emergency'));
    await until(() => events('loa-2', 'n2').includes('finished'), 10_000);
    expect(events('loa-2', 'n1')).toEqual(['started', 'interrupted']);
    const order = sim.reports.filter((r) => r.endpointId === 'loa-2' && r.event === 'started').map((r) => r.itemId);
    expect(order).toEqual(['n1', 'e1', 'p1', 'n2']);
  });

  it('refuses a wrong secret (rejected) and an unknown endpoint (permanent), and a switched-off one is unreachable', async () => {
    await expect(createLoaxaHttpEndpoint({ baseUrl: sim.urlOf('loa-3'), secret: 'wrong' }).play(item('x'))).rejects.toMatchObject({ kind: 'rejected', permanent: true });
    await expect(createLoaxaHttpEndpoint({ baseUrl: sim.urlOf('khong-co'), secret: 's' }).play(item('x'))).rejects.toMatchObject({ kind: 'unknown_endpoint', permanent: true });
    sim.setOnline('loa-3', false);
    await expect(createLoaxaHttpEndpoint({ baseUrl: sim.urlOf('loa-3'), secret: 'secret-loa-3', timeoutMs: 1000 }).play(item('x'))).rejects.toMatchObject({ kind: 'unreachable', permanent: false });
    sim.setOnline('loa-3', true);
  });

  it('an endpoint that accepts the connection but never answers is unreachable after the timeout (retried later)', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    await expect(createLoaxaHttpEndpoint({ baseUrl: `http://127.0.0.1:${port}`, secret: 's', timeoutMs: 500 }).play(item('x'))).rejects.toMatchObject({ kind: 'unreachable', permanent: false });
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('sends heartbeats with the volume, and obeys volume and stop', async () => {
    const ep = createLoaxaHttpEndpoint({ baseUrl: sim.urlOf('loa-3'), secret: 'secret-loa-3' });
    await ep.setVolume(55);
    await until(() => received.some((r) => r.endpointId === 'loa-3' && r.report.event === 'heartbeat' && r.report.volume === 55));
    await expect(ep.setVolume(140)).rejects.toMatchObject({ kind: 'rejected' });
    await ep.play(item('s1', 'normal', { durationMs: 60_000 }));
    await until(() => sim.playing('loa-3')?.itemId === 's1');
    await ep.stop('s1');
    expect(sim.playing('loa-3')).toBeUndefined();
    await until(() => events('loa-3', 's1').length === 2);
    expect(events('loa-3', 's1')).toEqual(['started', 'interrupted']);
  });
});

describe('signature nonces (issue 14, finding 11)', () => {
  it('are kept in Redis for the window: a replay is refused on any replica', async () => {
    const { Redis } = await import('ioredis');
    const { redisNonceStore } = await import('../../broadcasts/radio/signing.ts');
    const { TEST_REDIS_URL, testRedisPrefix, deleteTestRedisKeys } = await import('../support/services.ts');
    const prefix = testRedisPrefix();
    const a = new Redis(TEST_REDIS_URL);
    const b = new Redis(TEST_REDIS_URL);
    try {
      const h = sign('s', '{}');
      expect(await redisNonceStore(a, prefix).claim(`ep:${h['x-loaxa-nonce']}`)).toBe(true);
      expect(await redisNonceStore(b, prefix).claim(`ep:${h['x-loaxa-nonce']}`)).toBe(false);
      expect(await a.pttl(`${prefix}:radio-nonce:ep:${h['x-loaxa-nonce']}`)).toBeGreaterThan(300_000);
    } finally {
      a.disconnect();
      b.disconnect();
      await deleteTestRedisKeys(prefix);
    }
  });
});
