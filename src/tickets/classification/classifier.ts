// Rule-based classification of a resident's message into a field (Category code). Keywords
// match whole folded words, phrases match word sequences (one word of a phrase may carry a typo),
// regexes match the folded text. Single words get no typo tolerance: Vietnamese syllables are
// short and one letter apart from each other once folded (nghiện/nghiêng, đốt/dột). Scores add up per field; a weak or undecided score goes to KHAC
// (the commune's general inbox), because a wrong field delays the answer more than none.
import { foldVietnamese } from '../../text/fold-vietnamese.ts';
import { normalizeForClassification } from './normalize-text.ts';
import { NEUTRAL_PHRASES, OFFICIAL_WORDS } from './lexicon.ts';

export interface ClassifierRule {
  categoryCode: string;
  kind: 'keyword' | 'phrase' | 'regex';
  pattern: string;
  weight: number;
}

export interface ClassificationResult {
  category: string;
  score: number;
  /** 0..1: how far the winner is ahead. */
  confidence: number;
  matched: string[];
}

export interface ClassifierOptions {
  /** Below this total the message goes to KHAC. */
  minScore?: number;
  /** A complaint/denunciation signal this strong wins over everything else (confidential handling). */
  complaintScore?: number;
  onInvalidRule?: (rule: ClassifierRule, reason: string) => void;
}

const FALLBACK = 'KHAC';
const COMPLAINTS = 'KHIEU_NAI_TO_CAO';

/** Damerau–Levenshtein distance capped at 2 (only "≤ 1" matters here). */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return true;
  const ra = a.slice(i + 1);
  const rb = b.slice(i + 1);
  if (a.length === b.length) {
    // substitution, or transposition of neighbours
    return ra === rb || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

interface Compiled {
  code: string;
  weight: number;
  label: string;
}

export function createClassifier(rules: ClassifierRule[], opts: ClassifierOptions = {}) {
  const minScore = opts.minScore ?? 1;
  const complaintScore = opts.complaintScore ?? 3;
  const keywords = new Map<string, Compiled[]>();
  const accentedKeywords = new Map<string, Compiled[]>();
  const phrases: Array<{ words: string[] } & Compiled> = [];
  // Every word of a phrase points to it: a phrase with one mistyped word still has an exact one.
  const phrasesByWord = new Map<string, number[]>();
  const regexes: Array<{ re: RegExp } & Compiled> = [];

  for (const r of rules) {
    if (!Number.isFinite(r.weight) || r.weight <= 0) {
      opts.onInvalidRule?.(r, 'weight must be a positive number');
      continue;
    }
    const c = { code: r.categoryCode, weight: r.weight, label: `${r.categoryCode}:${r.pattern}` };
    if (r.kind === 'regex') {
      try {
        regexes.push({ ...c, re: new RegExp(r.pattern, 'i') });
      } catch (e) {
        opts.onInvalidRule?.(r, (e as Error).message);
      }
      continue;
    }
    const folded = normalizeForClassification(r.pattern).tokens.join(' ');
    if (!folded) {
      opts.onInvalidRule?.(r, 'empty pattern');
      continue;
    }
    if (!folded.includes(' ')) {
      const list = keywords.get(folded) ?? [];
      list.push(c);
      keywords.set(folded, list);
      const accent = r.pattern.normalize('NFC').toLowerCase().trim();
      accentedKeywords.set(accent, [...(accentedKeywords.get(accent) ?? []), c]);
    } else {
      const words = folded.split(' ');
      const index = phrases.push({ ...c, words }) - 1;
      for (const w of new Set(words)) phrasesByWord.set(w, [...(phrasesByWord.get(w) ?? []), index]);
    }
  }
  const neutral = NEUTRAL_PHRASES.map((p) => ` ${foldVietnamese(p)} `);
  const officials = OFFICIAL_WORDS.map((p) => ` ${foldVietnamese(p)} `);

  /**
   * The phrase occurs in the tokens. In phrases of three or more words one word (5+ letters) may
   * be one edit off; shorter phrases must match exactly, or "vỡ trước" would read "vỏ thuốc".
   */
  function phraseAt(words: string[], tokens: string[]): boolean {
    for (let i = 0; i + words.length <= tokens.length; i++) {
      let typos = 0;
      let j = 0;
      for (; j < words.length; j++) {
        const t = tokens[i + j]!;
        const w = words[j]!;
        if (t === w) continue;
        if (typos === 0 && words.length >= 3 && w.length >= 5 && withinOneEdit(t, w)) {
          typos = 1;
          continue;
        }
        break;
      }
      if (j === words.length) return true;
    }
    return false;
  }

  function classify(text: string): ClassificationResult {
    const { tokens, accented, padded } = normalizeForClassification(text);
    const scores = new Map<string, number>();
    const matched: string[] = [];
    const seen = new Set<string>();
    const add = (c: Compiled) => {
      if (seen.has(c.label)) return;
      seen.add(c.label);
      scores.set(c.code, (scores.get(c.code) ?? 0) + c.weight);
      matched.push(c.label);
    };
    const candidates = new Set<number>();
    // Single words: by their marks when the writer used marks, else by the folded form.
    if (accented.length) for (const t of new Set(accented)) accentedKeywords.get(t)?.forEach(add);
    for (const t of new Set(tokens)) {
      // Without marks short syllables collide (can: cần/cắn, ho: hồ/ho, tuoi: tuổi/tưới): a
      // single word needs five letters to count fully, four to count half, fewer not at all.
      if (!accented.length && t.length >= 4) keywords.get(t)?.forEach((c) => add(t.length >= 5 ? c : { ...c, weight: c.weight / 2 }));
      for (const i of phrasesByWord.get(t) ?? []) candidates.add(i);
    }
    for (const i of candidates) if (phraseAt(phrases[i]!.words, tokens)) add(phrases[i]!);
    for (const r of regexes) if (r.re.test(padded)) add(r);

    const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1]);
    const [best, second] = [ranked[0], ranked[1]];
    const complaint = scores.get(COMPLAINTS) ?? 0;
    // Complaint words count when aimed at an official (or when overwhelming): "đòi tiền" from a
    // robber on the road is a security matter, from a cadre it is a denunciation.
    const aimed = officials.some((o) => padded.includes(o));
    if ((complaint >= complaintScore && aimed) || complaint >= complaintScore * 1.7) return { category: COMPLAINTS, score: complaint, confidence: complaint / (complaint + (best && best[0] !== COMPLAINTS ? best[1] : 0) + 1), matched };
    if (!best || best[1] < minScore) return { category: FALLBACK, score: best?.[1] ?? 0, confidence: 0, matched };
    // Thanks and greetings mentioning a topic in passing are not requests.
    if (best[1] < 3 && neutral.some((n) => padded.includes(n))) return { category: FALLBACK, score: best[1], confidence: 0, matched };
    const runnerUp = second?.[1] ?? 0;
    if (best[1] - runnerUp < 0.25) return { category: FALLBACK, score: best[1], confidence: 0, matched };
    return { category: best[0], score: best[1], confidence: (best[1] - runnerUp) / (best[1] + 1), matched };
  }

  return { classify };
}

export type Classifier = ReturnType<typeof createClassifier>;
