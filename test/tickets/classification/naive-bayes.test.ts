// The learned model on its own: deterministic training, diacritics-blind features, readable
// evidence, and bad input (empty, huge, damaged weights) that never throws.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/tickets/classification/classifier.ts';
import { builtinExamples, builtinModel } from '../../../src/tickets/classification/builtin-model.ts';
import { combine } from '../../../src/tickets/classification/combined-classifier.ts';
import { builtinRules } from '../../../src/tickets/classification/lexicon.ts';
import { naiveBayesModel, parseWeights, trainNaiveBayes } from '../../../src/tickets/classification/naive-bayes.ts';
import { textFeatures } from '../../../src/tickets/classification/text-features.ts';

const examples = [
  { text: 'Bến đò Cồn Vàng sáng nay không chạy', category: 'HA_TANG' },
  { text: 'do Con Vang cho qua tai nguy hiem', category: 'HA_TANG' },
  { text: 'Đò Cồn Vàng mấy giờ chạy chuyến đầu', category: 'HA_TANG' },
  { text: 'Quỹ Hoa Sen bao giờ phát tiền', category: 'CHINH_SACH' },
  { text: 'quy hoa sen co ten nha toi khong', category: 'CHINH_SACH' },
  { text: 'Nhà tôi được quỹ Hoa Sen xét chưa', category: 'CHINH_SACH' },
];

describe('text features', () => {
  it('are the same with and without diacritics or chat spellings', () => {
    expect(textFeatures('Đò Cồn Vàng đc chạy ko')).toEqual(textFeatures('do con vang duoc chay khong'));
    expect(textFeatures('đò')).toEqual(expect.arrayContaining(['w:do', 'c:_do', 'c:do_', 'c:_do_']));
  });

  it('are none for empty or non-text input, and bounded for a huge text', () => {
    expect(textFeatures('')).toEqual([]);
    expect(textFeatures('  …  !!! ')).toEqual([]);
    expect(textFeatures(undefined as unknown as string)).toEqual([]);
    const huge = 'đường hỏng '.repeat(50_000);
    expect(textFeatures(huge).length).toBeLessThan(50);
  });
});

describe('naive Bayes', () => {
  it('trains the same weights from the same examples, whatever their order', () => {
    const w1 = trainNaiveBayes(examples);
    const w2 = trainNaiveBayes([...examples].reverse());
    expect(JSON.stringify(w1)).toBe(JSON.stringify(w2));
    expect(parseWeights(JSON.parse(JSON.stringify(w1)))).toEqual(w1);
  });

  it('predicts from the commune words, typed either way, and says which features decided', () => {
    const m = naiveBayesModel(trainNaiveBayes(examples));
    const p = m.predict('Hỏi đò Cồn Vàng chiều nay', { explain: 3 })!;
    expect(p.category).toBe('HA_TANG');
    expect(p.probability).toBeGreaterThan(0.5);
    expect(p.top).toHaveLength(3);
    expect(p.top[0]!.weight).toBeGreaterThan(0);
    expect(p.top.map((t) => t.feature).join(' ')).toMatch(/con|vang|do/);
    expect(m.predict('quy hoa sen')!.category).toBe('CHINH_SACH');
    // Nothing it ever saw: no opinion rather than a guess.
    expect(m.predict('xyzzy qwerty')).toBeNull();
    expect(m.predict('')).toBeNull();
    expect(m.predict('đò '.repeat(100_000))!.category).toBe('HA_TANG');
  });

  it('refuses damaged or foreign weights', () => {
    const w = trainNaiveBayes(examples);
    expect(parseWeights(null)).toBeNull();
    expect(parseWeights({ ...w, format: 'lr-9' })).toBeNull();
    expect(parseWeights({ ...w, docs: [1] })).toBeNull();
    expect(parseWeights({ ...w, counts: { 'w:do': [1, Number.NaN] } })).toBeNull();
    expect(parseWeights({ ...w, alpha: 0 })).toBeNull();
  });
});

describe('rules and model combined', () => {
  const rules = createClassifier(builtinRules());
  const model = naiveBayesModel(trainNaiveBayes(examples));

  it('lets sure rules decide, the model where the rules have nothing, and never overrules a complaint', () => {
    const sure = combine(rules.classify('Đèn đường thôn 3 không sáng, đường tối quá'), model, 'Đèn đường thôn 3 không sáng, đường tối quá');
    expect(sure).toMatchObject({ category: 'HA_TANG', decidedBy: 'rules' });
    const local = 'Quỹ Hoa Sen có xét cho nhà tôi không';
    expect(rules.classify(local).category).toBe('KHAC');
    expect(combine(rules.classify(local), model, local)).toMatchObject({ category: 'CHINH_SACH', decidedBy: 'model' });
    const complaint = 'Tôi tố cáo cán bộ xã nhận tiền của dân khi xét quỹ Hoa Sen';
    expect(combine(rules.classify(complaint), model, complaint)).toMatchObject({ category: 'KHIEU_NAI_TO_CAO', decidedBy: 'rules' });
    expect(combine(rules.classify('abc xyz'), null, 'abc xyz')).toMatchObject({ category: 'KHAC', decidedBy: 'fallback', model: null });
  });

  it('asks the built-in model after the commune one, and only when neither the rules nor the commune model are sure', () => {
    const builtin = builtinModel();
    // A question of the shipped set the lexicon has no sure words for.
    const text = 'dien khu vuc thon 8 mat tu chieu qua toi gio';
    expect(rules.classify(text).confidence).toBeLessThan(0.5);
    expect(combine(rules.classify(text), null, text, { builtin })).toMatchObject({ category: 'HA_TANG', decidedBy: 'builtin_model' });
    // The commune's own model speaks first: its words, its fields.
    const local = 'Quỹ Hoa Sen có xét cho nhà tôi không';
    expect(combine(rules.classify(local), model, local, { builtin })).toMatchObject({ category: 'CHINH_SACH', decidedBy: 'model', builtin: null });
    // Sure rules never ask a model.
    const lamp = 'Đèn đường thôn 3 không sáng, đường tối quá';
    expect(combine(rules.classify(lamp), model, lamp, { builtin })).toMatchObject({ decidedBy: 'rules', builtin: null });
  });

  it('ships labelled questions of every field, none of them from the unseen set', async () => {
    const rows = builtinExamples();
    const codes = new Set(rows.map((r) => r.category));
    for (const c of ['DAT_DAI', 'MOI_TRUONG', 'HA_TANG', 'AN_NINH', 'CHINH_SACH', 'Y_TE', 'GIAO_DUC', 'HANH_CHINH', 'NONG_NGHIEP', 'KHIEU_NAI_TO_CAO', 'KHAC']) expect(codes).toContain(c);
    const { readFileSync } = await import('node:fs');
    const unseen = readFileSync('test/tickets/classification/unseen-2026-12-questions.jsonl', 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text);
    const shipped = new Set(rows.map((r) => r.text));
    expect(unseen.filter((t) => shipped.has(t))).toEqual([]);
  });
});
