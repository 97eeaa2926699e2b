// Residents write with or without diacritics, in chat spelling ("ko", "dc", "j", "bn"), with
// typos. Classification works on a folded form: no marks, lower case, common chat spellings
// written out, so "Đường hỏng", "duong hong" and "đg hỏg" meet.
import { foldVietnamese } from '../../text/fold-vietnamese.ts';

// Chat spellings and abbreviations → the folded word they stand for.
const CHAT: Record<string, string> = {
  ko: 'khong', k: 'khong', kh: 'khong', hok: 'khong', hong: 'hong', khg: 'khong', kg: 'khong', hem: 'khong',
  dc: 'duoc', dk: 'duoc', đc: 'duoc', duoc: 'duoc',
  j: 'gi', ji: 'gi',
  bn: 'bao nhieu', bnh: 'bao nhieu', bnhieu: 'bao nhieu',
  nhiu: 'nhieu', z: 'vay', v: 'vay', zay: 'vay', dzay: 'vay',
  ng: 'nguoi', nguoj: 'nguoi',
  mk: 'minh', mik: 'minh', mn: 'moi nguoi',
  ntn: 'nhu the nao', sao: 'sao',
  r: 'roi', rui: 'roi',
  vs: 'voi', ck: 'chong', vk: 'vo',
  bhyt: 'bao hiem y te', bhxh: 'bao hiem xa hoi', cccd: 'can cuoc cong dan', cmnd: 'chung minh nhan dan',
  gcn: 'giay chung nhan', qsdd: 'quyen su dung dat', gpxd: 'giay phep xay dung',
  ubnd: 'uy ban', hdnd: 'hoi dong nhan dan', ca: 'ca', cax: 'cong an xa',
  sdd: 'so do', shk: 'so ho khau', hk: 'ho khau',
  dt: 'dien thoai', sdt: 'so dien thoai',
  tt: 'thu tuc', hs: 'ho so', gt: 'giay to',
  tp: 'thanh pho', xa: 'xa', thon: 'thon',
  đg: 'duong', dg: 'duong',
  ad: 'admin',
};

export interface NormalizedText {
  /** Folded words. */
  tokens: string[];
  /** Lower-case words with their diacritics, when the writer used them (else empty). */
  accented: string[];
  /** Folded, space-joined, padded with spaces for whole-word phrase matching. */
  padded: string;
}

export function normalizeForClassification(text: string): NormalizedText {
  const raw = foldVietnamese(text.slice(0, 5000));
  const tokens: string[] = [];
  for (const t of raw.split(' ')) {
    if (!t) continue;
    const expanded = CHAT[t];
    if (expanded) tokens.push(...expanded.split(' '));
    else tokens.push(t);
  }
  // With diacritics a single word is precise (đốt ≠ dột, lúa ≠ lừa); keep that form too.
  const lower = text.slice(0, 5000).normalize('NFC').toLowerCase();
  const hasMarks = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/.test(lower);
  const accented = hasMarks ? lower.split(/[^\p{L}\p{N}]+/u).filter(Boolean) : [];
  return { tokens, accented, padded: ` ${tokens.join(' ')} ` };
}
