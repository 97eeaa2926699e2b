// "Kết nối Zalo OA" from the web admin: an admin of the commune starts it (POST, signed in) and is
// sent to Zalo; Zalo sends the OA admin's browser back to the public callback with a code and the
// single-use state that proves which attempt it belongs to.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import { requireCommuneAdmin } from '../../auth/commune-admin.ts';
import { finishOaConnect, startOaConnect } from '../../channels/zalo-oa-connect.ts';

export interface ZaloOaConnectOptions {
  oauthRoot?: string;
  /** PUBLIC_BASE_URL: Zalo only redirects to the callback URL registered in the app. */
  publicBaseUrl?: string | undefined;
}

export const ZALO_OA_CALLBACK_PATH = '/zalo-oa/oauth/callback';

const startBody = z
  .object({
    account: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'chữ thường không dấu, số, - hoặc _ (ví dụ oa-xa)'),
    appId: z.string().regex(/^\d{5,25}$/, 'mã ứng dụng (app id) là một dãy số'),
    appSecret: z.string().min(8).max(200),
    oaSecret: z.string().min(8).max(200),
  })
  .strict();

export function registerZaloOaConnectRoutes(
  api: FastifyInstance,
  deps: { prisma: PrismaClient; encryptionKey?: Buffer | undefined; zaloOa: ZaloOaConnectOptions; parse: <T>(schema: z.ZodType<T>, value: unknown) => T; staffOnly(req: FastifyRequest): { staffId: string; ip: string } },
): void {
  api.post('/api/v1/channel-accounts/zalo-oa/connect', { bodyLimit: 8192 }, async (req) => {
    const staff = await requireCommuneAdmin(deps.prisma, deps.staffOnly(req).staffId, 'Chỉ quản trị của xã mới kết nối Zalo OA.');
    const body = deps.parse(startBody, req.body);
    const base = deps.zaloOa.publicBaseUrl?.replace(/\/$/, '');
    if (!base?.startsWith('https://')) throw new AppError('CONFLICT', 'Cần đặt PUBLIC_BASE_URL (https://…) để Zalo gọi lại máy chủ khi kết nối OA.');
    return startOaConnect(deps.prisma, deps.encryptionKey, {
      staffId: staff.id,
      communeId: staff.communeId,
      ...body,
      redirectUri: `${base}${ZALO_OA_CALLBACK_PATH}`,
      ...(deps.zaloOa.oauthRoot ? { oauthRoot: deps.zaloOa.oauthRoot } : {}),
    });
  });
}

const page = (title: string, text: string) =>
  `<!doctype html><html lang="vi"><meta charset="utf-8"><title>${title}</title><body style="font-family:system-ui;max-width:36rem;margin:3rem auto;line-height:1.5"><h1>${title}</h1><p>${text}</p><p><a href="/admin">Về trang quản trị</a></p></body></html>`;

export function registerZaloOaCallbackRoute(app: FastifyInstance, deps: { prisma: PrismaClient; encryptionKey?: Buffer | undefined; zaloOa: ZaloOaConnectOptions }): void {
  app.get(ZALO_OA_CALLBACK_PATH, async (req, reply) => {
    const q = z.object({ code: z.string().min(1).max(2000), state: z.string().min(1).max(200), oa_id: z.string().max(40).optional() }).safeParse(req.query);
    reply.type('text/html; charset=utf-8');
    if (!q.success) return reply.code(400).send(page('Chưa kết nối được Zalo OA', 'Zalo không gửi đủ thông tin. Bạn bấm "Kết nối Zalo OA" lại.'));
    try {
      const { account } = await finishOaConnect(deps.prisma, deps.encryptionKey, { state: q.data.state, code: q.data.code, ...(q.data.oa_id ? { oaId: q.data.oa_id } : {}), ...(deps.zaloOa.oauthRoot ? { oauthRoot: deps.zaloOa.oauthRoot } : {}) });
      return page('Đã kết nối Zalo OA', `Tài khoản "${account}" đã kết nối. Khởi động lại Loa Xã (hoặc tiến trình web và bots) để bắt đầu nhận tin từ OA.`);
    } catch (e) {
      const msg = e instanceof AppError ? e.message : 'Zalo từ chối cấp mã truy cập. Bạn bấm "Kết nối Zalo OA" lại.';
      return reply.code(400).send(page('Chưa kết nối được Zalo OA', msg));
    }
  });
}
