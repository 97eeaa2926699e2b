// Residents write with or without diacritics, in chat spelling ("ko", "dc", "j", "bn", "z"), with
// typos. Classification works on words in two forms: folded (lower case, no marks, đ → d, so
// "Đường hỏng" and "duong hong" meet) and as written (lower case, NFC), because with marks a
// single syllable is precise where its folded form is not (thuốc/thuộc, lúa/lừa, đèn/đến).

import { foldDiacritics } from '../../text/fold-vietnamese.ts';

// Chat spellings and common abbreviations → what they stand for, written with marks so they
// match like a carefully typed word. Keys are lower-case NFC; a key with marks ("hông", "đc")
// only matches that spelling, so "hông" (không) is not confused with "hỏng" (broken).
const EXPANSIONS: Record<string, string> = {
  ko: 'không', k: 'không', kh: 'không', khg: 'không', hok: 'không', hem: 'không', hông: 'không', hôg: 'không', kô: 'không', khum: 'không', hum: 'không',
  dc: 'được', đc: 'được', dk: 'đăng ký', đk: 'đăng ký', kí: 'ký',
  j: 'gì', ji: 'gì', zì: 'gì',
  bn: 'bao nhiêu', bnh: 'bao nhiêu', bnhieu: 'bao nhiêu', nhiu: 'nhiêu', nhìu: 'nhiều', bít: 'biết', bik: 'biết', bjt: 'biết',
  z: 'vậy', v: 'vậy', zay: 'vậy', zậy: 'vậy', dzay: 'vậy', dzậy: 'vậy',
  r: 'rồi', rùi: 'rồi', rui: 'rồi', ntn: 'như thế nào', lm: 'làm', mk: 'mình', mik: 'mình', mn: 'mọi người', ng: 'người', ngta: 'người ta',
  vs: 'với', ak: 'à', ah: 'à', ad: 'admin', e: 'em', a: 'anh', c: 'chị', bt: 'bình thường', wá: 'quá', qá: 'quá',
  // Field abbreviations residents and cadres use every day.
  bhyt: 'bảo hiểm y tế', bhxh: 'bảo hiểm xã hội', bhtn: 'bảo hiểm thất nghiệp', cccd: 'căn cước công dân', cmnd: 'chứng minh nhân dân', cmt: 'chứng minh thư',
  gcn: 'giấy chứng nhận', qsdđ: 'quyền sử dụng đất', qsdd: 'quyền sử dụng đất', gpxd: 'giấy phép xây dựng', sđđ: 'sổ đỏ',
  ubnd: 'ủy ban nhân dân', hđnd: 'hội đồng nhân dân', hdnd: 'hội đồng nhân dân', htx: 'hợp tác xã', mttq: 'mặt trận tổ quốc',
  csgt: 'cảnh sát giao thông', atgt: 'an toàn giao thông', pccc: 'phòng cháy chữa cháy', sxh: 'sốt xuất huyết', tcm: 'tay chân miệng',
  đkkd: 'đăng ký kinh doanh', dkkd: 'đăng ký kinh doanh', gplx: 'giấy phép lái xe', gv: 'giáo viên', gvcn: 'giáo viên chủ nhiệm',
  sdt: 'số điện thoại', sđt: 'số điện thoại', tks: 'cảm ơn', thanks: 'cảm ơn', thank: 'cảm ơn', cám: 'cảm',
  vneid: 'định danh điện tử', xd: 'xây dựng', tđc: 'tái định cư', gpmb: 'giải phóng mặt bằng', tnxh: 'tệ nạn xã hội',
};

/** A normalized message: parallel arrays, one entry per word. */
export interface NormalizedText {
  /** Folded words, chat spellings written out: "đc" → "duoc". */
  tokens: string[];
  /** The same words as written (or as expanded), lower case, the tone mark moved last. */
  written: string[];
  /** Whether the word carried marks: only then does its written form tell homographs apart. */
  marked: boolean[];
  /** Folded adjacent pairs, "a b". */
  bigrams: string[];
}

// The field is decided by what the resident says first; the cap bounds the cost of one
// classification whatever a client sends.
export const MAX_CLASSIFIED_CHARS = 4000;

const MARKS = /[\u0300-\u036fđ]/;
// The five tone marks (grave, acute, tilde, hook, dot below); the other marks change the vowel.
const TONES = /[\u0300\u0301\u0303\u0309\u0323]/g;

/** The written form with its tone moved to the end: "hoà" and "hòa", "khoẻ" and "khỏe" are one word. */
function canonicalWritten(w: string): string {
  const d = w.normalize('NFD');
  const tones = d.match(TONES);
  return tones ? `${d.replace(TONES, '').normalize('NFC')}${tones.join('')}` : w;
}
const WORD = /[\p{L}\p{N}]+/gu;
const LETTERS_DIGITS = /(?<=\p{N})(?=\p{L})|(?<=\p{L})(?=\p{N})/u;
// k is followed only by i, e, ê, y in Vietnamese spelling; "kái", "kon" are teencode for c.
const STRETCHED = /(\p{L})(\p{M}*)(?:\1\p{M}*){2,}/gu;
const TEEN_K = /^k(?![hieêéèẻẽẹếềểễệíìỉĩịyýỳỷỹỵ])/;

// Teencode inside words: Vietnamese spelling has no f, w, j, so these map back safely.
function unTeen(w: string): string {
  if (w.length < 2) return w;
  let out = w;
  if (out[0] === 'f') out = `ph${out.slice(1)}`;
  else if (out[0] === 'w') out = `qu${out.slice(1)}`;
  else if (out[0] === 'j') out = `gi${out.slice(1)}`;
  else if (TEEN_K.test(out)) out = `c${out.slice(1)}`;
  // Stretched letters ("quáaaa", "lâuuu"): three or more of a base letter in a row stand for one.
  const d = out.normalize('NFD');
  const squeezed = d.replace(STRETCHED, '$1$2');
  return squeezed === d ? out : squeezed.normalize('NFC');
}

interface Word {
  token: string;
  written: string;
  marked: boolean;
}

function wordOf(w: string): Word {
  const marked = MARKS.test(w.normalize('NFD'));
  return { token: marked ? foldDiacritics(w) : w, written: marked ? canonicalWritten(w) : w, marked };
}

/** One typed word → the words it stands for ("lop1" → lop, 1; "bhyt" → bảo hiểm y tế). */
function analyze(raw: string): Word[] {
  const out: Word[] = [];
  // "lop1", "5h", "14tuoi": digits and letters are separate words.
  for (const part of raw.split(LETTERS_DIGITS)) {
    if (/^\p{N}+$/u.test(part)) {
      out.push({ token: part, written: part, marked: false });
      continue;
    }
    const plain = unTeen(part);
    const expanded = EXPANSIONS[part] ?? EXPANSIONS[plain];
    if (expanded) for (const e of expanded.split(' ')) out.push(wordOf(e));
    else out.push(wordOf(plain));
  }
  return out;
}

// Residents use a few thousand distinct words: analysing each once makes normalization cheap.
const WORD_CACHE_LIMIT = 50_000;
const wordCache = new Map<string, Word[]>();

export function normalizeForClassification(text: string): NormalizedText {
  const lower = text.slice(0, MAX_CLASSIFIED_CHARS).normalize('NFC').toLowerCase();
  const tokens: string[] = [];
  const written: string[] = [];
  const marked: boolean[] = [];
  for (const m of lower.matchAll(WORD)) {
    let words = wordCache.get(m[0]);
    if (!words) {
      words = analyze(m[0]);
      if (wordCache.size >= WORD_CACHE_LIMIT) wordCache.clear();
      wordCache.set(m[0], words);
    }
    for (const w of words) {
      tokens.push(w.token);
      written.push(w.written);
      marked.push(w.marked);
    }
  }
  const bigrams: string[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) bigrams.push(`${tokens[i]} ${tokens[i + 1]}`);
  return { tokens, written, marked, bigrams };
}
