// `loaxa classify`: JSON lines {"text": …} on stdin → {"text": …, "category": …} on stdout, one
// output line per input line, in order. Uses the built-in rules only, so it needs no database.
// A line that is not JSON with a string "text" gives {"line": N, "error": …} and exit code 1.
import { createInterface } from 'node:readline';
import { createClassifier } from '../tickets/classification/classifier.ts';
import { builtinRules } from '../tickets/classification/lexicon.ts';

export async function runClassify(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<number> {
  const classifier = createClassifier(builtinRules());
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  let bad = 0;
  for await (const line of lines) {
    n += 1;
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const obj = parsed as Record<string, unknown> | undefined;
    if (!obj || typeof obj !== 'object' || Array.isArray(obj) || typeof obj.text !== 'string') {
      bad += 1;
      const error = obj === undefined ? 'không phải JSON hợp lệ' : 'cần một đối tượng JSON có trường "text" kiểu chuỗi';
      process.stderr.write(`dòng ${n}: ${error}\n`);
      output.write(`${JSON.stringify({ line: n, error })}\n`);
      continue;
    }
    const { category } = classifier.classify(obj.text);
    output.write(`${JSON.stringify({ ...obj, category })}\n`);
  }
  return bad > 0 ? 1 : 0;
}
