// The web chat takes photos: uploaded from the page, checked by their first bytes and size, kept by
// content hash like Telegram photos, and shown to the cadres under the ticket's post.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import type { Database } from '../../src/db/database.ts';
import { storeMedia } from '../../src/media/media-store.ts';
import { ADMIN_CHAT, startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import { TEST_REDIS_URL } from '../support/services.ts';

let h: ListeningHarness;
let app: FastifyInstance;
let base = '';
const MAX = 200_000;

beforeAll(async () => {
  h = await startListeningHarness();
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma: h.prisma, sql: undefined as never, ping: async () => undefined, close: async () => undefined } as Database,
    health: new HealthRegistry(),
    queueDepths: () => h.queues.depths(),
    webchat: {
      channel: h.webchat,
      subscriber: new Redis(TEST_REDIS_URL),
      communeName: async () => 'Xã Mẫu',
      photos: { maxBytes: MAX, store: (buffer, mime) => storeMedia(h.prisma, h.dataDir, buffer, mime) },
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('ảnh ổ gà trước cổng trường'.repeat(50))]);
const upload = (cookie: string, body: Buffer, type: string, id: string, caption = '') =>
  fetch(`${base}/chat/api/photos?clientMessageId=${id}&caption=${encodeURIComponent(caption)}`, { method: 'POST', headers: { cookie, 'content-type': type }, body: new Uint8Array(body) });

describe('photos in the web chat', () => {
  it('a photo with its caption becomes a ticket; it is kept by hash and relayed under the post', async () => {
    const page = await fetch(`${base}/chat`);
    expect(await page.text()).toContain('type="file"');
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const say = (text: string, id: string) => fetch(`${base}/chat/api/messages`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ text, clientMessageId: id }) });
    expect((await say('đồng ý', 'c0000001')).status).toBe(202);
    await h.settle();
    const res = await upload(cookie, JPEG, 'image/jpeg', 'p0000001', 'Ổ gà to trước cổng trường tiểu học');
    expect(res.status).toBe(202);
    await h.settle();
    const ticket = await h.prisma.ticket.findFirstOrThrow({ where: { channel: 'webchat' }, include: { messages: true, adminPosts: true } });
    expect(ticket.subject).toContain('Ổ gà');
    const att = (ticket.messages.find((m) => m.direction === 'inbound')!.attachments as Array<{ kind: string; sha256?: string }>)[0]!;
    const sha = createHash('sha256').update(JPEG).digest('hex');
    expect(att).toMatchObject({ kind: 'photo', sha256: sha });
    const file = await h.prisma.mediaFile.findUniqueOrThrow({ where: { sha256: sha } });
    expect(await readFile(`${h.dataDir}/${file.path}`)).toEqual(JPEG);
    const post = ticket.adminPosts.find((p) => p.purpose === 'ticket')!;
    await h.settle();
    const relayed = h.api.sentTo(ADMIN_CHAT).find((m) => m.method === 'sendPhoto' && `${ADMIN_CHAT}:${m.replyTo}` === post.platformMessageId);
    expect(relayed?.file).toMatchObject({ field: 'photo', bytes: JPEG.length });
  });

  it('refuses what is not an image, whatever it claims, and what is too large', async () => {
    const page = await fetch(`${base}/chat`);
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const fake = await upload(cookie, Buffer.from('<script>alert(1)</script>'), 'image/jpeg', 'p0000002');
    expect(fake.status).toBe(400);
    const big = await upload(cookie, Buffer.concat([JPEG, Buffer.alloc(MAX)]), 'image/jpeg', 'p0000003');
    expect(big.status).toBe(413);
    const other = await upload(cookie, JPEG, 'application/pdf', 'p0000004');
    expect(other.status).toBe(415);
    expect(await h.prisma.mediaFile.count()).toBe(1);
  });
});
