// QR login of a Zalo account from the web admin: the admin starts it, the page polls for the QR
// image (renewed when it expires) and the outcome; the credentials are saved encrypted for the
// admin's commune. One login at a time per commune; attempts end after 5 minutes.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import { requireCommuneAdmin } from '../../auth/commune-admin.ts';
import { assertZaloNameFree, saveZaloCredentials } from '../../channels/zalo-accounts.ts';
import type { QrLoginEvents } from '../../../bots/zalo/zca-login.ts';

export type ZaloQrLogin = (events: QrLoginEvents) => Promise<{ api: { getOwnId(): string }; credentials: unknown }>;

interface Attempt {
  id: string;
  communeId: string;
  account: string;
  state: 'waiting' | 'scanned' | 'done' | 'failed';
  qrPng?: string;
  scannedBy?: string;
  error?: string;
  startedAt: number;
}

const TIMEOUT_MS = 5 * 60_000;
const startBody = z.object({ account: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'chữ thường không dấu, số, - hoặc _ (ví dụ zalo-xa)') }).strict();
const idParams = z.object({ id: z.uuid() });

export function registerZaloQrLoginRoutes(
  api: FastifyInstance,
  deps: { prisma: PrismaClient; encryptionKey?: Buffer | undefined; qrLogin: ZaloQrLogin; parse: <T>(schema: z.ZodType<T>, value: unknown) => T; staffOnly(req: FastifyRequest): { staffId: string; ip: string } },
): void {
  const attempts = new Map<string, Attempt>();
  const live = (a: Attempt) => (a.state === 'waiting' || a.state === 'scanned') && Date.now() - a.startedAt < TIMEOUT_MS;

  const adminOf = (req: FastifyRequest) => requireCommuneAdmin(deps.prisma, deps.staffOnly(req).staffId, 'Chỉ quản trị của xã mới đăng nhập tài khoản Zalo.');

  api.post('/api/v1/channel-accounts/zalo-login', async (req, reply) => {
    const staff = await adminOf(req);
    const { account } = deps.parse(startBody, req.body);
    if (!deps.encryptionKey) throw new AppError('CONFLICT', 'Máy chủ chưa đặt ENCRYPTION_KEY: không lưu được thông tin đăng nhập Zalo.');
    // Refused before a QR code is shown: nobody scans for nothing.
    await assertZaloNameFree(deps.prisma, account, staff.communeId);
    if ([...attempts.values()].some((a) => a.communeId === staff.communeId && live(a))) throw new AppError('CONFLICT', 'Đang có một lần đăng nhập Zalo chờ quét mã.');
    const attempt: Attempt = { id: randomUUID(), communeId: staff.communeId, account, state: 'waiting', startedAt: Date.now() };
    attempts.set(attempt.id, attempt);
    const key = deps.encryptionKey;
    void deps
      .qrLogin({
        qr: (png) => {
          attempt.qrPng = png;
        },
        scanned: (name) => {
          attempt.state = 'scanned';
          attempt.scannedBy = name;
        },
      })
      .then(async ({ api: zalo, credentials }) => {
        await saveZaloCredentials(deps.prisma, key, account, credentials, staff.communeId);
        await deps.prisma.auditLog.create({ data: { communeId: staff.communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'channel_account.zalo_login', entityType: 'ChannelAccount', data: { account, uid: zalo.getOwnId() } } });
        attempt.state = 'done';
        delete attempt.qrPng;
      })
      .catch((e: Error) => {
        attempt.state = 'failed';
        attempt.error = e.message;
        delete attempt.qrPng;
      });
    reply.code(202);
    return { id: attempt.id };
  });

  api.get('/api/v1/channel-accounts/zalo-login/:id', async (req) => {
    const staff = await adminOf(req);
    const { id } = deps.parse(idParams, req.params);
    const a = attempts.get(id);
    if (!a || a.communeId !== staff.communeId) throw new AppError('NOT_FOUND', 'Không có lần đăng nhập này.');
    if (!live(a) && (a.state === 'waiting' || a.state === 'scanned')) {
      a.state = 'failed';
      a.error = 'hết thời gian chờ quét mã';
      delete a.qrPng;
    }
    return {
      state: a.state,
      account: a.account,
      ...(a.qrPng ? { qrPng: a.qrPng } : {}),
      ...(a.scannedBy ? { scannedBy: a.scannedBy } : {}),
      ...(a.error ? { error: a.error } : {}),
      ...(a.state === 'done' ? { next: 'Đã lưu. Khởi động lại tiến trình bots (hoặc npm start) để tài khoản bắt đầu nhận tin.' } : {}),
    };
  });
}
