// The real login through zca-js: from saved credentials, or by QR code (the image goes to the
// caller, who shows it in the web admin or saves it for `loaxa zalo login`).
import { LoginQRCallbackEventType, Zalo } from 'zca-js';
import type { ZaloApi, ZaloCredentials } from './zalo-api.ts';

export async function loginWithCredentials(credentials: ZaloCredentials): Promise<ZaloApi> {
  // selfListen off: the bot's own messages are not news; checkUpdate off: no call home.
  const zalo = new Zalo({ selfListen: false, checkUpdate: false, logging: false });
  return zalo.login({ ...credentials, language: credentials.language ?? 'vi' });
}

export interface QrLoginEvents {
  /** A PNG (base64) to scan with the Zalo app; it expires after about a minute and is renewed. */
  qr(pngBase64: string): void;
  scanned?(displayName: string): void;
}

/** Logs in by QR code; resolves with the API and the credentials to save. */
export async function loginWithQr(events: QrLoginEvents, userAgent?: string): Promise<{ api: ZaloApi; credentials: ZaloCredentials }> {
  const zalo = new Zalo({ selfListen: false, checkUpdate: false, logging: false });
  let credentials: ZaloCredentials | undefined;
  const api = await zalo.loginQR({ ...(userAgent ? { userAgent } : {}), language: 'vi' }, (e) => {
    if (e.type === LoginQRCallbackEventType.QRCodeGenerated) events.qr(e.data.image);
    if (e.type === LoginQRCallbackEventType.QRCodeExpired) e.actions.retry();
    if (e.type === LoginQRCallbackEventType.QRCodeScanned) events.scanned?.(e.data.display_name);
    if (e.type === LoginQRCallbackEventType.GotLoginInfo) credentials = { imei: e.data.imei, userAgent: e.data.userAgent, cookie: e.data.cookie, language: 'vi' };
  });
  if (!credentials) throw new Error('Zalo không trả thông tin đăng nhập sau khi quét mã');
  return { api, credentials };
}
