// The Zalo OA adapter over the local OA fake, with its account in real PostgreSQL: signed
// webhooks only (X-ZEvent-Signature), 200 only after storing, Zalo's retries stored once, the
// events it knows, anonymous senders refused clearly, answers only within the 7-day window
// (refused as window_closed outside it), and tokens: refreshed before expiry and on -216, under
// the row lock so two processes never spend one refresh token, "cần kết nối lại" when Zalo
// refuses the refresh, sealed with ENCRYPTION_KEY on the row.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../bots/channel.ts';
import { inMemoryChoices } from '../../bots/zalo/numbered-choices.ts';
import { createZaloOaChannel, type ZaloOaChannel } from '../../bots/zalo-oa/zalo-oa-channel.ts';
import { pkcePair, exchangeCode, authorizeUrl } from '../../bots/zalo-oa/zalo-oa-oauth.ts';
import { openOaCredentials, oaTokenSource, saveZaloOaAccount } from '../../src/channels/zalo-oa-accounts.ts';
import { silentLogger } from '../../src/logger.ts';
import { FakeZaloOaApi } from '../support/zalo-oa-api/fake-zalo-oa-api.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

const key = randomBytes(32);
let db: MigratedTestDatabase;
let api: FakeZaloOaApi;
let roots: { apiRoot: string; oauthRoot: string };
let channel: ZaloOaChannel;
const stored: InboundMessage[] = [];
const follows: Array<[string, boolean]> = [];
let failStore = false;

async function connect(name: string): Promise<void> {
  const t = api.issueTokens();
  await saveZaloOaAccount(db.prisma, key, { name, credentials: { appId: api.appId, appSecret: api.appSecret, oaSecret: api.oaSecret, oaId: api.oaId, accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt.toISOString() } });
}

function makeChannel(name: string, now = () => api.now()) {
  const tokens = oaTokenSource({ prisma: db.prisma, key, name, oauthRoot: roots.oauthRoot, now });
  const ch = createZaloOaChannel({ accountId: name, appId: api.appId, oaSecret: api.oaSecret, tokens, apiRoot: roots.apiRoot, memory: inMemoryChoices(), texts: { anonymousRefused: 'ANON-REFUSED' }, log: silentLogger, now, client: { baseBackoffMs: 10 }, onFollow: async (u, f) => void follows.push([u, f]) });
  return { ch, tokens };
}

beforeAll(async () => {
  db = await openMigratedTestDatabase('zalooa', 6);
  api = new FakeZaloOaApi();
  roots = await api.start();
  await connect('oa-xa');
  channel = makeChannel('oa-xa').ch;
  await channel.start({
    onMessage: async (m) => {
      if (failStore) {
        failStore = false;
        throw new Error('database down');
      }
      if (!stored.some((s) => s.platformMessageId === m.platformMessageId)) stored.push(m);
    },
    onAction: async () => undefined,
  });
});
afterAll(async () => {
  await api?.close();
  await db?.close();
});

describe('Zalo OA webhook', () => {
  it('takes only correctly signed events', async () => {
    const e = api.residentSends({ userId: 'u1', text: 'Đèn đường hỏng' });
    const good = api.signed(e);
    const tampered = { rawBody: good.rawBody.replace('Đèn', 'Đen'), signature: good.signature };
    for (const bad of [{ ...good, signature: undefined }, { ...good, signature: 'mac=00' }, api.signed(e, { secret: 'wrong' }), tampered]) expect(await channel.handleWebhook(bad)).toBe(401);
    expect(stored).toHaveLength(0);
    expect(await channel.handleWebhook(good)).toBe(200);
    expect(stored[0]).toMatchObject({ platform: 'zalo_oa', accountId: 'oa-xa', chatId: 'u1', userId: 'u1', text: 'Đèn đường hỏng', platformMessageId: (e as { message: { msg_id: string } }).message.msg_id });
    expect(await channel.handleWebhook({ rawBody: '{nope', signature: good.signature })).toBe(400);
  });

  it('answers 500 when storing failed, so Zalo retries; a retry of a stored event changes nothing', async () => {
    const d = api.signed(api.residentSends({ userId: 'u2', text: 'Nước máy mất' }));
    failStore = true;
    expect(await channel.handleWebhook(d)).toBe(500);
    expect(await channel.handleWebhook(d)).toBe(200);
    expect(await channel.handleWebhook(d)).toBe(200);
    expect(stored.filter((m) => m.userId === 'u2')).toHaveLength(1);
  });

  it('normalizes images, files, audio and locations; records follows; refuses anonymous senders clearly', async () => {
    for (const p of [{ image: 'https://zalo.example/a.jpg', text: 'ổ gà' }, { file: { url: 'https://zalo.example/d.pdf', name: 'don.pdf', size: 2048 } }, { audio: 'https://zalo.example/v.aac' }, { location: [21.03, 105.85] as [number, number] }]) {
      expect(await channel.handleWebhook(api.signed(api.residentSends({ userId: 'u3', ...p })))).toBe(200);
    }
    expect(stored.filter((m) => m.userId === 'u3').map((m) => [m.attachments[0]?.kind, m.attachments[0]?.fileId, m.text])).toEqual([
      ['photo', 'https://zalo.example/a.jpg', 'ổ gà'],
      ['file', 'https://zalo.example/d.pdf', undefined],
      ['voice', 'https://zalo.example/v.aac', undefined],
      ['other', 'location:21.03,105.85', undefined],
    ]);
    expect(await channel.handleWebhook(api.signed(api.follow('u9')))).toBe(200);
    expect(await channel.handleWebhook(api.signed(api.follow('u9', false)))).toBe(200);
    expect(follows).toEqual([['u9', true], ['u9', false]]);
    const before = stored.length;
    expect(await channel.handleWebhook(api.signed(api.anonymous('Tôi muốn hỏi ẩn danh')))).toBe(200);
    expect(stored.length).toBe(before);
    expect(api.sent.at(-1)).toMatchObject({ anonymous: true, text: 'ANON-REFUSED' });
  });
});

describe('Zalo OA answers and the 7-day window', () => {
  it('answers as consultation messages, splitting over 2,000 characters; numbered choices', async () => {
    await channel.send('u1', { text: 'chữ '.repeat(700).trim(), buttons: [[{ label: 'Hài lòng', data: 'r:ok' }]] });
    const parts = api.sentTo('u1');
    expect(parts.length).toBe(2);
    expect(parts.every((p) => p.text!.length <= 2000)).toBe(true);
    expect(parts.at(-1)!.text).toContain('1. Hài lòng');
    await channel.send('u1', { text: 'Ảnh', photo: { url: 'https://loa.example.vn/a.jpg' } });
    expect(api.sentTo('u1').at(-1)).toMatchObject({ imageUrl: 'https://loa.example.vn/a.jpg', text: 'Ảnh' });
    await expect(channel.send('u1', { file: { path: '/tmp/x.pdf' } })).rejects.toMatchObject({ kind: 'bad_request' });
  });

  it('knows the window: free for 48 h, open for 7 days, then an answer is refused as window_closed', async () => {
    const w = (await channel.windowOf('u1'))!;
    expect(w.open).toBe(true);
    expect(w.freeUntil.getTime() - w.lastMessageAt.getTime()).toBe(48 * 3600_000);
    expect(w.closesAt.getTime() - w.lastMessageAt.getTime()).toBe(7 * 24 * 3600_000);
    api.advance(7 * 24 * 3600_000 + 60_000);
    const calls = api.sent.length;
    await expect(channel.send('u1', { text: 'Trả lời muộn' })).rejects.toMatchObject({ kind: 'window_closed', permanent: true });
    expect(api.sent.length).toBe(calls);
    expect((await channel.windowOf('u1'))!.open).toBe(false);
    // A resident the channel has not seen (memory lost): Zalo's own -232 says the same.
    await expect(channel.send('never-seen', { text: 'x' })).rejects.toMatchObject({ kind: 'window_closed' });
    // The resident writes again: the window opens again.
    await channel.handleWebhook(api.signed(api.residentSends({ userId: 'u1', text: 'Còn đó không?' })));
    await channel.send('u1', { text: 'Dạ còn' });
    expect(api.sentTo('u1').at(-1)!.text).toBe('Dạ còn');
  });

  it('an unreachable user is permanent; -32 waits; network failures are retried', async () => {
    for (const u of ['u2', 'u3']) await channel.handleWebhook(api.signed(api.residentSends({ userId: u, text: 'vẫn đây' })));
    api.blockUser('u2');
    await expect(channel.send('u2', { text: 'x' })).rejects.toMatchObject({ kind: 'blocked', permanent: true });
    api.failNext({ error: -32, message: 'Your application reached limit call api' });
    await expect(channel.send('u3', { text: 'x' })).rejects.toMatchObject({ kind: 'rate_limited', opts: { retryAfterMs: 60_000 } });
    api.failNext('network', 2);
    await channel.send('u3', { text: 'qua mạng chập chờn' });
    expect(api.sentTo('u3').at(-1)!.text).toBe('qua mạng chập chờn');
  });
});

describe('Zalo OA tokens', () => {
  it('are sealed on the row, refreshed on -216 and the call repeated', async () => {
    const row = await db.prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo_oa', name: 'oa-xa' } } });
    expect(row.credentialsEnc).toMatch(/^v1:/);
    expect(row.credentialsEnc).not.toContain('AT-');
    api.revokeAccessTokens();
    await channel.send('u3', { text: 'sau khi làm mới' });
    expect(api.sentTo('u3').at(-1)!.text).toBe('sau khi làm mới');
    const after = openOaCredentials(key, await db.prisma.channelAccount.findUniqueOrThrow({ where: { id: row.id } }));
    expect(after.refreshToken).not.toBe(openOaCredentials(key, row).refreshToken);
  });

  it('two processes refreshing at once spend the refresh token once', async () => {
    await connect('oa-race');
    api.revokeAccessTokens();
    const a = makeChannel('oa-race');
    const b = makeChannel('oa-race');
    const before = api.refreshCalls.length;
    const stale = openOaCredentials(key, await db.prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo_oa', name: 'oa-race' } } })).accessToken;
    const tokens = await Promise.all([a.tokens.refreshAfterRejection(stale), b.tokens.refreshAfterRejection(stale)].map((p) => p.catch((e: Error) => e.message)));
    // One process refreshed; the other found the new token already saved under the lock.
    expect(api.refreshCalls.length - before).toBe(1);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[0]).toMatch(/^AT-/);
  });

  it('refreshes ahead of expiry', async () => {
    await connect('oa-early');
    const { tokens } = makeChannel('oa-early', () => api.now() + 24 * 3600_000);
    const before = api.refreshCalls.length;
    await tokens.accessToken();
    expect(api.refreshCalls.length - before).toBe(1);
  });

  it('a refused refresh marks the OA "cần kết nối lại" and health says so', async () => {
    await connect('oa-dead');
    const { ch } = makeChannel('oa-dead');
    api.revokeAccessTokens();
    api.revokeRefreshTokens();
    expect(await ch.health()).toEqual({ ok: false, detail: 'cần kết nối lại' });
    const row = await db.prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo_oa', name: 'oa-dead' } } });
    expect(row.status).toBe('logged_out');
    expect(row.statusReason).toContain('cần kết nối lại');
    await expect(ch.send('u1', { text: 'x' })).rejects.toMatchObject({ kind: 'bad_request' });
  });

  it('OAuth v4 with PKCE: the code is exchanged only with its verifier', async () => {
    const { verifier, challenge } = pkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9]{43}$/);
    const url = new URL(authorizeUrl({ oauthRoot: roots.oauthRoot, appId: api.appId, redirectUri: 'https://loa.example.vn/admin/zalo-oa/callback', challenge, state: 's1' }));
    expect(url.pathname).toBe('/v4/oa/permission');
    expect(url.searchParams.get('code_challenge')).toBe(challenge);
    const code = api.authorize(challenge);
    await expect(exchangeCode({ oauthRoot: roots.oauthRoot, appId: api.appId, appSecret: api.appSecret, code, verifier: pkcePair().verifier })).rejects.toMatchObject({ kind: 'bad_request' });
    const code2 = api.authorize(challenge);
    const t = await exchangeCode({ oauthRoot: roots.oauthRoot, appId: api.appId, appSecret: api.appSecret, code: code2, verifier });
    expect(t.accessToken).toMatch(/^AT-/);
    expect(t.expiresAt.getTime() - Date.now()).toBeGreaterThan(24 * 3600_000);
  });
});
