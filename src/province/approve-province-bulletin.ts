// A province approver approves a province bulletin: in one transaction each chosen commune gets its
// copy (a Bulletin marked with provinceBulletinId, approved and frozen, audience = the chosen
// villages), audited in that commune. Then by class: an emergency gets a one-off "now" and is sent at
// once to every loudspeaker and target (send-now's path); a priority one takes the commune's next
// slot, ahead of its own bulletins; a normal one waits for the commune's approver to decline within
// the province's window (close-decline-windows.ts schedules it after).
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import { scheduleAtNextSlotIn } from '../bulletins/bulletin-schedule.ts';
import { sendApprovedNowMany, type NowItem } from '../bulletins/send-now.ts';
import { queueOneOff } from '../../broadcasts/schedule/scheduler.ts';
import type { Enqueue } from '../tickets/ticket-deps.ts';
import { provinceStaffFor } from './province-staff-role.ts';
import { NOT_FOUND_TEXT, provinceBulletinStatusLabel } from './province-bulletin-status.ts';
import { requireSecondPerson } from '../auth/second-approver.ts';
import { announceToDecline } from './province-decline-admin-chat.ts';

/**
 * The communes' own rule, applied to a province bulletin: where a receiving commune requires a
 * second person, its author cannot approve it (emergencies excepted, as in a commune).
 */
export function secondPersonRequired(pb: { class: string; communes: Array<{ commune: { requireSecondApprover: boolean } }> }): boolean {
  return pb.class !== 'emergency' && pb.communes.some((c) => c.commune.requireSecondApprover);
}

export interface ApproveProvinceBulletinInput {
  actor: { staffId: string; ip?: string };
  provinceBulletinId: string;
  comment?: string;
  now?: Date;
}

export async function approveProvinceBulletin(deps: { prisma: PrismaClient; enqueue: Enqueue }, input: ApproveProvinceBulletinInput) {
  const now = input.now ?? new Date();
  const id = input.provinceBulletinId;
  const planned = await deps.prisma.$transaction(
    async (tx) => {
      const staff = await provinceStaffFor(tx, input.actor.staffId, 'approver', 'duyệt bản tin của tỉnh');
      // Row lock: two approvers pressing at once see each other's result, not a stale status.
      await tx.$queryRaw`SELECT id FROM "ProvinceBulletin" WHERE id = ${id}::uuid FOR UPDATE`;
      const pb = await tx.provinceBulletin.findUnique({ where: { id }, include: { province: true, communes: { include: { commune: true } }, recordings: true } });
      // Another province's bulletin answers like a missing one: ids are not a way to probe.
      if (!pb || pb.provinceId !== staff.provinceId) throw new AppError('NOT_FOUND', NOT_FOUND_TEXT);
      if (pb.status !== 'submitted') throw new AppError('CONFLICT', `Bản tin của tỉnh đang "${provinceBulletinStatusLabel[pb.status]}", không duyệt được.`);
      if (pb.expiresAt && pb.expiresAt <= now) throw new AppError('CONFLICT', 'Bản tin đã hết hạn, không duyệt được.');
      // Who recorded it wrote it too.
      const wrote = pb.authorId === staff.id || pb.recordings.some((r) => r.createdById === staff.id);
      requireSecondPerson({ required: secondPersonRequired(pb), wrote, what: 'bản tin của tỉnh', by: 'Xã nhận bản tin' });
      const copies = await tx.bulletin.createManyAndReturn({
        data: pb.communes.map((c) => ({ communeId: c.communeId, title: pb.title, class: pb.class, status: 'approved' as const, approvedRevision: 1, authorId: pb.authorId, provinceBulletinId: pb.id, expiresAt: pb.expiresAt })),
        select: { id: true, communeId: true },
      });
      const copyOf = new Map(copies.map((b) => [b.communeId, b.id]));
      // The text in its language (with that language's recording, if any), and a version per other recorded language.
      const writerIds = [...new Set([pb.authorId, ...pb.recordings.flatMap((r) => (r.createdById ? [r.createdById] : []))])];
      const recordingIn = new Map(pb.recordings.map((r) => [r.language, r.audioSha256]));
      const languages = [pb.language, ...pb.recordings.map((r) => r.language).filter((l) => l !== pb.language)];
      await tx.bulletinVersion.createMany({
        data: copies.flatMap((b) => languages.map((language) => ({ bulletinId: b.id, revision: 1, language, text: language === pb.language ? pb.text : null, audioSha256: recordingIn.get(language) ?? null, createdById: pb.authorId, writerIds, frozenAt: now }))),
      });
      await tx.approval.createMany({ data: copies.map((b) => ({ bulletinId: b.id, revision: 1, approverId: staff.id, decision: 'approved' as const, comment: input.comment?.trim() || `Duyệt tại tỉnh: ${pb.province.name}` })) });
      await tx.bulletinAudience.createMany({ data: pb.communes.flatMap((c) => c.villageIds.map((villageId) => ({ bulletinId: copyOf.get(c.communeId)!, kind: 'village' as const, villageId }))) });
      await tx.auditLog.createMany({
        data: copies.map((b) => ({ communeId: b.communeId, actorKind: 'staff' as const, actorStaffId: staff.id, action: 'bulletin.received_from_province', entityType: 'Bulletin', entityId: b.id, data: { provinceBulletinId: pb.id, class: pb.class } })),
      });

      const now_: NowItem[] = [];
      const later: Array<{ id: string; bulletinId: string; kind: string; runAt: Date | null }> = [];
      if (pb.class === 'normal') {
        await tx.$executeRaw`UPDATE "ProvinceBulletinCommune" d SET "bulletinId" = b.id, "updatedAt" = now() FROM "Bulletin" b
          WHERE d."provinceBulletinId" = ${pb.id}::uuid AND b."provinceBulletinId" = d."provinceBulletinId" AND b."communeId" = d."communeId"`;
      } else {
        const goNow: typeof pb.communes = [];
        for (const c of pb.communes) {
          const bulletinId = copyOf.get(c.communeId)!;
          // Emergencies go now; a priority bulletin for a commune without slots too.
          const slot = pb.class === 'priority' ? await scheduleAtNextSlotIn(tx, bulletinId, now) : undefined;
          if (!slot) {
            goNow.push(c);
            continue;
          }
          later.push(slot);
          await tx.provinceBulletinCommune.update({ where: { id: c.id }, data: { bulletinId, status: 'scheduled', scheduledAt: slot.runAt } });
        }
        // Those going now are written for every commune at once: a hundred communes in a few statements.
        if (goNow.length) {
          const schedules = await tx.schedule.createManyAndReturn({
            data: goNow.map((c) => ({ bulletinId: copyOf.get(c.communeId)!, kind: 'once' as const, runAt: now, timezone: c.commune.timezone })),
            select: { id: true, bulletinId: true },
          });
          await tx.bulletin.updateMany({ where: { id: { in: schedules.map((x) => x.bulletinId) } }, data: { status: 'scheduled' } });
          const rows = goNow.map((c) => c.id);
          await tx.$executeRaw`UPDATE "ProvinceBulletinCommune" d SET "bulletinId" = b.id, status = 'sent', "scheduledAt" = ${now}, "updatedAt" = now() FROM "Bulletin" b
            WHERE d.id = ANY(${rows}::uuid[]) AND b."provinceBulletinId" = d."provinceBulletinId" AND b."communeId" = d."communeId"`;
          for (const x of schedules) now_.push({ bulletinId: x.bulletinId, scheduledFor: now, scheduleId: x.id });
        }
      }
      const window = pb.province.declineWindowMinutes;
      const approved = await tx.provinceBulletin.update({
        where: { id },
        data: { status: 'approved', approvedById: staff.id, approvedAt: now, ...(pb.class === 'normal' ? { declineDeadline: new Date(now.getTime() + window * 60_000) } : {}) },
      });
      await tx.auditLog.create({ data: { actorKind: 'staff', actorStaffId: staff.id, action: 'province_bulletin.approve', entityType: 'ProvinceBulletin', entityId: id, data: { class: pb.class, communes: copies.length }, ip: input.actor.ip ?? null } });
      return { approved, now: now_, later };
    },
    { timeout: 60_000 },
  );
  // After commit: the scheduler's tick starts anything this process does not get to (crash, Redis).
  const runs = planned.now.length ? await sendApprovedNowMany(deps.prisma, deps.enqueue, planned.now) : [];
  // A normal one: each commune's admin chats hear of it, with "Từ chối" for its approvers.
  if (planned.approved.class === 'normal') for (const e of await announceToDecline(deps.prisma, id)) await deps.enqueue(e.def, e.data as never, e.jobId ? { jobId: e.jobId } : undefined);
  for (const s of planned.later) await queueOneOff(deps.enqueue, s, now);
  return {
    provinceBulletin: planned.approved,
    sentNow: runs.map((r) => ({ runId: r.runId, deliveries: r.deliveryIds.length, skipped: r.skipped })),
    scheduled: planned.later.map((s) => ({ bulletinId: s.bulletinId, runAt: s.runAt })),
  };
}
