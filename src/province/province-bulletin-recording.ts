// Recordings of a province bulletin (one per language): the province editor uploads them while it
// waits for approval; once approved the bulletin is frozen and approval has copied them into every
// commune's copy. Another province's bulletin answers as missing. `checkRecordingEditable` is the
// same check before an upload is streamed to disk, so nobody without the right can fill it.
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { provinceStaffFor } from './province-staff-role.ts';
import { NOT_FOUND_TEXT, provinceBulletinStatusLabel } from './province-bulletin-status.ts';

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

async function editable(tx: Tx, staffId: string, provinceBulletinId: string) {
  const staff = await provinceStaffFor(tx, staffId, 'editor', 'tải bản ghi âm cho bản tin của tỉnh');
  const pb = await tx.provinceBulletin.findUnique({ where: { id: provinceBulletinId } });
  if (!pb || pb.provinceId !== staff.provinceId) throw new AppError('NOT_FOUND', NOT_FOUND_TEXT);
  if (pb.status !== 'submitted') throw new AppError('CONFLICT', `Bản tin của tỉnh đang "${provinceBulletinStatusLabel[pb.status]}", không thay bản ghi âm được nữa.`);
  return { staff, pb };
}

export async function checkRecordingEditable(prisma: PrismaClient, staffId: string, provinceBulletinId: string): Promise<void> {
  await prisma.$transaction((tx) => editable(tx, staffId, provinceBulletinId));
}

export async function attachProvinceRecording(prisma: PrismaClient, input: { actor: { staffId: string; ip?: string }; provinceBulletinId: string; language: string; audioSha256: string }) {
  return prisma.$transaction(async (tx) => {
    // Row lock: an approval at the same moment either sees this recording or refuses it.
    await tx.$queryRaw`SELECT id FROM "ProvinceBulletin" WHERE id = ${input.provinceBulletinId}::uuid FOR UPDATE`;
    const { staff, pb } = await editable(tx, input.actor.staffId, input.provinceBulletinId);
    const { language, audioSha256 } = input;
    const rec = await tx.provinceBulletinRecording.upsert({
      where: { provinceBulletinId_language: { provinceBulletinId: pb.id, language } },
      create: { provinceBulletinId: pb.id, language, audioSha256, createdById: staff.id },
      update: { audioSha256, createdById: staff.id, createdAt: new Date() },
    });
    await tx.auditLog.create({ data: { actorKind: 'staff', actorStaffId: staff.id, action: 'province_bulletin.audio', entityType: 'ProvinceBulletin', entityId: pb.id, data: { language, audioSha256 }, ip: input.actor.ip ?? null } });
    return rec;
  });
}
