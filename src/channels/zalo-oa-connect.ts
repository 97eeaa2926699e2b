// "Kết nối Zalo OA": an admin of the commune gives the app id, app secret and OA secret key,
// is sent to Zalo's permission page (OAuth v4 with PKCE), and Zalo's callback completes it. The
// pending attempt (verifier, secrets) lives sealed on the account row for 10 minutes — Zalo's
// code lives that long — so any web replica can take the callback; the state is single-use.
import { randomBytes } from 'node:crypto';
import { sameSecret } from '../auth/same-secret.ts';
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { decryptSecret, encryptSecret } from '../crypto/secret-box.ts';
import { authorizeUrl, exchangeCode, pkcePair } from '../../bots/zalo-oa/zalo-oa-oauth.ts';
import { saveZaloOaAccount } from './zalo-oa-accounts.ts';

const PENDING_MS = 10 * 60_000;

interface Pending {
  state: string;
  verifier: string;
  appId: string;
  appSecret: string;
  oaSecret: string;
  expiresAt: number;
  staffId: string;
}

type Settings = { oaConnect?: string } & Record<string, unknown>;

export async function startOaConnect(
  prisma: PrismaClient,
  key: Buffer | undefined,
  p: { staffId: string; communeId: string; account: string; appId: string; appSecret: string; oaSecret: string; redirectUri: string; oauthRoot?: string; now?: number },
): Promise<{ authorizeUrl: string }> {
  if (!key) throw new AppError('CONFLICT', 'Máy chủ chưa đặt ENCRYPTION_KEY: không lưu được khóa của Zalo OA.');
  const existing = await prisma.channelAccount.findUnique({ where: { platform_name: { platform: 'zalo_oa', name: p.account } } });
  if (existing?.communeId && existing.communeId !== p.communeId) throw new AppError('CONFLICT', 'Tên tài khoản này đã được xã khác dùng.');
  const row = existing ?? (await prisma.channelAccount.create({ data: { platform: 'zalo_oa', name: p.account, communeId: p.communeId, status: 'inactive' } }));
  const { verifier, challenge } = pkcePair();
  const state = `${row.id}.${randomBytes(16).toString('base64url')}`;
  const pending: Pending = { state, verifier, appId: p.appId, appSecret: p.appSecret, oaSecret: p.oaSecret, expiresAt: (p.now ?? Date.now()) + PENDING_MS, staffId: p.staffId };
  const settings: Settings = { ...((row.settings as Settings | null) ?? {}), oaConnect: encryptSecret(key, JSON.stringify(pending)) };
  await prisma.channelAccount.update({ where: { id: row.id }, data: { settings: settings as Prisma.InputJsonValue, communeId: p.communeId } });
  return { authorizeUrl: authorizeUrl({ ...(p.oauthRoot ? { oauthRoot: p.oauthRoot } : {}), appId: p.appId, redirectUri: p.redirectUri, challenge, state }) };
}


/** Zalo's redirect: exchanges the code with the attempt's verifier and stores the OA's tokens. */
export async function finishOaConnect(prisma: PrismaClient, key: Buffer | undefined, p: { state: string; code: string; oaId?: string; oauthRoot?: string; now?: number }): Promise<{ account: string }> {
  const refused = () => new AppError('VALIDATION', 'Liên kết kết nối Zalo OA không hợp lệ hoặc đã hết hạn: bấm "Kết nối Zalo OA" lại.');
  if (!key) throw new AppError('CONFLICT', 'Máy chủ chưa đặt ENCRYPTION_KEY.');
  const id = p.state.split('.')[0] ?? '';
  if (!/^[0-9a-f-]{36}$/.test(id)) throw refused();
  const row = await prisma.channelAccount.findUnique({ where: { id } });
  const sealed = (row?.settings as Settings | null)?.oaConnect;
  if (!row || row.platform !== 'zalo_oa' || !sealed) throw refused();
  const pending = JSON.parse(decryptSecret(key, sealed)) as Pending;
  if (!sameSecret(pending.state, p.state) || (p.now ?? Date.now()) > pending.expiresAt) throw refused();
  // Single use: the attempt is gone whatever Zalo says next.
  const { oaConnect: _spent, ...rest } = row.settings as Settings;
  await prisma.channelAccount.update({ where: { id: row.id }, data: { settings: rest as Prisma.InputJsonValue } });
  const tokens = await exchangeCode({ ...(p.oauthRoot ? { oauthRoot: p.oauthRoot } : {}), appId: pending.appId, appSecret: pending.appSecret, code: p.code, verifier: pending.verifier });
  await saveZaloOaAccount(prisma, key, {
    name: row.name,
    communeId: row.communeId,
    credentials: { appId: pending.appId, appSecret: pending.appSecret, oaSecret: pending.oaSecret, ...(p.oaId ? { oaId: p.oaId } : {}), accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt.toISOString() },
  });
  if (row.communeId) {
    await prisma.auditLog.create({ data: { communeId: row.communeId, actorKind: 'staff', actorStaffId: pending.staffId, action: 'channel_account.zalo_oa_connect', entityType: 'ChannelAccount', entityId: row.id, data: { account: row.name, ...(p.oaId ? { oaId: p.oaId } : {}) } } });
  }
  return { account: row.name };
}
