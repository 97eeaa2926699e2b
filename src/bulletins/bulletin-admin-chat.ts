// The quick path for bulletins in the admin chat: `/bantin` shows today's schedule and what waits
// for approval; a submitted bulletin is announced with Duyệt / Từ chối buttons for approvers;
// "Từ chối" asks for the reason as a reply. Role checks are the workflow's own.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import type { Platform } from '../../bots/channel.ts';
import { AppError } from '../errors.ts';
import { createBulletinWorkflow, statusLabel } from './bulletin-workflow.ts';
import { adminChatsOf } from '../tickets/channel-accounts.ts';
import { effect, sendDirectJob, type Effect } from '../tickets/ticket-jobs.ts';

type Tx = Prisma.TransactionClient;
// The bulletin's id travels in the text of the bot's question, so the reply can be matched to it.
const REASON_MARK = /#bt-([0-9a-f-]{36})/;

export function parseBulletinButton(data: string): { bulletinId: string; verb: 'approve' | 'reject' } | undefined {
  const m = /^bt:([0-9a-f-]{36}):(approve|reject)$/.exec(data);
  return m ? { bulletinId: m[1]!, verb: m[2] as 'approve' | 'reject' } : undefined;
}

export function bulletinReasonReply(replyText: string | undefined): string | undefined {
  return replyText ? REASON_MARK.exec(replyText)?.[1] : undefined;
}

/** Announces a submitted bulletin in the commune's admin chats, with the approval buttons. */
export async function announceSubmitted(prisma: PrismaClient | Tx, bulletinId: string): Promise<Effect[]> {
  const b = await prisma.bulletin.findUniqueOrThrow({ where: { id: bulletinId }, include: { versions: true, author: true } });
  const text = b.versions.find((v) => v.revision === b.revision && v.language === 'vi')?.text ?? '';
  const chats = await adminChatsOf(prisma as Tx, b.communeId);
  return chats.map((c) =>
    effect(
      sendDirectJob,
      {
        platform: c.platform,
        accountId: c.accountName,
        chatId: c.chatId,
        text: `📝 Bản tin chờ duyệt: ${b.title}\nNgười soạn: ${b.author?.displayName ?? '—'} · Loại: ${b.class === 'emergency' ? 'khẩn cấp' : b.class === 'priority' ? 'ưu tiên' : 'thường'}\n\n${text.slice(0, 1500)}`,
        buttons: [[{ label: 'Duyệt', data: `bt:${b.id}:approve` }, { label: 'Từ chối', data: `bt:${b.id}:reject` }]],
      },
      `bt-announce-${b.id}-${b.revision}-${c.chatId}`.replace(/:/g, '_'),
    ),
  );
}

function localDay(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}
function hhmm(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('vi-VN', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

/** `/bantin`: what goes out today (and what already went), and what waits for approval. */
export async function todaysBulletins(tx: Tx, communeId: string, now: Date): Promise<string> {
  const { timezone } = await tx.commune.findUniqueOrThrow({ where: { id: communeId }, select: { timezone: true } });
  const today = localDay(now, timezone);
  const isoWeekday = ((new Date(`${today}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
  const schedules = await tx.schedule.findMany({ where: { active: true, bulletin: { communeId, status: { in: ['scheduled', 'sending', 'done', 'partly_failed'] } } }, include: { bulletin: true, slot: true } });
  const lines: Array<[string, string]> = [];
  for (const s of schedules) {
    if (s.kind === 'once' && s.runAt && localDay(s.runAt, timezone) === today) lines.push([hhmm(s.runAt, timezone), s.bulletin.title]);
    if (s.kind === 'recurring') {
      const time = s.timeOfDay ?? s.slot?.timeOfDay;
      const days = s.daysOfWeek.length ? s.daysOfWeek : (s.slot?.daysOfWeek ?? []);
      if (time && days.includes(isoWeekday)) lines.push([time, s.bulletin.title]);
    }
  }
  const waiting = await tx.bulletin.findMany({ where: { communeId, status: 'submitted' }, orderBy: { createdAt: 'asc' }, take: 10 });
  const out = [`📅 Lịch phát hôm nay (${today.split('-').reverse().join('/')}):`];
  out.push(...(lines.length ? lines.sort().map(([t, title]) => `• ${t} — ${title}`) : ['• (không có bản tin nào)']));
  if (waiting.length) out.push('', 'Chờ duyệt:', ...waiting.map((b) => `• ${b.title} (${statusLabel[b.status]})`));
  return out.join('\n');
}

export interface AdminChatContext {
  platform: Platform;
  accountId: string;
  chatId: string;
  messageId: string;
  staffId: string;
}

/** A button under an announcement. Errors come back as the text of the notice shown to the presser. */
export async function pressBulletinButton(prisma: PrismaClient, tx: Tx, c: AdminChatContext, bulletinId: string, verb: 'approve' | 'reject'): Promise<{ notice: string; effects: Effect[] }> {
  const wf = createBulletinWorkflow(prisma, tx);
  try {
    if (verb === 'approve') {
      const b = await wf.approve({ staffId: c.staffId }, bulletinId, 'Duyệt qua nhóm quản trị');
      return { notice: 'Đã duyệt', effects: [effect(sendDirectJob, { platform: c.platform, accountId: c.accountId, chatId: c.chatId, text: `✅ Đã duyệt bản tin "${b.title}".`, replyTo: c.messageId }, `bt-approved-${b.id}-${b.revision}`)] };
    }
    const b = await tx.bulletin.findUnique({ where: { id: bulletinId } });
    if (!b || b.status !== 'submitted') throw new AppError('CONFLICT', 'Bản tin không còn chờ duyệt.');
    return {
      notice: 'Trả lời tin của bot để ghi lý do',
      effects: [effect(sendDirectJob, { platform: c.platform, accountId: c.accountId, chatId: c.chatId, text: `Trả lời tin này để ghi lý do trả lại bản tin "${b.title}". #bt-${b.id}`, replyTo: c.messageId }, `bt-ask-${b.id}-${b.revision}-${c.messageId}`.replace(/:/g, '_'))],
    };
  } catch (e) {
    if (e instanceof AppError) return { notice: e.userMessage.slice(0, 190), effects: [] };
    throw e;
  }
}

export async function rejectFromReply(prisma: PrismaClient, tx: Tx, c: AdminChatContext, bulletinId: string, reason: string): Promise<string> {
  try {
    const b = await createBulletinWorkflow(prisma, tx).reject({ staffId: c.staffId }, bulletinId, reason);
    return `↩️ Đã trả lại bản tin "${b.title}": ${reason}`;
  } catch (e) {
    if (e instanceof AppError) return e.userMessage;
    throw e;
  }
}
