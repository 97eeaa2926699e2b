// The demo province's communes as data: villages, staff, who answers which field, groups and
// loudspeakers, and how well each does (so the province ranking has a first and a last). The first
// one is the demo commune tests seed on its own; `npm start` seeds all three.
import type { StaffRole } from '../db/generated/client.ts';
import type { DemoProfile } from './demo-history.ts';

export interface StaffSeed {
  username: string;
  displayName: string;
  title: string;
  roles: StaffRole[];
  isLeader?: boolean;
  /** Province staff (no commune): reads every commune of the demo province. */
  oversight?: boolean;
}

export interface DemoCommuneSpec {
  code: string;
  name: string;
  ticketCodePrefix: string;
  villages: string[];
  staff: StaffSeed[];
  /** field → who answers it; an array of [username, villages] splits a field by village. */
  assignments: Record<string, Array<[string, string[] | 'all']>>;
  targets: Array<{ kind: 'telegram_chat' | 'zalo_group'; name: string; village?: string }>;
  endpoints: Array<{ name: string; path: string; village: string }>;
  profile: DemoProfile;
}

export const DEMO_COMMUNE_CODE = 'demo';
// The demo communes belong to this province.
export const DEMO_PROVINCE_CODE = 'demo-tinh';

const MAIN: DemoCommuneSpec = {
  code: DEMO_COMMUNE_CODE,
  name: 'Xã Hòa Bình (dữ liệu mẫu)',
  ticketCodePrefix: 'PA',
  villages: ['Thôn 1', 'Thôn 2', 'Thôn 3', 'Thôn 4', 'Thôn 5', 'Thôn 6', 'Thôn 7'],
  staff: [
    { username: 'quantri', displayName: 'Nguyễn Văn Quản', title: 'Quản trị hệ thống', roles: ['admin'] },
    { username: 'vanhoa', displayName: 'Trần Thị Hoa', title: 'Công chức Văn hóa – Thông tin', roles: ['editor'] },
    { username: 'chutich', displayName: 'Lê Văn Minh', title: 'Chủ tịch UBND xã', roles: ['approver'], isLeader: true },
    { username: 'phochutich', displayName: 'Phạm Thị Lan', title: 'Phó Chủ tịch UBND xã', roles: ['approver', 'responder'] },
    { username: 'diachinh', displayName: 'Hoàng Văn Đất', title: 'Công chức Địa chính – Xây dựng', roles: ['responder'] },
    { username: 'giaothong', displayName: 'Đỗ Văn Cầu', title: 'Cán bộ Giao thông – Thủy lợi', roles: ['responder'] },
    { username: 'congan', displayName: 'Vũ Văn An', title: 'Trưởng Công an xã', roles: ['responder'] },
    { username: 'yte', displayName: 'Bùi Thị Thu', title: 'Trạm trưởng Trạm Y tế', roles: ['responder'] },
    { username: 'laodong', displayName: 'Ngô Thị Bình', title: 'Công chức Văn hóa – Xã hội (LĐ-TB&XH)', roles: ['responder'] },
    { username: 'tuphap', displayName: 'Đặng Văn Luật', title: 'Công chức Tư pháp – Hộ tịch', roles: ['responder'] },
    { username: 'giamsat', displayName: 'Sở Văn hóa, Thể thao và Du lịch tỉnh Mẫu', title: 'Giám sát cấp tỉnh', roles: ['viewer'], oversight: true },
  ],
  assignments: {
    DAT_DAI: [['diachinh', 'all']],
    MOI_TRUONG: [['diachinh', 'all']],
    HA_TANG: [
      ['giaothong', ['Thôn 1', 'Thôn 2', 'Thôn 3', 'Thôn 4']],
      ['diachinh', ['Thôn 5', 'Thôn 6', 'Thôn 7']],
    ],
    NONG_NGHIEP: [['giaothong', 'all']],
    AN_NINH: [['congan', 'all']],
    Y_TE: [['yte', 'all']],
    CHINH_SACH: [['laodong', 'all']],
    GIAO_DUC: [['laodong', 'all']],
    HANH_CHINH: [['tuphap', 'all']],
    KHIEU_NAI_TO_CAO: [['phochutich', 'all']],
    // KHAC has no assignment on purpose: it goes to the commune's general inbox (the leader).
  },
  targets: [
    { kind: 'telegram_chat', name: 'Kênh Telegram UBND xã' },
    { kind: 'telegram_chat', name: 'Nhóm Telegram Thôn 1', village: 'Thôn 1' },
    { kind: 'zalo_group', name: 'Nhóm Zalo Thôn 3', village: 'Thôn 3' },
    { kind: 'zalo_group', name: 'Nhóm Zalo Hội Nông dân xã' },
  ],
  endpoints: [
    { name: 'Cụm loa Trung tâm xã', path: 'trung-tam', village: 'Thôn 1' },
    { name: 'Cụm loa Thôn 4', path: 'thon-4', village: 'Thôn 4' },
  ],
  profile: { tickets: 140, answered: 0.93, onTime: 0.88, satisfied: 0.82, speakersOnline: 1 },
};

/** A smaller commune: admin, editor, leader and two cadres sharing the fields. */
function smallCommune(p: { code: string; name: string; prefix: string; suffix: string; villages: string[]; people: [string, string, string, string, string]; profile: DemoProfile }): DemoCommuneSpec {
  const u = (name: string) => `${name}.${p.suffix}`;
  const [admin, editor, leader, first, second] = p.people;
  return {
    code: p.code,
    name: p.name,
    ticketCodePrefix: p.prefix,
    villages: p.villages,
    staff: [
      { username: u('quantri'), displayName: admin, title: 'Quản trị hệ thống', roles: ['admin'] },
      { username: u('vanhoa'), displayName: editor, title: 'Công chức Văn hóa – Thông tin', roles: ['editor'] },
      { username: u('chutich'), displayName: leader, title: 'Chủ tịch UBND xã', roles: ['approver', 'responder'], isLeader: true },
      { username: u('diachinh'), displayName: first, title: 'Công chức Địa chính – Xây dựng', roles: ['responder'] },
      { username: u('vanhoaxahoi'), displayName: second, title: 'Công chức Văn hóa – Xã hội', roles: ['responder'] },
    ],
    assignments: {
      DAT_DAI: [[u('diachinh'), 'all']],
      MOI_TRUONG: [[u('diachinh'), 'all']],
      HA_TANG: [[u('diachinh'), 'all']],
      NONG_NGHIEP: [[u('diachinh'), 'all']],
      AN_NINH: [[u('chutich'), 'all']],
      Y_TE: [[u('vanhoaxahoi'), 'all']],
      CHINH_SACH: [[u('vanhoaxahoi'), 'all']],
      GIAO_DUC: [[u('vanhoaxahoi'), 'all']],
      HANH_CHINH: [[u('vanhoaxahoi'), 'all']],
      KHIEU_NAI_TO_CAO: [[u('chutich'), 'all']],
    },
    targets: [
      { kind: 'telegram_chat', name: 'Kênh Telegram UBND xã' },
      { kind: 'zalo_group', name: `Nhóm Zalo ${p.villages[0]}`, village: p.villages[0]! },
    ],
    endpoints: p.villages.slice(0, 3).map((v, i) => ({ name: `Cụm loa ${v}`, path: `${p.suffix}-${i + 1}`, village: v })),
    profile: p.profile,
  };
}

export const DEMO_COMMUNES: DemoCommuneSpec[] = [
  MAIN,
  smallCommune({
    code: 'demo-tan-lap', name: 'Xã Tân Lập (dữ liệu mẫu)', prefix: 'TL', suffix: 'tanlap',
    villages: ['Thôn Đồng Tâm', 'Thôn Tân Tiến', 'Thôn Bãi Sậy', 'Thôn Cao Phong'],
    people: ['Lý Văn Toàn', 'Mai Thị Duyên', 'Chu Văn Khải', 'Triệu Văn Sơn', 'Hà Thị Mai'],
    profile: { tickets: 95, answered: 0.8, onTime: 0.7, satisfied: 0.68, speakersOnline: 2 / 3 },
  }),
  smallCommune({
    code: 'demo-an-phu', name: 'Xã An Phú (dữ liệu mẫu)', prefix: 'AP', suffix: 'anphu',
    villages: ['Ấp An Thạnh', 'Ấp Phú Hòa', 'Ấp Mỹ Lợi'],
    people: ['Tô Văn Phúc', 'Đinh Thị Ngọc', 'Lâm Văn Hậu', 'Quách Văn Lực', 'Kiều Thị Yến'],
    profile: { tickets: 70, answered: 0.62, onTime: 0.55, satisfied: 0.5, speakersOnline: 1 / 3 },
  }),
];

/** The province admin of the demo: onboards communes from the web admin. */
export const DEMO_PROVINCE_ADMIN: StaffSeed = { username: 'quantritinh', displayName: 'Văn phòng UBND tỉnh Mẫu', title: 'Quản trị cấp tỉnh', roles: [] };
