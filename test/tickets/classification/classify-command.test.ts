// `loaxa classify`: in process for the line-by-line contract, and once through the real binary
// for the exit code (no database configured).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runClassify, type ClassifyOptions } from '../../../src/cli/classify-command.ts';
import { trainNaiveBayes } from '../../../src/tickets/classification/naive-bayes.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function inProcess(input: string, opts: ClassifyOptions = {}): Promise<{ code: number; out: string; err: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
  stdin.end(Buffer.from(input, 'utf8'));
  const code = await runClassify({ input: stdin, output: stdout, errors: stderr }, opts);
  return { code, out, err };
}

const parseLines = (out: string) =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('runClassify', () => {
  it('adds the category to each object, in order, keeping the other fields', async () => {
    const input = ['\uFEFF{"text": "Đèn đường hỏng", "id": 1}', '{"text":"tram y te mo cua may gio","meta":{"from":"zalo"}}\r', '{"text": ""}', ''].join('\n');
    const r = await inProcess(input);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(parseLines(r.out)).toEqual([
      { text: 'Đèn đường hỏng', id: 1, category: 'HA_TANG' },
      { text: 'tram y te mo cua may gio', meta: { from: 'zalo' }, category: 'Y_TE' },
      { text: '', category: 'KHAC' },
    ]);
  });

  it('answers each bad line with its number, skips empty lines, and fails at the end', async () => {
    const input = ['{"text": "Lúa bị rầy nâu"}', 'không phải json', '', '[1,2]', '{"title": "x"}', '{"text": 5}', '{"text": "Sổ đỏ"}'].join('\n');
    const r = await inProcess(input);
    expect(r.code).toBe(1);
    expect(parseLines(r.out)).toEqual([
      { text: 'Lúa bị rầy nâu', category: 'NONG_NGHIEP' },
      { line: 2, error: 'không phải JSON hợp lệ' },
      { line: 4, error: 'cần một đối tượng JSON, ví dụ {"text": "…"}' },
      { line: 5, error: 'thiếu trường "text" kiểu chuỗi' },
      { line: 6, error: 'thiếu trường "text" kiểu chuỗi' },
      { text: 'Sổ đỏ', category: 'DAT_DAI' },
    ]);
    expect(r.err.split('\n').filter(Boolean)).toEqual([
      'dòng 2: không phải JSON hợp lệ',
      'dòng 4: cần một đối tượng JSON, ví dụ {"text": "…"}',
      'dòng 5: thiếu trường "text" kiểu chuỗi',
      'dòng 6: thiếu trường "text" kiểu chuỗi',
    ]);
  });

  it('streams many lines', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ text: i % 2 ? 'mất điện cả xóm' : 'tiêm vắc xin sởi', i }));
    const r = await inProcess(lines.join('\n'));
    const out = parseLines(r.out);
    expect(out).toHaveLength(5000);
    expect(out[4999]).toEqual({ text: 'mất điện cả xóm', i: 4999, category: 'HA_TANG' });
    expect(out[0]!.category).toBe('Y_TE');
  });
});

describe('loaxa classify --explain and --model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loaxa-classify-'));
  const labelled = [
    { text: 'Quỹ Hoa Sen bao giờ phát tiền', category: 'CHINH_SACH' },
    { text: 'quy hoa sen co ten nha toi khong', category: 'CHINH_SACH' },
    { text: 'Đò Cồn Vàng có chạy không', category: 'HA_TANG' },
    { text: 'do con vang cho qua tai', category: 'HA_TANG' },
  ];
  const examplesFile = join(dir, 'examples.jsonl');
  writeFileSync(examplesFile, labelled.map((l) => JSON.stringify(l)).join('\n'));
  const weightsFile = join(dir, 'model.json');
  // A ClassifierModel row as exported from the database.
  writeFileSync(weightsFile, JSON.stringify({ version: 3, weights: trainNaiveBayes(labelled) }));
  const badFile = join(dir, 'bad.jsonl');
  writeFileSync(badFile, '{"text": "không có nhãn"}\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the rule words and weights that decided, and no model without one', async () => {
    const r = await inProcess('{"text": "Đèn đường thôn 3 hỏng", "id": 7}\n{"text": ""}\n', { explain: true });
    expect(r.code).toBe(0);
    const [lamp, empty] = parseLines(r.out) as Array<{ id?: number; category: string; explain: { decidedBy: string; rules: { cues: Array<{ category: string; pattern: string; weight: number }> }; model: unknown } }>;
    expect(lamp).toMatchObject({ id: 7, category: 'HA_TANG', explain: { decidedBy: 'rules', model: null, builtinModel: null } });
    expect(lamp!.explain.rules.cues).toEqual(expect.arrayContaining([{ category: 'HA_TANG', pattern: 'đèn đường', weight: 3 }]));
    expect(empty).toMatchObject({ category: 'KHAC', explain: { decidedBy: 'fallback', rules: { cues: [] }, model: null, builtinModel: null } });
  });

  it('shows the built-in model when it decided', async () => {
    const r = await inProcess('{"text": "dien khu vuc thon 8 mat tu chieu qua toi gio"}\n', { explain: true });
    const [line] = parseLines(r.out) as Array<{ category: string; explain: { decidedBy: string; builtinModel: { category: string; probability: number; features: Array<{ feature: string }> } } }>;
    expect(line).toMatchObject({ category: 'HA_TANG', explain: { decidedBy: 'builtin_model', builtinModel: { category: 'HA_TANG' } } });
    expect(line!.explain.builtinModel.probability).toBeGreaterThanOrEqual(0.9);
    expect(line!.explain.builtinModel.features.length).toBeGreaterThan(0);
  });

  it('with a model (trained from labelled lines, or stored weights), shows its strongest features when it decided', async () => {
    for (const modelFile of [examplesFile, weightsFile]) {
      const r = await inProcess('{"text": "Quỹ Hoa Sen xét nhà tôi chưa"}\n{"text": "Tôi tố cáo cán bộ xã ăn chặn tiền quỹ Hoa Sen"}\n', { explain: true, modelFile });
      expect(r.code).toBe(0);
      const [local, complaint] = parseLines(r.out) as Array<{ category: string; explain: { decidedBy: string; model: { category: string; features: Array<{ feature: string; weight: number }> } } }>;
      expect(local).toMatchObject({ category: 'CHINH_SACH', explain: { decidedBy: 'model', model: { category: 'CHINH_SACH' } } });
      expect(local!.explain.model.features.map((f) => f.feature)).toEqual(expect.arrayContaining(['b:hoa sen']));
      expect(local!.explain.model.features.every((f) => f.weight > 0)).toBe(true);
      // A complaint the rules recognise stays one, whatever the model thinks.
      expect(complaint).toMatchObject({ category: 'KHIEU_NAI_TO_CAO', explain: { decidedBy: 'rules' } });
    }
    // Without --explain the output keeps its shape.
    const plain = await inProcess('{"text": "Quỹ Hoa Sen xét nhà tôi chưa"}\n', { modelFile: examplesFile });
    expect(parseLines(plain.out)).toEqual([{ text: 'Quỹ Hoa Sen xét nhà tôi chưa', category: 'CHINH_SACH' }]);
  });

  it('refuses a missing or malformed model file with exit code 2 and nothing on stdout', async () => {
    const missing = await inProcess('{"text": "x"}\n', { modelFile: join(dir, 'none.json') });
    expect(missing).toMatchObject({ code: 2, out: '' });
    expect(missing.err).toContain('không đọc được tệp mô hình');
    const bad = await inProcess('{"text": "x"}\n', { modelFile: badFile });
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err).toContain('dòng 1: cần {"text": "…", "category": "MÃ"}');
  });
});

describe('loaxa classify (real binary)', () => {
  function run(input: string, args: string[] = []): Promise<{ code: number | null; out: string; err: string }> {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    const child = spawn(process.execPath, ['bin/loaxa.js', 'classify', ...args], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.stdin.end(input);
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
  }

  it('writes one line per input line and exits 1 when a line was malformed', async () => {
    const r = await run(['{"text": "Đèn đường hỏng", "id": 1}', '{text: oops}', '', '{"text": "Tôi tố cáo cán bộ xã nhận hối lộ"}'].join('\n') + '\n');
    expect(parseLines(r.out)).toEqual([
      { text: 'Đèn đường hỏng', id: 1, category: 'HA_TANG' },
      { line: 2, error: 'không phải JSON hợp lệ' },
      { text: 'Tôi tố cáo cán bộ xã nhận hối lộ', category: 'KHIEU_NAI_TO_CAO' },
    ]);
    expect(r.err).toContain('dòng 2: không phải JSON hợp lệ');
    expect(r.code).toBe(1);
  }, 30_000);

  it('exits 0 when every line was good', async () => {
    const r = await run('{"text": "alo"}\n{"text": "Học phí năm nay bao nhiêu"}\n');
    expect(parseLines(r.out)).toEqual([
      { text: 'alo', category: 'KHAC' },
      { text: 'Học phí năm nay bao nhiêu', category: 'GIAO_DUC' },
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  }, 30_000);

  it('takes --explain on the command line', async () => {
    const r = await run('{"text": "Học phí năm nay bao nhiêu"}\n', ['--explain']);
    expect(r.code).toBe(0);
    expect(parseLines(r.out)[0]).toMatchObject({ category: 'GIAO_DUC', explain: { decidedBy: 'rules', model: null } });
  }, 30_000);
});
