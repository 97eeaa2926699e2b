// Managing where bulletins go, for the commune's admins: loudspeaker clusters (protocol, address,
// secret or vendor account — stored encrypted — village, volume, pull mode) and the Telegram/Zalo
// groups registered from inside the groups (rename, move to a village, switch off, repair).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import { requireCommuneAdmin } from '../../auth/commune-admin.ts';
import { encryptSecret } from '../../crypto/secret-box.ts';

const endpointBody = z
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
const targetBody = z.object({ name: z.string().trim().min(1).max(100).optional(), villageId: z.uuid().nullable().optional(), active: z.boolean().optional() }).strict();
const idParams = z.object({ id: z.uuid() });

export function registerTargetAdminRoutes(
  api: FastifyInstance,
  deps: { prisma: PrismaClient; encryptionKey?: Buffer | undefined; parse: <T>(schema: z.ZodType<T>, value: unknown) => T; staffOnly(req: FastifyRequest): { staffId: string; ip: string } },
): void {
  const { prisma, parse } = deps;

  const adminOf = (req: FastifyRequest) => requireCommuneAdmin(prisma, deps.staffOnly(req).staffId, 'Chỉ quản trị của xã mới sửa được cụm loa và nhóm nhận bản tin.');
  async function checkVillage(communeId: string, villageId: string | null | undefined) {
    if (villageId && !(await prisma.village.count({ where: { id: villageId, communeId } }))) throw new AppError('VALIDATION', 'Thôn không thuộc xã.', { field: 'villageId' });
  }
  function seal(protocol: string, secret: string | undefined): string | undefined {
    if (secret === undefined) return undefined;
    if (protocol === 'axis' && !/^[^:]+:.+$/.test(secret)) throw new AppError('VALIDATION', 'Loa Axis cần tài khoản dạng tên:mật khẩu.', { field: 'secret' });
    if (!deps.encryptionKey) throw new AppError('VALIDATION', 'Máy chủ chưa đặt ENCRYPTION_KEY nên không lưu được khóa của cụm loa.', { field: 'secret' });
    return encryptSecret(deps.encryptionKey, secret);
  }
  const audit = (staffId: string, communeId: string, action: string, entityType: string, entityId: string, data: Record<string, unknown>, ip: string) =>
    prisma.auditLog.create({ data: { communeId, actorKind: 'staff', actorStaffId: staffId, action, entityType, entityId, data: data as never, ip } });

  api.post('/api/v1/endpoints', async (req, reply) => {
    const staff = await adminOf(req);
    const body = parse(endpointBody, req.body);
    await checkVillage(staff.communeId, body.villageId);
    if (await prisma.endpoint.count({ where: { communeId: staff.communeId, name: body.name } })) throw new AppError('CONFLICT', `Đã có cụm loa tên "${body.name}".`, { field: 'name' });
    const secretEnc = seal(body.protocol, body.secret);
    if (!secretEnc) throw new AppError('VALIDATION', body.protocol === 'axis' ? 'Loa Axis cần tài khoản dạng tên:mật khẩu.' : 'Cần khóa bí mật (ít nhất 8 ký tự) để ký lệnh gửi cụm loa.', { field: 'secret' });
    const e = await prisma.endpoint.create({
      data: { communeId: staff.communeId, name: body.name, protocol: body.protocol, baseUrl: body.baseUrl, secretEnc, villageId: body.villageId ?? null, volume: body.volume ?? null, pullMode: body.pullMode ?? false, bitrateKbps: body.bitrateKbps ?? 64 },
      omit: { secretEnc: true },
    });
    await audit(staff.id, staff.communeId, 'endpoint.create', 'Endpoint', e.id, { name: e.name, protocol: e.protocol }, req.ip);
    reply.code(201);
    return { endpoint: e };
  });

  api.patch('/api/v1/endpoints/:id', async (req) => {
    const staff = await adminOf(req);
    const { id } = parse(idParams, req.params);
    const body = parse(endpointBody.partial(), req.body);
    const e = await prisma.endpoint.findFirst({ where: { id, communeId: staff.communeId } });
    if (!e) throw new AppError('NOT_FOUND', 'Không tìm thấy cụm loa.');
    await checkVillage(staff.communeId, body.villageId);
    const protocol = body.protocol ?? e.protocol;
    if (protocol === 'simulator' && (body.protocol || body.baseUrl)) throw new AppError('VALIDATION', 'Cụm loa mô phỏng không đổi giao thức hay địa chỉ được.');
    if (body.protocol && body.protocol !== e.protocol && body.secret === undefined) throw new AppError('VALIDATION', 'Đổi giao thức thì cần nhập lại khóa hoặc tài khoản.', { field: 'secret' });
    const secretEnc = seal(protocol, body.secret);
    const { secret: _secret, ...rest } = body;
    const updated = await prisma.endpoint.update({
      where: { id },
      // A repaired cluster leaves "broken": the next delivery or heartbeat tells its real state.
      data: { ...rest, ...(secretEnc ? { secretEnc } : {}), ...(e.status === 'broken' && (body.baseUrl || secretEnc) ? { status: 'unknown', statusReason: null } : {}) },
      omit: { secretEnc: true },
    });
    await audit(staff.id, staff.communeId, 'endpoint.update', 'Endpoint', id, { fields: Object.keys(body).map((k) => (k === 'secret' ? 'secret(***)' : k)) }, req.ip);
    return { endpoint: updated };
  });

  api.patch('/api/v1/targets/:id', async (req) => {
    const staff = await adminOf(req);
    const { id } = parse(idParams, req.params);
    const body = parse(targetBody, req.body);
    const t = await prisma.target.findFirst({ where: { id, communeId: staff.communeId } });
    if (!t) throw new AppError('NOT_FOUND', 'Không tìm thấy nhóm.');
    await checkVillage(staff.communeId, body.villageId);
    if (body.active && !t.platformChatId) throw new AppError('VALIDATION', 'Nhóm chưa có mã trên nền tảng: thêm bot vào nhóm rồi gõ /dangkynhom trong nhóm.');
    const updated = await prisma.target.update({
      where: { id },
      data: {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.villageId !== undefined ? { villageId: body.villageId } : {}),
        ...(body.active !== undefined ? { status: body.active ? 'active' : 'inactive', statusReason: null } : {}),
      },
    });
    await audit(staff.id, staff.communeId, 'target.update', 'Target', id, body, req.ip);
    return { target: updated };
  });
}
