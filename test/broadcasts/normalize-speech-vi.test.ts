// Bulletin text as the loudspeaker says it: every digit in the sample bulletins becomes words, and
// the forms announcers use (dates, times, phone numbers, money, units, abbreviations) read right.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalizeSpeechVi, numberToWords } from '../../broadcasts/render/normalize-speech-vi.ts';

const bulletins = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/shared/bulletins.json', import.meta.url)), 'utf8')) as Array<{ title: string; text: string }>;

describe('speech normalization (Vietnamese)', () => {
  it.each(bulletins.map((b) => [b.title, b.text]))('leaves no digit or abbreviation in "%s"', (_title, text) => {
    const out = normalizeSpeechVi(text);
    expect(out).not.toMatch(/\d/);
    expect(out).not.toMatch(/\b(UBND|HĐND|MTTQ|HTX|BHYT|CCCD|OTP)\b/);
    expect(out.length).toBeGreaterThan(text.length * 0.8);
  });

  it.each([
    ['ngày 25/11/2026', 'ngày hai mươi lăm tháng mười một năm hai nghìn không trăm hai mươi sáu'],
    ['từ ngày 1/1/2027', 'từ ngày mùng một tháng một năm hai nghìn không trăm hai mươi bảy'],
    ['vào tháng 4', 'vào tháng tư'],
    ['lịch tháng 12/2026', 'lịch tháng mười hai năm hai nghìn không trăm hai mươi sáu'],
    ['lúc 7 giờ 30', 'lúc bảy giờ ba mươi phút'],
    ['trước 15h', 'trước mười lăm giờ'],
    ['lúc 7:30', 'lúc bảy giờ ba mươi phút'],
    ['số 0260.3862.115', 'số không hai sáu không, ba tám sáu hai, một một năm'],
    ['gọi 0912 345 678', 'gọi không chín một hai, ba bốn năm, sáu bảy tám'],
    ['gọi ngay số 113', 'gọi ngay số một một ba'],
    ['phí 20.000 đồng', 'phí hai mươi nghìn đồng'],
    ['giá 35.000đ/kg', 'giá ba mươi lăm nghìn đồng một ki-lô-gam'],
    ['hỗ trợ 1,5 triệu đồng', 'hỗ trợ một phẩy năm triệu đồng'],
    ['mưa trên 200 mm', 'mưa trên hai trăm mi-li-mét'],
    ['gió cấp 10, giật cấp 12', 'gió cấp mười, giật cấp mười hai'],
    ['diện tích 2,5 ha', 'diện tích hai phẩy năm héc-ta'],
    ['lần thứ 4', 'lần thứ tư'],
    ['giải thứ 1', 'giải thứ nhất'],
    ['trẻ 1-5 tuổi', 'trẻ một đến năm tuổi'],
    ['UBND xã, HĐND, MTTQ, HTX, BHYT, CCCD', 'Ủy ban nhân dân xã, Hội đồng nhân dân, Mặt trận Tổ quốc, hợp tác xã, bảo hiểm y tế, căn cước công dân'],
  ])('%s', (input, expected) => {
    expect(normalizeSpeechVi(input)).toBe(expected);
  });

  it.each([
    // Fractions are not dates when they count something.
    ['khoảng 1/2 số hộ đã đăng ký', 'khoảng một phần hai số hộ đã đăng ký'],
    ['1/2 số hộ', 'một phần hai số hộ'],
    ['chiếm 2/3 diện tích', 'chiếm hai phần ba diện tích'],
    ['hơn 3/4 dân số thôn', 'hơn ba phần tư dân số thôn'],
    // …while dates stay dates.
    ['từ 1/2 đến 15/2', 'từ ngày mùng một tháng hai đến ngày mười lăm tháng hai'],
    ['ngày 1/2', 'ngày mùng một tháng hai'],
    // Chainages on a road: kilometre plus metres.
    ['sạt lở tại km 12+500 đường ĐT 741', 'sạt lở tại ki-lô-mét mười hai cộng năm trăm đường đường tỉnh bảy trăm bốn mươi mốt'],
    ['Km12+050', 'ki-lô-mét mười hai cộng năm mươi'],
    // ĐT before a road number is a provincial road, before a phone number a telephone.
    ['tuyến ĐT741 và QL 14', 'tuyến đường tỉnh bảy trăm bốn mươi mốt và quốc lộ mười bốn'],
    ['ĐT: 0912 345 678', 'điện thoại: không chín một hai, ba bốn năm, sáu bảy tám'],
  ])('%s', (input, expected) => {
    expect(normalizeSpeechVi(input)).toBe(expected);
  });

  it('reads numbers with the library, in the Vietnamese way', () => {
    expect(numberToWords('105')).toBe('một trăm lẻ năm');
    expect(numberToWords('1.250.000')).toBe('một triệu hai trăm năm mươi nghìn');
    expect(numberToWords('21')).toBe('hai mươi mốt');
  });

  it('refuses text with nothing to say', () => {
    expect(() => normalizeSpeechVi('🔔🔔📢')).toThrow(/không có chữ/);
    expect(() => normalizeSpeechVi('   ')).toThrow();
  });
});
