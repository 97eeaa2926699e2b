// The quick path for bulletins in the admin chat: `/bantin` shows today's schedule, what already
// went out and what waits for approval; a submitted bulletin is announced with Duyệt / Từ chối for
// approvers (the buttons go once decided; "Đã duyệt" says when it goes out); "Từ chối" asks for the
// reason as a reply to a recorded question. Role checks are the workflow's own.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import type { Platform } from '../../bots/channel.ts';
import { AppError } from '../errors.ts';
import { createBulletinWorkflow, statusLabel } from './bulletin-workflow.ts';
import { adminChatsOf } from '../tickets/channel-accounts.ts';
import { effect, removeButtonsJob, sendDirectJob, type Effect } from '../tickets/ticket-jobs.ts';

type Tx = Prisma.TransactionClient;
// Questions sent before their message was recorded carried the bulletin's id in their text.
const LEGACY_REASON_MARK = /#bt-([0-9a-f-]{36})/;

export function parseBulletinButton(data: string): { bulletinId: string; verb: 'approve' | 'reject' } | undefined {
  const m = /^bt:([0-9a-f-]{36}):(approve|reject)$/.exec(data);
  return m ? { bulletinId: m[1]!, verb: m[2] as 'approve' | 'reject' } : undefined;
}

/** The bulletin whose "reason for sending back" question this message replies to, if any. */
export async function bulletinReasonReply(tx: Tx, m: { platform: Platform; chatId: string; replyTo?: { platformMessageId: string; text?: string } }): Promise<string | undefined> {
  if (!m.replyTo) return undefined;
  const post = await tx.bulletinChatPost.findUnique({ where: { platform_platformChatId_platformMessageId: { platform: m.platform, platformChatId: m.chatId, platformMessageId: m.replyTo.platformMessageId } } });
  if (post) return post.purpose === 'reject_reason' ? post.bulletinId : undefined;
  return m.replyTo.text ? LEGACY_REASON_MARK.exec(m.replyTo.text)?.[1] : undefined;
}

/** Once approved or sent back, the Duyệt / Từ chối buttons go from every announcement. */
async function removeDecisionButtons(tx: Tx, bulletinId: string): Promise<Effect[]> {
  const posts = await tx.bulletinChatPost.findMany({ where: { bulletinId, purpose: 'announcement' } });
  return posts.map((p) => effect(removeButtonsJob, { platform: p.platform, accountId: p.accountName, chatId: p.platformChatId, messageId: p.platformMessageId }, `bt-decided-${p.id}`));
}

/** "Đã duyệt" says when it goes out, or that it still needs a time. */
async function whenItGoesOut(tx: Tx, bulletinId: string, now: Date): Promise<string> {
  const b = await tx.bulletin.findUniqueOrThrow({ where: { id: bulletinId }, include: { commune: true, schedules: { where: { active: true }, include: { slot: true } } } });
  const tz = b.commune.timezone;
  const next = b.schedules.filter((s) => s.kind === 'once' && s.runAt && s.runAt > now).map((s) => s.runAt!).sort((x, y) => x.getTime() - y.getTime())[0];
  if (next) return `Sẽ phát lúc ${hhmm(next, tz)} ngày ${localDay(next, tz).split('-').reverse().join('/')}.`;
  const recurring = b.schedules.find((s) => s.kind === 'recurring');
  if (recurring) return `Sẽ phát theo lịch lặp lại lúc ${recurring.timeOfDay ?? recurring.slot?.timeOfDay ?? '—'}.`;
  return 'Bản tin chưa có giờ phát: người soạn hoặc người duyệt đặt lịch trên trang quản trị (Bản tin → Lên lịch), hoặc chọn "Phát ngay".';
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
        recordBulletinAs: { bulletinId: b.id, purpose: 'announcement' },
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
  // What already went out today (or is going now), scheduled or sent at once.
  const dayStart = new Date(now.getTime() - 36 * 3600_000);
  const runs = await tx.broadcastRun.findMany({ where: { bulletin: { communeId }, scheduledFor: { gte: dayStart, lte: new Date(now.getTime() + 36 * 3600_000) } }, include: { bulletin: true } });
  const todays = runs.filter((r) => localDay(r.scheduledFor, timezone) === today);
  const lines: Array<[string, string]> = [];
  const ran = new Set<string>();
  for (const r of todays) {
    ran.add(`${r.bulletinId}@${hhmm(r.scheduledFor, timezone)}`);
    const state = r.status === 'done' ? 'đã phát' : r.status === 'partly_failed' ? 'đã phát, có nơi lỗi' : r.status === 'sending' ? 'đang phát' : r.status === 'missed' ? 'lỡ giờ' : r.status === 'cancelled' ? 'đã hủy' : 'sắp phát';
    lines.push([hhmm(r.scheduledFor, timezone), `${r.bulletin.title} (${state})`]);
  }
  const schedules = await tx.schedule.findMany({ where: { active: true, bulletin: { communeId, status: { in: ['scheduled', 'sending', 'done', 'partly_failed'] } } }, include: { bulletin: true, slot: true } });
  const planned = (time: string, s: { bulletinId: string; bulletin: { title: string } }) => {
    if (!ran.has(`${s.bulletinId}@${time}`)) lines.push([time, s.bulletin.title]);
  };
  for (const s of schedules) {
    if (s.kind === 'once' && s.runAt && localDay(s.runAt, timezone) === today) planned(hhmm(s.runAt, timezone), s);
    if (s.kind === 'recurring') {
      const time = s.timeOfDay ?? s.slot?.timeOfDay;
      const days = s.daysOfWeek.length ? s.daysOfWeek : (s.slot?.daysOfWeek ?? []);
      if (time && days.includes(isoWeekday)) planned(time, s);
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
      const text = `✅ Đã duyệt bản tin "${b.title}". ${await whenItGoesOut(tx, b.id, new Date())}`;
      return { notice: 'Đã duyệt', effects: [effect(sendDirectJob, { platform: c.platform, accountId: c.accountId, chatId: c.chatId, text, replyTo: c.messageId }, `bt-approved-${b.id}-${b.revision}`), ...(await removeDecisionButtons(tx, b.id))] };
    }
    const b = await tx.bulletin.findUnique({ where: { id: bulletinId } });
    if (!b || b.status !== 'submitted') throw new AppError('CONFLICT', 'Bản tin không còn chờ duyệt.');
    const question = { platform: c.platform, accountId: c.accountId, chatId: c.chatId, text: `Trả lời tin này để ghi lý do trả lại bản tin "${b.title}".`, replyTo: c.messageId, recordBulletinAs: { bulletinId: b.id, purpose: 'reject_reason' as const } };
    return { notice: 'Trả lời tin của bot để ghi lý do', effects: [effect(sendDirectJob, question, `bt-ask-${b.id}-${b.revision}-${c.messageId}`.replace(/:/g, '_'))] };
  } catch (e) {
    if (e instanceof AppError) return { notice: e.userMessage.slice(0, 190), effects: [] };
    throw e;
  }
}

export async function rejectFromReply(prisma: PrismaClient, tx: Tx, c: AdminChatContext, bulletinId: string, reason: string): Promise<{ text: string; effects: Effect[] }> {
  try {
    const b = await createBulletinWorkflow(prisma, tx).reject({ staffId: c.staffId }, bulletinId, reason);
    return { text: `↩️ Đã trả lại bản tin "${b.title}": ${reason}`, effects: await removeDecisionButtons(tx, b.id) };
  } catch (e) {
    if (e instanceof AppError) return { text: e.userMessage, effects: [] };
    throw e;
  }
}
