// Bulletins to Zalo groups: the text, then a voice message Zalo fetches from a signed M4A link;
// an account at its cap hands the rest to another connected account of the commune; Zalo's "too
// fast" puts the delivery back to wait; a group the account left is marked broken.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { storeMedia } from '../../src/media/media-store.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { deliver, reachableFromInternet } from '../../broadcasts/fanout/deliver.ts';
import { startRun } from '../../broadcasts/fanout/start-run.ts';
import type { AudioVariant } from '../../broadcasts/render/render-bulletin.ts';
import { createZaloChannel } from '../../bots/zalo/zalo-channel.ts';
import { createZaloPacer } from '../../bots/zalo/zalo-pacer.ts';
import { inMemoryChoices } from '../../bots/zalo/numbered-choices.ts';
import { RetryJobLater } from '../../src/queues/job-errors.ts';
import { FakeZaloApi } from '../support/zalo/fake-zalo-api.ts';
import { deleteTestRedisKeys, openMigratedTestDatabase, TEST_REDIS_URL, testRedisPrefix, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
const redis = new Redis(TEST_REDIS_URL);
const prefix = testRedisPrefix();
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-zalo-fanout-'));
const signer = createMediaLinkSigner(randomBytes(32));
const fakes: Record<string, FakeZaloApi> = { 'zalo-a': new FakeZaloApi(), 'zalo-b': new FakeZaloApi() };
let communeId = '';
const staff: Record<string, string> = {};
let directory: ChannelDirectory;

beforeAll(async () => {
  db = await openMigratedTestDatabase('zalo_fanout');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
  directory = new ChannelDirectory();
  for (const [name, perHour] of [['zalo-a', 2], ['zalo-b', 100]] as const) {
    await prisma.channelAccount.create({ data: { communeId, platform: 'zalo', name, status: 'connected' } });
    directory.register(
      createZaloChannel({ accountId: name, login: async () => fakes[name]!, choices: inMemoryChoices(), pacer: createZaloPacer(redis, `${prefix}:${name}`, { minSpacingMs: 0, jitterMs: 0, perHour, perDay: 1000 }), log: silentLogger }),
    );
  }
});
afterAll(async () => {
  await deleteTestRedisKeys(prefix);
  redis.disconnect();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const deps = () => ({
  prisma,
  channels: directory,
  signer,
  publicBaseUrl: 'https://loa.xa.test',
  dataDir,
  // The render itself is tested elsewhere; here each variant is a distinct stored file.
  render: async (_versionId: string, variant?: AudioVariant) => {
    const m = await storeMedia(prisma, dataDir, Buffer.from(`audio ${variant?.format ?? 'mp3'}`), variant?.format === 'm4a' ? 'audio/mp4' : 'audio/mpeg');
    return { sha256: m.sha256, durationMs: 3000 };
  },
  now: () => new Date(),
});

async function bulletinTo(groups: string[]) {
  const account = await prisma.channelAccount.findFirstOrThrow({ where: { name: 'zalo-a' } });
  const targets = [];
  for (const g of groups) targets.push(await prisma.target.upsert({ where: { communeId_kind_platformChatId: { communeId, kind: 'zalo_group', platformChatId: g } }, create: { communeId, kind: 'zalo_group', name: `Nhóm ${g}`, platformChatId: g, channelAccountId: account.id, status: 'active' }, update: {} }));
  const wf = createBulletinWorkflow(prisma);
  const b = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId, title: 'Lịch tiêm phòng', text: 'Ngày 10/12/2026 tiêm phòng dại cho chó mèo tại nhà văn hóa.' });
  await wf.setAudience({ staffId: staff.vanhoa! }, b.id, { targetIds: targets.map((t) => t.id) });
  await wf.submit({ staffId: staff.vanhoa! }, b.id);
  await wf.approve({ staffId: staff.chutich! }, b.id);
  return startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
}

describe('bulletins to Zalo groups', () => {
  it('sends the text and a voice message from a signed M4A link; past its cap the account hands over', async () => {
    const run = await bulletinTo(['g:101', 'g:102']);
    for (const id of run.deliveryIds) expect((await deliver(deps(), id)).status).toBe('sent');
    const a = fakes['zalo-a']!.sent;
    const b = fakes['zalo-b']!.sent;
    expect(a.map((m) => [m.threadId, m.kind])).toEqual([['101', 'message'], ['101', 'voice']]);
    expect(a[0]!.text).toContain('10/12/2026');
    expect(a[1]!.voiceUrl).toMatch(/^https:\/\/loa\.xa\.test\/media\/[0-9a-f]{64}\.m4a\?e=\d+&s=/);
    // zalo-a reached 2 per hour: the second group goes through zalo-b.
    expect(b.map((m) => [m.threadId, m.kind])).toEqual([['102', 'message'], ['102', 'voice']]);
    expect(await prisma.delivery.count({ where: { runId: run.runId, status: 'sent' } })).toBe(2);
  });

  it('Zalo\u2019s "too fast" sends the delivery back to wait; a group the account left is broken', async () => {
    fakes['zalo-b']!.failNext(-69, 'Gửi tin nhắn quá nhanh');
    const run = await bulletinTo(['g:103', 'g:104']);
    const [first, second] = run.deliveryIds;
    // zalo-a is at its cap, so zalo-b sends, and Zalo tells zalo-b to slow down.
    await expect(deliver(deps(), first!)).rejects.toBeInstanceOf(RetryJobLater);
    expect(await prisma.delivery.findUniqueOrThrow({ where: { id: first! } })).toMatchObject({ status: 'pending' });
    // A new hour for zalo-a, which was removed from the group meanwhile.
    await redis.del(`${prefix}:zalo-a:sends`);
    fakes['zalo-a']!.failNext(114, 'Bạn không phải là thành viên của nhóm');
    await expect(deliver(deps(), second!)).rejects.toThrow(/thành viên/);
    const t = await prisma.target.findFirstOrThrow({ where: { platformChatId: 'g:104' } });
    expect(t.status).toBe('broken');
  });

  it('without a public address the group gets the text only, and the report says why', async () => {
    await redis.del(`${prefix}:zalo-a:sends`, `${prefix}:zalo-b:pause`);
    const run = await bulletinTo(['g:105']);
    const before = fakes['zalo-a']!.sent.length;
    expect((await deliver({ ...deps(), publicBaseUrl: 'http://127.0.0.1:3000' }, run.deliveryIds[0]!)).status).toBe('sent');
    expect(fakes['zalo-a']!.sent.slice(before).map((m) => m.kind)).toEqual(['message']);
    expect((await prisma.delivery.findUniqueOrThrow({ where: { id: run.deliveryIds[0]! } })).error).toContain('PUBLIC_BASE_URL');
    expect([reachableFromInternet('https://loa.xa-abc.gov.vn'), reachableFromInternet('http://192.168.1.10:3000'), reachableFromInternet('http://localhost:3000'), reachableFromInternet('http://[::1]:3000')]).toEqual([true, false, false, false]);
  });
});
