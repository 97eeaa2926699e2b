// The cloud speech engines against local servers that answer like Viettel AI and FPT.AI: the
// request each service expects, long text cut under the service's limit, FPT's "audio appears at
// a link a little later", and refusals told apart from outages.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFptSpeechEngine, createViettelSpeechEngine } from '../../broadcasts/render/cloud-speech-engines.ts';

const MP3 = Buffer.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0]);
let server: Server;
let base = '';
const seen: Array<{ url: string; headers: IncomingMessage['headers']; body: string }> = [];
let pollsBeforeReady = 0;
let mode: 'ok' | 'bad-key' | 'busy' | 'refuse-text' = 'ok';

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString('utf8')));
    req.on('end', () => resolve(s));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    seen.push({ url: req.url!, headers: req.headers, body });
    if (mode === 'bad-key') return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"invalid token"}');
    if (mode === 'busy') return void res.writeHead(503).end();
    if (req.url === '/viettel') {
      if (mode === 'refuse-text') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"vi_message":"Văn bản quá dài","code":400}');
      return void res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(MP3);
    }
    if (req.url === '/fpt') {
      if (mode === 'refuse-text') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"error":1,"message":"Invalid text"}');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ async: `${base}/fpt-file/${seen.length}.mp3`, error: 0, message: 'ok' }));
    }
    if (req.url!.startsWith('/fpt-file/')) {
      if (pollsBeforeReady-- > 0) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(MP3);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const sentence = 'Ủy ban nhân dân xã thông báo lịch tiêm chủng cho trẻ em dưới năm tuổi. ';

describe('Viettel AI speech', () => {
  it('posts the text, voice, speed and token as JSON and returns the audio; long text goes in parts', async () => {
    mode = 'ok';
    seen.length = 0;
    const engine = createViettelSpeechEngine({ apiKey: 'tok', apiUrl: `${base}/viettel`, voice: 'hcm-diemmy', speed: 1.1 });
    const audio = await engine.synthesize(sentence.repeat(60));
    expect(seen.length).toBeGreaterThan(1);
    expect(audio.length).toBe(MP3.length * seen.length);
    const first = JSON.parse(seen[0]!.body) as Record<string, unknown>;
    expect(first).toMatchObject({ voice: 'hcm-diemmy', speed: 1.1, token: 'tok' });
    expect(seen.every((s) => (JSON.parse(s.body) as { text: string }).text.length <= 1800)).toBe(true);
    expect(seen.map((s) => (JSON.parse(s.body) as { text: string }).text).join(' ').replace(/\s+/g, ' ').trim()).toBe(sentence.repeat(60).replace(/\s+/g, ' ').trim());
  });

  it('a refused key or text is permanent, an outage is not', async () => {
    const engine = createViettelSpeechEngine({ apiKey: 'tok', apiUrl: `${base}/viettel` });
    mode = 'bad-key';
    await expect(engine.synthesize('xin chào')).rejects.toMatchObject({ permanent: true, message: expect.stringContaining('TTS_API_KEY') });
    mode = 'refuse-text';
    await expect(engine.synthesize('xin chào')).rejects.toMatchObject({ permanent: true, message: expect.stringContaining('Văn bản quá dài') });
    mode = 'busy';
    await expect(engine.synthesize('xin chào')).rejects.toMatchObject({ permanent: false });
  });
});

describe('FPT.AI speech', () => {
  it('posts the text with api-key, voice and speed headers, then fetches the audio when it is ready', async () => {
    mode = 'ok';
    seen.length = 0;
    pollsBeforeReady = 2;
    const engine = createFptSpeechEngine({ apiKey: 'k', apiUrl: `${base}/fpt`, voice: 'lannhi', speed: 0.8, pollIntervalMs: 10 });
    const audio = await engine.synthesize('Xin chào bà con.');
    expect(audio).toEqual(MP3);
    expect(seen[0]!.headers).toMatchObject({ 'api-key': 'k', voice: 'lannhi', speed: '-1' });
    expect(seen[0]!.body).toBe('Xin chào bà con.');
    expect(seen.filter((s) => s.url.startsWith('/fpt-file/'))).toHaveLength(3);
  });

  it('gives up when the audio never appears, and reports refusals', async () => {
    mode = 'ok';
    pollsBeforeReady = 1000;
    const engine = createFptSpeechEngine({ apiKey: 'k', apiUrl: `${base}/fpt`, pollIntervalMs: 5, pollTimeoutMs: 60 });
    await expect(engine.synthesize('xin chào')).rejects.toThrow(/chưa dựng xong/);
    pollsBeforeReady = 0;
    mode = 'refuse-text';
    await expect(engine.synthesize('xin chào')).rejects.toMatchObject({ permanent: true, message: expect.stringContaining('Invalid text') });
  });
});
