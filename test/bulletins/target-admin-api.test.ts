// Commune admins manage loudspeaker clusters and bulletin groups over the API: secrets sealed and
// never returned, Axis accounts in their form, villages of the commune only, broken clusters
// repaired, and nobody else (editors, other communes, oversight) may touch them.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../src/db/generated/client.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { silentLogger } from '../../src/logger.ts';
import { bulletinApiPlugin } from '../../src/web/plugins/bulletin-api.ts';
import { installErrorHandler } from '../../src/web/error-handler.ts';
import { decryptSecret } from '../../src/crypto/secret-box.ts';
import { ChannelDirectory } from '../../src/channels/channel-directory.ts';
import { createZaloChannel } from '../../bots/zalo/zalo-channel.ts';
import { inMemoryChoices } from '../../bots/zalo/numbered-choices.ts';
import { FakeZaloApi } from '../support/zalo/fake-zalo-api.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let communeId = '';
const key = randomBytes(32);
const PASSWORD = 'MatKhauKiemThu2026';
const zaloApi = new FakeZaloApi();
let zaloAccountId = '';
let qrScript: { scan(): void; finish(): void; fail(): void } | undefined;

beforeAll(async () => {
  db = await openMigratedTestDatabase('target_admin');
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: PASSWORD })).communeId;
  // These accounts have set their own password (the forced first change has its own test).
  await prisma.staff.updateMany({ data: { mustChangePassword: false } });
  app = Fastify({ loggerInstance: silentLogger as unknown as FastifyBaseLogger });
  installErrorHandler(app);
  zaloAccountId = (await prisma.channelAccount.create({ data: { communeId, platform: 'zalo', name: 'zalo-xa', status: 'connected', credentialsEnc: 'v1:sealed' } })).id;
  const directory = new ChannelDirectory().register(
    createZaloChannel({ accountId: 'zalo-xa', login: async () => zaloApi, choices: inMemoryChoices(), pacer: { acquire: async () => undefined, pause: async () => undefined, usage: async () => ({ lastHour: 0, lastDay: 0 }) }, log: silentLogger }),
  );
  zaloApi.groups = { '901': 'Thôn 1 – loa xã', '902': 'Hội phụ nữ xã' };
  await app.register(bulletinApiPlugin, {
    prisma,
    enqueue: async () => 'x',
    secureCookies: false,
    encryptionKey: key,
    channels: directory,
    // The QR login as zca-js drives it: a QR image, renewed, then scanned, then the credentials.
    zaloQrLogin: (events) =>
      new Promise((resolve, reject) => {
        events.qr('UVItMQ==');
        events.qr('UVItMg==');
        qrScript = {
          scan: () => events.scanned?.('Nguyễn Văn Quản'),
          finish: () => resolve({ api: { getOwnId: () => '8800000000000000001' }, credentials: { imei: 'imei-qr', userAgent: 'UA', cookie: [{ key: 'zpw_sek', value: 'moi' }] } }),
          fail: () => reject(new Error('Người dùng từ chối đăng nhập')),
        };
      }),
  });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

async function as(username: string) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
  return { authorization: `Bearer ${(res.json() as { token: string }).token}` };
}
const messageOf = (res: { json(): unknown }) => (res.json() as { error: { message: string } }).error.message;

describe('loudspeaker clusters', () => {
  it('adds an Axis speaker with its account sealed, never shown back', async () => {
    const village = await prisma.village.findFirstOrThrow({ where: { communeId } });
    const res = await app.inject({ method: 'POST', url: '/api/v1/endpoints', headers: await as('quantri'), payload: { name: 'Loa Axis chợ', protocol: 'axis', baseUrl: 'http://10.0.0.21', secret: 'root:MatKhauLoa', villageId: village.id, volume: 70 } });
    expect(res.statusCode).toBe(201);
    expect(JSON.stringify(res.json())).not.toContain('MatKhauLoa');
    expect(res.json()).not.toHaveProperty('endpoint.secretEnc');
    const row = await prisma.endpoint.findFirstOrThrow({ where: { name: 'Loa Axis chợ' } });
    expect(decryptSecret(key, row.secretEnc!)).toBe('root:MatKhauLoa');
    const list = (await app.inject({ method: 'GET', url: '/api/v1/targets', headers: await as('vanhoa') })).json() as { endpoints: Array<Record<string, unknown>> };
    expect(list.endpoints.every((e) => !('secretEnc' in e))).toBe(true);
    expect(await prisma.auditLog.count({ where: { action: 'endpoint.create', entityId: row.id } })).toBe(1);
  });

  it('answers bad input precisely: Axis without user:password, no secret, a duplicate name, a foreign village, a file URL', async () => {
    const h = await as('quantri');
    const post = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/v1/endpoints', headers: h, payload });
    expect(messageOf(await post({ name: 'A', protocol: 'axis', baseUrl: 'http://10.0.0.22', secret: 'chi-mat-khau' }))).toContain('tên:mật khẩu');
    expect(messageOf(await post({ name: 'B', protocol: 'loaxa_http', baseUrl: 'http://10.0.0.23' }))).toContain('khóa bí mật');
    expect((await post({ name: 'Loa Axis chợ', protocol: 'axis', baseUrl: 'http://10.0.0.24', secret: 'root:12345678' })).statusCode).toBe(409);
    const other = await prisma.commune.create({ data: { name: 'Xã khác', code: '99911', villages: { create: { name: 'Thôn ngoài' } } }, include: { villages: true } });
    expect(messageOf(await post({ name: 'C', protocol: 'loaxa_http', baseUrl: 'http://10.0.0.25', secret: '12345678', villageId: other.villages[0]!.id }))).toContain('Thôn không thuộc xã');
    expect((await post({ name: 'D', protocol: 'loaxa_http', baseUrl: 'file:///etc/passwd', secret: '12345678' })).statusCode).toBe(400);
    expect((await post({ name: 'E', protocol: 'loaxa_http', baseUrl: 'http://x', secret: '12345678', secretEnc: 'x' })).statusCode).toBe(400);
  });

  it('a broken cluster given a new address is tried again; only the commune\u2019s admin may change it', async () => {
    const e = await prisma.endpoint.findFirstOrThrow({ where: { name: 'Loa Axis chợ' } });
    await prisma.endpoint.update({ where: { id: e.id }, data: { status: 'broken', statusReason: 'không nhận ra mã (404)' } });
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/endpoints/${e.id}`, headers: await as('vanhoa'), payload: { baseUrl: 'http://10.0.0.30' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/endpoints/${e.id}`, headers: await as('giamsat'), payload: { baseUrl: 'http://10.0.0.30' } })).statusCode).toBe(403);
    const res = await app.inject({ method: 'PATCH', url: `/api/v1/endpoints/${e.id}`, headers: await as('quantri'), payload: { baseUrl: 'http://10.0.0.30' } });
    expect((res.json() as { endpoint: { status: string; baseUrl: string } }).endpoint).toMatchObject({ status: 'unknown', baseUrl: 'http://10.0.0.30' });
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/endpoints/${e.id}`, headers: await as('quantri'), payload: { protocol: 'loaxa_http' } })).statusCode).toBe(400);
  });
});

describe('bulletin groups', () => {
  it('renames, moves to a village and switches off a group; one without a chat id cannot be switched on', async () => {
    const h = await as('quantri');
    const t = await prisma.target.findFirstOrThrow({ where: { communeId, platformChatId: null } });
    expect(messageOf(await app.inject({ method: 'PATCH', url: `/api/v1/targets/${t.id}`, headers: h, payload: { active: true } }))).toContain('/dangkynhom');
    await prisma.target.update({ where: { id: t.id }, data: { platformChatId: '-100999', status: 'broken', statusReason: 'bot bị xóa khỏi nhóm' } });
    const res = await app.inject({ method: 'PATCH', url: `/api/v1/targets/${t.id}`, headers: h, payload: { name: 'Nhóm Thôn 2', active: true } });
    expect((res.json() as { target: { status: string; name: string } }).target).toMatchObject({ status: 'active', name: 'Nhóm Thôn 2' });
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/targets/${t.id}`, headers: h, payload: { platformChatId: '-1' } })).statusCode).toBe(400);
  });
});

describe('messaging accounts', () => {
  it('lists the commune\u2019s accounts with their health, never their credentials', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/channel-accounts', headers: await as('quantri') });
    const accounts = (res.json() as { accounts: Array<Record<string, unknown>> }).accounts;
    expect(accounts).toEqual([expect.objectContaining({ name: 'zalo-xa', platform: 'zalo', status: 'connected', hasCredentials: true })]);
    expect(JSON.stringify(accounts)).not.toContain('sealed');
    expect((await app.inject({ method: 'GET', url: '/api/v1/channel-accounts', headers: await as('vanhoa') })).statusCode).toBe(403);
  });

  it('sets Zalo pacing and the admin group, refusing what makes no sense', async () => {
    const h = await as('quantri');
    const patch = (payload: Record<string, unknown>) => app.inject({ method: 'PATCH', url: `/api/v1/channel-accounts/${zaloAccountId}`, headers: h, payload });
    const ok = await patch({ pacing: { perHour: 60, perDay: 300 }, adminChatId: 'g:902' });
    expect((ok.json() as { account: { settings: unknown } }).account.settings).toEqual({ pacing: { perHour: 60, perDay: 300 }, adminChatId: 'g:902' });
    expect(messageOf(await patch({ pacing: { perHour: 500 } }))).toContain('mỗi giờ');
    expect((await patch({ pacing: { minSpacingMs: 10 } })).statusCode).toBe(400);
    expect(messageOf(await patch({ adminChatId: '-100123' }))).toContain('g:123');
    expect((await patch({ credentialsEnc: 'x' })).statusCode).toBe(400);
  });

  it('discovers the Zalo account\u2019s groups and adds one as a bulletin target', async () => {
    const h = await as('quantri');
    const groups = (await app.inject({ method: 'GET', url: `/api/v1/channel-accounts/${zaloAccountId}/groups`, headers: h })).json() as { groups: Array<{ chatId: string; name: string; target: string | null }> };
    expect(groups.groups.map((g) => [g.chatId, g.target])).toEqual([['g:902', null], ['g:901', null]]);
    const village = await prisma.village.findFirstOrThrow({ where: { communeId } });
    const added = await app.inject({ method: 'POST', url: '/api/v1/targets', headers: h, payload: { channelAccountId: zaloAccountId, chatId: 'g:901', name: 'Thôn 1 – loa xã', villageId: village.id } });
    expect(added.statusCode).toBe(201);
    const again = (await app.inject({ method: 'GET', url: `/api/v1/channel-accounts/${zaloAccountId}/groups`, headers: h })).json() as { groups: Array<{ chatId: string; target: string | null }> };
    expect(again.groups.find((g) => g.chatId === 'g:901')!.target).toBe('active');
    expect((await app.inject({ method: 'POST', url: '/api/v1/targets', headers: h, payload: { channelAccountId: zaloAccountId, chatId: '901', name: 'x' } })).statusCode).toBe(400);
  });
});

describe('Zalo QR login from the web admin', () => {
  it('shows the current QR, then who scanned it, then saves the credentials sealed; one at a time', async () => {
    const h = await as('quantri');
    expect((await app.inject({ method: 'POST', url: '/api/v1/channel-accounts/zalo-login', headers: await as('vanhoa'), payload: { account: 'zalo-moi' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/v1/channel-accounts/zalo-login', headers: h, payload: { account: 'Zalo Mới' } })).statusCode).toBe(400);
    const started = await app.inject({ method: 'POST', url: '/api/v1/channel-accounts/zalo-login', headers: h, payload: { account: 'zalo-moi' } });
    expect(started.statusCode).toBe(202);
    const { id } = started.json() as { id: string };
    const poll = async () => (await app.inject({ method: 'GET', url: `/api/v1/channel-accounts/zalo-login/${id}`, headers: h })).json() as { state: string; qrPng?: string; scannedBy?: string; error?: string };
    expect(await poll()).toMatchObject({ state: 'waiting', qrPng: 'UVItMg==' });
    expect((await app.inject({ method: 'POST', url: '/api/v1/channel-accounts/zalo-login', headers: h, payload: { account: 'zalo-khac' } })).statusCode).toBe(409);
    qrScript!.scan();
    expect(await poll()).toMatchObject({ state: 'scanned', scannedBy: 'Nguyễn Văn Quản' });
    qrScript!.finish();
    await new Promise((r) => setTimeout(r, 50));
    const done = await poll();
    expect(done.state).toBe('done');
    expect(done.qrPng).toBeUndefined();
    const row = await prisma.channelAccount.findFirstOrThrow({ where: { platform: 'zalo', name: 'zalo-moi' } });
    expect(row).toMatchObject({ communeId, status: 'connected' });
    expect(decryptSecret(key, row.credentialsEnc!)).toContain('imei-qr');
  });

  it('reports a declined login', async () => {
    const h = await as('quantri');
    const { id } = (await app.inject({ method: 'POST', url: '/api/v1/channel-accounts/zalo-login', headers: h, payload: { account: 'zalo-bi-tu-choi' } })).json() as { id: string };
    qrScript!.fail();
    await new Promise((r) => setTimeout(r, 50));
    const r = (await app.inject({ method: 'GET', url: `/api/v1/channel-accounts/zalo-login/${id}`, headers: h })).json() as { state: string; error: string };
    expect(r).toMatchObject({ state: 'failed', error: 'Người dùng từ chối đăng nhập' });
    expect(await prisma.channelAccount.count({ where: { name: 'zalo-bi-tu-choi' } })).toBe(0);
  });
});
