// A loudspeaker cluster that cannot take commands pulls its queue: deliveries to it wait (not
// retried, not "stuck"), the signed pull lists them most urgent first with a signed audio link and
// marks them sent, they stay listed until reported played, a cancelled bulletin leaves the queue,
// a forged pull is refused, and a queue never pulled fails after two hours for staff to see.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { storeMedia } from '../../src/media/media-store.ts';
import { radioCallbackPlugin } from '../../src/web/plugins/radio-callback.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { deliver } from '../../broadcasts/fanout/deliver.ts';
import { startRun } from '../../broadcasts/fanout/start-run.ts';
import { reconcileDeliveries } from '../../broadcasts/fanout/reconcile-deliveries.ts';
import { sign } from '../../broadcasts/radio/signing.ts';
import { encryptSecret } from '../../src/crypto/secret-box.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let web: FastifyInstance;
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-pull-'));
const signer = createMediaLinkSigner(randomBytes(32));
let communeId = '';
let endpointId = '';
const staff: Record<string, string> = {};
const ENCRYPTION_KEY = randomBytes(32);
const SECRET = 'khoa-rieng-cua-cum-loa-keo';

beforeAll(async () => {
  db = await openMigratedTestDatabase('pull');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
  endpointId = (await prisma.endpoint.create({ data: { communeId, name: 'Cụm loa kéo', protocol: 'loaxa_http', baseUrl: 'http://10.0.0.50', pullMode: true, volume: 80, secretEnc: encryptSecret(ENCRYPTION_KEY, SECRET) } })).id;
  web = Fastify();
  await web.register(radioCallbackPlugin, { prisma, signer, publicBaseUrl: 'https://loa.xa.test/', encryptionKey: ENCRYPTION_KEY });
});
afterAll(async () => {
  await web?.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const deps = () => ({
  prisma,
  encryptionKey: ENCRYPTION_KEY,
  channels: new ChannelDirectory(),
  signer,
  publicBaseUrl: 'https://loa.xa.test',
  dataDir,
  render: async () => {
    const m = await storeMedia(prisma, dataDir, Buffer.from(`ID3 ${randomBytes(8).toString('hex')}`), 'audio/mpeg');
    return { sha256: m.sha256, durationMs: 4000 };
  },
  now: () => new Date(),
});

async function sendTo(title: string, cls: 'normal' | 'emergency') {
  const wf = createBulletinWorkflow(prisma);
  const author = cls === 'emergency' ? staff.chutich! : staff.vanhoa!;
  const b = await wf.createDraft({ staffId: author }, { communeId, title, text: `${title}: thông báo.`, class: cls });
  await wf.setAudience({ staffId: author }, b.id, { endpointIds: [endpointId] });
  if (cls === 'normal') await wf.submit({ staffId: author }, b.id);
  await wf.approve({ staffId: staff.chutich! }, b.id);
  const run = await startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
  // The render records its result on the version, as the real one does.
  for (const id of run.deliveryIds) {
    const d = await prisma.delivery.findUniqueOrThrow({ where: { id } });
    const r = await deps().render();
    await prisma.bulletinVersion.update({ where: { id: d.bulletinVersionId }, data: { renderedSha256: r.sha256, renderedDurationMs: r.durationMs } });
    expect(await deliver(deps(), id)).toEqual({ status: 'awaiting_pull' });
  }
  return { bulletinId: b.id, run };
}

const pull = (id = endpointId, secret = SECRET) => web.inject({ method: 'GET', url: `/radio/queue/${id}`, headers: sign(secret, '') });

describe('pull-mode loudspeakers', () => {
  it('lists waiting items, emergencies first, marks them sent, keeps them until played', async () => {
    const normal = await sendTo('Lịch họp', 'normal');
    const urgent = await sendTo('Khẩn: lũ', 'emergency');
    expect(await prisma.delivery.findUniqueOrThrow({ where: { id: normal.run.deliveryIds[0]! } })).toMatchObject({ status: 'sending', platformMessageId: 'pull' });
    // Waiting for a pull is not stuck: the reconciler does not queue it again.
    expect((await reconcileDeliveries({ prisma, enqueue: async () => 'x', now: () => new Date(Date.now() + 10 * 60_000) }, { olderThanMs: 60_000 })).deliveries).toBe(0);

    const first = (await pull()).json() as { items: Array<{ itemId: string; class: string; url: string; volume: number }> };
    expect(first.items.map((i) => i.class)).toEqual(['emergency', 'normal']);
    expect(first.items[0]!.url).toMatch(/^https:\/\/loa\.xa\.test\/media\/[0-9a-f]{64}\.mp3\?e=\d+&s=/);
    expect(first.items[0]!.volume).toBe(80);
    const d = await prisma.delivery.findUniqueOrThrow({ where: { id: urgent.run.deliveryIds[0]! } });
    expect(d.status).toBe('sent');
    expect((await prisma.broadcastRun.findUniqueOrThrow({ where: { id: urgent.run.runId } })).status).toBe('done');
    expect((await prisma.endpoint.findUniqueOrThrow({ where: { id: endpointId } })).status).toBe('online');

    // Reported played: it leaves the queue; the other stays until then.
    const body = JSON.stringify({ event: 'finished', itemId: d.id, at: new Date().toISOString() });
    expect((await web.inject({ method: 'POST', url: `/radio/callback/${endpointId}`, headers: { 'content-type': 'application/json', ...sign(SECRET, body) }, payload: body })).statusCode).toBe(204);
    const second = (await pull()).json() as { items: Array<{ itemId: string }> };
    expect(second.items.map((i) => i.itemId)).toEqual([normal.run.deliveryIds[0]]);
  });

  it('refuses a forged or replayed pull', async () => {
    expect((await pull(endpointId, 'khoa-sai')).statusCode).toBe(401);
    expect((await web.inject({ method: 'GET', url: `/radio/queue/${endpointId}`, headers: sign(SECRET, '', Math.floor(Date.now() / 1000) - 3600) })).statusCode).toBe(401);
    expect((await pull('00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    // An endpoint without a secret of its own is refused, even signed with its id (issue 14, finding 11).
    const bare0 = await prisma.endpoint.create({ data: { communeId, name: 'Cụm loa không khóa', protocol: 'loaxa_http', baseUrl: 'http://10.0.0.51', pullMode: true } });
    expect((await pull(bare0.id, bare0.id)).statusCode).toBe(401);
    // A fresh, valid signature replayed within the window.
    const headers = sign(SECRET, '');
    expect((await web.inject({ method: 'GET', url: `/radio/queue/${endpointId}`, headers })).statusCode).toBe(200);
    const replay = await web.inject({ method: 'GET', url: `/radio/queue/${endpointId}`, headers });
    expect(replay.statusCode).toBe(401);
    // Without its nonce the signature is not accepted at all.
    const { 'x-loaxa-nonce': _nonce, ...bare } = sign(SECRET, '');
    expect((await web.inject({ method: 'GET', url: `/radio/queue/${endpointId}`, headers: bare })).statusCode).toBe(401);
  });

  it('a cancelled bulletin leaves the queue; a queue never pulled fails after two hours', async () => {
    const cancelled = await sendTo('Sẽ hủy', 'normal');
    await createBulletinWorkflow(prisma).cancel({ staffId: staff.vanhoa! }, cancelled.bulletinId);
    const forgotten = await sendTo('Không ai lấy', 'normal');
    const items = ((await web.inject({ method: 'GET', url: `/radio/queue/${endpointId}`, headers: sign(SECRET, '') })).json() as { items: Array<{ itemId: string }> }).items.map((i) => i.itemId);
    expect(items).not.toContain(cancelled.run.deliveryIds[0]);
    // Pulled above, so the forgotten one is sent; make a fresh one that nobody pulls.
    expect(items).toContain(forgotten.run.deliveryIds[0]);
    const late = await sendTo('Chưa ai lấy', 'normal');
    const r = await reconcileDeliveries({ prisma, enqueue: async () => 'x', now: () => new Date(Date.now() + 3 * 3600_000) }, { olderThanMs: 60_000 });
    expect(r.unpulled).toBe(1);
    expect(await prisma.delivery.findUniqueOrThrow({ where: { id: late.run.deliveryIds[0]! } })).toMatchObject({ status: 'failed', error: expect.stringContaining('không lấy') });
    expect((await prisma.broadcastRun.findUniqueOrThrow({ where: { id: late.run.runId } })).status).toBe('partly_failed');
  });
});
