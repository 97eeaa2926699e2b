// A quarter of made-up history for a demo commune, so a newcomer opens full reports and a full
// province ranking: tickets in every state (answered on time and late, overdue, refused,
// duplicate, transferred, confidential), ratings, bulletins played on the loudspeakers and sent to
// the groups, loudspeaker heartbeats. Deterministic for a given commune code and `now` (a seeded
// generator, not Math.random), and written with a handful of bulk inserts so three communes take a
// second or two, not a minute of row-by-row round trips.
import { randomUUID } from 'node:crypto';
import type { Prisma, Platform, TicketStatus } from '../db/generated/client.ts';
import { formatTicketCode } from '../tickets/ticket-code.ts';
import { isConfidentialField } from '../tickets/ticket-visibility.ts';
import { awaitingAnswerStatuses } from '../tickets/ticket-status.ts';

type Tx = Prisma.TransactionClient;

/** How well this commune does: the ranking shows three different communes, not three copies. */
export interface DemoProfile {
  tickets: number;
  /** Of the tickets past their deadline, the share answered. */
  answered: number;
  /** Of the answered ones, the share answered before the deadline. */
  onTime: number;
  /** Of the rated answers, the share "hài lòng". */
  satisfied: number;
  /** Loudspeakers of the commune that still send heartbeats. */
  speakersOnline: number;
}

export interface DemoHistoryInput {
  communeId: string;
  code: string;
  ticketCodePrefix: string;
  villageIds: string[];
  categories: Array<{ id: string; code: string }>;
  responderIds: string[];
  authorId: string;
  approverId: string;
  endpointIds: string[];
  targetIds: string[];
  profile: DemoProfile;
  now: Date;
}

const DAY = 86_400_000;
const HOUR = 3600_000;
const QUARTER_DAYS = 91;

/** sfc32 seeded from the commune code: the same history every time for the same commune and day. */
function generator(seedText: string) {
  let h = 1779033703 ^ seedText.length;
  const seeds: number[] = [];
  for (let k = 0; k < 4; k++) {
    for (let i = 0; i < seedText.length; i++) h = Math.imul(h ^ seedText.charCodeAt(i), 3432918353 + k);
    h = (h << 13) | (h >>> 19);
    seeds.push(h >>> 0);
  }
  let [a, b, c, d] = seeds as [number, number, number, number];
  const next = () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return {
    next,
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    between: (lo: number, hi: number) => lo + next() * (hi - lo),
  };
}

// What residents write, by field (made up, no real person).
const SUBJECTS: Record<string, string[]> = {
  DAT_DAI: ['Hỏi thủ tục cấp giấy chứng nhận quyền sử dụng đất', 'Tranh chấp ranh giới đất với hộ bên cạnh'],
  MOI_TRUONG: ['Rác thải đổ bừa bãi ven đường liên thôn', 'Mùi hôi từ trại chăn nuôi gần khu dân cư'],
  HA_TANG: ['Đèn đường hỏng nhiều ngày', 'Đường vào thôn ổ gà, trời mưa ngập sâu', 'Cống thoát nước bị tắc'],
  NONG_NGHIEP: ['Hỏi lịch phun thuốc phòng sâu cuốn lá', 'Xin hỗ trợ giống lúa sau lũ'],
  AN_NINH: ['Thanh niên tụ tập gây ồn ào ban đêm', 'Phản ánh trộm cắp vặt trong thôn'],
  Y_TE: ['Hỏi lịch tiêm chủng cho trẻ', 'Hỏi cấp lại thẻ bảo hiểm y tế'],
  CHINH_SACH: ['Hỏi chế độ trợ cấp người cao tuổi', 'Hỏi hồ sơ hộ cận nghèo'],
  GIAO_DUC: ['Hỏi tuyển sinh lớp 1', 'Đường đến trường mầm non không an toàn'],
  HANH_CHINH: ['Hỏi thủ tục đăng ký khai sinh', 'Hỏi giờ làm việc của bộ phận một cửa'],
  KHIEU_NAI_TO_CAO: ['Tố cáo cán bộ thôn thu tiền sai quy định', 'Khiếu nại về việc bồi thường giải phóng mặt bằng'],
  KHAC: ['Góp ý về loa phát thanh quá to buổi sáng', 'Hỏi lịch cắt điện'],
};
const ANSWER = 'Cảm ơn ông/bà đã phản ánh. UBND xã đã giao cán bộ kiểm tra, xử lý và sẽ thông báo kết quả.';
const CHANNELS: Platform[] = ['zalo_oa', 'zalo_oa', 'telegram', 'telegram', 'zalo_bot', 'webchat'];
const BULLETINS = [
  'Lịch tiêm chủng mở rộng tháng này',
  'Phòng chống dịch sốt xuất huyết',
  'Thông báo lịch cắt điện',
  'Tuyên truyền phòng cháy chữa cháy',
  'Lịch thu gom rác thải',
  'Hướng dẫn đăng ký tạm trú trực tuyến',
  'Phòng chống lừa đảo qua điện thoại',
  'Khuyến cáo phòng chống rét cho gia súc',
];

/** The year of an instant in Vietnam (ticket codes count per local year). */
const localYear = (d: Date) => new Date(d.getTime() + 7 * HOUR).getUTCFullYear();

export async function seedDemoHistory(tx: Tx, p: DemoHistoryInput): Promise<{ tickets: number; deliveries: number }> {
  const rnd = generator(`${p.code}|${p.now.toISOString().slice(0, 10)}`);
  const start = p.now.getTime() - QUARTER_DAYS * DAY;
  const fields = p.categories.filter((c) => SUBJECTS[c.code]);

  // Tickets, oldest first so codes count up with time.
  const created = Array.from({ length: p.profile.tickets }, () => start + rnd.next() * (QUARTER_DAYS * DAY - 2 * HOUR)).sort((a, b) => a - b);
  const seqByYear = new Map<number, number>();
  const residents: Prisma.ResidentCreateManyInput[] = [];
  const tickets: Prisma.TicketCreateManyInput[] = [];
  const messages: Prisma.TicketMessageCreateManyInput[] = [];
  const events: Prisma.TicketEventCreateManyInput[] = [];
  for (const at of created) {
    const createdAt = new Date(at);
    const field = rnd.chance(0.06) ? fields.find((f) => isConfidentialField(f.code)) ?? rnd.pick(fields) : rnd.pick(fields);
    const confidential = isConfidentialField(field.code);
    const dueAt = new Date(at + (confidential ? 30 : 7) * DAY);
    const year = localYear(createdAt);
    const seq = (seqByYear.get(year) ?? 0) + 1;
    seqByYear.set(year, seq);
    const residentId = randomUUID();
    const villageId = rnd.pick(p.villageIds);
    const channel = rnd.pick(CHANNELS);
    residents.push({ id: residentId, communeId: p.communeId, villageId, consentGivenAt: createdAt, consentVersion: 'demo', lastMessageAt: createdAt, createdAt });

    let status: TicketStatus;
    let answeredAt: Date | null = null;
    let ratedAt: Date | null = null;
    let ratingComment: string | null = null;
    let closedAt: Date | null = null;
    const past = dueAt.getTime() <= p.now.getTime();
    const roll = rnd.next();
    if (roll < 0.04) status = 'rejected';
    else if (roll < 0.08) status = 'duplicate';
    else if (roll < 0.11) status = 'transferred';
    else if (past ? rnd.chance(p.profile.answered) : rnd.chance(0.5)) {
      const late = !rnd.chance(p.profile.onTime);
      const t = late ? dueAt.getTime() + rnd.between(4 * HOUR, 6 * DAY) : at + rnd.between(2 * HOUR, dueAt.getTime() - at - HOUR);
      answeredAt = new Date(Math.min(t, p.now.getTime() - HOUR));
      status = 'answered';
      if (rnd.chance(0.65) && answeredAt.getTime() + 3 * HOUR < p.now.getTime()) {
        ratedAt = new Date(answeredAt.getTime() + rnd.between(HOUR, 2 * HOUR));
        ratingComment = rnd.chance(p.profile.satisfied) ? 'hài lòng' : 'chưa hài lòng';
        if (ratingComment === 'hài lòng') {
          status = 'closed';
          closedAt = ratedAt;
        }
      }
    } else status = past ? rnd.pick(['received', 'in_progress'] as const) : rnd.pick(awaitingAnswerStatuses);

    const id = randomUUID();
    const subject = rnd.pick(SUBJECTS[field.code]!);
    tickets.push({
      id, code: formatTicketCode(p.ticketCodePrefix, year, seq), communeId: p.communeId, year, seq, residentId, villageId, categoryId: field.id, channel, status, confidential, subject,
      assigneeId: status === 'new' ? null : rnd.pick(p.responderIds), classifiedBy: 'demo', receiveDueAt: new Date(at + 8 * HOUR), dueAt, receivedAt: status === 'new' ? null : new Date(at + HOUR),
      answeredAt, ratedAt, ratingComment, closedAt, rejectReason: status === 'rejected' ? 'Không thuộc thẩm quyền của xã' : null,
      transferredTo: status === 'transferred' ? 'Điện lực khu vực' : null, createdAt, updatedAt: closedAt ?? answeredAt ?? createdAt,
    });
    messages.push({ ticketId: id, direction: 'inbound', channel, text: subject, createdAt });
    events.push({ ticketId: id, type: 'created', actorKind: 'resident', createdAt });
    if (answeredAt) {
      messages.push({ ticketId: id, direction: 'outbound', channel, text: ANSWER, authorStaffId: tickets.at(-1)!.assigneeId ?? null, deliveryStatus: 'sent', sentAt: answeredAt, createdAt: answeredAt });
      events.push({ ticketId: id, type: 'status_changed', toStatus: 'answered', actorKind: 'staff', createdAt: answeredAt });
    }
    if (ratedAt) events.push({ ticketId: id, type: 'rated', actorKind: 'resident', data: { satisfied: ratingComment === 'hài lòng' }, createdAt: ratedAt });
    if (status !== 'answered' && status !== 'new' && !answeredAt) events.push({ ticketId: id, type: 'status_changed', toStatus: status, actorKind: 'staff', createdAt: new Date(at + HOUR) });
  }
  await tx.resident.createMany({ data: residents });
  await tx.ticket.createMany({ data: tickets });
  await tx.ticketMessage.createMany({ data: messages });
  await tx.ticketEvent.createMany({ data: events });
  // Tickets residents file from now on continue the numbering.
  for (const [year, lastSeq] of seqByYear) {
    await tx.ticketCounter.upsert({ where: { communeId_year: { communeId: p.communeId, year } }, create: { communeId: p.communeId, year, lastSeq }, update: { lastSeq } });
  }

  // Two bulletins a week, played at the morning slot on every loudspeaker and sent to the groups.
  const bulletins: Prisma.BulletinCreateManyInput[] = [];
  const versions: Prisma.BulletinVersionCreateManyInput[] = [];
  const runs: Prisma.BroadcastRunCreateManyInput[] = [];
  const deliveries: Prisma.DeliveryCreateManyInput[] = [];
  for (let day = 3; day < QUARTER_DAYS; day += rnd.pick([3, 4])) {
    const scheduledFor = new Date(Math.floor((p.now.getTime() - day * DAY) / DAY) * DAY - 1 * HOUR); // 06:00 in Vietnam
    const bulletinId = randomUUID();
    const versionId = randomUUID();
    const runId = randomUUID();
    const title = rnd.pick(BULLETINS);
    const durationMs = Math.round(rnd.between(45, 150)) * 1000;
    bulletins.push({ id: bulletinId, communeId: p.communeId, title, class: rnd.chance(0.1) ? 'priority' : 'normal', status: 'done', approvedRevision: 1, authorId: p.authorId, createdAt: new Date(scheduledFor.getTime() - DAY), updatedAt: scheduledFor });
    versions.push({ id: versionId, bulletinId, revision: 1, text: `${title}. Đề nghị bà con thực hiện theo hướng dẫn của UBND xã.`, renderedDurationMs: durationMs, createdById: p.authorId, writerIds: [p.authorId], frozenAt: scheduledFor, createdAt: new Date(scheduledFor.getTime() - DAY) });
    const failedOne = rnd.chance(0.15);
    runs.push({ id: runId, bulletinId, revision: 1, scheduledFor, status: failedOne ? 'partly_failed' : 'done', startedAt: scheduledFor, finishedAt: new Date(scheduledFor.getTime() + 5 * 60_000), createdAt: scheduledFor });
    p.endpointIds.forEach((endpointId, i) => {
      const failed = failedOne && i === 0;
      deliveries.push({ runId, bulletinVersionId: versionId, endpointId, status: failed ? 'failed' : 'sent', attempts: failed ? 5 : 1, error: failed ? 'Cụm loa không phản hồi' : null, sentAt: failed ? null : scheduledFor, playedAt: failed ? null : new Date(scheduledFor.getTime() + 20_000), lastAttemptAt: scheduledFor, createdAt: scheduledFor });
    });
    for (const targetId of p.targetIds) deliveries.push({ runId, bulletinVersionId: versionId, targetId, status: 'sent', attempts: 1, sentAt: scheduledFor, lastAttemptAt: scheduledFor, createdAt: scheduledFor });
  }
  await tx.bulletin.createMany({ data: bulletins });
  await tx.bulletinVersion.createMany({ data: versions });
  await tx.approval.createMany({ data: bulletins.map((b) => ({ bulletinId: b.id!, revision: 1, approverId: p.approverId, decision: 'approved' as const, createdAt: b.updatedAt as Date })) });
  await tx.broadcastRun.createMany({ data: runs });
  await tx.delivery.createMany({ data: deliveries });

  // Heartbeats: most loudspeakers answered a minute ago, the rest went silent yesterday.
  const online = Math.round(p.endpointIds.length * p.profile.speakersOnline);
  for (const [i, id] of p.endpointIds.entries()) {
    const alive = i < online;
    await tx.endpoint.update({
      where: { id },
      data: alive
        ? { status: 'online', statusReason: null, lastHeartbeatAt: new Date(p.now.getTime() - 60_000), lastPlaybackAt: runs[0] ? (runs[0].scheduledFor as Date) : null }
        : { status: 'offline', statusReason: 'Mất tín hiệu từ hôm qua', lastHeartbeatAt: new Date(p.now.getTime() - DAY) },
    });
  }
  return { tickets: tickets.length, deliveries: deliveries.length };
}
