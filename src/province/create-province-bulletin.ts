// A province editor writes a bulletin for all or chosen communes of their province (and chosen
// villages of them). It waits for a province approver; nothing reaches a commune before that.
import type { PrismaClient } from '../db/generated/client.ts';
import type { BulletinClass } from '../db/generated/enums.ts';
import { AppError } from '../errors.ts';
import { validateBulletinText } from '../bulletins/bulletin-workflow.ts';
import { provinceStaffFor } from './province-staff-role.ts';

export interface CreateProvinceBulletinInput {
  actor: { staffId: string; ip?: string };
  title: string;
  text: string;
  class?: BulletinClass;
  language?: string;
  /** Absent or empty: every commune of the province. */
  communeIds?: string[];
  /** Only these villages (each of a chosen commune); a chosen commune with none gets all of it. */
  villageIds?: string[];
  expiresAt?: Date | null;
}

export async function createProvinceBulletin(prisma: PrismaClient, input: CreateProvinceBulletinInput) {
  validateBulletinText(input.title, input.text);
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new AppError('VALIDATION', 'Ngày hết hạn của bản tin đã qua.', { field: 'expiresAt' });
  return prisma.$transaction(async (tx) => {
    const staff = await provinceStaffFor(tx, input.actor.staffId, 'editor', 'soạn bản tin của tỉnh');
    const provinceCommunes = await tx.commune.findMany({ where: { provinceId: staff.provinceId }, select: { id: true } });
    const mine = new Set(provinceCommunes.map((c) => c.id));
    const chosen = input.communeIds?.length ? [...new Set(input.communeIds)] : [...mine];
    if (chosen.length === 0) throw new AppError('VALIDATION', 'Tỉnh chưa có xã nào để nhận bản tin.', { field: 'communeIds' });
    // An id of another province's commune is refused, not silently dropped.
    if (chosen.some((id) => !mine.has(id))) throw new AppError('VALIDATION', 'Có xã không thuộc tỉnh của bạn.', { field: 'communeIds' });
    const villageIds = [...new Set(input.villageIds ?? [])];
    const villages = villageIds.length ? await tx.village.findMany({ where: { id: { in: villageIds }, communeId: { in: chosen } }, select: { id: true, communeId: true } }) : [];
    if (villages.length !== villageIds.length) throw new AppError('VALIDATION', 'Có thôn không thuộc các xã đã chọn.', { field: 'villageIds' });
    const pb = await tx.provinceBulletin.create({
      data: {
        provinceId: staff.provinceId,
        title: input.title.trim(),
        text: input.text,
        class: input.class ?? 'normal',
        language: input.language ?? 'vi',
        authorId: staff.id,
        expiresAt: input.expiresAt ?? null,
        communes: { create: chosen.map((communeId) => ({ communeId, villageIds: villages.filter((v) => v.communeId === communeId).map((v) => v.id) })) },
      },
    });
    await tx.auditLog.create({
      data: { communeId: null, actorKind: 'staff', actorStaffId: staff.id, action: 'province_bulletin.create', entityType: 'ProvinceBulletin', entityId: pb.id, data: { class: pb.class, communes: chosen.length, villages: villageIds.length }, ip: input.actor.ip ?? null },
    });
    return pb;
  });
}
