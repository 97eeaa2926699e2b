// `loaxa link-staff <username> <platform> <user-id>`: tells Loa Xã which chat account belongs to a
// staff member, so their actions in the admin chat are accepted. The bot tells a cadre their id
// when it refuses them; the commune's IT officer links it here (or, later, in the web admin).
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../logger.ts';
import { openRuntime } from '../processes/runtime.ts';
import { OperatorError } from '../processes/operator-error.ts';

const PLATFORMS = ['telegram', 'zalo'] as const;

export async function runLinkStaff(p: { settings: Settings; log: Logger; username: string; platform: string; userId: string; unlink?: boolean }): Promise<number> {
  if (!(PLATFORMS as readonly string[]).includes(p.platform)) throw new OperatorError(`Nền tảng "${p.platform}" không hợp lệ: dùng telegram hoặc zalo`);
  if (!/^-?\d{1,20}$|^[A-Za-z0-9_.-]{1,64}$/.test(p.userId)) throw new OperatorError(`Mã tài khoản "${p.userId}" không hợp lệ`);
  const rt = await openRuntime(p.settings, p.log, { redis: false });
  try {
    const staff = await rt.db.prisma.staff.findUnique({ where: { username: p.username } });
    if (!staff) throw new OperatorError(`Không có cán bộ với tên đăng nhập "${p.username}"`);
    const platform = p.platform as (typeof PLATFORMS)[number];
    const key = { platform_platformUserId: { platform, platformUserId: p.userId } };
    if (p.unlink) {
      const { count } = await rt.db.prisma.staffIdentity.deleteMany({ where: { platform, platformUserId: p.userId, staffId: staff.id } });
      process.stdout.write(count ? `Đã bỏ liên kết ${platform} ${p.userId} khỏi ${staff.displayName}.\n` : 'Không có liên kết nào như vậy.\n');
      return 0;
    }
    const existing = await rt.db.prisma.staffIdentity.findUnique({ where: key, include: { staff: true } });
    if (existing && existing.staffId !== staff.id) throw new OperatorError(`Tài khoản ${platform} ${p.userId} đang gắn với ${existing.staff.username}; bỏ liên kết đó trước (--unlink)`);
    await rt.db.prisma.staffIdentity.upsert({ where: key, create: { staffId: staff.id, platform, platformUserId: p.userId }, update: {} });
    await rt.db.prisma.auditLog.create({ data: { communeId: staff.communeId, actorKind: 'system', action: 'staff.link_identity', entityType: 'Staff', entityId: staff.id, data: { platform, userId: p.userId } } });
    process.stdout.write(`Đã liên kết ${platform} ${p.userId} với ${staff.displayName} (${staff.username}).\n`);
    return 0;
  } finally {
    await rt.close();
  }
}
