// Done when: a survey reaches the residents of last quarter's closed tickets and its results by
// village appear in the report. Through the real listening flow (telegraf against the local Bot
// API, the Zalo adapter over the fake zca-js): a leader approves (the author may not), the tick
// opens it and invites the residents of last quarter's closed tickets only, they answer with
// buttons on Telegram and numbers on Zalo, a second press changes the answer, a typed answer
// ends it; after the close a press gets "Khảo sát đã kết thúc"; the quarterly report (page data,
// XLSX and PDF) shows the results by village, joined with the ratings given after answers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListeningHarness, type ListeningHarness } from '../support/listening-harness.ts';
import type { FakeZaloApi } from '../support/zalo/fake-zalo-api.ts';
import { createSurveyWorkflow } from '../../src/surveys/survey-workflow.ts';
import { surveyTick } from '../../src/surveys/survey-tick.ts';
import { quarterPeriod, ticketReport } from '../../src/reports/ticket-report.ts';
import { reportPdf, reportXlsx } from '../../src/reports/report-files.ts';
import { isAppError } from '../../src/errors.ts';

let h: ListeningHarness;
const TG_RESIDENT = 5101;
const TG_LATE = 5102;
const ZALO_RESIDENT = '4400000000000000888';
let staff: Record<string, string> = {};
let surveyId = '';

const zalo = (): FakeZaloApi => h.zalo!.api();
const lastTo = (chat: number) => h.api.sentTo(chat).at(-1);
const buttonsOf = (m: { replyMarkup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } } | undefined) => (m?.replyMarkup?.inline_keyboard ?? []).flat();
const zaloTo = () => zalo().sent.filter((m) => m.threadId === ZALO_RESIDENT);
const tick = (now = new Date()) => surveyTick({ prisma: h.prisma, restore: h.queues.restore.bind(h.queues), now: () => now, link: (s, r) => `https://loa.example.vn/khao-sat/${s}/${r}/x`, paceMs: 10 });

// Last quarter, as the commune's calendar has it (the test runs on any date).
const today = new Date();
const thisQ = Math.floor(today.getUTCMonth() / 3) + 1;
const [lastYear, lastQ] = thisQ === 1 ? [today.getUTCFullYear() - 1, 4] : [today.getUTCFullYear(), thisQ - 1];
const lastQuarter = quarterPeriod(lastYear, lastQ as 1 | 2 | 3 | 4);
const inLastQuarter = new Date(`${lastQuarter.from}T05:00:00Z`);
inLastQuarter.setUTCDate(inLastQuarter.getUTCDate() + 20);

async function telegramResident(userId: number) {
  h.api.residentSends({ userId, text: '/start', firstName: 'Dân' });
  await h.settle();
  const agree = buttonsOf(lastTo(userId)).find((b) => b.text === 'Tôi đồng ý')!;
  h.api.pressButton({ chatId: userId, messageId: lastTo(userId)!.messageId, userId, data: agree.callback_data });
  await h.settle();
  return (await h.prisma.residentIdentity.findFirstOrThrow({ where: { platform: 'telegram', platformUserId: String(userId) } })).residentId;
}

let seq = 9000;
async function closedTicket(residentId: string, village: string, closedAt: Date, rating?: 'hài lòng' | 'chưa hài lòng') {
  const v = await h.prisma.village.findFirstOrThrow({ where: { communeId: h.communeId, name: village } });
  await h.prisma.resident.update({ where: { id: residentId }, data: { villageId: v.id } });
  seq += 1;
  const created = new Date(closedAt.getTime() - 3 * 24 * 3600_000);
  await h.prisma.ticket.create({
    data: { code: `PA-${closedAt.getUTCFullYear()}-${seq}`, communeId: h.communeId, year: closedAt.getUTCFullYear(), seq, residentId, villageId: v.id, channel: 'telegram', status: 'closed', createdAt: created, answeredAt: closedAt, closedAt, ...(rating ? { ratingComment: rating, ratedAt: closedAt } : {}) },
  });
}

beforeAll(async () => {
  h = await startListeningHarness({ zalo: true });
  staff = Object.fromEntries((await h.prisma.staff.findMany()).map((s) => [s.username, s.id]));
  const tg = await telegramResident(TG_RESIDENT);
  await closedTicket(tg, 'Thôn 1', inLastQuarter, 'hài lòng');
  // Closed this quarter: not in the audience.
  const late = await telegramResident(TG_LATE);
  await closedTicket(late, 'Thôn 3', new Date());
  zalo().deliver(zalo().userMessage(ZALO_RESIDENT, 'xin chào'));
  await h.settle();
  zalo().deliver(zalo().userMessage(ZALO_RESIDENT, '1'));
  await h.settle();
  const z = (await h.prisma.residentIdentity.findFirstOrThrow({ where: { platform: 'zalo', platformUserId: ZALO_RESIDENT } })).residentId;
  await closedTicket(z, 'Thôn 2', inLastQuarter, 'chưa hài lòng');
}, 90_000);
afterAll(async () => {
  await h?.close();
});

describe('a satisfaction survey over the chat', () => {
  it('is approved by a second person, opens on the tick and invites last quarter’s residents only', async () => {
    const wf = createSurveyWorkflow(h.prisma);
    const author = { staffId: staff.vanhoa! };
    const s = await wf.createDraft(author, { communeId: h.communeId, title: 'Mức độ hài lòng với UBND xã', intro: 'Xin ông/bà dành một phút.', opensAt: new Date(Date.now() - 60_000), closesAt: new Date(Date.now() + 7 * 24 * 3600_000) });
    surveyId = s.id;
    await wf.addQuestion(author, s.id, { kind: 'scale', text: 'Ông/bà hài lòng với thái độ của cán bộ xã?' });
    await wf.addQuestion(author, s.id, { kind: 'choice', text: 'Ông/bà liên hệ xã qua kênh nào nhiều nhất?', choices: ['Zalo', 'Telegram', 'Trực tiếp'] });
    await wf.addQuestion(author, s.id, { kind: 'text', text: 'Góp ý thêm cho xã', optional: true });
    await wf.setAudience(author, s.id, [{ kind: 'closed_tickets', from: lastQuarter.from, to: lastQuarter.to }]);
    await wf.submit(author, s.id);
    // The bulletin rule: whoever wrote it cannot approve it.
    await h.prisma.survey.update({ where: { id: s.id }, data: { writerIds: { push: staff.quantri! } } });
    const byWriter = await wf.approve({ staffId: staff.quantri! }, s.id).catch((e: unknown) => e);
    expect(isAppError(byWriter) && byWriter.code).toBe('FORBIDDEN');
    expect(isAppError(byWriter) && byWriter.userMessage).toContain('người thứ hai');
    await wf.approve({ staffId: staff.chutich! }, s.id);

    const r = await tick();
    expect(r).toMatchObject({ surveysOpened: 1, invitationsQueued: 2 });
    await h.settle();
    const invitations = await h.prisma.surveyInvitation.findMany({ where: { surveyId: s.id } });
    expect(invitations.map((i) => i.status)).toEqual(['sent', 'sent']);
    expect(h.api.sentTo(TG_LATE).some((m) => m.text?.includes('khảo sát'))).toBe(false);
    const invite = lastTo(TG_RESIDENT)!;
    expect(invite.text).toContain('Mức độ hài lòng với UBND xã');
    expect(invite.text).toContain('Câu 1/3');
    expect(invite.text).toContain('https://loa.example.vn/khao-sat/');
    expect(invite.text).toContain('xin đừng chuyển cho người khác');
    expect(buttonsOf(invite).map((b) => b.text)).toContain('4 – Hài lòng');
    const zInvite = zaloTo().at(-1)!;
    expect(zInvite.text).toMatch(/👉 Trả lời bằng số:\n1\. 1 – Rất không hài lòng/);
    // A second tick (or a recovery after Redis lost everything) invites nobody twice.
    expect((await tick()).invitationsQueued).toBe(0);
  });

  it('Telegram: buttons answer, a second press changes the answer, a typed answer ends it', async () => {
    const invite = lastTo(TG_RESIDENT)!;
    const four = buttonsOf(invite).find((b) => b.text.startsWith('4'))!;
    h.api.pressButton({ chatId: TG_RESIDENT, messageId: invite.messageId, userId: TG_RESIDENT, data: four.callback_data });
    await h.settle();
    const q2 = lastTo(TG_RESIDENT)!;
    expect(q2.text).toContain('Câu 2/3');
    h.api.pressButton({ chatId: TG_RESIDENT, messageId: q2.messageId, userId: TG_RESIDENT, data: buttonsOf(q2).find((b) => b.text === 'Telegram')!.callback_data });
    await h.settle();
    expect(lastTo(TG_RESIDENT)!.text).toContain('Câu 3/3');
    expect(lastTo(TG_RESIDENT)!.text).toContain('không bắt buộc');
    // Changes the first answer: still one response, the new value kept.
    const five = buttonsOf(invite).find((b) => b.text.startsWith('5'))!;
    h.api.pressButton({ chatId: TG_RESIDENT, messageId: invite.messageId, userId: TG_RESIDENT, data: five.callback_data });
    await h.settle();
    expect(lastTo(TG_RESIDENT)!.text).toContain('Đã đổi câu trả lời');
    h.api.residentSends({ userId: TG_RESIDENT, text: 'Cán bộ nhiệt tình, trả lời nhanh.' });
    await h.settle();
    expect(lastTo(TG_RESIDENT)!.text).toContain('cảm ơn ông/bà đã trả lời khảo sát');
    const responses = await h.prisma.surveyResponse.findMany({ where: { surveyId }, include: { answers: { include: { question: true } } } });
    expect(responses).toHaveLength(1);
    const byPos = Object.fromEntries(responses[0]!.answers.map((a) => [a.question.position, a.value ?? a.text]));
    expect(byPos).toEqual({ 1: 5, 2: 2, 3: 'Cán bộ nhiệt tình, trả lời nhanh.' });
    // The typed answer did not become a ticket.
    expect(await h.prisma.ticketMessage.count({ where: { text: 'Cán bộ nhiệt tình, trả lời nhanh.' } })).toBe(0);
  });

  it('Zalo: numbers answer, an optional question is skipped', async () => {
    zalo().deliver(zalo().userMessage(ZALO_RESIDENT, '2'));
    await h.settle();
    expect(zaloTo().at(-1)!.text).toContain('Câu 2/3');
    zalo().deliver(zalo().userMessage(ZALO_RESIDENT, '3'));
    await h.settle();
    const q3 = zaloTo().at(-1)!;
    expect(q3.text).toContain('Câu 3/3');
    expect(q3.text).toContain('1. Bỏ qua');
    zalo().deliver(zalo().userMessage(ZALO_RESIDENT, '1'));
    await h.settle();
    expect(zaloTo().at(-1)!.text).toContain('cảm ơn ông/bà đã trả lời khảo sát');
    const r = await h.prisma.surveyResponse.findFirstOrThrow({ where: { surveyId, resident: { identities: { some: { platform: 'zalo' } } } }, include: { answers: true } });
    expect(r.answers.map((a) => [a.value, a.skipped]).sort()).toEqual([[2, false], [3, false], [null, true]].sort());
  });

  it('its results by village appear in the quarterly report, with the ratings after answers', async () => {
    const r = await ticketReport(h.prisma, h.communeId, lastQuarter, { kind: 'api', communeId: h.communeId });
    // The survey ran this quarter; last quarter's report has the ratings of last quarter's tickets.
    expect(r.satisfaction.byVillage.map((v) => [v.name, v.ticketRated, v.ticketSatisfied])).toEqual([['Thôn 1', 1, 1], ['Thôn 2', 1, 0]]);
    const now = new Date();
    const current = quarterPeriod(now.getUTCFullYear(), thisQ as 1 | 2 | 3 | 4);
    const q = await ticketReport(h.prisma, h.communeId, current, { kind: 'api', communeId: h.communeId });
    expect(q.satisfaction.surveys.map((s) => [s.title, s.invited, s.responded])).toEqual([['Mức độ hài lòng với UBND xã', 2, 2]]);
    expect(q.satisfaction.byVillage.map((v) => [v.name, v.surveyRated, v.surveySatisfied])).toEqual([['Thôn 1', 1, 1], ['Thôn 2', 1, 0]]);
    const xlsx = new ExcelJS.Workbook();
    await xlsx.xlsx.load((await reportXlsx(q)) as never);
    const sheet = xlsx.getWorksheet('Hài lòng')!;
    const rows = sheet.getSheetValues().map((row) => (Array.isArray(row) ? row.slice(1) : []));
    expect(rows.some((row) => row[0] === 'Thôn 1')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'survey-pdf-'));
    writeFileSync(join(dir, 'q.pdf'), await reportPdf(q));
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'q.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('KHẢO SÁT MỨC ĐỘ HÀI LÒNG');
    expect(text).toContain('Mức độ hài lòng với UBND xã');
    expect(text).toMatch(/Thôn 2/);
  });

  it('after the close, a press gets "khảo sát đã kết thúc" and changes nothing', async () => {
    await h.prisma.survey.update({ where: { id: surveyId }, data: { closesAt: new Date(Date.now() - 1000) } });
    expect((await tick()).surveysClosed).toBe(1);
    const invite = h.api.sentTo(TG_RESIDENT).find((m) => m.text?.includes('Câu 1/3'))!;
    h.api.pressButton({ chatId: TG_RESIDENT, messageId: invite.messageId, userId: TG_RESIDENT, data: buttonsOf(invite).find((b) => b.text.startsWith('1'))!.callback_data });
    await h.settle();
    expect(lastTo(TG_RESIDENT)!.text).toContain('Khảo sát đã kết thúc');
    const a = await h.prisma.surveyAnswer.findFirstOrThrow({ where: { question: { surveyId, position: 1 }, response: { resident: { identities: { some: { platform: 'telegram', platformUserId: String(TG_RESIDENT) } } } } } });
    expect(a.value).toBe(5);
  });
});
