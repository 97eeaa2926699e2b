// A bulletin to one village's Zalo OA followers, end to end over the fake OA API: follow events
// arrive signed through the webhook and are kept, tags chosen through the OA's tag endpoints map
// to villages, the broadcast goes to those followers only and within the quota; the quota
// stopping a send, the daily cap, an unfollow, Zalo's own quota refusal and a GMF group.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inMemoryChoices } from '../../bots/zalo/numbered-choices.ts';
import { createZaloOaChannel, type ZaloOaChannel } from '../../bots/zalo-oa/zalo-oa-channel.ts';
import { createZaloOaClient } from '../../bots/zalo-oa/zalo-oa-client.ts';
import { listOaFollowersByTag, tagOaFollower } from '../../bots/zalo-oa/zalo-oa-bulletin-api.ts';
import { oaBulletinNote } from '../../bots/zalo-oa/deliver-oa-bulletin.ts';
import { oaTokenSource, saveZaloOaAccount } from '../../src/channels/zalo-oa-accounts.ts';
import { recordOaFollow, setOaFollowerTags, setOaTagVillage } from '../../src/channels/oa-followers.ts';
import { OA_DAILY_CAP, OA_MONTHLY_EXHAUSTED, oaQuotaUsage, setOaQuota } from '../../src/channels/oa-quota.ts';
import { silentLogger } from '../../src/logger.ts';
import { FakeZaloOaApi } from '../support/zalo-oa-api/fake-zalo-oa-api.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

const key = randomBytes(32);
let db: MigratedTestDatabase;
let api: FakeZaloOaApi;
let channel: ZaloOaChannel;
let accountId: string;
let thon1: string;
let thon2: string;
const content = { title: 'Thông báo lũ', text: 'Nước sông lên nhanh, bà con Thôn 1 chuẩn bị di dời.' };
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(200)]);

beforeAll(async () => {
  db = await openMigratedTestDatabase('zalooabulletin', 6);
  api = new FakeZaloOaApi();
  const roots = await api.start();
  const commune = await db.prisma.commune.create({ data: { code: 'xa-oa-bulletin', name: 'Xã Bản Tin', villages: { create: [{ name: 'Thôn 1' }, { name: 'Thôn 2' }] } }, include: { villages: true } });
  thon1 = commune.villages.find((v) => v.name === 'Thôn 1')!.id;
  thon2 = commune.villages.find((v) => v.name === 'Thôn 2')!.id;
  const t = api.issueTokens();
  await saveZaloOaAccount(db.prisma, key, { name: 'oa-ban-tin', credentials: { appId: api.appId, appSecret: api.appSecret, oaSecret: api.oaSecret, oaId: api.oaId, accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt.toISOString() } });
  const row = await db.prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo_oa', name: 'oa-ban-tin' } } });
  accountId = row.id;
  const now = () => api.now();
  const tokens = oaTokenSource({ prisma: db.prisma, key, name: 'oa-ban-tin', oauthRoot: roots.oauthRoot, now });
  channel = createZaloOaChannel({
    accountId: 'oa-ban-tin', appId: api.appId, oaSecret: api.oaSecret, tokens, apiRoot: roots.apiRoot, memory: inMemoryChoices(), texts: { anonymousRefused: 'ANON' }, log: silentLogger, now,
    client: { baseBackoffMs: 5 }, prisma: db.prisma,
    onFollow: (u, f, at) => recordOaFollow(db.prisma, accountId, u, f, at),
  });
  await channel.start({ onMessage: async () => undefined, onAction: async () => undefined });
  // Followers arrive by webhook; one is replayed by Zalo.
  for (const u of ['a1', 'a2', 'a3', 'b1']) expect(await channel.handleWebhook(api.signed(api.follow(u)))).toBe(200);
  const replay = api.signed(api.follow('a1'));
  expect(await channel.handleWebhook(replay)).toBe(200);
  expect(await channel.handleWebhook(replay)).toBe(200);
  // Tags set through the OA API, read back by tag and kept on the followers.
  const client = createZaloOaClient({ tokens, apiRoot: roots.apiRoot, baseBackoffMs: 5 });
  for (const u of ['a1', 'a2', 'a3']) await tagOaFollower(client, u, 'thon-1');
  await tagOaFollower(client, 'b1', 'thon-2');
  for (const tag of ['thon-1', 'thon-2']) for (const u of await listOaFollowersByTag(client, tag)) await setOaFollowerTags(db.prisma, accountId, u, [...(api.tags.get(u) ?? [])]);
  await setOaTagVillage(db.prisma, accountId, 'thon-1', thon1);
  await setOaTagVillage(db.prisma, accountId, 'thon-2', thon2);
});

afterAll(async () => {
  await channel?.stop();
  await api?.close();
  await db?.close();
});

const village1 = { kind: 'zalo_oa_followers' as const, channelAccountId: '', villageId: '', platformChatId: null };

describe('Zalo OA bulletins', () => {
  it('a replayed follow webhook is one follower', async () => {
    expect(await db.prisma.oaFollower.count({ where: { channelAccountId: accountId } })).toBe(4);
  });

  it('a bulletin to one village reaches its followers only, within the quota, with the image uploaded once', async () => {
    await setOaQuota(db.prisma, accountId, { monthlyLimit: 100 });
    // a3 unfollows before the bulletin: not sent.
    api.advance(1000);
    expect(await channel.handleWebhook(api.signed(api.follow('a3', false)))).toBe(200);
    const image = await channel.uploadImage(png, 'lu.png', 'image/png');
    const deliveryId = randomUUID();
    const r = await channel.deliverBulletin(deliveryId, { ...village1, channelAccountId: accountId, villageId: thon1 }, { ...content, imageAttachmentId: image });
    expect(r).toMatchObject({ sent: 2, audience: 2, stopped: {}, refused: {} });
    expect(api.broadcasts.map((b) => b.to)).toEqual([{ userId: 'a1' }, { userId: 'a2' }]);
    expect(api.broadcasts[0]).toMatchObject({ header: content.title, text: content.text, imageAttachmentId: image });
    expect(await oaQuotaUsage(db.prisma, accountId, new Date(api.now()))).toMatchObject({ usedThisMonth: 2, sentToday: 2 });
    // The job retried: nobody gets it twice, no unit spent twice.
    const again = await channel.deliverBulletin(deliveryId, { ...village1, channelAccountId: accountId, villageId: thon1 }, content);
    expect(again.sent).toBe(2);
    expect(api.broadcasts).toHaveLength(2);
    expect((await oaQuotaUsage(db.prisma, accountId, new Date(api.now()))).usedThisMonth).toBe(2);
  });

  it('the daily cap and the monthly quota stop sends, and the report says so', async () => {
    // Same day: Thôn 1's followers already had today's broadcast.
    const r = await channel.deliverBulletin(randomUUID(), { ...village1, channelAccountId: accountId, villageId: thon1 }, content);
    expect(r).toMatchObject({ sent: 0, audience: 2, stopped: { [OA_DAILY_CAP]: 2 } });
    expect(oaBulletinNote(r)).toBe(`0/2 người theo dõi; 2 không gửi: ${OA_DAILY_CAP}`);
    await setOaQuota(db.prisma, accountId, { monthlyLimit: 2 });
    const b = await channel.deliverBulletin(randomUUID(), { ...village1, channelAccountId: accountId, villageId: thon2 }, content);
    expect(b).toMatchObject({ sent: 0, stopped: { [OA_MONTHLY_EXHAUSTED]: 1 } });
    expect(api.broadcasts).toHaveLength(2);
  });

  it("Zalo's own quota refusal stops the rest and gives the unit back", async () => {
    await setOaQuota(db.prisma, accountId, { monthlyLimit: 100 });
    api.monthlyBroadcastsLeft = 0;
    const before = (await oaQuotaUsage(db.prisma, accountId, new Date(api.now()))).usedThisMonth;
    const r = await channel.deliverBulletin(randomUUID(), { ...village1, channelAccountId: accountId, villageId: thon2 }, content);
    expect(r).toMatchObject({ sent: 0, stopped: { [OA_MONTHLY_EXHAUSTED]: 1 } });
    expect((await oaQuotaUsage(db.prisma, accountId, new Date(api.now()))).usedThisMonth).toBe(before);
    api.monthlyBroadcastsLeft = undefined;
  });

  it('a GMF group gets the text and the image', async () => {
    api.groups.add('g-thon-1');
    const image = await channel.uploadImage(png, 'lu.png', 'image/png');
    const r = await channel.deliverBulletin(randomUUID(), { kind: 'zalo_oa_group', channelAccountId: accountId, villageId: thon1, platformChatId: 'g-thon-1' }, { ...content, imageAttachmentId: image });
    expect(r.messageIds).toHaveLength(2);
    expect(api.broadcasts.filter((b) => 'groupId' in b.to).map((b) => b.text ?? b.imageAttachmentId)).toEqual([`${content.title}\n\n${content.text}`, image]);
    await expect(channel.deliverBulletin(randomUUID(), { kind: 'zalo_oa_group', channelAccountId: accountId, villageId: null, platformChatId: 'khong-co' }, content)).rejects.toMatchObject({ kind: 'bad_request' });
  });

  it('a worker stopping between followers sends to nobody after the stop; the retry reaches the rest, nobody twice', async () => {
    // A new day: the daily cap the earlier bulletins spent is over.
    api.advance(2 * 86_400_000);
    await setOaQuota(db.prisma, accountId, { monthlyLimit: 100 });
    const deliveryId = randomUUID();
    const before = api.broadcasts.length;
    let turns = 0;
    const stopping = () => {
      if (++turns > 1) throw new Error('worker dừng');
    };
    await expect(channel.deliverBulletin(deliveryId, { ...village1, channelAccountId: accountId, villageId: thon1 }, content, stopping)).rejects.toThrow('worker dừng');
    expect(api.broadcasts.slice(before).map((x) => x.to)).toEqual([{ userId: 'a1' }]);
    const r = await channel.deliverBulletin(deliveryId, { ...village1, channelAccountId: accountId, villageId: thon1 }, content);
    expect(r).toMatchObject({ sent: 2, audience: 2 });
    expect(api.broadcasts.slice(before).map((x) => x.to)).toEqual([{ userId: 'a1' }, { userId: 'a2' }]);
  });

  it('refuses an image Zalo does not take', async () => {
    await expect(channel.uploadImage(Buffer.alloc(0), 'rong.png', 'image/png')).rejects.toMatchObject({ kind: 'bad_request' });
  });
});
