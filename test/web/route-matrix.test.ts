// Role × route × commune: every route of the web admin (/admin) and of the API (/api/v1), as
// registered in the Fastify app, tried by every role of the commune, by every province role of its
// province and a viewer of another province, by the admins of a commune of the same province and of
// another province, anonymously and with API keys (the commune's, its province's, another commune's),
// against the real database. A commune sees nothing of another; province staff read only their
// province's communes and change nothing in them. The expected outcome of each cell is in ONE table below; a route registered
// without an entry fails the test, so a new page cannot ship without someone deciding who may use it.
//
// Outcomes: o = allowed (the request reached the action: 2xx, a redirect elsewhere than the login,
// or a 400/409 about the input or the state), d = refused (403), m = answered as missing (404: the
// id of another commune, or a confidential ticket, is never confirmed), l = sign in first (401, or
// a redirect to the login page), p = public (anything but a server error).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient, StaffRole } from '../../src/db/generated/client.ts';
import type { Database } from '../../src/db/database.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import { buildApp } from '../../src/web/app.ts';
import { HealthRegistry } from '../../src/health/health-registry.ts';
import { silentLogger } from '../../src/logger.ts';
import { createApiKey } from '../../src/auth/staff-sessions.ts';
import { createBulletinWorkflow } from '../../src/bulletins/bulletin-workflow.ts';
import { scheduleBulletin } from '../../src/bulletins/bulletin-schedule.ts';
import { createProvinceBulletin } from '../../src/province/create-province-bulletin.ts';
import { approveProvinceBulletin } from '../../src/province/approve-province-bulletin.ts';
import { createMediaLinkSigner } from '../../src/media/signed-url.ts';
import type { AudioPipeline } from '../../broadcasts/render/audio-pipeline.ts';
import { openMigratedTestDatabase, type MigratedTestDatabase } from '../support/services.ts';
import { form, sessionFor } from '../support/staff-session.ts';
import { createSurveyWorkflow } from '../../src/surveys/survey-workflow.ts';

// Commune A1 (the demo commune, whose rows every request names) and A2 are in province A (Tỉnh Mẫu);
// commune B is in province B.
const WHO = [
  // the roles of commune A1 (none the leader, none designated for a field)
  'admin', 'editor', 'approver', 'responder', 'viewer',
  // province A's staff, one per province role (the demo's Sở VHTTDL account is the viewer)
  'provViewer', 'provEditor', 'provApprover', 'provAdmin',
  // a viewer of province B
  'otherProvViewer',
  // the admin of commune A2 (same province), the admin of commune B
  'sameProvAdmin', 'other',
  'anon',
  // API keys: commune A1's, province A's (issued through commune A2), commune B's
  'apikey', 'provKey', 'otherKey',
] as const;
type Who = (typeof WHO)[number];
type Outcome = 'o' | 'd' | 'm' | 'l' | 'p';

interface Req {
  url: string;
  /** A form (admin) or JSON (API) body; absent for GET. */
  body?: Record<string, unknown>;
  raw?: { type: string; data: Buffer };
}
type Build = () => Promise<Req>;

let db: MigratedTestDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let dataDir = '';
let communeId = '';
const keys: Record<string, string> = {};
const actor: Partial<Record<Who, string>> = {};
const demo: Record<string, string> = {};
const routes = new Set<string>();

// ───────────── fixtures: fresh rows for every cell that changes something ─────────────

let seq = 0;
const unique = () => `${Date.now().toString(36)}${(seq += 1)}`;
const wf = () => createBulletinWorkflow(prisma);
const inThreeDays = () => {
  const d = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + 3 * 86_400_000));
  return { local: `${d}T09:30`, iso: `${d}T09:30:00+07:00` };
};

async function bulletin(state: 'draft' | 'submitted' | 'approved') {
  const b = await wf().createDraft({ staffId: demo.vanhoa! }, { communeId, title: `Bản tin ${unique()}`, text: 'Mời bà con họp thôn lúc 19 giờ.' });
  if (state !== 'draft') await wf().submit({ staffId: demo.vanhoa! }, b.id);
  if (state === 'approved') await wf().approve({ staffId: demo.chutich! }, b.id);
  return b.id;
}

async function provinceBulletin(state: 'submitted' | 'approved') {
  const pb = await createProvinceBulletin(prisma, { actor: { staffId: actor.provEditor! }, title: `Tin tỉnh ${unique()}`, text: 'Phòng chống bão số 5.' });
  if (state === 'approved') await approveProvinceBulletin({ prisma, enqueue: async () => 'job' }, { actor: { staffId: actor.provApprover! }, provinceBulletinId: pb.id });
  return pb.id;
}

/** Commune A1's copy of an approved province bulletin. */
async function provinceCopy() {
  const id = await provinceBulletin('approved');
  return (await prisma.provinceBulletinCommune.findUniqueOrThrow({ where: { provinceBulletinId_communeId: { provinceBulletinId: id, communeId } } })).bulletinId!;
}

async function survey(state: 'draft' | 'submitted') {
  const wf = createSurveyWorkflow(prisma);
  const author = { staffId: demo.vanhoa! };
  const s = await wf.createDraft(author, { communeId, title: `Khảo sát ${unique()}`, opensAt: new Date(), closesAt: new Date(Date.now() + 7 * 86_400_000) });
  await wf.addQuestion(author, s.id, { kind: 'scale', text: 'Hài lòng?' });
  await wf.setAudience(author, s.id, [{ kind: 'consented' }]);
  if (state === 'submitted') await wf.submit(author, s.id);
  return s.id;
}

async function ticket(p: { status?: string; confidential?: boolean; answered?: boolean } = {}) {
  const n = 50000 + (seq += 1);
  const category = await prisma.category.findUniqueOrThrow({ where: { code: p.confidential ? 'KHIEU_NAI_TO_CAO' : 'HA_TANG' } });
  const resident = await prisma.resident.create({ data: { communeId } });
  const t = await prisma.ticket.create({
    data: {
      code: `PA-2026-${n}`,
      communeId,
      year: 2026,
      seq: n,
      residentId: resident.id,
      channel: 'telegram',
      status: (p.status ?? 'in_progress') as never,
      confidential: p.confidential ?? false,
      categoryId: category.id,
      subject: 'Đèn đường thôn 4 hỏng',
      messages: {
        create: [
          { direction: 'inbound', channel: 'telegram', text: 'Đèn đường thôn 4 hỏng' },
          ...(p.answered ? [{ direction: 'outbound' as const, channel: 'telegram' as const, text: 'Trả lời phản ánh: xã đã sửa.', authorStaffId: demo.diachinh! }] : []),
        ],
      },
    },
  });
  return t.code;
}

async function staffMember() {
  return (await prisma.staff.create({ data: { communeId, username: `nv${unique()}`, displayName: 'Nhân viên thử', roles: ['responder'] } })).id;
}

const shared: Record<string, string> = {};
/** Commune ids by name (A1, A2, B), each with a bulletin, a village and a ticket marked with that name. */
const marked: Record<string, string> = {};

/** Another open session of the matrix's admin (a phone), to be ended from the password page. */
async function extraSessionOfAdmin(): Promise<string> {
  const row = await prisma.staffSession.create({ data: { staffId: actor.admin!, tokenHash: randomBytes(32).toString('hex'), csrfToken: 'x', expiresAt: new Date(Date.now() + 3600_000) } });
  return row.id;
}

// ───────────── the table ─────────────
// prettier-ignore
const MATRIX: Array<[method: string, route: string, expected: string, build: Build, note?: string]> = [
  //       columns, in the order of WHO:                        a e a r v | V E A D | B | 2 o | - | k K b
  //       (commune A1 roles | province A viewer, editor, approver, admin | province B viewer |
  //        admins of A2 and B | anonymous | keys of A1, province A, B)
  ['GET', '/admin',                                           'p p p p p p p p p p p p p p p p', async () => ({ url: '/admin' })],
  ['GET', '/admin/static/:file',                              'p p p p p p p p p p p p p p p p', async () => ({ url: '/admin/static/admin.css' })],
  ['GET', '/admin/dang-nhap',                                 'p p p p p p p p p p p p p p p p', async () => ({ url: '/admin/dang-nhap' })],
  ['POST', '/admin/dang-nhap',                                'p p p p p p p p p p p p p p p p', async () => ({ url: '/admin/dang-nhap', body: { username: 'khongco', password: 'sai-mat-khau' } })],
  // The public page (công khai): counts only, for everyone.
  ['GET', '/cong-khai',                                       'p p p p p p p p p p p p p p p p', async () => ({ url: '/cong-khai' })],
  ['GET', '/cong-khai/:commune',                              'p p p p p p p p p p p p p p p p', async () => ({ url: '/cong-khai/khong-co-xa' })],
  ['GET', '/cong-khai/:commune/hoi-dap',                      'p p p p p p p p p p p p p p p p', async () => ({ url: '/cong-khai/khong-co-xa/hoi-dap?q=can+cuoc' })],
  ['GET', '/cong-khai/:commune/ban-tin',                      'p p p p p p p p p p p p p p p p', async () => ({ url: '/cong-khai/khong-co-xa/ban-tin' })],
  ['GET', '/cong-khai/:commune/ban-tin/:id/am-thanh',         'p p p p p p p p p p p p p p p p', async () => ({ url: `/cong-khai/khong-co-xa/ban-tin/${randomUUID()}/am-thanh` })],
  ['GET', '/cong-khai/:commune/khao-sat/:id',                 'p p p p p p p p p p p p p p p p', async () => ({ url: `/cong-khai/khong-co-xa/khao-sat/${randomUUID()}` })],
  ['GET', '/cong-khai/:commune/tra-cuu',                      'p p p p p p p p p p p p p p p p', async () => ({ url: '/cong-khai/khong-co-xa/tra-cuu?ma=PA-2026-1' })],
  ['POST', '/admin/dang-xuat',                                'p p p p p p p p p p p p p p p p', async () => ({ url: '/admin/dang-xuat', body: {} })],
  ['GET', '/admin/doi-mat-khau',                              'o o o o o o o o o o o o l l l l', async () => ({ url: '/admin/doi-mat-khau' })],
  ['POST', '/admin/doi-mat-khau',                             'o o o o o o o o o o o o l l l l', async () => ({ url: '/admin/doi-mat-khau', body: { current: 'x', next: 'Mot-mat-khau-moi-2026', confirm: 'khac' } })],
  ['POST', '/admin/doi-mat-khau/phien/:id/ket-thuc',           'o m m m m m m m m m m m l l l l', async () => ({ url: `/admin/doi-mat-khau/phien/${await extraSessionOfAdmin()}/ket-thuc`, body: {} }), "one of the matrix's admin's own sessions: nobody else's"],
  ['GET', '/admin/tong-quan',                                 'o o o o o o o o o o o o l l l l', async () => ({ url: '/admin/tong-quan' })],
  ['POST', '/admin/thong-bao/:id/da-xem',                     'o m m m m m m m m m m m l l l l', async () => ({ url: `/admin/thong-bao/${shared.notice}/da-xem`, body: {} }), "a notice of the matrix's admin: nobody else's"],
  ['GET', '/admin/phan-anh',                                  'o o o o o o o o o o o o l l l l', async () => ({ url: '/admin/phan-anh?q=den' })],
  ['GET', '/admin/phan-anh/:code',                            'o o o o o o o o o m m m l l l l', async () => ({ url: `/admin/phan-anh/${shared.ticket}` })],
  ['GET', '/admin/phan-anh/:code',                            'm m m m m m m m m m m m l l l l', async () => ({ url: `/admin/phan-anh/${shared.denunciation}` }), 'a denunciation: only the leader, its assignee, designated staff'],
  ['POST', '/admin/phan-anh/:code/:verb',                     'o d d o d d d d d m m m l l l l', async () => ({ url: `/admin/phan-anh/${await ticket()}/tra-loi`, body: { answer: 'Xã đã cho người sửa đèn.' } })],
  ['POST', '/admin/phan-anh/:code/:verb',                     'o d d d d d d d d m m m l l l l', async () => ({ url: `/admin/phan-anh/${await ticket()}/giao`, body: { assigneeId: demo.diachinh! } }), 'giao: leader or admin'],
  ['POST', '/admin/phan-anh/:code/:verb',                     'o d d o d d d d d m m m l l l l', async () => ({ url: `/admin/phan-anh/${await ticket()}/chuyen`, body: { category: 'Y_TE' } })],
  ['POST', '/admin/phan-anh/:code/:verb',                     'o d d o d d d d d m m m l l l l', async () => ({ url: `/admin/phan-anh/${await ticket()}/gop`, body: { into: await ticket() } })],
  ['POST', '/admin/phan-anh/:code/:verb',                     'o d d o d d d d d m m m l l l l', async () => ({ url: `/admin/phan-anh/${await ticket()}/dong`, body: {} })],
  ['POST', '/admin/phan-anh/:code/:verb',                     'o d d o d d d d d m m m l l l l', async () => ({ url: `/admin/phan-anh/${await ticket({ status: 'answered', answered: true })}/hoi-dap`, body: {} })],
  ['POST', '/admin/phan-anh/:code/:verb',                     'm m m m m m m m m m m m l l l l', async () => ({ url: `/admin/phan-anh/${await ticket({ confidential: true })}/tra-loi`, body: { answer: 'Trả lời' } }), 'a denunciation'],
  ['GET', '/admin/ban-tin',                                   'o o o o o o o o o o o o l l l l', async () => ({ url: '/admin/ban-tin' })],
  ['GET', '/admin/ban-tin/moi',                               'o o o d d d d d d d o o l l l l', async () => ({ url: '/admin/ban-tin/moi' })],
  ['GET', '/admin/ban-tin/dan-hoi',                           'o o d d d d d d d d o o l l l l', async () => ({ url: '/admin/ban-tin/dan-hoi' })],
  ['POST', '/admin/ban-tin/dan-hoi',                          'o o d d d d d d d d m m l l l l', async () => ({ url: '/admin/ban-tin/dan-hoi', body: { codes: await ticket({ status: 'answered', answered: true }) } })],
  ['POST', '/admin/ban-tin/moi',                              'o o d d d d d d d d o o l l l l', async () => ({ url: '/admin/ban-tin/moi', body: { title: `Thông báo ${unique()}`, text: 'Lịch tiêm phòng cho trẻ.', class: 'normal', reach: 'all' } })],
  ['GET', '/admin/ban-tin/:id',                               'o o o o o o o o o m m m l l l l', async () => ({ url: `/admin/ban-tin/${shared.bulletin}` })],
  ['POST', '/admin/ban-tin/:id/:verb',                        'o o d d d d d d d m m m l l l l', async () => ({ url: `/admin/ban-tin/${await bulletin('draft')}/gui-duyet`, body: {} })],
  ['POST', '/admin/ban-tin/:id/:verb',                        'o d o d d d d d d m m m l l l l', async () => ({ url: `/admin/ban-tin/${await bulletin('submitted')}/duyet`, body: {} })],
  ['POST', '/admin/ban-tin/:id/:verb',                        'o d o d d d d d d m m m l l l l', async () => ({ url: `/admin/ban-tin/${await bulletin('submitted')}/tra-lai`, body: { comment: 'Sửa giờ họp' } })],
  ['POST', '/admin/ban-tin/:id/:verb',                        'o o o d d d d d d m m m l l l l', async () => ({ url: `/admin/ban-tin/${await bulletin('draft')}/huy`, body: {} })],
  ['POST', '/admin/ban-tin/:id/:verb',                        'd d d d d d d d d m m m l l l l', async () => ({ url: `/admin/ban-tin/${await provinceCopy()}/huy`, body: {} }), "a province copy: the province withdraws it, the commune cannot cancel it"],
  ['POST', '/admin/ban-tin/:id/:verb',                        'o o d d d d d d d m m m l l l l', async () => ({ url: `/admin/ban-tin/${await bulletin('draft')}/sua`, body: { title: 'Tiêu đề mới', text: 'Nội dung mới.' } })],
  ['POST', '/admin/ban-tin/:id/:verb',                        'o o o d d d d d d m m m l l l l', async () => ({ url: `/admin/ban-tin/${await bulletin('approved')}/len-lich`, body: { kind: 'once', runAt: inThreeDays().local } })],
  ['POST', '/admin/ban-tin/:id/:verb',                        'o d o d d d d d d m m m l l l l', async () => ({ url: `/admin/ban-tin/${await bulletin('approved')}/phat-ngay`, body: {} })],
  ['GET', '/admin/lich-phat',                                 'o o o o o o o o o o o o l l l l', async () => ({ url: '/admin/lich-phat' })],
  ['POST', '/admin/lich-phat/doi',                            'o o o d d d d d d m m m l l l l', async () => {
    const id = await bulletin('approved');
    const s = await scheduleBulletin(prisma, { staffId: demo.vanhoa! }, id, { kind: 'once', runAt: new Date(Date.now() + 2 * 86_400_000) });
    return { url: '/admin/lich-phat/doi', body: { scheduleId: s.id, runAt: inThreeDays().local } };
  }],
  ['GET', '/admin/cum-loa',                                   'o o o o o o o o o o o o l l l l', async () => ({ url: '/admin/cum-loa' })],
  ['GET', '/admin/cum-loa/loa/moi',                           'o d d d d d d d d d o o l l l l', async () => ({ url: '/admin/cum-loa/loa/moi' })],
  ['GET', '/admin/cum-loa/loa/:id',                           'o d d d d d d d d d m m l l l l', async () => ({ url: `/admin/cum-loa/loa/${shared.endpoint}` })],
  ['POST', '/admin/cum-loa/loa/:id',                          'o d d d d d d d d d m m l l l l', async () => ({ url: `/admin/cum-loa/loa/${shared.endpoint}`, body: { name: 'Cụm loa thôn 1', volume: '60' } })],
  // Empty/malformed fields: the admin reaches the form's own refusal (400) before any platform call.
  ['POST', '/admin/cum-loa/tai-khoan',                        'o d d d d d d d d d o o l l l l', async () => ({ url: '/admin/cum-loa/tai-khoan', body: { platform: 'zalo-bot', token: 'khong-phai-ma' } })],
  ['POST', '/admin/cum-loa/tai-khoan/:id/go',                 'o d d d d d d d d d m m l l l l', async () => ({ url: `/admin/cum-loa/tai-khoan/${(await prisma.channelAccount.create({ data: { communeId, platform: 'zalo_bot', name: `zb-${unique()}`, status: 'connected' } })).id}/go`, body: {} })],
  ['POST', '/admin/cum-loa/zalo-oa',                          'o d d d d d d d d d o o l l l l', async () => ({ url: '/admin/cum-loa/zalo-oa', body: { account: 'oa-xa', appId: 'abc', appSecret: 'x', oaSecret: 'y' } })],
  ['POST', '/admin/cum-loa/tai-khoan/:id/nhom-quan-tri',       'o d d d d d d d d d m m l l l l', async () => ({ url: `/admin/cum-loa/tai-khoan/${(await prisma.channelAccount.create({ data: { communeId, platform: 'telegram', name: `tg-${unique()}`, status: 'connected', credentialsEnc: 'v1:khong-mo-duoc' } })).id}/nhom-quan-tri`, body: { adminChatId: '-1009990001' } })],
  ['POST', '/admin/cum-loa/zalo-oa/:id/han-muc',               'o d d d d d d d d d m m l l l l', async () => ({ url: `/admin/cum-loa/zalo-oa/${(await prisma.channelAccount.create({ data: { communeId, platform: 'zalo_oa', name: `oa-${unique()}`, status: 'connected' } })).id}/han-muc`, body: { monthlyLimit: '2000' } })],
  ['POST', '/admin/cum-loa/zalo-oa/:id/nhan',                  'o d d d d d d d d d m m l l l l', async () => ({ url: `/admin/cum-loa/zalo-oa/${(await prisma.channelAccount.create({ data: { communeId, platform: 'zalo_oa', name: `oa-${unique()}`, status: 'connected' } })).id}/nhan`, body: { tag: 'thon-1', villageId: (await prisma.village.findFirstOrThrow({ where: { communeId } })).id } })],
  ['GET', '/admin/cum-loa/nhom/:id',                          'o d d d d d d d d d m m l l l l', async () => ({ url: `/admin/cum-loa/nhom/${shared.target}` })],
  ['POST', '/admin/cum-loa/nhom/:id',                         'o d d d d d d d d d m m l l l l', async () => ({ url: `/admin/cum-loa/nhom/${shared.target}`, body: { name: 'Nhóm thôn 1' } })],
  ['GET', '/admin/can-bo',                                    'o d d d d d d d d d o o l l l l', async () => ({ url: '/admin/can-bo' })],
  ['POST', '/admin/can-bo/moi',                               'o d d d d d d d d d o o l l l l', async () => ({ url: '/admin/can-bo/moi', body: { username: `cb${unique()}`, displayName: 'Cán bộ mới', roles: 'responder' } })],
  ['GET', '/admin/can-bo/:id',                                'o d d d d d d d d d m m l l l l', async () => ({ url: `/admin/can-bo/${shared.staff}` })],
  ['POST', '/admin/can-bo/:id/:verb',                         'o d d d d d d d d d m m l l l l', async () => ({ url: `/admin/can-bo/${await staffMember()}/sua`, body: { displayName: 'Tên mới', roles: 'responder', active: '1' } })],
  ['POST', '/admin/can-bo/:id/:verb',                         'o d d d d d d d d d m m l l l l', async () => ({ url: `/admin/can-bo/${await staffMember()}/dat-lai-mat-khau`, body: {} })],
  ['POST', '/admin/phan-cong',                                'o d d d d d d d d d m m l l l l', async () => ({ url: '/admin/phan-cong', body: { staffId: await staffMember(), categoryId: shared.category! } })],
  ['GET', '/admin/bao-cao',                                   'o o o o o o o o o o o o l l l l', async () => ({ url: '/admin/bao-cao' })],
  // Surveys: staff of the commune build (editor) and approve (approver); province staff read.
  ['GET', '/admin/khao-sat',                                  'o o o o o o o o o o o o l l l l', async () => ({ url: '/admin/khao-sat' })],
  ['POST', '/admin/khao-sat/moi',                             'o o d d d d d d d d o o l l l l', async () => ({ url: '/admin/khao-sat/moi', body: { title: `Khảo sát ${unique()}`, opensAt: '2030-01-01T08:00', closesAt: '2030-01-15T08:00' } })],
  ['GET', '/admin/khao-sat/:id',                              'o o o o o o o o o m m m l l l l', async () => ({ url: `/admin/khao-sat/${await survey('draft')}` })],
  ['POST', '/admin/khao-sat/:id/:verb',                       'o o d d d d d d d m m m l l l l', async () => ({ url: `/admin/khao-sat/${await survey('draft')}/gui-duyet`, body: {} })],
  ['POST', '/admin/khao-sat/:id/:verb',                       'o d o d d d d d d m m m l l l l', async () => ({ url: `/admin/khao-sat/${await survey('submitted')}/duyet`, body: {} })],
  ['GET', '/admin/khao-sat/:id/ket-qua.xlsx',                 'o o o o o o o o o m m m l l l l', async () => ({ url: `/admin/khao-sat/${await survey('draft')}/ket-qua.xlsx` })],
  ['GET', '/admin/khao-sat/bao-cao-nam.pdf',                  'o o o o o o o o o o o o l l l l', async () => ({ url: '/admin/khao-sat/bao-cao-nam.pdf?nam=2026' })],
  ['GET', '/admin/bao-cao/tai-ve.:ext',                       'o o o o o o o o o o o o l l l l', async () => ({ url: '/admin/bao-cao/tai-ve.csv' })],
  ['GET', '/admin/nhat-ky',                                   'o d d d d d d d d d o o l l l l', async () => ({ url: '/admin/nhat-ky' })],
  // Toàn tỉnh: province staff (any role) read their own province — B's viewer sees B's; commune staff 403.
  ['GET', '/admin/tinh',                                      'd d d d d o o o o o d d l l l l', async () => ({ url: '/admin/tinh?ky=quy-truoc&sap=hai-long' })],
  ['GET', '/admin/tinh/xep-hang.xlsx',                        'd d d d d o o o o o d d l l l l', async () => ({ url: '/admin/tinh/xep-hang.xlsx' })],
  ['GET', '/admin/tinh/xa/:code',                             'd d d d d o o o o m d d l l l l', async () => ({ url: '/admin/tinh/xa/demo' }), "commune A1: another province's staff find nothing"],
  ['GET', '/admin/tinh/xa/:code/kiem-tra',                    'd d d d d o o o o m d d l l l l', async () => ({ url: '/admin/tinh/xa/demo/kiem-tra' })],
  // Bản tin của tỉnh: province staff read their province's; its editor writes, its approver decides.
  ['GET', '/admin/tinh/ban-tin',                              'd d d d d o o o o o d d l l l l', async () => ({ url: '/admin/tinh/ban-tin' })],
  ['GET', '/admin/tinh/ban-tin/moi',                          'd d d d d d o d d d d d l l l l', async () => ({ url: '/admin/tinh/ban-tin/moi' })],
  ['POST', '/admin/tinh/ban-tin/moi',                         'd d d d d d o d d d d d l l l l', async () => ({ url: '/admin/tinh/ban-tin/moi', body: { title: `Tin tỉnh ${unique()}`, text: 'Phòng chống bão số 5.', class: 'normal', reach: 'all' } })],
  ['GET', '/admin/tinh/ban-tin/:id',                          'd d d d d o o o o m d d l l l l', async () => ({ url: `/admin/tinh/ban-tin/${await provinceBulletin('submitted')}` }), "province A's: another province's staff find nothing"],
  ['POST', '/admin/tinh/ban-tin/:id/:verb',                   'd d d d d d d o d m d d l l l l', async () => ({ url: `/admin/tinh/ban-tin/${await provinceBulletin('submitted')}/duyet`, body: {} })],
  ['POST', '/admin/tinh/ban-tin/:id/:verb',                   'd d d d d d d o d m d d l l l l', async () => ({ url: `/admin/tinh/ban-tin/${await provinceBulletin('submitted')}/tra-lai`, body: { comment: 'Sửa giờ' } })],
  ['POST', '/admin/tinh/ban-tin/:id/:verb',                   'd d d d d d d o d m d d l l l l', async () => ({ url: `/admin/tinh/ban-tin/${await provinceBulletin('approved')}/thu-hoi`, body: { confirm: '1' } })],
  // A commune's approver (or admin) declines a normal one for their own commune, from its pages.
  ['POST', '/admin/ban-tin/cua-tinh/:id/tu-choi',             'o d o d d d d d d d o m l l l l', async () => ({ url: `/admin/ban-tin/cua-tinh/${await provinceBulletin('approved')}/tu-choi`, body: { reason: 'Trùng lịch họp của xã' } }), "the admin of A2 declines for A2, its own commune's copy"],
  // Onboarding a commune: the province admin only.
  ['GET', '/admin/tinh/xa-moi',                               'd d d d d d d d o d d d l l l l', async () => ({ url: '/admin/tinh/xa-moi' })],
  ['POST', '/admin/tinh/xa-moi',                              'd d d d d d d d o d d d l l l l', async () => ({ url: '/admin/tinh/xa-moi', body: { code: `x${unique()}`, name: 'Xã Mới', villages: 'Thôn 1' } })],

  ['POST', '/api/v1/auth/login',                              'p p p p p p p p p p p p p p p p', async () => ({ url: '/api/v1/auth/login', body: { username: 'khongco', password: 'sai-mat-khau' } })],
  ['POST', '/api/v1/auth/password',                           'o o o o o o o o o o o o l d d d', async () => ({ url: '/api/v1/auth/password', body: { current: 'khong-dung', next: 'Mot-mat-khau-moi-2026' } })],
  ['POST', '/api/v1/auth/logout',                             'o o o o o o o o o o o o l o o o', async () => ({ url: '/api/v1/auth/logout', body: {} })],
  ['GET', '/api/v1/bulletins',                                'o o o o o o o o o o o o l o o o', async () => ({ url: '/api/v1/bulletins' })],
  ['POST', '/api/v1/bulletins',                               'o o d d d d d d d d o o l o o o', async () => ({ url: '/api/v1/bulletins', body: { title: `Tin ${unique()}`, text: 'Thông báo lịch cắt điện.' } })],
  ['POST', '/api/v1/bulletins/qa',                            'o o d d d d d d d d m m l d d d', async () => ({ url: '/api/v1/bulletins/qa', body: { tickets: [{ code: await ticket({ status: 'answered', answered: true }) }] } })],
  ['GET', '/api/v1/bulletins/:id',                            'o o o o o o o o o m m m l o o m', async () => ({ url: `/api/v1/bulletins/${shared.bulletin}` })],
  ['PATCH', '/api/v1/bulletins/:id',                          'o o d d d d d d d m m m l d d d', async () => ({ url: `/api/v1/bulletins/${await bulletin('draft')}`, body: { title: 'Tiêu đề sửa' } })],
  ['PUT', '/api/v1/bulletins/:id/audience',                   'o o o d d d d d d m m m l d d d', async () => ({ url: `/api/v1/bulletins/${await bulletin('draft')}/audience`, body: { all: true } })],
  ['POST', '/api/v1/bulletins/:id/submit',                    'o o d d d d d d d m m m l d d d', async () => ({ url: `/api/v1/bulletins/${await bulletin('draft')}/submit`, body: {} })],
  ['POST', '/api/v1/bulletins/:id/approve',                   'o d o d d d d d d m m m l d d d', async () => ({ url: `/api/v1/bulletins/${await bulletin('submitted')}/approve`, body: {} })],
  ['POST', '/api/v1/bulletins/:id/reject',                    'o d o d d d d d d m m m l d d d', async () => ({ url: `/api/v1/bulletins/${await bulletin('submitted')}/reject`, body: { comment: 'Chưa rõ giờ' } })],
  ['POST', '/api/v1/bulletins/:id/cancel',                    'o o o d d d d d d m m m l d d d', async () => ({ url: `/api/v1/bulletins/${await bulletin('draft')}/cancel`, body: {} })],
  ['POST', '/api/v1/bulletins/:id/cancel',                    'd d d d d d d d d m m m l d d d', async () => ({ url: `/api/v1/bulletins/${await provinceCopy()}/cancel`, body: {} }), 'a province copy'],
  ['POST', '/api/v1/bulletins/:id/schedules',                 'o o o d d d d d d m m m l d d d', async () => ({ url: `/api/v1/bulletins/${await bulletin('approved')}/schedules`, body: { kind: 'once', runAt: inThreeDays().iso } })],
  ['POST', '/api/v1/bulletins/:id/send-now',                  'o d o d d d d d d m m m l d d d', async () => ({ url: `/api/v1/bulletins/${await bulletin('approved')}/send-now`, body: {} })],
  ['GET', '/api/v1/bulletins/:id/report',                     'o o o o o o o o o m m m l o o m', async () => ({ url: `/api/v1/bulletins/${shared.bulletin}/report` })],
  ['PUT', '/api/v1/bulletins/:id/versions/:language/audio',   'o o d d d d d d d m m m l d d d', async () => ({ url: `/api/v1/bulletins/${await bulletin('draft')}/versions/bdq/audio`, raw: { type: 'audio/mpeg', data: randomBytes(2048) } })],
  ['POST', '/api/v1/bulletins/:id/versions/:language/preview', 'o o o d d d d d d m m m l d d d', async () => ({ url: `/api/v1/bulletins/${shared.bulletin}/versions/vi/preview`, body: {} }), 'rendering costs CPU: those who write or approve'],
  // Province bulletins: written by the province editor, approved or rejected by its approver; a
  // commune's approver (or admin) declines a normal one for their own commune only.
  ['GET', '/api/v1/province-bulletins',                       'o o o o o o o o o o o o l d d d', async () => ({ url: '/api/v1/province-bulletins' })],
  ['POST', '/api/v1/province-bulletins',                      'd d d d d d o d d d d d l d d d', async () => ({ url: '/api/v1/province-bulletins', body: { title: `Tin tỉnh ${unique()}`, text: 'Phòng chống bão số 5.' } })],
  ['POST', '/api/v1/province-bulletins/:id/approve',          'd d d d d d d o d d d d l d d d', async () => ({ url: `/api/v1/province-bulletins/${await provinceBulletin('submitted')}/approve`, body: {} })],
  ['POST', '/api/v1/province-bulletins/:id/reject',           'd d d d d d d o d d d d l d d d', async () => ({ url: `/api/v1/province-bulletins/${await provinceBulletin('submitted')}/reject`, body: { comment: 'Sửa giờ' } })],
  ['POST', '/api/v1/province-bulletins/:id/withdraw',         'd d d d d d d o d d d d l d d d', async () => ({ url: `/api/v1/province-bulletins/${await provinceBulletin('approved')}/withdraw`, body: {} })],
  ['PUT', '/api/v1/province-bulletins/:id/recordings/:language', 'd d d d d d o d d d d d l d d d', async () => ({ url: `/api/v1/province-bulletins/${await provinceBulletin('submitted')}/recordings/vi`, raw: { type: 'audio/mpeg', data: randomBytes(2048) } })],
  ['POST', '/api/v1/province-bulletins/:id/decline',          'o d o d d d d d d d o m l d d d', async () => ({ url: `/api/v1/province-bulletins/${await provinceBulletin('approved')}/decline`, body: { reason: 'Trùng lịch họp của xã' } }), "the admin of A2 declines for A2, its own commune's copy"],
  ['GET', '/api/v1/targets',                                  'o o o o o o o o o o o o l o o o', async () => ({ url: '/api/v1/targets' })],
  ['POST', '/api/v1/targets',                                 'o d d d d d d d d d o o l d d d', async () => ({ url: '/api/v1/targets', body: { channelAccountId: shared.zaloAccount!, chatId: `g:${unique()}`, name: 'Nhóm Zalo thôn 2' } }), 'another admin names an account of this commune: "not of your commune", as for a missing one'],
  ['PATCH', '/api/v1/targets/:id',                            'o d d d d d d d d d m m l d d d', async () => ({ url: `/api/v1/targets/${shared.target}`, body: { name: 'Nhóm thôn 1' } })],
  ['POST', '/api/v1/endpoints',                               'o d d d d d d d d d o o l d d d', async () => ({ url: '/api/v1/endpoints', body: { name: `Cụm ${unique()}`, protocol: 'loaxa_http', baseUrl: 'http://10.0.0.9:8080', secret: 'bi-mat-cum-loa-1' } })],
  ['PATCH', '/api/v1/endpoints/:id',                          'o d d d d d d d d d m m l d d d', async () => ({ url: `/api/v1/endpoints/${shared.endpoint}`, body: { name: 'Cụm loa thôn 1' } })],
  ['GET', '/api/v1/channel-accounts',                         'o d d d d d d d d d o o l d d d', async () => ({ url: '/api/v1/channel-accounts' })],
  ['PATCH', '/api/v1/channel-accounts/:id',                   'o d d d d d d d d d m m l d d d', async () => ({ url: `/api/v1/channel-accounts/${shared.zaloAccount}`, body: { pacing: { perHour: 30 } } })],
  ['GET', '/api/v1/channel-accounts/:id/groups',              'o d d d d d d d d d m m l d d d', async () => ({ url: `/api/v1/channel-accounts/${shared.zaloAccount}/groups` })],
  ['POST', '/api/v1/channel-accounts/zalo-login',             'o d d d d d d d d d o o l d d d', async () => ({ url: '/api/v1/channel-accounts/zalo-login', body: { account: 'zalo-xa' } })],
  ['GET', '/api/v1/channel-accounts/zalo-login/:id',          'o d d d d d d d d d m m l d d d', async () => ({ url: `/api/v1/channel-accounts/zalo-login/${shared.zaloLogin}` })],
  ['POST', '/api/v1/channel-accounts/zalo-oa/connect',        'o d d d d d d d d d o o l d d d', async () => ({ url: '/api/v1/channel-accounts/zalo-oa/connect', body: { account: `oa-${unique()}`, appId: '4318765432109876543', appSecret: 'app-secret-1234', oaSecret: 'oa-secret-1234' } })],
  // Zalo sends the OA admin's browser back here; the single-use state is the only proof (a junk one is refused).
  ['GET', '/zalo-oa/oauth/callback',                          'p p p p p p p p p p p p p p p p', async () => ({ url: '/zalo-oa/oauth/callback?code=c&state=s' })],
];

// Routes outside the matrix: not behind a staff sign-in at all (each has its own tests).
const OUTSIDE = /^\/(healthz|metrics|chat|media|radio|telegram)(\/|$)|^\/$/;

beforeAll(async () => {
  db = await openMigratedTestDatabase('route-matrix', 8);
  prisma = db.prisma;
  communeId = (await seedDemo(prisma, { password: 'MatKhauKiemThu2026' })).communeId;
  for (const s of await prisma.staff.findMany()) demo[s.username] = s.id;
  // One account per role, none the leader, none designated for a field.
  for (const role of ['admin', 'editor', 'approver', 'responder', 'viewer'] as const) {
    actor[role] = (await prisma.staff.create({ data: { communeId, username: `m-${role}`, displayName: `Ma trận ${role}`, roles: [role as StaffRole] } })).id;
  }
  const provinceA = (await prisma.commune.findUniqueOrThrow({ where: { id: communeId } })).provinceId!;
  actor.provViewer = demo.giamsat!;
  for (const role of ['editor', 'approver', 'admin'] as const) {
    const who = `prov${role[0]!.toUpperCase()}${role.slice(1)}` as Who;
    actor[who] = (await prisma.staff.create({ data: { username: `m-tinh-${role}`, displayName: `Tỉnh ${role}`, roles: [], provinceId: provinceA, provinceRoles: [role] } })).id;
  }
  const provinceB = await prisma.province.create({ data: { code: 'tinh-ben', name: 'Tỉnh Bên' } });
  actor.otherProvViewer = (await prisma.staff.create({ data: { username: 'm-tinh-ben', displayName: 'Sở tỉnh bên', roles: [], provinceId: provinceB.id, provinceRoles: ['viewer'] } })).id;
  const sameProvince = await prisma.commune.create({ data: { name: 'Xã Cùng Tỉnh', code: '99978', provinceId: provinceA } });
  actor.sameProvAdmin = (await prisma.staff.create({ data: { communeId: sameProvince.id, username: 'm-a2-admin', displayName: 'Quản trị xã cùng tỉnh', roles: ['admin'] } })).id;
  const other = await prisma.commune.create({ data: { name: 'Xã Bên Cạnh', code: '99977', provinceId: provinceB.id } });
  marked.A1 = communeId;
  marked.A2 = sameProvince.id;
  marked.B = other.id;
  actor.other = (await prisma.staff.create({ data: { communeId: other.id, username: 'm-other-admin', displayName: 'Quản trị xã bên', roles: ['admin'] } })).id;
  keys.apikey = (await createApiKey(prisma, { communeId, name: 'Nguồn của xã' })).key;
  keys.provKey = (await createApiKey(prisma, { communeId: sameProvince.id, name: 'Tỉnh', province: true })).key;
  keys.otherKey = (await createApiKey(prisma, { communeId: other.id, name: 'Xã bên' })).key;

  shared.ticket = await ticket();
  shared.denunciation = await ticket({ confidential: true });
  shared.bulletin = await bulletin('approved');
  shared.endpoint = (await prisma.endpoint.findFirstOrThrow({ where: { communeId } })).id;
  shared.target = (await prisma.target.findFirstOrThrow({ where: { communeId } })).id;
  shared.staff = demo.diachinh!;
  shared.category = (await prisma.category.findUniqueOrThrow({ where: { code: 'NONG_NGHIEP' } })).id;
  shared.notice = (await prisma.staffNotice.create({ data: { communeId, staffId: actor.admin!, kind: 'test', text: 'Thông báo thử' } })).id;
  shared.zaloAccount = (await prisma.channelAccount.create({ data: { communeId, platform: 'zalo', name: 'zalo-xa', status: 'logged_out' } })).id;

  dataDir = mkdtempSync(join(tmpdir(), 'loaxa-matrix-'));
  const enqueue = async () => 'job';
  const fakePipeline = { inspect: async () => ({ durationMs: 1000, inputI: -16, inputTp: -2, warnings: [] }) } as unknown as AudioPipeline;
  app = await buildApp({
    log: silentLogger,
    db: { kind: 'postgres', label: 'test', prisma } as unknown as Database,
    health: new HealthRegistry(),
    queueDepths: async () => ({}),
    onRoute: (r) => {
      for (const m of ([] as string[]).concat(r.method)) if (m !== 'HEAD' && !OUTSIDE.test(r.url)) routes.add(`${m} ${r.url}`);
    },
    admin: { prisma, secureCookies: false, enqueue, cancelJob: async () => true, encryptionKey: randomBytes(32) },
    api: {
      prisma,
      enqueue,
      secureCookies: false,
      encryptionKey: randomBytes(32),
      audio: { pipeline: fakePipeline, render: async () => ({ sha256: 'a'.repeat(64), durationMs: 1000 }), signer: createMediaLinkSigner(randomBytes(32)), dataDir, maxUploadBytes: 1024 * 1024 },
      // A QR login that never completes: the attempt stays open, as while the admin looks for a phone.
      zaloQrLogin: (events) => {
        events.qr('iVBORw0KGgo=');
        return new Promise(() => undefined);
      },
      zaloOa: { oauthRoot: 'http://127.0.0.1:9', publicBaseUrl: 'https://loa.example.vn' },
    },
  });
  const s = await sessionFor(prisma, actor.admin!);
  const started = await app.inject({ method: 'POST', url: '/api/v1/channel-accounts/zalo-login', headers: { authorization: `Bearer ${s.token}` }, payload: { account: 'zalo-xa' } });
  shared.zaloLogin = (started.json() as { id: string }).id;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function outcomeOf(status: number, location: string | undefined): Outcome | 'error' {
  if (status >= 500) return 'error';
  if (status === 401 || ((status === 302 || status === 303) && location?.startsWith('/admin/dang-nhap'))) return 'l';
  if (status === 403) return 'd';
  if (status === 404) return 'm';
  return 'o';
}

async function attempt(who: Who, method: string, req: Req): Promise<{ outcome: Outcome | 'error'; status: number }> {
  const headers: Record<string, string> = {};
  const api = req.url.startsWith('/api/');
  const session = who === 'anon' || keys[who] ? undefined : await sessionFor(prisma, actor[who]!);
  if (session && api) headers.authorization = `Bearer ${session.token}`;
  if (session && !api) headers.cookie = session.cookie;
  if (keys[who]) headers['x-api-key'] = keys[who];
  let payload: string | Buffer | undefined;
  if (req.raw) {
    headers['content-type'] = req.raw.type;
    payload = req.raw.data;
  } else if (req.body && api) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(req.body);
  } else if (req.body) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = form(session, req.body as Record<string, string>);
  }
  const r = await app.inject({ method: method as 'GET', url: req.url, headers, ...(payload !== undefined ? { payload } : {}) });
  return { outcome: outcomeOf(r.statusCode, r.headers.location as string | undefined), status: r.statusCode };
}

describe('role × route × commune matrix', () => {
  it('has one entry for every registered route of the web admin and the API, and none for a route that is gone', () => {
    const covered = new Set(MATRIX.map(([m, r]) => `${m} ${r}`));
    expect([...routes].filter((r) => !covered.has(r)).sort()).toEqual([]);
    expect([...covered].filter((r) => !routes.has(r)).sort()).toEqual([]);
    for (const [, , expected] of MATRIX) expect(expected.split(/\s+/)).toHaveLength(WHO.length);
  });

  it('gives every role, province staff of this and another province, other communes, anonymous callers and API keys the outcome of the table', async () => {
    const wrong: string[] = [];
    for (const [method, route, expected, build, note] of MATRIX) {
      const want = expected.split(/\s+/) as Outcome[];
      for (const [i, who] of WHO.entries()) {
        const req = await build();
        const got = await attempt(who, method, req);
        const ok = want[i] === 'p' ? got.outcome !== 'error' : got.outcome === want[i];
        if (!ok) wrong.push(`${method} ${req.url} (${route}${note ? `; ${note}` : ''}) as ${who}: expected ${want[i]}, got ${got.outcome} (${got.status})`);
      }
    }
    expect(wrong).toEqual([]);
  }, 600_000);

  it('lists show each reader only the communes it may read: its own, or its province\'s; never another province\'s', async () => {
    let n = 0;
    for (const [name, id] of Object.entries(marked)) {
      n += 1;
      await prisma.bulletin.create({ data: { communeId: id, title: `Bản tin dấu-${name}` } });
      await prisma.village.create({ data: { communeId: id, name: `Thôn dấu-${name}` } });
      const resident = await prisma.resident.create({ data: { communeId: id } });
      await prisma.ticket.create({ data: { code: `DX-2026-${70000 + n}`, communeId: id, year: 2026, seq: 70000 + n, residentId: resident.id, channel: 'telegram', subject: `Phiếu dấu-${name}` } });
    }
    const seen = async (who: Who, url: string) => {
      const api = url.startsWith('/api/');
      const headers: Record<string, string> = {};
      if (keys[who]) headers['x-api-key'] = keys[who];
      else {
        const s = await sessionFor(prisma, actor[who]!);
        headers[api ? 'authorization' : 'cookie'] = api ? `Bearer ${s.token}` : s.cookie;
      }
      const r = await app.inject({ method: 'GET', url, headers });
      expect(r.statusCode, `${who} ${url}`).toBe(200);
      return Object.keys(marked).filter((name) => r.body.includes(`dấu-${name}`) || r.body.includes(`d\\u1ea5u-${name}`)).sort();
    };
    const lists = (xa: string) => [
      '/admin/ban-tin',
      `/admin/phan-anh?xa=${xa}`,
      `/admin/tong-quan?xa=${xa}`,
      `/admin/lich-phat?xa=${xa}`,
      `/admin/bao-cao?xa=${xa}`,
      '/api/v1/bulletins',
      '/api/v1/targets',
    ];
    const wrong: string[] = [];
    const expectOnly = async (who: Who, readable: string[]) => {
      // Asking for a commune it may not read (?xa=) shows one it may, never that one.
      for (const name of Object.keys(marked)) {
        for (const url of lists(marked[name]!)) {
          const got = await seen(who, url);
          const stray = got.filter((g) => !readable.includes(g));
          if (stray.length) wrong.push(`${who} ${url}: sees ${stray.join(', ')}`);
        }
      }
      // The lists of every commune together show all it may read.
      const all = new Set<string>();
      for (const name of readable) for (const url of ['/admin/ban-tin', `/admin/phan-anh?xa=${marked[name]}`, '/api/v1/bulletins']) for (const g of await seen(who, url)) all.add(g);
      if ([...all].sort().join() !== [...readable].sort().join()) wrong.push(`${who}: reads ${[...all].sort().join(', ')} instead of ${readable.join(', ')}`);
    };
    for (const who of ['admin', 'viewer'] as const) await expectOnly(who, ['A1']);
    for (const who of ['provViewer', 'provEditor', 'provApprover', 'provAdmin'] as const) await expectOnly(who, ['A1', 'A2']);
    await expectOnly('otherProvViewer', ['B']);
    await expectOnly('sameProvAdmin', ['A2']);
    await expectOnly('other', ['B']);
    for (const [who, readable] of [['apikey', ['A1']], ['provKey', ['A1', 'A2']], ['otherKey', ['B']]] as const) {
      for (const url of ['/api/v1/bulletins', '/api/v1/targets']) {
        const got = await seen(who, url);
        if (got.join() !== [...readable].join()) wrong.push(`${who} ${url}: sees ${got.join(', ')} instead of ${readable.join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 300_000);
});
