// Linking a cadre's Telegram or Zalo account to their staff account while the system runs: an
// admin makes a one-time code (web admin, Cán bộ page, or `loaxa link-staff <user> --code`), the
// cadre types "/lienket 123456" in the admin chat or to the bot. The code has 6 digits, lasts 15
// minutes, works once; a chat account that keeps guessing is stopped. Every step is audited.
import { createHash, randomInt } from 'node:crypto';
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import type { Platform } from '../../bots/channel.ts';
import { AppError } from '../errors.ts';
import { channelName } from '../channels/platform-names.ts';

export const LINK_CODE_TTL_MS = 15 * 60_000;
/** Wrong codes one chat account may type per hour before it must wait. */
export const LINK_ATTEMPTS_PER_HOUR = 5;


const hashCode = (code: string) => createHash('sha256').update(`loaxa-link:${code}`).digest('hex');

/** "/lienket 123 456" and "/lienket 123456" alike; anything but 6 digits is no code. */
export function parseLinkCode(args: string): string | undefined {
  const digits = args.replace(/[\s.-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : undefined;
}

/**
 * A new code for this staff member (an earlier unused one stops working). `by` is the admin who
 * made it, or null for the CLI (the machine's operator).
 */
export async function createLinkCode(prisma: PrismaClient, p: { staffId: string; by: { id: string; communeId: string } | null; now: Date; ip?: string }): Promise<{ code: string; expiresAt: Date }> {
  return prisma.$transaction(async (tx) => {
    const staff = await tx.staff.findUnique({ where: { id: p.staffId } });
    if (!staff || (p.by && staff.communeId !== p.by.communeId)) throw new AppError('NOT_FOUND', 'Không có cán bộ này trong xã.');
    if (!staff.active) throw new AppError('VALIDATION', `Tài khoản ${staff.displayName} đang khóa; mở lại trước khi liên kết.`);
    await tx.staffLinkCode.updateMany({ where: { staffId: staff.id, usedAt: null }, data: { usedAt: p.now } });
    let code = '';
    // Two live codes never share digits, so a code names exactly one person.
    for (let i = 0; i < 20 && !code; i++) {
      const c = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const clash = await tx.staffLinkCode.count({ where: { codeHash: hashCode(c), usedAt: null, expiresAt: { gt: p.now } } });
      if (!clash) code = c;
    }
    if (!code) throw new AppError('INTERNAL', 'Không tạo được mã, xin thử lại.');
    const expiresAt = new Date(p.now.getTime() + LINK_CODE_TTL_MS);
    await tx.staffLinkCode.create({ data: { staffId: staff.id, codeHash: hashCode(code), expiresAt, createdById: p.by?.id ?? null, createdAt: p.now } });
    await tx.auditLog.create({
      data: { communeId: staff.communeId, actorKind: p.by ? 'staff' : 'system', actorStaffId: p.by?.id ?? null, action: 'staff.link_code_created', entityType: 'Staff', entityId: staff.id, data: { expiresAt: expiresAt.toISOString(), via: p.by ? 'web' : 'cli' }, ip: p.ip ?? null },
    });
    return { code, expiresAt };
  });
}

export const linkTexts = {
  usage: 'Gõ /lienket và mã 6 chữ số quản trị xã đưa cho bạn, ví dụ: /lienket 123456',
  wrong: 'Mã liên kết không đúng hoặc đã hết hạn. Nhờ quản trị xã tạo mã mới (trang quản trị, mục Cán bộ).',
  tooMany: 'Bạn đã gõ sai mã nhiều lần. Xin chờ một giờ rồi thử lại, hoặc nhờ quản trị xã liên kết giúp.',
  takenByOther: 'Tài khoản chat này đang gắn với một cán bộ khác. Nhờ quản trị xã bỏ liên kết cũ trước.',
  linked: (name: string, platform: string) => `Đã liên kết tài khoản ${platform} này với cán bộ ${name}. Từ giờ bạn xử lý phiếu ngay trong nhóm quản trị.`,
  already: (name: string) => `Tài khoản này đã liên kết với cán bộ ${name} từ trước; mã đã được dùng.`,
};

/** "/lienket <code>" from a chat account: links it, or says precisely why not. */
export async function redeemLinkCode(tx: Prisma.TransactionClient, p: { platform: Platform; userId: string; userName?: string; args: string; now: Date }): Promise<{ ok: boolean; text: string }> {
  const who = { platform: p.platform, userId: p.userId };
  const code = parseLinkCode(p.args);
  if (!code) return { ok: false, text: linkTexts.usage };
  const hourAgo = new Date(p.now.getTime() - 3600_000);
  const misses = await tx.auditLog.count({ where: { action: 'staff.link_code_refused', createdAt: { gte: hourAgo }, AND: [{ data: { path: ['platform'], equals: p.platform } }, { data: { path: ['userId'], equals: p.userId } }] } });
  if (misses >= LINK_ATTEMPTS_PER_HOUR) return { ok: false, text: linkTexts.tooMany };
  const refuse = async (reason: string, text: string, communeId: string | null = null) => {
    await tx.auditLog.create({ data: { communeId, actorKind: 'system', action: 'staff.link_code_refused', entityType: 'Staff', data: { ...who, reason }, createdAt: p.now } });
    return { ok: false, text };
  };
  const row = await tx.staffLinkCode.findFirst({ where: { codeHash: hashCode(code), usedAt: null, expiresAt: { gt: p.now } }, include: { staff: true } });
  if (!row || !row.staff.active) return refuse('wrong_code', linkTexts.wrong);
  const existing = await tx.staffIdentity.findUnique({ where: { platform_platformUserId: { platform: p.platform, platformUserId: p.userId } } });
  if (existing && existing.staffId !== row.staffId) return refuse('taken_by_other', linkTexts.takenByOther, row.staff.communeId);
  // Single use, even when two people type the same code at the same moment.
  const claimed = await tx.staffLinkCode.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: p.now } });
  if (claimed.count !== 1) return refuse('wrong_code', linkTexts.wrong);
  if (!existing) await tx.staffIdentity.create({ data: { staffId: row.staffId, platform: p.platform, platformUserId: p.userId, displayName: p.userName ?? null } });
  await tx.auditLog.create({
    data: { communeId: row.staff.communeId, actorKind: 'system', action: 'staff.link_identity', entityType: 'Staff', entityId: row.staffId, data: { ...who, via: 'code', codeId: row.id }, createdAt: p.now },
  });
  return { ok: true, text: existing ? linkTexts.already(row.staff.displayName) : linkTexts.linked(row.staff.displayName, channelName(p.platform)) };
}
