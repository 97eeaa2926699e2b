// "Kết nối Zalo OA": OAuth v4 with PKCE against the local OAuth fake. The attempt is sealed on the
// account row, the callback exchanges the code with its verifier and stores the tokens sealed;
// a state is single-use, expires with Zalo's code, and a forged or foreign state is refused.
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { ensureCategories } from '../../src/catalog/ensure-categories.ts';
import { finishOaConnect, startOaConnect } from '../../src/channels/zalo-oa-connect.ts';
import { openOaCredentials } from '../../src/channels/zalo-oa-accounts.ts';
import { registerZaloOaCallbackRoute } from '../../src/web/plugins/zalo-oa-connect-routes.ts';
import { FakeZaloOaApi } from '../support/zalo-oa-api/fake-zalo-oa-api.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

const key = randomBytes(32);
let db: MigratedTestDatabase;
let api: FakeZaloOaApi;
let oauthRoot: string;
let communeId: string;
let staffId: string;
let app: FastifyInstance;

beforeAll(async () => {
  db = await openMigratedTestDatabase('oaconnect', 4);
  await ensureCategories(db.prisma);
  const demo = await seedDemo(db.prisma, { password: 'MatKhauKiemThu2026' });
  communeId = demo.communeId;
  staffId = (await db.prisma.staff.findFirstOrThrow({ where: { communeId, roles: { has: 'admin' } } })).id;
  api = new FakeZaloOaApi();
  ({ oauthRoot } = await api.start());
  app = Fastify();
  registerZaloOaCallbackRoute(app, { prisma: db.prisma, encryptionKey: key, zaloOa: { oauthRoot } });
});
afterAll(async () => {
  await app?.close();
  await api?.close();
  await db?.close();
});

const start = (account = 'oa-xa') =>
  startOaConnect(db.prisma, key, { staffId, communeId, account, appId: api.appId, appSecret: api.appSecret, oaSecret: api.oaSecret, redirectUri: 'https://loa.example.vn/zalo-oa/oauth/callback', oauthRoot });

describe('Kết nối Zalo OA', () => {
  it('sends the admin to Zalo with a PKCE challenge; the callback stores the tokens sealed', async () => {
    const { authorizeUrl } = await start();
    const url = new URL(authorizeUrl);
    expect(url.searchParams.get('app_id')).toBe(api.appId);
    expect(url.searchParams.get('redirect_uri')).toBe('https://loa.example.vn/zalo-oa/oauth/callback');
    const state = url.searchParams.get('state')!;
    const code = api.authorize(url.searchParams.get('code_challenge')!);
    const res = await app.inject({ method: 'GET', url: `/zalo-oa/oauth/callback?code=${code}&state=${encodeURIComponent(state)}&oa_id=${api.oaId}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Đã kết nối Zalo OA');
    const row = await db.prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo_oa', name: 'oa-xa' } } });
    expect(row.status).toBe('connected');
    expect(row.communeId).toBe(communeId);
    expect(row.credentialsEnc).not.toContain(api.appSecret);
    expect(JSON.stringify(row.settings)).not.toContain('oaConnect');
    const c = openOaCredentials(key, row);
    expect(c).toMatchObject({ appId: api.appId, oaSecret: api.oaSecret, oaId: api.oaId });
    expect(c.accessToken).toMatch(/^AT-/);
    expect(await db.prisma.auditLog.count({ where: { action: 'channel_account.zalo_oa_connect' } })).toBe(1);

    // The same state again (a replayed link) is refused.
    const again = await app.inject({ method: 'GET', url: `/zalo-oa/oauth/callback?code=${api.authorize('x')}&state=${encodeURIComponent(state)}` });
    expect(again.statusCode).toBe(400);
  });

  it('refuses a forged state, a state from another attempt, an expired one, and junk', async () => {
    const { authorizeUrl } = await start('oa-2');
    const url = new URL(authorizeUrl);
    const state = url.searchParams.get('state')!;
    const code = api.authorize(url.searchParams.get('code_challenge')!);
    const forged = `${state.split('.')[0]}.${'A'.repeat(22)}`;
    await expect(finishOaConnect(db.prisma, key, { state: forged, code, oauthRoot })).rejects.toMatchObject({ code: 'VALIDATION' });
    for (const bad of ['', 'nope', `${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}.x`]) {
      await expect(finishOaConnect(db.prisma, key, { state: bad, code, oauthRoot })).rejects.toMatchObject({ code: 'VALIDATION' });
    }
    const later = await start('oa-3');
    const s3 = new URL(later.authorizeUrl).searchParams.get('state')!;
    await expect(finishOaConnect(db.prisma, key, { state: s3, code: 'c', oauthRoot, now: Date.now() + 11 * 60_000 })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await app.inject({ method: 'GET', url: '/zalo-oa/oauth/callback' })).statusCode).toBe(400);
  });

  it('a code Zalo refuses (wrong verifier) leaves the account unconnected', async () => {
    const { authorizeUrl } = await start('oa-4');
    const url = new URL(authorizeUrl);
    const code = api.authorize('a-different-challenge');
    const res = await app.inject({ method: 'GET', url: `/zalo-oa/oauth/callback?code=${code}&state=${encodeURIComponent(url.searchParams.get('state')!)}` });
    expect(res.statusCode).toBe(400);
    const row = await db.prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo_oa', name: 'oa-4' } } });
    expect(row.credentialsEnc).toBeNull();
    expect(row.status).toBe('inactive');
  });
});
