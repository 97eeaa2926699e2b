// The commune's messaging accounts for its admins: each account's health (connected, reconnecting,
// logged out, kicked, suspected ban), Zalo pacing and admin group, the groups a Zalo account is in
// (group discovery), and adding one of them as a bulletin target.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import { requireCommuneAdmin } from '../../auth/commune-admin.ts';
import type { ChannelDirectory } from '../../channels/channel-directory.ts';

const idParams = z.object({ id: z.uuid() });
const pacingBody = z
  .object({
    minSpacingMs: z.number().int().min(500).max(600_000),
    jitterMs: z.number().int().min(0).max(600_000),
    perHour: z.number().int().min(1).max(2000),
    perDay: z.number().int().min(1).max(20_000),
  })
  .partial()
  .strict();
const accountBody = z.object({ pacing: pacingBody.optional(), adminChatId: z.string().regex(/^(g:\d{1,25}|-?\d{1,20})$/, 'mã nhóm như g:123… (Zalo) hoặc -100… (Telegram)').nullable().optional() }).strict();
const targetBody = z.object({ channelAccountId: z.uuid(), chatId: z.string().regex(/^g:\d{1,25}$/, 'mã nhóm Zalo dạng g:123…'), name: z.string().trim().min(1).max(100), villageId: z.uuid().nullable().optional() }).strict();

interface Groupable {
  groups(): Promise<Array<{ chatId: string; name: string; members: number }>>;
}

export function registerChannelAccountRoutes(
  api: FastifyInstance,
  deps: { prisma: PrismaClient; channels?: ChannelDirectory | undefined; parse: <T>(schema: z.ZodType<T>, value: unknown) => T; staffOnly(req: FastifyRequest): { staffId: string; ip: string } },
): void {
  const { prisma, parse } = deps;

  const adminOf = (req: FastifyRequest) => requireCommuneAdmin(prisma, deps.staffOnly(req).staffId, 'Chỉ quản trị của xã mới quản lý được tài khoản nhắn tin.');
  async function accountOf(req: FastifyRequest, id: string) {
    const staff = await adminOf(req);
    const a = await prisma.channelAccount.findFirst({ where: { id, communeId: staff.communeId } });
    if (!a) throw new AppError('NOT_FOUND', 'Không tìm thấy tài khoản.');
    return { staff, account: a };
  }

  api.get('/api/v1/channel-accounts', async (req) => {
    const staff = await adminOf(req);
    const rows = await prisma.channelAccount.findMany({ where: { communeId: staff.communeId }, orderBy: [{ platform: 'asc' }, { name: 'asc' }] });
    // Whether credentials are saved, never the credentials.
    return { accounts: rows.map(({ credentialsEnc, ...r }) => ({ ...r, hasCredentials: credentialsEnc !== null })) };
  });

  api.patch('/api/v1/channel-accounts/:id', async (req) => {
    const { id } = parse(idParams, req.params);
    const body = parse(accountBody, req.body);
    const { staff, account } = await accountOf(req, id);
    if (body.pacing && account.platform !== 'zalo') throw new AppError('VALIDATION', 'Chỉ tài khoản Zalo mới đặt nhịp gửi.', { field: 'pacing' });
    if (body.adminChatId && account.platform === 'zalo' && !body.adminChatId.startsWith('g:')) throw new AppError('VALIDATION', 'Nhóm quản trị Zalo có mã dạng g:123…', { field: 'adminChatId' });
    const current = (account.settings as Record<string, unknown> | null) ?? {};
    const pacing = body.pacing ? { ...((current.pacing as object | undefined) ?? {}), ...body.pacing } : current.pacing;
    const p = pacing as { perHour?: number; perDay?: number } | undefined;
    if (p?.perHour && p.perDay && p.perHour > p.perDay) throw new AppError('VALIDATION', 'Giới hạn mỗi giờ không thể lớn hơn giới hạn mỗi ngày.', { field: 'pacing.perHour' });
    const settings = { ...current, ...(pacing ? { pacing } : {}), ...(body.adminChatId !== undefined ? { adminChatId: body.adminChatId ?? undefined } : {}) };
    // (JSON round trip: a cleared admin chat is removed, not stored as undefined.)
    const updated = await prisma.channelAccount.update({ where: { id }, data: { settings: JSON.parse(JSON.stringify(settings)) as object }, omit: { credentialsEnc: true } });
    await prisma.auditLog.create({ data: { communeId: staff.communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'channel_account.update', entityType: 'ChannelAccount', entityId: id, data: body as object, ip: req.ip } });
    // Pacing applies when the account's processes restart (it is read when the channel is built).
    return { account: updated };
  });

  /** Group discovery: the groups this Zalo account is a member of. */
  api.get('/api/v1/channel-accounts/:id/groups', async (req) => {
    const { id } = parse(idParams, req.params);
    const { account } = await accountOf(req, id);
    const channel = deps.channels?.get(account.platform, account.name) as (Partial<Groupable> & object) | undefined;
    if (!channel?.groups) throw new AppError('CONFLICT', account.platform === 'zalo' ? 'Tài khoản Zalo này chưa đăng nhập trên máy chủ (loaxa zalo login).' : 'Nền tảng này không liệt kê nhóm được: thêm bot vào nhóm rồi gõ /dangkynhom.');
    const known = await prisma.target.findMany({ where: { communeId: account.communeId!, kind: 'zalo_group' }, select: { platformChatId: true, status: true } });
    const status = new Map(known.map((t) => [t.platformChatId, t.status]));
    return { groups: (await channel.groups()).map((g) => ({ ...g, target: status.get(g.chatId) ?? null })) };
  });

  /** Adds (or re-activates) one of a Zalo account's groups as a bulletin target. */
  api.post('/api/v1/targets', async (req, reply) => {
    const staff = await adminOf(req);
    const body = parse(targetBody, req.body);
    const account = await prisma.channelAccount.findFirst({ where: { id: body.channelAccountId, communeId: staff.communeId, platform: 'zalo' } });
    if (!account) throw new AppError('VALIDATION', 'Tài khoản Zalo không thuộc xã.', { field: 'channelAccountId' });
    if (body.villageId && !(await prisma.village.count({ where: { id: body.villageId, communeId: staff.communeId } }))) throw new AppError('VALIDATION', 'Thôn không thuộc xã.', { field: 'villageId' });
    const target = await prisma.target.upsert({
      where: { communeId_kind_platformChatId: { communeId: staff.communeId, kind: 'zalo_group', platformChatId: body.chatId } },
      create: { communeId: staff.communeId, kind: 'zalo_group', platformChatId: body.chatId, name: body.name, villageId: body.villageId ?? null, channelAccountId: account.id, status: 'active' },
      update: { name: body.name, villageId: body.villageId ?? null, channelAccountId: account.id, status: 'active', statusReason: null },
    });
    await prisma.auditLog.create({ data: { communeId: staff.communeId, actorKind: 'staff', actorStaffId: staff.id, action: 'target.register', entityType: 'Target', entityId: target.id, data: { via: 'api', chatId: body.chatId }, ip: req.ip } });
    reply.code(201);
    return { target };
  });
}
