// `loaxa classify`: JSON lines {"text": …} on stdin → the same objects with "category" added on
// stdout, one output line per non-empty input line, in order, streamed. Uses the built-in rules
// only, so it needs no database and runs anywhere (trying the lexicon on a file of questions).
// A bad line gives {"line": N, "error": …} on stdout (outputs stay aligned with inputs), a message
// on stderr, and exit code 1 once the input is done.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createClassifier } from '../tickets/classification/classifier.ts';
import { builtinRules } from '../tickets/classification/lexicon.ts';

export interface ClassifyStreams {
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream;
  errors?: NodeJS.WritableStream;
}

export async function runClassify(streams: ClassifyStreams = {}): Promise<number> {
  const input = streams.input ?? process.stdin;
  const output = streams.output ?? process.stdout;
  const errors = streams.errors ?? process.stderr;
  const classifier = createClassifier(builtinRules(), {
    onInvalidRule: (rule, reason) => errors.write(`bỏ qua luật không hợp lệ ${JSON.stringify(rule.pattern)}: ${reason}\n`),
  });
  if (input.isTTY) errors.write('Nhập mỗi dòng một JSON {"text": "…"}; Ctrl-D để kết thúc.\n');
  input.setEncoding('utf8');
  const lines = createInterface({ input, crlfDelay: Infinity });

  // A closed reader (`loaxa classify < f | head`) is not an error: stop reading, exit quietly.
  // Node reports it by throwing from write, as an 'error' event, or by rejecting the drain wait.
  let closed = false;
  const onClosed = (e: unknown) => {
    if ((e as NodeJS.ErrnoException)?.code !== 'EPIPE') throw e;
    closed = true;
    lines.close();
  };
  output.on('error', onClosed);
  const write = async (obj: unknown) => {
    if (closed) return;
    try {
      // Respect backpressure so a large file does not pile up in memory.
      if (!output.write(`${JSON.stringify(obj)}\n`)) await Promise.race([once(output, 'drain'), once(output, 'close')]);
    } catch (e) {
      onClosed(e);
    }
  };

  let lineNo = 0;
  let bad = 0;
  for await (const raw of lines) {
    lineNo += 1;
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw; // a byte-order mark from Windows editors
    if (!line.trim()) continue;
    let parsed: unknown;
    let error: string | undefined;
    try {
      parsed = JSON.parse(line);
    } catch {
      error = 'không phải JSON hợp lệ';
    }
    if (!error && (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))) error = 'cần một đối tượng JSON, ví dụ {"text": "…"}';
    else if (!error && typeof (parsed as Record<string, unknown>).text !== 'string') error = 'thiếu trường "text" kiểu chuỗi';
    if (error) {
      bad += 1;
      errors.write(`dòng ${lineNo}: ${error}\n`);
      await write({ line: lineNo, error });
      continue;
    }
    const obj = parsed as Record<string, unknown>;
    await write({ ...obj, category: classifier.classify(obj.text as string).category });
    if (closed) break;
  }
  return bad > 0 ? 1 : 0;
}
