// A bulletin through the fan-out to one village's Zalo OA followers ("zalo-oa-followers"): the
// run's delivery goes through the OA adapter, reaches that village's tagged followers within the
// quota; the next one the same day is stopped by the daily cap and the delivery says so.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import { storeMedia } from '../../src/media/media-store.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { oaTokenSource, saveZaloOaAccount } from '../../src/channels/zalo-oa-accounts.ts';
import { recordOaFollow, setOaFollowerTags, setOaTagVillage } from '../../src/channels/oa-followers.ts';
import { OA_DAILY_CAP, oaQuotaUsage, setOaQuota } from '../../src/channels/oa-quota.ts';
import { deliver } from '../../broadcasts/fanout/deliver.ts';
import { startRun } from '../../broadcasts/fanout/start-run.ts';
import { createZaloOaChannel } from '../../bots/zalo-oa/zalo-oa-channel.ts';
import { inMemoryChoices } from '../../bots/zalo/numbered-choices.ts';
import { FakeZaloOaApi } from '../support/zalo-oa-api/fake-zalo-oa-api.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
const dataDir = mkdtempSync(join(tmpdir(), 'loaxa-zalo-oa-fanout-'));
const key = randomBytes(32);
const api = new FakeZaloOaApi();
let communeId = '';
let accountId = '';
let targetId = '';
const staff: Record<string, string> = {};
const directory = new ChannelDirectory();

beforeAll(async () => {
  db = await openMigratedTestDatabase('zalo_oa_fanout');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) staff[s.username] = s.id;
  const roots = await api.start();
  const t = api.issueTokens();
  await saveZaloOaAccount(prisma, key, { name: 'oa-xa', credentials: { appId: api.appId, appSecret: api.appSecret, oaSecret: api.oaSecret, oaId: api.oaId, accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt.toISOString() } });
  const account = await prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo_oa', name: 'oa-xa' } } });
  accountId = account.id;
  await prisma.channelAccount.update({ where: { id: accountId }, data: { communeId } });
  const now = () => api.now();
  directory.register(createZaloOaChannel({ accountId: 'oa-xa', appId: api.appId, oaSecret: api.oaSecret, tokens: oaTokenSource({ prisma, key, name: 'oa-xa', oauthRoot: roots.oauthRoot, now }), apiRoot: roots.apiRoot, memory: inMemoryChoices(), texts: { anonymousRefused: 'ANON' }, log: silentLogger, now, client: { baseBackoffMs: 5 }, prisma }));
  const villages = await prisma.village.findMany({ where: { communeId }, orderBy: { sortOrder: 'asc' } });
  const [v1, v2] = [villages[0]!, villages[1]!];
  for (const [u, tag] of [['f1', 'thon-a'], ['f2', 'thon-a'], ['f3', 'thon-b']] as const) {
    api.followers.add(u);
    await recordOaFollow(prisma, accountId, u, true, new Date(api.now()));
    await setOaFollowerTags(prisma, accountId, u, [tag]);
  }
  await setOaTagVillage(prisma, accountId, 'thon-a', v1.id);
  await setOaTagVillage(prisma, accountId, 'thon-b', v2.id);
  await setOaQuota(prisma, accountId, { monthlyLimit: 10 });
  targetId = (await prisma.target.create({ data: { communeId, villageId: v1.id, kind: 'zalo_oa_followers', name: `Người theo dõi OA ${v1.name}`, platformChatId: `oa-followers:${v1.id}`, channelAccountId: accountId, status: 'active' } })).id;
});

afterAll(async () => {
  await api.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const deps = () => ({
  prisma,
  channels: directory,
  signer: createMediaLinkSigner(randomBytes(32)),
  publicBaseUrl: 'https://loa.xa.test',
  dataDir,
  render: async () => {
    const m = await storeMedia(prisma, dataDir, Buffer.from('audio mp3'), 'audio/mpeg');
    return { sha256: m.sha256, durationMs: 3000 };
  },
  now: () => new Date(api.now()),
});

async function bulletin(title: string) {
  const wf = createBulletinWorkflow(prisma);
  const b = await wf.createDraft({ staffId: staff.vanhoa! }, { communeId, title, text: 'Ngày 10/12/2026 cắt điện từ 8 giờ đến 11 giờ.' });
  await wf.setAudience({ staffId: staff.vanhoa! }, b.id, { targetIds: [targetId] });
  await wf.submit({ staffId: staff.vanhoa! }, b.id);
  await wf.approve({ staffId: staff.chutich! }, b.id);
  return startRun(prisma, { bulletinId: b.id, scheduledFor: new Date() });
}

describe('bulletins to Zalo OA followers through the fan-out', () => {
  it("one village's followers get it, within the quota; the same day again is stopped by the daily cap", async () => {
    const run = await bulletin('Lịch cắt điện');
    expect(run.deliveryIds).toHaveLength(1);
    expect((await deliver(deps(), run.deliveryIds[0]!)).status).toBe('sent');
    expect(api.broadcasts.map((b) => b.to)).toEqual([{ userId: 'f1' }, { userId: 'f2' }]);
    expect(api.broadcasts[0]).toMatchObject({ header: 'Lịch cắt điện' });
    expect(await prisma.delivery.findUniqueOrThrow({ where: { id: run.deliveryIds[0]! } })).toMatchObject({ status: 'sent', error: null });
    expect(await oaQuotaUsage(prisma, accountId, new Date(api.now()))).toMatchObject({ usedThisMonth: 2, remainingThisMonth: 8 });

    const again = await bulletin('Lịch cắt điện (bổ sung)');
    expect((await deliver(deps(), again.deliveryIds[0]!)).status).toBe('failed');
    const d = await prisma.delivery.findUniqueOrThrow({ where: { id: again.deliveryIds[0]! } });
    expect(d.status).toBe('failed');
    expect(d.error).toContain(OA_DAILY_CAP);
    expect(api.broadcasts).toHaveLength(2);
  });
});
