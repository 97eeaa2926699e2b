// The lists an admin pastes or uploads when onboarding a commune: villages (with the other names
// residents use) and staff. Parsed strictly, every problem named with its line, so nothing is
// created from a list that was half understood.
import { AppError } from '../errors.ts';
import { foldVietnamese } from '../text/fold-vietnamese.ts';
import { ROLES } from '../staff/staff-admin.ts';
import type { StaffRole } from '../db/generated/enums.ts';

/** A pasted list bigger than this is a wrong file, not a commune (≈ 2,000 villages of 100 chars). */
export const MAX_LIST_BYTES = 200_000;
export const MAX_VILLAGES = 500;
export const MAX_STAFF = 300;
const USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;

export interface VillageRow {
  name: string;
  aliases: string[];
}

export interface StaffRow {
  username: string;
  displayName: string;
  roles: StaffRole[];
  title: string | null;
  phone: string | null;
  isLeader: boolean;
}

function invalid(what: string, message: string, line?: number): never {
  throw new AppError('VALIDATION', line ? `${what}, dòng ${line}: ${message}` : `${what}: ${message}`, { field: what === 'Danh sách thôn' ? 'villages' : 'staff', ...(line ? { line } : {}) });
}

/** RFC 4180 records (quotes, doubled quotes, commas and newlines inside quotes) with their first line number. */
export function parseCsv(text: string, what: string): { line: number; cells: string[] }[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_LIST_BYTES) invalid(what, `quá lớn (tối đa ${MAX_LIST_BYTES / 1000} KB).`);
  const src = text.replace(/^\uFEFF/, '').normalize('NFC');
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let wasQuoted = false;
  const endRecord = () => {
    cells.push(wasQuoted ? cell : cell.trim());
    if (cells.some((c) => c.trim() !== '')) out.push({ line: start, cells });
    cells = [];
    cell = '';
    wasQuoted = false;
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
        // After a closing quote only a separator or the end of the record may follow.
        const next = src[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') invalid(what, 'có ký tự sau dấu ngoặc kép đóng.', line);
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (cell.trim() !== '') invalid(what, 'dấu ngoặc kép ở giữa ô.', line);
      cell = '';
      quoted = true;
      wasQuoted = true;
    } else if (ch === ',') {
      cells.push(wasQuoted ? cell : cell.trim());
      cell = '';
      wasQuoted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else cell += ch;
  }
  if (quoted) invalid(what, 'dấu ngoặc kép chưa đóng.', start);
  endRecord();
  return out;
}

const splitList = (s: string | undefined) => (s ?? '').split(/[;|]/).map((x) => x.trim()).filter(Boolean);
const isHeader = (cells: string[], words: string[]) => words.includes(foldVietnamese(cells[0] ?? ''));

/**
 * One village a line: `Thôn Bãi` or `Thôn Bãi, xóm Bãi; đội 5` (the other names after a comma,
 * separated by ; or |). A header line ("tên thôn, tên khác") is skipped. Two villages, or a village
 * and another's other name, that read the same without diacritics are refused: a resident writing
 * that name could not be routed.
 */
export function parseVillages(text: string): VillageRow[] {
  const what = 'Danh sách thôn';
  const rows = parseCsv(text, what);
  if (rows[0] && isHeader(rows[0].cells, ['ten thon', 'ten', 'thon', 'name', 'village'])) rows.shift();
  if (!rows.length) invalid(what, 'chưa có thôn nào.');
  if (rows.length > MAX_VILLAGES) invalid(what, `quá nhiều thôn (${rows.length}, tối đa ${MAX_VILLAGES}).`);
  const seen = new Map<string, { line: number; name: string }>();
  const out: VillageRow[] = [];
  for (const r of rows) {
    if (r.cells.length > 2) invalid(what, 'mỗi dòng chỉ có tên thôn và các tên khác (cách nhau bằng dấu ;), không quá 2 cột.', r.line);
    const name = r.cells[0]!.trim().replace(/\s+/g, ' ');
    if (!name) invalid(what, 'thiếu tên thôn.', r.line);
    if (name.length > 100) invalid(what, 'tên thôn quá 100 ký tự.', r.line);
    const aliases = [...new Set(splitList(r.cells[1]).map((a) => a.replace(/\s+/g, ' ')))];
    for (const a of aliases) if (a.length > 100) invalid(what, `tên khác "${a.slice(0, 20)}…" quá 100 ký tự.`, r.line);
    for (const n of [name, ...aliases]) {
      const key = foldVietnamese(n);
      if (!key) invalid(what, `"${n}" không có chữ hoặc số.`, r.line);
      const before = seen.get(key);
      if (before && before.line === r.line) continue;
      if (before) invalid(what, `"${n}" trùng với "${before.name}" ở dòng ${before.line}.`, r.line);
      seen.set(key, { line: r.line, name: n });
    }
    out.push({ name, aliases: aliases.filter((a) => foldVietnamese(a) !== foldVietnamese(name)) });
  }
  return out;
}

const STAFF_COLUMNS = ['ten dang nhap', 'ho ten', 'vai tro', 'chuc vu', 'dien thoai', 'truong'] as const;

/**
 * Staff CSV with a header: `tên đăng nhập, họ tên, vai trò, chức vụ, điện thoại, trưởng` — roles
 * separated by ; (admin, editor, approver, responder, viewer), "trưởng" = x for the commune leader.
 * The first three columns are required.
 */
export function parseStaff(text: string): StaffRow[] {
  const what = 'Danh sách cán bộ';
  const rows = parseCsv(text, what);
  const header = rows.shift();
  if (!header) return [];
  const cols = header.cells.map((c) => foldVietnamese(c));
  const index = new Map<string, number>();
  cols.forEach((c, i) => {
    if (!(STAFF_COLUMNS as readonly string[]).includes(c)) invalid(what, `cột "${header.cells[i]}" không có; các cột: tên đăng nhập, họ tên, vai trò, chức vụ, điện thoại, trưởng.`, header.line);
    if (index.has(c)) invalid(what, `cột "${header.cells[i]}" lặp lại.`, header.line);
    index.set(c, i);
  });
  for (const need of ['ten dang nhap', 'ho ten', 'vai tro']) if (!index.has(need)) invalid(what, `thiếu cột "${{ 'ten dang nhap': 'tên đăng nhập', 'ho ten': 'họ tên', 'vai tro': 'vai trò' }[need]}" ở dòng tiêu đề.`, header.line);
  if (rows.length > MAX_STAFF) invalid(what, `quá nhiều cán bộ (${rows.length}, tối đa ${MAX_STAFF}).`);
  const get = (cells: string[], c: string) => {
    const i = index.get(c);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const seen = new Map<string, number>();
  const out: StaffRow[] = [];
  let leaderLine = 0;
  for (const r of rows) {
    if (r.cells.length > cols.length) invalid(what, `có ${r.cells.length} ô, dòng tiêu đề có ${cols.length} cột.`, r.line);
    const username = get(r.cells, 'ten dang nhap').toLowerCase();
    if (!USERNAME.test(username)) invalid(what, `tên đăng nhập "${username}" không hợp lệ (3–32 ký tự: chữ thường không dấu, số, dấu chấm, - hoặc _).`, r.line);
    const dup = seen.get(username);
    if (dup) invalid(what, `tên đăng nhập "${username}" đã có ở dòng ${dup}.`, r.line);
    seen.set(username, r.line);
    const displayName = get(r.cells, 'ho ten').replace(/\s+/g, ' ');
    if (!displayName || displayName.length > 100) invalid(what, 'họ tên cần có, tối đa 100 ký tự.', r.line);
    const roleWords = splitList(get(r.cells, 'vai tro')).map((x) => x.toLowerCase());
    const unknown = roleWords.filter((x) => !ROLES.includes(x as StaffRole));
    if (unknown.length) invalid(what, `vai trò không có: ${unknown.join(', ')} (dùng: ${ROLES.join(', ')}).`, r.line);
    const isLeader = ['x', 'co', '1', 'yes'].includes(foldVietnamese(get(r.cells, 'truong')));
    if (!roleWords.length && !isLeader) invalid(what, 'cần ít nhất một vai trò.', r.line);
    if (isLeader && leaderLine) invalid(what, `chỉ một người là trưởng (đã có ở dòng ${leaderLine}).`, r.line);
    if (isLeader) leaderLine = r.line;
    const title = get(r.cells, 'chuc vu') || null;
    if (title && title.length > 100) invalid(what, 'chức vụ tối đa 100 ký tự.', r.line);
    const phone = get(r.cells, 'dien thoai') || null;
    if (phone && !/^\+?[0-9 .-]{8,16}$/.test(phone)) invalid(what, `số điện thoại "${phone}" không hợp lệ.`, r.line);
    out.push({ username, displayName, roles: [...new Set(roleWords)] as StaffRole[], title, phone, isLeader });
  }
  return out;
}
