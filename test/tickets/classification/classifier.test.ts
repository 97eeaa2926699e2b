// Classification quality and behaviour. The accuracy floors are quality gates (not timings) on
// labelled question sets: the shared dev set, our own fresh questions (written before the lexicon
// was, never tuned sentence by sentence), and two sets written by someone else.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createClassifier, withinOneEdit, type ClassifierRule } from '../../../src/tickets/classification/classifier.ts';
import { builtinRules } from '../../../src/tickets/classification/lexicon.ts';

interface Labelled {
  text: string;
  category: string;
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
const load = (path: string): Labelled[] =>
  readFileSync(`${root}${path}`, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Labelled);
const categories = (JSON.parse(readFileSync(`${root}src/catalog/categories.json`, 'utf8')) as Array<{ code: string }>).map((c) => c.code);
const classifier = createClassifier(builtinRules());
const accuracy = (rows: Labelled[]) => rows.filter((r) => classifier.classify(r.text).category === r.category).length / rows.length;
const category = (text: string) => classifier.classify(text).category;

const dev = load('test/fixtures/shared/questions.dev.jsonl');
const fresh = load('test/tickets/classification/fresh-questions.jsonl');

describe('accuracy', () => {
  it('reaches 85% on the shared dev set', () => {
    expect(accuracy(dev)).toBeGreaterThanOrEqual(0.85);
  });

  it('reaches 85% on our fresh questions, which cover every field', () => {
    expect(fresh.length).toBeGreaterThanOrEqual(60);
    expect(new Set(fresh.map((r) => r.category))).toEqual(new Set(categories));
    expect(accuracy(fresh)).toBeGreaterThanOrEqual(0.85);
  });

  it('reaches 85% on question sets written by someone else', () => {
    expect(accuracy(load('test/tickets/classification/holdout-questions.jsonl'))).toBeGreaterThanOrEqual(0.85);
    expect(accuracy(load('test/tickets/classification/blind-questions.jsonl'))).toBeGreaterThanOrEqual(0.85);
    expect(accuracy(load('test/tickets/classification/earlier-questions.jsonl'))).toBeGreaterThanOrEqual(0.85);
    // Written after both lexicons and scored once before being added here: 36/44 on first pass.
    expect(accuracy(load('test/tickets/classification/blind4-questions.jsonl'))).toBeGreaterThanOrEqual(0.8);
  });

  it('keeps 85% on the same questions typed without diacritics', () => {
    const strip = (rows: Labelled[]) => rows.map((r) => ({ ...r, text: r.text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd') }));
    expect(accuracy(strip(dev))).toBeGreaterThanOrEqual(0.85);
    expect(accuracy(strip(fresh))).toBeGreaterThanOrEqual(0.85);
  });
});

describe('fields', () => {
  it('can reach every field, and the built-in rules use only real category codes', () => {
    const reached = new Set(fresh.map((r) => category(r.text)));
    expect([...reached].sort()).toEqual([...categories].sort());
    const used = new Set(builtinRules().map((r) => r.categoryCode));
    for (const code of used) expect(categories).toContain(code);
    for (const code of categories) expect(used).toContain(code);
  });

  it('builds valid built-in rules', () => {
    const invalid: string[] = [];
    createClassifier(builtinRules(), { onInvalidRule: (r, why) => invalid.push(`${r.pattern}: ${why}`) });
    expect(invalid).toEqual([]);
  });
});

describe('low confidence goes to KHAC', () => {
  it.each(['', '   ', 'alo', 'Alo alo', '👍👍', '🙏', '????', '...', 'asdkjh qwe zxc', 'hihi', 'Chào anh chị', 'ok', '12345'])('%j', (text) => {
    expect(category(text)).toBe('KHAC');
  });

  it('sends a tie between two fields to KHAC, and a lone weak hint too', () => {
    const c = createClassifier([
      { categoryCode: 'Y_TE', kind: 'keyword', pattern: 'alpha', weight: 2 },
      { categoryCode: 'HA_TANG', kind: 'keyword', pattern: 'beta', weight: 2 },
      { categoryCode: 'HA_TANG', kind: 'keyword', pattern: 'gamma', weight: 0.5 },
    ]);
    expect(c.classify('alpha').category).toBe('Y_TE');
    expect(c.classify('alpha').confidence).toBeGreaterThan(0);
    expect(c.classify('alpha beta')).toMatchObject({ category: 'KHAC', confidence: 0 });
    expect(c.classify('gamma')).toMatchObject({ category: 'KHAC', score: 0.5, confidence: 0 });
  });

  it('answers thanks and contact questions with KHAC even when a field is mentioned', () => {
    expect(category('Xin cảm ơn xã đã sửa đường nhanh chóng.')).toBe('KHAC');
    expect(category('Cho hỏi số điện thoại của chủ tịch xã')).toBe('KHAC');
  });
});

describe('complaints against officials', () => {
  it('win over the topic they are about (confidential handling)', () => {
    expect(category('Cán bộ địa chính đòi 5 triệu mới cấp sổ đỏ cho tôi')).toBe('KHIEU_NAI_TO_CAO');
    expect(category('Tôi khiếu nại việc xã chậm cấp giấy khai sinh')).toBe('KHIEU_NAI_TO_CAO');
    expect(category('to cao truong thon tham o tien ho tro bao lut')).toBe('KHIEU_NAI_TO_CAO');
    expect(category('can bo mot cua hach dich, bat dan di lai nhieu lan')).toBe('KHIEU_NAI_TO_CAO');
  });

  it('but money demanded by a robber is a security matter', () => {
    expect(category('co nguoi chan xe doi tien mai lo o doan duong qua rung')).toBe('AN_NINH');
  });
});

describe('spelling', () => {
  it('tells homographs apart when typed with marks', () => {
    // thuộc (belongs) is not thuốc (medicine); đến (to) is not đèn (lamp).
    expect(category('Nhà tôi thuộc hộ nghèo, có được miễn tiền điện không?')).toBe('CHINH_SACH');
    expect(category('Tôi đi bộ đến đường cái')).toBe('KHAC');
    expect(category('Mẹ tôi cần mua thuốc huyết áp')).toBe('Y_TE');
  });

  it('is robust to missing diacritics, chat spelling and typos', () => {
    expect(category('Đèn đường thôn 3 không sáng')).toBe('HA_TANG');
    expect(category('den duong thon 3 ko sang')).toBe('HA_TANG');
    expect(category('lam sodo bao lau z ad')).toBe('DAT_DAI');
    expect(category('truogn hoc thon 3 khi nao khai giang')).toBe('GIAO_DUC');
    expect(category('xin cấp giấy chứng nhận quyền sử dunggg đất')).toBe('DAT_DAI');
    expect(category('giay phep xay dugn lam o dau')).toBe('DAT_DAI');
    expect(category('the BHYT het han gia han o dau')).toBe('Y_TE');
  });

  it('repairs only words one edit away', () => {
    expect(withinOneEdit('truong', 'truogn')).toBe(true); // swap
    expect(withinOneEdit('duong', 'duongg')).toBe(true); // insertion
    expect(withinOneEdit('nghieng', 'nghieg')).toBe(true); // deletion
    expect(withinOneEdit('khuyet', 'khuyen')).toBe(true); // substitution
    expect(withinOneEdit('truong', 'tuorng')).toBe(false);
  });
});

describe('database rules', () => {
  it('add to the built-in ones: a new phrase moves a sentence to its field', () => {
    const text = 'Thanh long nhà tôi bị đốm nâu hết quả';
    expect(category(text)).toBe('KHAC');
    const c = createClassifier([...builtinRules(), { categoryCode: 'NONG_NGHIEP', kind: 'phrase', pattern: 'thanh long', weight: 3 }]);
    expect(c.classify(text)).toMatchObject({ category: 'NONG_NGHIEP', matched: expect.arrayContaining(['NONG_NGHIEP:thanh long']) });
    // Built-in behaviour elsewhere is unchanged.
    expect(c.classify('Đèn đường thôn 3 không sáng').category).toBe('HA_TANG');
  });

  it('match regexes against the folded text, accented patterns included', () => {
    const c = createClassifier([...builtinRules(), { categoryCode: 'HA_TANG', kind: 'regex', pattern: String.raw`\bcáp treo\b`, weight: 3 }]);
    expect(c.classify('Cáp treo lên chùa dừng hoạt động').category).toBe('HA_TANG');
    expect(c.classify('cap treo len chua dung hoat dong').category).toBe('HA_TANG');
  });

  it('re-weight a built-in rule with the same field and pattern instead of counting twice', () => {
    expect(category('karaoke')).toBe('AN_NINH');
    const c = createClassifier([...builtinRules(), { categoryCode: 'AN_NINH', kind: 'keyword', pattern: 'karaoke', weight: 0.5 }]);
    expect(c.classify('karaoke')).toMatchObject({ category: 'KHAC', score: 0.5 });
  });

  it('skip invalid rules, reporting each, and never throw', () => {
    const reported: Array<[string, string]> = [];
    const bad = [
      { categoryCode: 'HA_TANG', kind: 'regex', pattern: '(unclosed', weight: 2 },
      { categoryCode: 'HA_TANG', kind: 'regex', pattern: '[z-a]', weight: 2 },
      { categoryCode: 'HA_TANG', kind: 'keyword', pattern: 'ống', weight: -1 },
      { categoryCode: 'HA_TANG', kind: 'keyword', pattern: 'ống', weight: Number.NaN },
      { categoryCode: 'HA_TANG', kind: 'keyword', pattern: '  ', weight: 1 },
      { categoryCode: 'HA_TANG', kind: 'keyword', pattern: '!!!', weight: 1 },
      { categoryCode: '', kind: 'keyword', pattern: 'ống', weight: 1 },
      { categoryCode: 'HA_TANG', kind: 'fuzzy', pattern: 'ống', weight: 1 },
    ] as unknown as ClassifierRule[];
    const c = createClassifier([...builtinRules(), ...bad], { onInvalidRule: (r, why) => reported.push([r.pattern, why]) });
    expect(reported.map(([p]) => p)).toEqual(['(unclosed', '[z-a]', 'ống', 'ống', '  ', '!!!', 'ống', 'ống']);
    expect(reported[0]![1]).toMatch(/regular expression/);
    expect(c.classify('Đèn đường thôn 3 không sáng').category).toBe('HA_TANG');
  });

  it('load even when the reporter itself throws', () => {
    const c = createClassifier([{ categoryCode: 'Y_TE', kind: 'regex', pattern: '(', weight: 1 }, { categoryCode: 'Y_TE', kind: 'keyword', pattern: 'vắc xin', weight: 2 }], {
      onInvalidRule: () => {
        throw new Error('reporter down');
      },
    });
    expect(c.classify('vắc xin').category).toBe('Y_TE');
  });
});

describe('robustness', () => {
  it('classifies a 10,000-character message without error', () => {
    const long = `Đèn đường xóm 5 hỏng cả tuần nay. ${'bla '.repeat(2500)}`.slice(0, 10_000);
    expect(long.length).toBe(10_000);
    expect(classifier.classify(long).category).toBe('HA_TANG');
    expect(classifier.classify('x'.repeat(10_000)).category).toBe('KHAC');
    expect(classifier.classify('Đường hỏng '.repeat(1000)).category).toBe('HA_TANG');
  });

  it('reports what it matched, with a score and a confidence between 0 and 1', () => {
    const r = classifier.classify('Lúa nhà tôi bị rầy nâu phá');
    expect(r.category).toBe('NONG_NGHIEP');
    expect(r.matched).toContain('NONG_NGHIEP:rầy nâu');
    expect(r.score).toBeGreaterThan(0);
    expect(r.confidence).toBeGreaterThan(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
  });

  it('does not throw on a non-string at runtime', () => {
    expect(classifier.classify(undefined as unknown as string).category).toBe('KHAC');
  });
});
