// Vietnamese text as a loudspeaker should say it. A speech engine reads "25/11/2026", "0260.3862.115"
// or "200 mm" badly or not at all; this writes them out the way a commune announcer would:
// "ngày hai mươi lăm tháng mười một năm hai nghìn không trăm hai mươi sáu", phone numbers digit by
// digit, money and units in words, common abbreviations expanded. Numbers become words through
// read-vietnamese-number.
import { ReadingConfig, doReadNumber } from 'read-vietnamese-number';

const config = new ReadingConfig();
config.unit = [];
config.pointText = 'phẩy';

const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'];

/** A whole or decimal number in words; "1.250.000" and "3,5" written the Vietnamese way. */
export function numberToWords(raw: string): string {
  const cleaned = raw.replace(/\.(?=\d{3}(\D|$))/g, '').replace(',', '.');
  try {
    return doReadNumber(cleaned, config).trim();
  } catch {
    return raw.split('').map((c) => (/\d/.test(c) ? DIGITS[Number(c)] : c)).join(' ');
  }
}

function digitByDigit(s: string): string {
  // Groups as written (0260.3862.115) become short pauses, as announcers read them.
  return s
    .split(/[.\s-]+/)
    .filter(Boolean)
    .map((g) => g.split('').map((c) => DIGITS[Number(c)]).join(' '))
    .join(', ');
}

const MONTHS = ['', 'một', 'hai', 'ba', 'tư', 'năm', 'sáu', 'bảy', 'tám', 'chín', 'mười', 'mười một', 'mười hai'];
const day = (d: number) => (d <= 10 ? `mùng ${numberToWords(String(d))}` : numberToWords(String(d)));
const validDate = (d: number, m: number) => d >= 1 && d <= 31 && m >= 1 && m <= 12;

// Abbreviations read as words. Longest first so HĐND is not read as H + ĐND.
const ABBREVIATIONS: Array<[RegExp, string]> = [
  [/\bUBND\b/g, 'Ủy ban nhân dân'],
  [/\bHĐND\b/g, 'Hội đồng nhân dân'],
  [/\bMTTQ\b/g, 'Mặt trận Tổ quốc'],
  [/\bHTX\b/g, 'hợp tác xã'],
  [/\bBHYT\b/g, 'bảo hiểm y tế'],
  [/\bBHXH\b/g, 'bảo hiểm xã hội'],
  [/\bCCCD\b/g, 'căn cước công dân'],
  [/\bCMND\b/g, 'chứng minh nhân dân'],
  [/\bTHCS\b/g, 'trung học cơ sở'],
  [/\bTHPT\b/g, 'trung học phổ thông'],
  [/\bPCCC\b/g, 'phòng cháy chữa cháy'],
  [/\bATGT\b/g, 'an toàn giao thông'],
  [/\bCSGT\b/g, 'cảnh sát giao thông'],
  [/\bPCTT\b/g, 'phòng chống thiên tai'],
  [/\bTKCN\b/g, 'tìm kiếm cứu nạn'],
  [/\bOTP\b/g, 'ô tê pê'],
  [/\bCOVID-19\b/gi, 'cô-vít mười chín'],
  [/\bTP\.\s?/g, 'thành phố '],
  [/\bTT\.\s?/g, 'thị trấn '],
];

// Units after a number. Order matters: m² before m.
const UNITS: Array<[string, string]> = [
  ['km/h', 'ki-lô-mét trên giờ'],
  ['m²', 'mét vuông'],
  ['m2', 'mét vuông'],
  ['m³', 'mét khối'],
  ['m3', 'mét khối'],
  ['km', 'ki-lô-mét'],
  ['cm', 'xăng-ti-mét'],
  ['mm', 'mi-li-mét'],
  ['kg', 'ki-lô-gam'],
  ['ha', 'héc-ta'],
  ['°C', 'độ xê'],
  ['độ C', 'độ xê'],
  ['%', 'phần trăm'],
  ['m', 'mét'],
  ['g', 'gam'],
  ['đ', 'đồng'],
  ['VNĐ', 'đồng'],
  ['VND', 'đồng'],
];

// A fraction: after a word of quantity ("khoảng 1/2"), or before what it is a part of ("1/2 số
// hộ"). \b is ASCII-only in JavaScript, so word edges are written with \p{L}.
const QUANTITY = '(?:khoảng|hơn|gần|chiếm|bằng|đạt|được|còn|trên|dưới|tới|có)';
const WHOLE = '(?:số|diện tích|dân số|tổng|lượng|quãng|chiều|kinh phí|phần)';
const FRACTION_RE = new RegExp(
  String.raw`((?<![\p{L}\d])${QUANTITY}\s+|(?<![\p{L}\d/]))(\d{1,2})\/(\d{1,2})(?![\d/])(?:(?=\s+${WHOLE}(?![\p{L}]))|(?<=${QUANTITY}\s+\d{1,2}\/\d{1,2}))`,
  'giu',
);

export class SpeechTextError extends Error {
  override name = 'SpeechTextError';
}

export function normalizeSpeechVi(input: string): string {
  let t = input.normalize('NFC');
  // Emoji and symbols a voice cannot say.
  t = t.replace(/[\p{Extended_Pictographic}\u{FE0F}\u{200D}]/gu, ' ');
  for (const [re, words] of ABBREVIATIONS) t = t.replace(re, words);

  // Roads: "ĐT 741" is a provincial road (before a phone number "ĐT" is a telephone), "QL 14" a
  // national road; chainages "km 12+500" are a kilometre post plus metres.
  t = t.replace(/(?<![\p{L}\d])ĐT\.?\s*(?=[1-9]\d{1,3}(?!\d|[.,\s]*\d{3}))/gu, 'đường tỉnh ');
  t = t.replace(/(?<![\p{L}\d])ĐT(?![\p{L}\d])\.?/gu, 'điện thoại');
  t = t.replace(/\bQL\.?\s*(?=\d)/g, 'quốc lộ ');
  t = t.replace(/\b[Kk][Mm]\s*(\d{1,4})\s*\+\s*(\d{1,3})\b/g, (_m, km: string, m: string) => `ki-lô-mét ${numberToWords(km)} cộng ${numberToWords(String(Number(m)))}`);
  // Fractions that count something ("1/2 số hộ", "chiếm 2/3 diện tích") are not dates.
  t = t.replace(FRACTION_RE, (_m, lead: string, a: string, b: string) => `${lead}${numberToWords(a)} phần ${b === '4' ? 'tư' : numberToWords(b)}`);

  // Phone numbers: 0 + 8–10 more digits, with or without . - or space groups; read digit by digit.
  t = t.replace(/(?<![\d,.])0\d{2,4}(?:[.\s-]?\d{2,4}){1,3}(?![\d,])/g, (m) => {
    const digits = m.replace(/\D/g, '');
    return digits.length >= 9 && digits.length <= 11 ? digitByDigit(m) : m;
  });
  // Short service numbers after "số" (113, 114, 115, 1022) are read digit by digit too.
  t = t.replace(/\b(số|gọi|gọi ngay|đường dây nóng)\s+(1\d{2,3})\b/gi, (_m, w: string, n: string) => `${w} ${digitByDigit(n)}`);

  // Dates: 25/11/2026, 25/11, 25-11-2026 (with a dash only with the year: "1-5" is a range).
  t = t.replace(/\b(ngày\s+)?(\d{1,2})(?:\/(\d{1,2})(?:\/(\d{4}))?|-(\d{1,2})-(\d{4}))\b/gi, (m, _lead: string | undefined, d: string, mo1?: string, y1?: string, mo2?: string, y2?: string) => {
    const mo = (mo1 ?? mo2)!;
    const y = y1 ?? y2;
    const dn = Number(d);
    const mn = Number(mo);
    if (!validDate(dn, mn)) return m;
    return `ngày ${day(dn)} tháng ${MONTHS[mn]}${y ? ` năm ${numberToWords(y)}` : ''}`;
  });
  // "tháng 12/2026": a month of a year.
  t = t.replace(/\btháng\s+(\d{1,2})\s*\/\s*(\d{4})\b/gi, (m, mo: string, y: string) => (Number(mo) >= 1 && Number(mo) <= 12 ? `tháng ${MONTHS[Number(mo)]} năm ${numberToWords(y)}` : m));
  // Prices per unit: "20.000 đồng/kg" is "... đồng một ki-lô-gam".
  t = t.replace(/\/\s*(kg|m2|m²|m|ha|hộ|tháng|người|lít)\b/g, (_m, u: string) => ` một ${({ kg: 'ki-lô-gam', m2: 'mét vuông', 'm²': 'mét vuông', m: 'mét', ha: 'héc-ta' } as Record<string, string>)[u] ?? u}`);
  // "tháng 4" is "tháng tư", "tháng 1" is "tháng một".
  t = t.replace(/\btháng\s+(\d{1,2})\b/gi, (m, mo: string) => (Number(mo) >= 1 && Number(mo) <= 12 ? `tháng ${MONTHS[Number(mo)]}` : m));

  // Times: 7:30, 7h30, 15h, 7 giờ 30 (phút).
  t = t.replace(/\b(\d{1,2})[:hg](\d{2})\b/gi, (m, h: string, mi: string) => (Number(h) < 24 && Number(mi) < 60 ? `${numberToWords(h)} giờ ${numberToWords(mi)}${Number(mi) ? ' phút' : ''}` : m));
  t = t.replace(/\b(\d{1,2})\s*h\b/gi, (m, h: string) => (Number(h) < 24 ? `${numberToWords(h)} giờ` : m));
  t = t.replace(/\b(\d{1,2})\s+giờ\s+(\d{1,2})(\s+phút)?\b/gi, (_m, h: string, mi: string) => `${numberToWords(h)} giờ ${numberToWords(mi)} phút`);

  // Ranges "1-2", "7 – 9": "một đến hai".
  t = t.replace(/\b(\d+)\s*[-–]\s*(\d+)\b/g, (_m, a: string, b: string) => `${numberToWords(a)} đến ${numberToWords(b)}`);

  // Ordinals: thứ 1 → thứ nhất, thứ 4 → thứ tư.
  t = t.replace(/\bthứ\s+(\d+)\b/gi, (_m, n: string) => (n === '1' ? 'thứ nhất' : n === '4' ? 'thứ tư' : `thứ ${numberToWords(n)}`));

  // A number with a unit: "200 mm", "20.000đ", "1,5 triệu đồng", "30%".
  for (const [unit, words] of UNITS) {
    const esc = unit.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const re = new RegExp(`(\\d[\\d.,]*)\\s*${esc}(?![\\p{L}\\d])`, 'gu');
    t = t.replace(re, (_m, n: string) => `${numberToWords(n)} ${words}`);
  }
  // Every other number.
  t = t.replace(/\d+(?:[.,]\d+)*/g, (n) => numberToWords(n));

  t = t.replace(/[ \t]+/g, ' ').replace(/\s+([,.;:!?])/g, '$1').trim();
  if (!/\p{L}/u.test(t)) throw new SpeechTextError('Nội dung bản tin không có chữ để đọc.');
  return t;
}
