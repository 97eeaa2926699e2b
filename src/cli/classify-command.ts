// `loaxa classify`: JSON lines {"text": …} on stdin → the same objects with "category" added on
// stdout, one output line per non-empty input line, in order, streamed. Uses the built-in rules
// and the built-in model, so it needs no database and runs anywhere (trying the lexicon on a file
// of questions); with
// `--model FILE` also a commune's learned model (its stored weights as JSON, or JSON lines of
// labelled questions {"text", "category"} to train one from), combined as intake combines them.
// `--explain` adds the cues behind each choice: the rule words with their weights, the models'
// strongest features, and which decided.
// A bad line gives {"line": N, "error": …} on stdout (outputs stay aligned with inputs), a message
// on stderr, and exit code 1 once the input is done.
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createClassifier } from '../tickets/classification/classifier.ts';
import { combine, type CombinedResult } from '../tickets/classification/combined-classifier.ts';
import { builtinRules } from '../tickets/classification/lexicon.ts';
import { builtinModel } from '../tickets/classification/builtin-model.ts';
import { naiveBayesModel, parseWeights, trainNaiveBayes, type LabelledText, type TextModel } from '../tickets/classification/naive-bayes.ts';

export interface ClassifyStreams {
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream;
  errors?: NodeJS.WritableStream;
}

export interface ClassifyOptions {
  explain?: boolean;
  /** A model's weights (JSON) or labelled questions (JSON lines) to train one from. */
  modelFile?: string;
}

// How many of the model's features an explanation shows.
const EXPLAIN_FEATURES = 8;

export class ClassifyUsageError extends Error {}

/** Reads a model file: stored weights, or labelled JSON lines trained here. */
export async function loadModelFile(path: string): Promise<TextModel> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (e) {
    throw new ClassifyUsageError(`không đọc được tệp mô hình ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    // A ClassifierModel row exported whole, or just its weights.
    const weights = parseWeights((parsed as { weights?: unknown })?.weights ?? parsed);
    if (weights) return naiveBayesModel(weights);
  } catch {
    // Not one JSON document: labelled JSON lines, below.
  }
  const rows: LabelledText[] = [];
  const lines = raw.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new ClassifyUsageError(`tệp mô hình ${path}, dòng ${i + 1}: không phải JSON hợp lệ`);
    }
    const r = row as Partial<LabelledText>;
    if (typeof r?.text !== 'string' || typeof r.category !== 'string' || !r.category) {
      throw new ClassifyUsageError(`tệp mô hình ${path}, dòng ${i + 1}: cần {"text": "…", "category": "MÃ"}`);
    }
    rows.push({ text: r.text, category: r.category });
  }
  if (rows.length === 0) throw new ClassifyUsageError(`tệp mô hình ${path} không có mô hình hay câu hỏi có nhãn nào`);
  return naiveBayesModel(trainNaiveBayes(rows));
}

function explanation(r: CombinedResult) {
  return {
    decidedBy: r.decidedBy,
    rules: { category: r.rules.category, confidence: r.rules.confidence, cues: r.rules.cues },
    model: r.model ? { category: r.model.category, probability: r.model.probability, features: r.model.top } : null,
    builtinModel: r.builtin ? { category: r.builtin.category, probability: r.builtin.probability, features: r.builtin.top } : null,
  };
}

export async function runClassify(streams: ClassifyStreams = {}, opts: ClassifyOptions = {}): Promise<number> {
  const input = streams.input ?? process.stdin;
  const output = streams.output ?? process.stdout;
  const errors = streams.errors ?? process.stderr;
  const rules = createClassifier(builtinRules(), {
    onInvalidRule: (rule, reason) => errors.write(`bỏ qua luật không hợp lệ ${JSON.stringify(rule.pattern)}: ${reason}\n`),
  });
  const builtin = builtinModel();
  let model: TextModel | null = null;
  if (opts.modelFile) {
    try {
      model = await loadModelFile(opts.modelFile);
    } catch (e) {
      if (!(e instanceof ClassifyUsageError)) throw e;
      errors.write(`${e.message}\n`);
      return 2;
    }
  }
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
    const text = obj.text as string;
    const r = combine(rules.classify(text), model, text, { builtin, explain: opts.explain ? EXPLAIN_FEATURES : 0 });
    await write(opts.explain ? { ...obj, category: r.category, explain: explanation(r) } : { ...obj, category: r.category });
    if (closed) break;
  }
  return bad > 0 ? 1 : 0;
}
