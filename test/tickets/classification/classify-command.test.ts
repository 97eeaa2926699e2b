// `loaxa classify`: in process for the line-by-line contract, and once through the real binary
// for the exit code (no database configured).
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runClassify } from '../../../src/cli/classify-command.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function inProcess(input: string): Promise<{ code: number; out: string; err: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
  stdin.end(Buffer.from(input, 'utf8'));
  const code = await runClassify({ input: stdin, output: stdout, errors: stderr });
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

describe('loaxa classify (real binary)', () => {
  function run(input: string): Promise<{ code: number | null; out: string; err: string }> {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    const child = spawn(process.execPath, ['bin/loaxa.js', 'classify'], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
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
});
