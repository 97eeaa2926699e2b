// An update that still cannot be stored after a few attempts is set aside, raw, so the ones
// behind it are not held up forever (Telegram hands updates over in order, and a webhook that
// keeps answering 500 gets the same update again and again). Attempts are counted in PostgreSQL,
// so polling restarts and webhook replicas share the count; staff are told once, when it is set
// aside, in the commune's admin chats and the audit log. If PostgreSQL itself is down nothing
// can be counted either, and the update simply waits for it.
import type { PrismaClient } from '../db/generated/client.ts';
import type { Platform } from '../../bots/channel.ts';
import { cleanText } from '../text/clean-text.ts';
import { channelName } from '../channels/platform-names.ts';
import { adminChatsOf } from './channel-accounts.ts';
import type { Enqueue } from './ticket-deps.ts';
import { sendDirectJob } from './ticket-jobs.ts';

export const QUARANTINE_AFTER_ATTEMPTS = 3;

export interface FailedUpdate {
  platform: Platform;
  channelAccountId: string | null;
  /** The platform's id of the update. */
  updateKey: string;
  raw: unknown;
  error: string;
}

export type FailureVerdict = 'retry' | 'quarantined';

export async function recordFailedUpdate(prisma: PrismaClient, enqueue: Enqueue, f: FailedUpdate, now = new Date()): Promise<FailureVerdict> {
  // JSON text escapes NUL and lone surrogates, so the raw update fits a text column whatever it holds.
  const raw = JSON.stringify(f.raw) ?? 'null';
  const error = cleanText(f.error).slice(0, 2000);
  const rows = await prisma.$queryRawUnsafe<Array<{ id: string; attempts: number; quarantinedAt: Date | null }>>(
    `INSERT INTO "QuarantinedUpdate" ("channel", "accountKey", "updateKey", "raw", "error", "attempts", "quarantinedAt", "updatedAt")
     VALUES ($1::"Platform", $2, $3, $4, $5, 1, CASE WHEN 1 >= $6::int THEN $7::timestamptz END, $7::timestamptz)
     ON CONFLICT ("channel", "accountKey", "updateKey") DO UPDATE SET
       "attempts" = "QuarantinedUpdate"."attempts" + 1,
       "error" = EXCLUDED."error",
       "updatedAt" = $7::timestamptz,
       "quarantinedAt" = COALESCE("QuarantinedUpdate"."quarantinedAt", CASE WHEN "QuarantinedUpdate"."attempts" + 1 >= $6::int THEN $7::timestamptz END)
     RETURNING "id", "attempts", "quarantinedAt"`,
    f.platform,
    f.channelAccountId ?? '',
    f.updateKey,
    raw,
    error,
    QUARANTINE_AFTER_ATTEMPTS,
    now,
  );
  const row = rows[0]!;
  if (!row.quarantinedAt) return 'retry';
  // Only the statement that set it aside tells staff: later redeliveries stay quiet.
  if (row.quarantinedAt.getTime() === now.getTime()) await tellStaff(prisma, enqueue, f, row.id, row.attempts);
  return 'quarantined';
}

async function tellStaff(prisma: PrismaClient, enqueue: Enqueue, f: FailedUpdate, id: string, attempts: number): Promise<void> {
  const account = f.channelAccountId ? await prisma.channelAccount.findUnique({ where: { id: f.channelAccountId } }) : null;
  const communeId = account?.communeId ?? null;
  await prisma.auditLog.create({ data: { communeId, actorKind: 'system', action: 'inbound.quarantined', entityType: 'QuarantinedUpdate', entityId: id, data: { platform: f.platform, updateKey: f.updateKey, attempts } } });
  if (!communeId) return;
  const text =
    `Có một tin nhắn gửi đến qua ${channelName(f.platform)} không lưu được sau ${attempts} lần thử, nên đã được để riêng ` +
    `để hệ thống tiếp tục nhận các tin sau. Nội dung gốc vẫn được giữ (mã ${id.slice(0, 8)}); quản trị viên xem trong Nhật ký.`;
  for (const c of await adminChatsOf(prisma, communeId)) {
    await enqueue(sendDirectJob, { platform: c.platform, accountId: c.accountName, chatId: c.chatId, text }, { jobId: `quarantine-${id}-${c.platform}-${c.chatId}` });
  }
}
