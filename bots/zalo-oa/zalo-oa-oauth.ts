// OAuth v4 for Official Accounts, with PKCE: the web admin sends an OA admin to Zalo's permission
// page with a code_challenge, Zalo comes back with a code, which is exchanged (with the verifier
// and the app's secret key) for an access token (~25 h) and a refresh token (~3 months,
// single-use: every refresh returns the next one).
import { createHash, randomBytes } from 'node:crypto';
import { ChannelError } from '../channel.ts';
import type { ZaloOaTokenReply } from './zalo-oa-types.ts';

export const DEFAULT_ZALO_OAUTH_ROOT = 'https://oauth.zaloapp.com';

export interface OaTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh 43-character verifier and its S256 challenge (base64url, no padding). */
export function pkcePair(): { verifier: string; challenge: string } {
  const bytes = randomBytes(43);
  const verifier = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
  return { verifier, challenge: pkceChallenge(verifier) };
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function authorizeUrl(p: { oauthRoot?: string; appId: string; redirectUri: string; challenge: string; state: string }): string {
  const q = new URLSearchParams({ app_id: p.appId, redirect_uri: p.redirectUri, code_challenge: p.challenge, state: p.state });
  return `${(p.oauthRoot ?? DEFAULT_ZALO_OAUTH_ROOT).replace(/\/$/, '')}/v4/oa/permission?${q}`;
}

async function tokenCall(oauthRoot: string | undefined, appSecret: string, form: Record<string, string>, now: () => number): Promise<OaTokens> {
  let res: Response;
  try {
    res = await fetch(`${(oauthRoot ?? DEFAULT_ZALO_OAUTH_ROOT).replace(/\/$/, '')}/v4/oa/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: appSecret },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (e) {
    throw new ChannelError('network', `không gọi được máy chủ xác thực Zalo (${(e as Error).message})`);
  }
  if (res.status >= 500) throw new ChannelError('network', `máy chủ xác thực Zalo trả lời ${res.status}`);
  const r = (await res.json().catch(() => ({}))) as ZaloOaTokenReply;
  if (!r.access_token || !r.refresh_token) {
    throw new ChannelError('bad_request', `Zalo từ chối cấp mã truy cập (${r.error ?? res.status}${r.error_name ? ` ${r.error_name}` : ''})`, { platformCode: r.error ?? res.status });
  }
  const seconds = Number(r.expires_in ?? '90000');
  return { accessToken: r.access_token, refreshToken: r.refresh_token, expiresAt: new Date(now() + (Number.isFinite(seconds) ? seconds : 90000) * 1000) };
}

export function exchangeCode(p: { oauthRoot?: string; appId: string; appSecret: string; code: string; verifier: string; now?: () => number }): Promise<OaTokens> {
  return tokenCall(p.oauthRoot, p.appSecret, { code: p.code, app_id: p.appId, grant_type: 'authorization_code', code_verifier: p.verifier }, p.now ?? Date.now);
}

export function refreshTokens(p: { oauthRoot?: string; appId: string; appSecret: string; refreshToken: string; now?: () => number }): Promise<OaTokens> {
  return tokenCall(p.oauthRoot, p.appSecret, { refresh_token: p.refreshToken, app_id: p.appId, grant_type: 'refresh_token' }, p.now ?? Date.now);
}
