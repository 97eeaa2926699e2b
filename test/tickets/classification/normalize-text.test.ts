// Normalization: the same question typed with or without marks, in chat spelling or with
// stretched letters, must come out as the same folded words.
import { describe, expect, it } from 'vitest';
import { normalizeForClassification } from '../../../src/tickets/classification/normalize-text.ts';
import { foldDiacritics } from '../../../src/text/fold-vietnamese.ts';

const folded = (text: string) => normalizeForClassification(text).tokens.join(' ');

describe('normalizeForClassification', () => {
  it('folds marks and đ, lower-cases, and drops punctuation and emoji', () => {
    expect(folded('Đường HỎNG!!! 😡')).toBe('duong hong');
    expect(folded('  Trạm   y tế,xã... ')).toBe('tram y te xa');
    expect(foldDiacritics('Thủy lợi, ĐÊ điều')).toBe('Thuy loi, DE dieu');
  });

  it('gives the same words with and without marks', () => {
    expect(folded('Cấp sổ đỏ mất bao lâu')).toBe(folded('cap so do mat bao lau'));
  });

  it('treats decomposed input (combining marks) like composed input', () => {
    const composed = 'Tiêm chủng sởi';
    const n1 = normalizeForClassification(composed);
    const n2 = normalizeForClassification(composed.normalize('NFD'));
    expect(n2).toEqual(n1);
  });

  it('writes out chat spellings', () => {
    expect(folded('ko dc j bn')).toBe('khong duoc gi bao nhieu');
    expect(folded('đc hok, nhiu z')).toBe('duoc khong nhieu vay');
    expect(folded('k bít lm ntn')).toBe('khong biet lam nhu the nao');
    expect(folded('fải wa')).toBe('phai qua');
  });

  it('writes out field abbreviations', () => {
    expect(folded('thẻ BHYT')).toBe('the bao hiem y te');
    expect(folded('làm CCCD ở đâu')).toBe('lam can cuoc cong dan o dau');
    expect(folded('UBND xã')).toBe('uy ban nhan dan xa');
  });

  it('keeps "hỏng" (broken) apart from southern "hông" (không)', () => {
    expect(folded('đèn hỏng')).toBe('den hong');
    expect(folded('có hông')).toBe('co khong');
  });

  it('splits digits from letters and shortens stretched letters', () => {
    expect(folded('lop1 5h sáng')).toBe('lop 1 5 h sang');
    expect(folded('lâuuuu quáaaa')).toBe('lau qua');
  });

  it('keeps the written form for homographs, with the tone mark in one canonical place', () => {
    const n = normalizeForClassification('thuốc thuộc duong');
    expect(n.tokens).toEqual(['thuoc', 'thuoc', 'duong']);
    expect(n.marked).toEqual([true, true, false]);
    expect(n.written[0]).not.toBe(n.written[1]);
    // Old and new tone placement are the same word.
    expect(normalizeForClassification('hoà khoẻ').written).toEqual(normalizeForClassification('hòa khỏe').written);
  });

  it('produces bigrams of folded words', () => {
    expect(normalizeForClassification('Sổ đỏ nhà tôi').bigrams).toEqual(['so do', 'do nha', 'nha toi']);
  });

  it('handles empty and very long input', () => {
    expect(normalizeForClassification('').tokens).toEqual([]);
    expect(normalizeForClassification('🙂🙂').tokens).toEqual([]);
    expect(normalizeForClassification('đất '.repeat(5000)).tokens.length).toBeLessThanOrEqual(1000);
  });
});
