// What a commune's admin sets for its Official Account's bulletins, from Cụm loa & nhóm: the OA
// package's monthly broadcast quota ("tin truyền thông"), and which village each follower tag
// stands for (a "zalo-oa-followers" target of a village reaches the followers with its tags).
// Each checks that the OA is the admin's commune's and the village too, changes and audits in
// one transaction, and refuses with a precise Vietnamese reason. Zalo's own cap of one broadcast
// per follower per day is not a setting.
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { setOaQuota } from './oa-quota.ts';
import { setOaTagVillage } from './oa-followers.ts';

export interface OaSettingsActor {
  staffId: string;
  communeId: string;
  ip?: string;
}

/** Above any OA package Zalo sells; a larger number is a typing slip. */
export const OA_MONTHLY_LIMIT_MAX = 10_000_000;
export const OA_TAG_MAX = 50;

async function oaOfCommune(tx: Pick<PrismaClient, 'channelAccount'>, communeId: string, channelAccountId: string) {
  const oa = await tx.channelAccount.findFirst({ where: { id: channelAccountId, communeId, platform: 'zalo_oa' }, select: { id: true, name: true } });
  if (!oa) throw new AppError('NOT_FOUND', 'Không tìm thấy Zalo OA này của xã');
  return oa;
}

/** The monthly limit as typed in the form ("2.000" and "2 000" are two thousand). */
export function parseMonthlyLimit(raw: string): number {
  const s = raw.trim().replace(/[.\s,]/g, '');
  if (s === '') throw new AppError('VALIDATION', 'Hạn mức tháng: nhập số tin truyền thông gói OA cho phép mỗi tháng (ví dụ 2000)');
  if (!/^\d+$/.test(s) || s.length > 9 || Number(s) > OA_MONTHLY_LIMIT_MAX) throw new AppError('VALIDATION', `Hạn mức tháng: số nguyên từ 0 đến ${OA_MONTHLY_LIMIT_MAX.toLocaleString('vi-VN')}`);
  return Number(s);
}

export async function saveOaMonthlyQuota(prisma: PrismaClient, p: { actor: OaSettingsActor; channelAccountId: string; monthlyLimit: string }): Promise<{ monthlyLimit: number }> {
  const monthlyLimit = parseMonthlyLimit(p.monthlyLimit);
  return prisma.$transaction(async (tx) => {
    const oa = await oaOfCommune(tx, p.actor.communeId, p.channelAccountId);
    const before = await tx.oaQuota.findUnique({ where: { channelAccountId: oa.id } });
    await setOaQuota(tx, oa.id, { monthlyLimit, perFollowerDaily: before?.perFollowerDaily ?? 1 });
    await tx.auditLog.create({ data: { communeId: p.actor.communeId, actorKind: 'staff', actorStaffId: p.actor.staffId, action: 'zalo_oa.quota', entityType: 'ChannelAccount', entityId: oa.id, data: { from: before?.monthlyLimit ?? null, to: monthlyLimit }, ...(p.actor.ip ? { ip: p.actor.ip } : {}) } });
    return { monthlyLimit };
  });
}

/** A follower tag as Zalo shows it: trimmed, not empty, short, no control characters. */
export function cleanOaTag(raw: string): string {
  const tag = raw.trim().replace(/\s+/g, ' ');
  if (tag === '') throw new AppError('VALIDATION', 'Nhãn: nhập tên nhãn người theo dõi như trên trang quản lý OA (ví dụ thon-3)');
  if ([...tag].length > OA_TAG_MAX) throw new AppError('VALIDATION', `Nhãn: tối đa ${OA_TAG_MAX} ký tự`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(tag)) throw new AppError('VALIDATION', 'Nhãn: có ký tự không in được');
  return tag;
}

/** villageId null (or empty): the tag stands for no village any more. */
export async function saveOaTagVillage(prisma: PrismaClient, p: { actor: OaSettingsActor; channelAccountId: string; tag: string; villageId: string | null }): Promise<{ tag: string; villageId: string | null }> {
  const tag = cleanOaTag(p.tag);
  return prisma.$transaction(async (tx) => {
    const oa = await oaOfCommune(tx, p.actor.communeId, p.channelAccountId);
    if (p.villageId !== null) {
      const village = await tx.village.findFirst({ where: { id: p.villageId, communeId: p.actor.communeId }, select: { id: true } });
      if (!village) throw new AppError('VALIDATION', 'Thôn: không có trong xã này');
    } else if (!(await tx.oaTagVillage.findUnique({ where: { channelAccountId_tag: { channelAccountId: oa.id, tag } } }))) {
      throw new AppError('VALIDATION', `Nhãn "${tag}" chưa gắn với thôn nào để bỏ`);
    }
    await setOaTagVillage(tx, oa.id, tag, p.villageId);
    await tx.auditLog.create({ data: { communeId: p.actor.communeId, actorKind: 'staff', actorStaffId: p.actor.staffId, action: 'zalo_oa.tag_village', entityType: 'ChannelAccount', entityId: oa.id, data: { tag, villageId: p.villageId }, ...(p.actor.ip ? { ip: p.actor.ip } : {}) } });
    return { tag, villageId: p.villageId };
  });
}
