// Managing where bulletins go, for the commune's admins: loudspeaker clusters (protocol, address,
// secret or vendor account — stored encrypted — village, volume, pull mode) and the Telegram/Zalo
// groups registered from inside the groups (rename, move to a village, switch off, repair). The
// HTTP API and the web admin both call these, so the rules and the audit are the same.
import { z } from 'zod';
import type { PrismaClient, Staff } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { encryptSecret } from '../crypto/secret-box.ts';

export const endpointInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    protocol: z.enum(['loaxa_http', 'axis']),
    baseUrl: z.url({ protocol: /^https?$/, error: 'cần địa chỉ http(s)://…' }),
    // loaxa_http: the shared HMAC secret; axis: "user:password".
    secret: z.string().min(8).max(200).optional(),
    villageId: z.uuid().nullable().optional(),
    volume: z.number().int().min(0).max(100).nullable().optional(),
    pullMode: z.boolean().optional(),
    bitrateKbps: z.union([z.literal(32), z.literal(48), z.literal(64), z.literal(96), z.literal(128)]).optional(),
  })
  .strict();
export type EndpointInput = z.infer<typeof endpointInput>;
export const targetInput = z.object({ name: z.string().trim().min(1).max(100).optional(), villageId: z.uuid().nullable().optional(), active: z.boolean().optional() }).strict();
export type TargetInput = z.infer<typeof targetInput>;

type Admin = Staff & { communeId: string };
interface Ctx {
  prisma: PrismaClient;
  encryptionKey?: Buffer | undefined;
  staff: Admin;
  ip: string;
}

async function checkVillage(prisma: PrismaClient, communeId: string, villageId: string | null | undefined) {
  if (villageId && !(await prisma.village.count({ where: { id: villageId, communeId } }))) throw new AppError('VALIDATION', 'Thôn không thuộc xã.', { field: 'villageId' });
}

function seal(key: Buffer | undefined, protocol: string, secret: string | undefined): string | undefined {
  if (secret === undefined) return undefined;
  if (protocol === 'axis' && !/^[^:]+:.+$/.test(secret)) throw new AppError('VALIDATION', 'Loa Axis cần tài khoản dạng tên:mật khẩu.', { field: 'secret' });
  if (!key) throw new AppError('VALIDATION', 'Máy chủ chưa đặt ENCRYPTION_KEY nên không lưu được khóa của cụm loa.', { field: 'secret' });
  return encryptSecret(key, secret);
}

function audit(c: Ctx, action: string, entityType: string, entityId: string, data: Record<string, unknown>) {
  return c.prisma.auditLog.create({ data: { communeId: c.staff.communeId, actorKind: 'staff', actorStaffId: c.staff.id, action, entityType, entityId, data: data as never, ip: c.ip } });
}

export async function createEndpoint(c: Ctx, body: EndpointInput) {
  const { prisma, staff } = c;
  await checkVillage(prisma, staff.communeId, body.villageId);
  if (await prisma.endpoint.count({ where: { communeId: staff.communeId, name: body.name } })) throw new AppError('CONFLICT', `Đã có cụm loa tên "${body.name}".`, { field: 'name' });
  const secretEnc = seal(c.encryptionKey, body.protocol, body.secret);
  if (!secretEnc) throw new AppError('VALIDATION', body.protocol === 'axis' ? 'Loa Axis cần tài khoản dạng tên:mật khẩu.' : 'Cần khóa bí mật (ít nhất 8 ký tự) để ký lệnh gửi cụm loa.', { field: 'secret' });
  const e = await prisma.endpoint.create({
    data: { communeId: staff.communeId, name: body.name, protocol: body.protocol, baseUrl: body.baseUrl, secretEnc, villageId: body.villageId ?? null, volume: body.volume ?? null, pullMode: body.pullMode ?? false, bitrateKbps: body.bitrateKbps ?? 64 },
    omit: { secretEnc: true },
  });
  await audit(c, 'endpoint.create', 'Endpoint', e.id, { name: e.name, protocol: e.protocol });
  return e;
}

export async function updateEndpoint(c: Ctx, id: string, body: Partial<EndpointInput>) {
  const { prisma, staff } = c;
  const e = await prisma.endpoint.findFirst({ where: { id, communeId: staff.communeId } });
  if (!e) throw new AppError('NOT_FOUND', 'Không tìm thấy cụm loa.');
  await checkVillage(prisma, staff.communeId, body.villageId);
  if (body.name && body.name !== e.name && (await prisma.endpoint.count({ where: { communeId: staff.communeId, name: body.name } }))) throw new AppError('CONFLICT', `Đã có cụm loa tên "${body.name}".`, { field: 'name' });
  const protocol = body.protocol ?? e.protocol;
  if (e.protocol === 'simulator' && (body.protocol || (body.baseUrl && body.baseUrl !== e.baseUrl))) throw new AppError('VALIDATION', 'Cụm loa mô phỏng không đổi giao thức hay địa chỉ được.');
  if (body.protocol && body.protocol !== e.protocol && body.secret === undefined) throw new AppError('VALIDATION', 'Đổi giao thức thì cần nhập lại khóa hoặc tài khoản.', { field: 'secret' });
  const secretEnc = seal(c.encryptionKey, protocol, body.secret);
  const { secret: _secret, ...rest } = body;
  const updated = await prisma.endpoint.update({
    where: { id },
    // A repaired cluster leaves "broken": the next delivery or heartbeat tells its real state.
    data: { ...rest, ...(secretEnc ? { secretEnc } : {}), ...(e.status === 'broken' && (body.baseUrl || secretEnc) ? { status: 'unknown', statusReason: null } : {}) },
    omit: { secretEnc: true },
  });
  await audit(c, 'endpoint.update', 'Endpoint', id, { fields: Object.keys(body).map((k) => (k === 'secret' ? 'secret(***)' : k)) });
  return updated;
}

export async function updateTarget(c: Ctx, id: string, body: TargetInput) {
  const { prisma, staff } = c;
  const t = await prisma.target.findFirst({ where: { id, communeId: staff.communeId } });
  if (!t) throw new AppError('NOT_FOUND', 'Không tìm thấy nhóm.');
  await checkVillage(prisma, staff.communeId, body.villageId);
  if (body.active && !t.platformChatId) throw new AppError('VALIDATION', 'Nhóm chưa có mã trên nền tảng: thêm bot vào nhóm rồi gõ /dangkynhom trong nhóm.');
  const updated = await prisma.target.update({
    where: { id },
    data: {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.villageId !== undefined ? { villageId: body.villageId } : {}),
      ...(body.active !== undefined ? { status: body.active ? 'active' : 'inactive', statusReason: null } : {}),
    },
  });
  await audit(c, 'target.update', 'Target', id, body);
  return updated;
}
