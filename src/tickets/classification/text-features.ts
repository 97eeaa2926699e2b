// The features a commune's learned classifier reads from a message: words (chat spellings written
// out, diacritics folded, so "đc"/"duoc"/"được" meet), adjacent word pairs, and character 3- and
// 4-grams inside words (they survive the typos and run-together words residents type). Each is
// counted once per message: in a short message, presence says more than repetition.
import { normalizeForClassification } from './normalize-text.ts';

// A longer message costs time, not accuracy: its first part says what it is about.
export const MAX_FEATURE_CHARS = 4096;
const CHAR_NGRAMS = [3, 4] as const;

export function textFeatures(text: string): string[] {
  const input = typeof text === 'string' ? text.slice(0, MAX_FEATURE_CHARS) : '';
  const { tokens } = normalizeForClassification(input);
  const out = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    out.add(`w:${t}`);
    if (i + 1 < tokens.length) out.add(`b:${t} ${tokens[i + 1]}`);
    const padded = `_${t}_`;
    for (const n of CHAR_NGRAMS) {
      for (let j = 0; j + n <= padded.length; j++) out.add(`c:${padded.slice(j, j + n)}`);
    }
  }
  return [...out];
}
