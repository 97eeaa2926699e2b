// Zalo Official Accounts as the rest of the system sees them: one ChannelAccount row per OA and
// commune, its app id, app secret, OA secret key and OAuth tokens sealed with ENCRYPTION_KEY on
// that row. Tokens are refreshed before they expire, and again when Zalo refuses one (-216),
// always inside a transaction that holds the row locked (SELECT … FOR UPDATE): the refresh token
// is single-use, so two processes must never spend the same one. A refresh Zalo refuses marks
// the account "cần kết nối lại" (an admin connects the OA again from the web admin).
import type { PrismaClient } from '../db/generated/client.ts';
import { decryptSecret, encryptSecret } from '../crypto/secret-box.ts';
import { OperatorError } from '../processes/operator-error.ts';
import { ChannelError } from '../../bots/channel.ts';
import { OaNeedsReconnect, type OaTokenSource } from '../../bots/zalo-oa/zalo-oa-client.ts';
import { refreshTokens, type OaTokens } from '../../bots/zalo-oa/zalo-oa-oauth.ts';

export interface ZaloOaCredentials {
  appId: string;
  appSecret: string;
  /** The OA's secret key (webhook signatures); not the app secret. */
  oaSecret: string;
  oaId?: string;
  accessToken: string;
  refreshToken: string;
  /** ISO time the access token expires. */
  expiresAt: string;
}

/** What health shows when only a person can bring the OA back. */
export const OA_RECONNECT = 'cần kết nối lại';

function requireKey(key: Buffer | undefined): Buffer {
  if (!key) throw new OperatorError('Zalo OA cần ENCRYPTION_KEY để mã hóa khóa và mã truy cập: đặt ENCRYPTION_KEY (openssl rand -base64 32) rồi kết nối lại');
  return key;
}

export function sealOaCredentials(key: Buffer | undefined, c: ZaloOaCredentials): string {
  return encryptSecret(requireKey(key), JSON.stringify(c));
}

export function openOaCredentials(key: Buffer | undefined, row: { name: string; credentialsEnc: string | null }): ZaloOaCredentials {
  if (!row.credentialsEnc) throw new OperatorError(`Zalo OA "${row.name}" chưa kết nối: vào trang quản trị → Kết nối Zalo OA`);
  try {
    return JSON.parse(decryptSecret(requireKey(key), row.credentialsEnc)) as ZaloOaCredentials;
  } catch (e) {
    if (e instanceof OperatorError) throw e;
    throw new OperatorError(`Không giải mã được khóa của Zalo OA "${row.name}": ENCRYPTION_KEY khác với lúc kết nối (đặt lại đúng khóa, hoặc kết nối lại)`);
  }
}

/** Creates or replaces an OA's account row (after the OAuth callback). */
export async function saveZaloOaAccount(prisma: PrismaClient, key: Buffer | undefined, p: { name: string; communeId?: string | null; credentials: ZaloOaCredentials }): Promise<string> {
  const credentialsEnc = sealOaCredentials(key, p.credentials);
  const row = await prisma.channelAccount.upsert({
    where: { platform_name: { platform: 'zalo_oa', name: p.name } },
    create: { platform: 'zalo_oa', name: p.name, credentialsEnc, status: 'connected', communeId: p.communeId ?? null, lastSeenAt: new Date() },
    update: { credentialsEnc, status: 'connected', statusReason: null, lastSeenAt: new Date(), ...(p.communeId ? { communeId: p.communeId } : {}) },
  });
  return row.id;
}

export interface OaTokenSourceOptions {
  prisma: PrismaClient;
  key: Buffer | undefined;
  name: string;
  oauthRoot?: string;
  /** Refresh when the access token has less than this left (default 2 h of its ~25 h). */
  refreshBeforeMs?: number;
  now?: () => number;
}

export function oaTokenSource(o: OaTokenSourceOptions): OaTokenSource & { refreshes(): number } {
  const now = o.now ?? Date.now;
  const early = o.refreshBeforeMs ?? 2 * 3600_000;
  let count = 0;

  async function read(): Promise<ZaloOaCredentials> {
    const row = await o.prisma.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo_oa', name: o.name } } });
    if (row.status === 'logged_out') throw new OaNeedsReconnect(row.statusReason ?? 'mã làm mới không còn dùng được');
    return openOaCredentials(o.key, row);
  }

  /** Under the row lock: refresh unless `fresh(current)` says another process already did. */
  async function refreshLocked(fresh: (c: ZaloOaCredentials) => boolean): Promise<string> {
    return o.prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM "ChannelAccount" WHERE platform = 'zalo_oa' AND name = ${o.name} FOR UPDATE`;
        const row = await tx.channelAccount.findUniqueOrThrow({ where: { platform_name: { platform: 'zalo_oa', name: o.name } } });
        if (row.status === 'logged_out') throw new OaNeedsReconnect(row.statusReason ?? 'mã làm mới không còn dùng được');
        const c = openOaCredentials(o.key, row);
        if (fresh(c)) return c.accessToken;
        let next: OaTokens;
        try {
          next = await refreshTokens({ ...(o.oauthRoot ? { oauthRoot: o.oauthRoot } : {}), appId: c.appId, appSecret: c.appSecret, refreshToken: c.refreshToken, now });
        } catch (e) {
          if (e instanceof ChannelError && e.kind === 'network') throw e;
          // Zalo refused the refresh token (expired, revoked, already spent): only a person can fix it.
          throw new OaNeedsReconnect((e as Error).message);
        }
        count += 1;
        const sealed: ZaloOaCredentials = { ...c, accessToken: next.accessToken, refreshToken: next.refreshToken, expiresAt: next.expiresAt.toISOString() };
        await tx.channelAccount.update({ where: { id: row.id }, data: { credentialsEnc: sealOaCredentials(o.key, sealed), status: 'connected', statusReason: null, lastSeenAt: new Date(now()) } });
        return next.accessToken;
      },
      { timeout: 60_000, maxWait: 60_000 },
    ).catch(async (e: unknown) => {
      // Marked outside the transaction, which rolled back.
      if (e instanceof OaNeedsReconnect) {
        await o.prisma.channelAccount.updateMany({ where: { platform: 'zalo_oa', name: o.name }, data: { status: 'logged_out', statusReason: e.message.slice(0, 300) } });
      }
      throw e;
    });
  }

  const notExpiring = (c: ZaloOaCredentials) => new Date(c.expiresAt).getTime() - now() > early;

  return {
    async accessToken() {
      const c = await read();
      if (notExpiring(c)) return c.accessToken;
      return refreshLocked(notExpiring);
    },
    async refreshAfterRejection(stale) {
      return refreshLocked((c) => c.accessToken !== stale);
    },
    refreshes: () => count,
  };
}
