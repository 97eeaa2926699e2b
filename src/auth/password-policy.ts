// How strong a staff password must be: zxcvbn-ts estimates how many guesses a cracker needs,
// knowing the common passwords of many languages, keyboard walks, dates and l33t, plus a
// Vietnamese list below and, as "user inputs", what anyone near the commune could guess first —
// the username, the person's name, the commune's and its villages' names. A score of 3 ("safely
// unguessable": about 10^8 guesses) is required.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { AppError } from '../errors.ts';
import { foldVietnamese } from '../text/fold-vietnamese.ts';

// Words Vietnamese users build passwords from, written without tones as they are typed.
const VIETNAMESE = [
  'matkhau', 'matkhaumoi', 'anhyeuem', 'emyeuanh', 'yeuem', 'yeuanh', 'toiyeuem', 'anhyeu', 'emyeu', 'yeu', 'tinhyeu', 'vietnam', 'vietnamvodich',
  'hanoi', 'saigon', 'hochiminh', 'danang', 'haiphong', 'hue', 'cantho', 'bacho', 'dangcongsan', 'chinhphu', 'ubnd', 'uybannhandan', 'nhandan', 'hoidong',
  'xa', 'phuong', 'thon', 'ap', 'ban', 'xom', 'to', 'tinh', 'huyen', 'canbo', 'congchuc', 'congan', 'quantri', 'chutich', 'phochutich', 'bithu',
  'vanhoa', 'thongtin', 'yte', 'diachinh', 'giaothong', 'thuyloi', 'tuphap', 'hotich', 'laodong', 'xahoi', 'loaxa', 'loa', 'truyenthanh', 'bantin',
  'thongbao', 'phananh', 'kiennghi', 'hoabinh', 'doclap', 'tudo', 'hanhphuc', 'quehuong', 'giadinh', 'baby', 'cuccung', 'conyeu', 'chongyeu', 'voyeu',
  'nguyen', 'tran', 'le', 'pham', 'hoang', 'huynh', 'phan', 'vu', 'vo', 'dang', 'bui', 'do', 'ho', 'ngo', 'duong', 'ly', 'dinh', 'truong', 'lam',
  'anh', 'minh', 'hoa', 'lan', 'hung', 'tuan', 'linh', 'huong', 'thu', 'hai', 'long', 'nam', 'trang', 'ngoc', 'dung', 'thanh', 'quang', 'son', 'ha',
  'mai', 'hien', 'hang', 'thao', 'trung', 'duc', 'huy', 'khanh', 'phong', 'quan', 'tam', 'thang', 'thuy', 'tien', 'van', 'viet', 'binh', 'cuong',
  'dat', 'giang', 'hau', 'hieu', 'hoai', 'hong', 'kien', 'loan', 'luan', 'nga', 'nhung', 'oanh', 'phuc', 'quynh', 'tai', 'thai', 'tho', 'uyen', 'yen',
  'motmothai', 'mothaiba', 'abc123', 'admin123', 'quantri123', 'matkhau123', 'zxcvbnm',
];

const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary, vietnamese: VIETNAMESE }, graphs: common.adjacencyGraphs });

const PLACE_WORDS = new Set(['xa', 'phuong', 'thon', 'ap', 'ban', 'xom', 'to', 'dan', 'pho', 'khu', 'lang', 'doi', 'so', 'tdp']);

export interface PasswordContext {
  username: string;
  displayName?: string | null | undefined;
  communeName?: string | null | undefined;
  villageNames?: string[];
}

/** Every way the context may appear in a password: folded, with and without spaces, word by word. */
function userInputs(c: PasswordContext): string[] {
  const out = new Set<string>();
  for (const raw of [c.username, c.displayName, c.communeName, ...(c.villageNames ?? [])]) {
    if (!raw) continue;
    const words = foldVietnamese(raw).split(/[^a-z0-9]+/).filter(Boolean);
    // "Xã Tân Phú" is typed "tanphu" or "xatanphu": every run of consecutive words, joined.
    for (let i = 0; i < words.length; i++) {
      for (let j = i + 1; j <= words.length; j++) {
        const part = words.slice(i, j);
        // "Thôn", "Xã", a number alone are in every address: not a name anyone would guess from.
        if (part.every((w) => PLACE_WORDS.has(w) || /^\d+$/.test(w))) continue;
        const run = part.join('');
        if (run.length >= 3) out.add(run);
      }
    }
  }
  return [...out];
}

export const MIN_PASSWORD_SCORE = 3;

/** Refuses a guessable password, in Vietnamese, saying what makes it guessable. */
export async function checkPasswordStrength(password: string, context: PasswordContext): Promise<void> {
  const inputs = userInputs(context);
  // Tones and case do not make a name harder to guess: the folded form is what is estimated.
  const folded = foldVietnamese(password).replace(/[^a-z0-9]/g, '');
  // A commune's or a person's name anywhere inside is refused outright, whatever surrounds it:
  // zxcvbn gives "TanPhu@2026" a passing score although it is the first thing a neighbour tries.
  const containsContext = inputs.some((w) => w.length >= 4 && folded.includes(w));
  const r = await zxcvbn.check(foldVietnamese(password).length === password.length ? password : foldVietnamese(password), inputs);
  if (!containsContext && r.score >= MIN_PASSWORD_SCORE) return;
  const fromContext = containsContext || r.sequence.some((m) => m.pattern === 'dictionary' && (m as { dictionaryName?: string }).dictionaryName === 'userInputs');
  const reason = fromContext
    ? 'có tên đăng nhập, họ tên, tên xã hoặc tên thôn trong đó'
    : r.sequence.some((m) => m.pattern === 'dictionary')
      ? 'là mật khẩu hay gặp hoặc ghép từ những từ ai cũng đoán'
      : r.sequence.some((m) => m.pattern === 'sequence' || m.pattern === 'repeat' || m.pattern === 'spatial')
        ? 'là dãy số, dãy phím hoặc ký tự lặp lại'
        : r.sequence.some((m) => m.pattern === 'date')
          ? 'có ngày tháng dễ đoán'
          : 'quá ngắn so với độ khó cần có';
  throw new AppError('VALIDATION', `Mật khẩu mới quá dễ đoán: ${reason}. Hãy dùng một câu dài gồm vài từ không liên quan, ví dụ "Tre-xanh-bo-song-47".`, { field: 'next' });
}
