// The Axis media-clip adapter against a local speaker that speaks VAPIX mediaclip.cgi with Digest
// authentication: the audio is fetched and checked, uploaded as one clip per content, played at
// the endpoint's volume; wrong credentials, a device that is not an Axis speaker, one switched
// off and a corrupted download each give the right kind of error. Then a whole delivery to an
// Axis cluster through the fan-out, credentials stored encrypted.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAxisEndpoint } from '../../broadcasts/radio/axis-endpoint.ts';
import { deliver } from '../../broadcasts/fanout/deliver.ts';
import { startRun } from '../../broadcasts/fanout/start-run.ts';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { storeMedia } from '../../src/media/media-store.ts';
import { mediaPlugin } from '../../src/web/plugins/media.ts';
import { encryptSecret } from '../../src/crypto/secret-box.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { FakeAxisSpeaker } from '../support/axis-speaker/fake-axis-speaker.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

// A few MPEG audio frame headers are enough for the speaker's format check.
const MP3 = Buffer.concat([Buffer.from('ID3'), randomBytes(2048)]);
const SHA = createHash('sha256').update(MP3).digest('hex');
let speaker: FakeAxisSpeaker;
let files: Server;
let filesUrl = '';

beforeAll(async () => {
  speaker = await new FakeAxisSpeaker('root', 'mat-khau-loa').start();
  files = createServer((req, res) => {
    if (req.url === '/good.mp3') return void res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(MP3);
    if (req.url === '/corrupt.mp3') return void res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(Buffer.concat([MP3, Buffer.from('x')]));
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await speaker?.close();
  await new Promise<void>((r) => files.close(() => r()));
});

const item = (over: Partial<Parameters<ReturnType<typeof createAxisEndpoint>['play']>[0]> = {}) => ({
  itemId: 'dlv-1',
  url: `${filesUrl}/good.mp3`,
  sha256: SHA,
  durationMs: 2000,
  class: 'normal' as const,
  title: 'Bản tin',
  ...over,
});

describe('Axis media-clip endpoint', () => {
  it('uploads the checked audio as a clip and plays it at the given volume; the same audio replaces its clip', async () => {
    const axis = createAxisEndpoint({ baseUrl: speaker.url, username: 'root', password: 'mat-khau-loa' });
    await expect(axis.play(item({ volume: 70 }))).resolves.toEqual({ accepted: true });
    await axis.play(item());
    expect(speaker.clips.size).toBe(1);
    expect(speaker.plays).toHaveLength(2);
    expect(speaker.plays[0]).toMatchObject({ clip: 0, volume: 70, sha256: SHA });
    expect(speaker.plays[1]!.volume).toBeUndefined();
    await axis.stop();
    expect(speaker.stops).toBe(1);
  });

  it('tells a wrong password (refused), a non-Axis device (unknown), a switched-off one and a corrupted download (retry) apart', async () => {
    const wrong = createAxisEndpoint({ baseUrl: speaker.url, username: 'root', password: 'sai' });
    await expect(wrong.play(item())).rejects.toMatchObject({ kind: 'rejected', permanent: true, message: expect.stringContaining('tài khoản') });
    const notAxis = createAxisEndpoint({ baseUrl: filesUrl, username: 'root', password: 'x' });
    await expect(notAxis.play(item())).rejects.toMatchObject({ kind: 'unknown_endpoint', permanent: true });
    const off = createAxisEndpoint({ baseUrl: 'http://127.0.0.1:1', username: 'root', password: 'x', timeoutMs: 2000 });
    await expect(off.play(item())).rejects.toMatchObject({ kind: 'unreachable', permanent: false });
    const ok = createAxisEndpoint({ baseUrl: speaker.url, username: 'root', password: 'mat-khau-loa' });
    await expect(ok.play(item({ url: `${filesUrl}/corrupt.mp3` }))).rejects.toMatchObject({ kind: 'unreachable', message: expect.stringContaining('SHA-256') });
    await expect(ok.play(item({ playAt: '2026-12-01T06:00:00+07:00' }))).rejects.toMatchObject({ kind: 'rejected' });
  });
});

describe('a delivery to an Axis cluster', () => {
  let db: MigratedTestDatabase;
  let prisma: PrismaClient;
  let web: FastifyInstance;
  const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-axis-'));
  const key = randomBytes(32);
  const signer = createMediaLinkSigner(randomBytes(32));

  beforeAll(async () => {
    db = await openMigratedTestDatabase('axis');
    prisma = db.prisma;
    web = Fastify();
    await web.register(mediaPlugin, { dataDir, prisma, signer });
    await web.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await web?.close();
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('goes out with the stored credentials; a cluster without them fails for good, naming why', async () => {
    const { communeId } = await seedDemo(prisma, { password: 'MatKhauKiemThu2026' });
    const staff = Object.fromEntries((await prisma.staff.findMany()).map((s) => [s.username, s.id]));
    const good = await prisma.endpoint.create({ data: { communeId, name: 'Loa Axis chợ', protocol: 'axis', baseUrl: speaker.url, secretEnc: encryptSecret(key, 'root:mat-khau-loa'), volume: 60 } });
    const bare = await prisma.endpoint.create({ data: { communeId, name: 'Loa Axis cũ', protocol: 'axis', baseUrl: speaker.url } });
    const wf = createBulletinWorkflow(prisma);
    const b = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId, title: 'Thông báo', text: 'Sáng mai cắt điện từ 7 giờ đến 11 giờ.' });
    await wf.setAudience({ staffId: staff.vanhoa! }, b.id, { endpointIds: [good.id, bare.id] });
    await wf.submit({ staffId: staff.vanhoa! }, b.id);
    await wf.approve({ staffId: staff.chutich! }, b.id);
    const stored = await storeMedia(prisma, dataDir, MP3, 'audio/mpeg');
    const run = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
    const deps = {
      prisma,
      channels: new ChannelDirectory(),
      signer,
      publicBaseUrl: `http://127.0.0.1:${(web.server.address() as AddressInfo).port}`,
      dataDir,
      encryptionKey: key,
      render: async () => ({ sha256: stored.sha256, durationMs: 2000 }),
      now: () => new Date(),
    };
    const before = speaker.plays.length;
    const results: string[] = [];
    for (const id of run.deliveryIds) results.push(await deliver(deps, id).then((r) => r.status, (e: Error) => `error: ${e.message}`));
    expect(results.sort()).toEqual(['error: cụm loa Axis chưa có tài khoản (tên:mật khẩu)', 'sent']);
    expect(speaker.plays.slice(before)).toEqual([expect.objectContaining({ volume: 60, sha256: SHA })]);
    const rows = await prisma.delivery.findMany({ where: { runId: run.runId }, include: { endpoint: true } });
    expect(rows.find((d) => d.endpointId === good.id)!.status).toBe('sent');
    expect(rows.find((d) => d.endpointId === bare.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('chưa có tài khoản') });
    expect((await prisma.broadcastRun.findUniqueOrThrow({ where: { id: run.runId } })).status).toBe('partly_failed');
  });
});
