// Rule-based classification of a resident's message into a field (Category code).
//
// Rules have the shape of the database model ClassificationRule, so the built-in lexicon and the
// rules staff edit merge into one set. Keywords match one folded word, phrases a sequence of words
// (or the same words typed without spaces; a "keyword" of several words is a phrase), regexes the
// folded text. Each rule counts once; scores add up per field. A match lying inside a longer match
// of another field does not count ("thuốc" inside "thuốc trừ sâu" is farming, not health). A weak
// or undecided result goes to KHAC (the commune's general inbox): a wrong field delays the answer
// more than none. Complaints about officials win when clear: they are handled confidentially.
// Regexes come from trusted staff; the 4,000-character input cap bounds what a slow one can cost.
import { FOLDED_COLLISIONS, FOLDED_HOMOGRAPHS, OFFICIAL_WORDS } from './lexicon.ts';
import { normalizeForClassification, type NormalizedText } from './normalize-text.ts';
import { foldDiacritics } from '../../text/fold-vietnamese.ts';

export interface ClassifierRule {
  categoryCode: string;
  kind: 'keyword' | 'phrase' | 'regex';
  pattern: string;
  weight: number;
}

export interface ClassificationResult {
  category: string;
  /** Total weight of the winning field's matches (0 when nothing matched). */
  score: number;
  /** 0..1: how far ahead of the runner-up, and how much evidence; 0 for a fallback to KHAC. */
  confidence: number;
  /** "CODE:pattern" of every rule that counted. */
  matched: string[];
  /** The same rules with the weight each added (after homograph and typo discounts). */
  cues: Array<{ category: string; pattern: string; weight: number }>;
}

export interface ClassifierOptions {
  /** Below this score the message goes to KHAC. */
  minScore?: number;
  /** The winner must lead the runner-up by this share of its score, else KHAC. */
  minLead?: number;
  /** A single complaint rule this heavy decides the field (confidential handling). */
  decisiveComplaintWeight?: number;
  /** A complaint score this high decides the field when an official is named. */
  targetedComplaintScore?: number;
  /** Called for every rule that cannot be used; the rule is skipped. */
  onInvalidRule?: (rule: ClassifierRule, reason: string) => void;
}

export interface Classifier {
  classify(text: string): ClassificationResult;
}

export const FALLBACK_CATEGORY = 'KHAC';
export const COMPLAINT_CATEGORY = 'KHIEU_NAI_TO_CAO';

// Typed without marks, a homograph ("thuoc": thuốc or thuộc) or a phrase that folds like an
// everyday one ("o voi": ổ voi or ở với) is only this sure.
const UNMARKED_AMBIGUOUS_FACTOR = 0.35;
// A message with at least this share of marked words is taken as typed with marks: its unmarked
// words are then unmarked syllables ("cho" is not "chợ"), not words typed without marks.
const MARKED_MESSAGE_SHARE = 0.3;
// Typo repair applies to words at least this long that are not a possible Vietnamese syllable.
const MIN_TYPO_LENGTH = 5;
const TYPO_CACHE_LIMIT = 20_000;

// A folded Vietnamese syllable: onset, one to three vowels, final. A typed word of this shape is
// taken as meant (trường/thương and khuyến/khuyết are one letter apart, both real); a word of
// another shape ("truogn", "nghieg") is a typo and may be repaired.
const SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|nh|ng|[cmnpt])?$/;

/** Damerau–Levenshtein (optimal string alignment) distance is at most 1. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // transposition
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1); // deletion / insertion
}

interface Compiled {
  code: string;
  weight: number;
  label: string;
  pattern: string;
}
interface WordRule extends Compiled {
  /** Folded words. */
  words: string[];
  /** Folded words joined by spaces. */
  folded: string;
  /** The words as written (see NormalizedText.written), or null for a pattern typed without any
   * marks, which then matches on folded words only: that is what someone typing "duong ong" means. */
  written: string[] | null;
}
interface Match {
  code: string;
  weight: number;
  label: string;
  pattern: string;
  start: number;
  end: number;
}

function validWeight(w: unknown): w is number {
  return typeof w === 'number' && Number.isFinite(w) && w > 0;
}

export function createClassifier(rules: readonly ClassifierRule[], opts: ClassifierOptions = {}): Classifier {
  const minScore = opts.minScore ?? 1;
  const minLead = opts.minLead ?? 0.1;
  const decisiveWeight = opts.decisiveComplaintWeight ?? 4;
  const targetedScore = opts.targetedComplaintScore ?? 3;
  const report = (rule: ClassifierRule, reason: string) => {
    try {
      opts.onInvalidRule?.(rule, reason);
    } catch {
      // A failing reporter must not stop the other rules from loading.
    }
  };

  // Later rules replace earlier ones with the same field, kind and folded pattern: a database rule
  // re-weights a built-in one instead of counting twice.
  const byKey = new Map<string, { kind: 'word' | 'regex'; rule: ClassifierRule; words?: NormalizedText; re?: RegExp }>();
  for (const rule of rules) {
    if (!rule || typeof rule.categoryCode !== 'string' || !rule.categoryCode.trim()) {
      report(rule, 'no category code');
      continue;
    }
    if (typeof rule.pattern !== 'string' || !rule.pattern.trim()) {
      report(rule, 'empty pattern');
      continue;
    }
    if (!validWeight(rule.weight)) {
      report(rule, 'weight must be a positive number');
      continue;
    }
    if (rule.kind === 'regex') {
      try {
        // Matched against folded text, so an accented pattern ("điện") is folded the same way.
        // Not lower-cased: that would turn \S into \s; the i flag covers case.
        const re = new RegExp(foldDiacritics(rule.pattern.normalize('NFC')), 'i');
        byKey.set(`${rule.categoryCode}\u0000regex\u0000${rule.pattern}`, { kind: 'regex', rule, re });
      } catch (e) {
        report(rule, `invalid regular expression: ${(e as Error).message}`);
      }
      continue;
    }
    if (rule.kind !== 'keyword' && rule.kind !== 'phrase') {
      report(rule, `unknown kind ${String(rule.kind)}`);
      continue;
    }
    const words = normalizeForClassification(rule.pattern);
    if (words.tokens.length === 0) {
      report(rule, 'pattern has no letters or digits');
      continue;
    }
    byKey.set(`${rule.categoryCode}\u0000word\u0000${words.tokens.join(' ')}`, { kind: 'word', rule, words });
  }

  const keywords = new Map<string, WordRule[]>();
  const phrasesByFirst = new Map<string, WordRule[]>();
  // "sodo", "khaisinh": short phrases typed without the space.
  const compounds = new Map<string, WordRule[]>();
  const regexes: Array<Compiled & { re: RegExp }> = [];
  const vocabulary = new Set<string>();
  const writtenForms = new Map<string, Set<string>>();
  const push = <K, T>(map: Map<K, T[]>, key: K, v: T) => {
    const list = map.get(key);
    if (list) list.push(v);
    else map.set(key, [v]);
  };

  for (const entry of byKey.values()) {
    const { rule } = entry;
    const base = { code: rule.categoryCode, weight: rule.weight, label: `${rule.categoryCode}:${rule.pattern.trim()}`, pattern: rule.pattern.trim() };
    if (entry.kind === 'regex') {
      regexes.push({ ...base, re: entry.re! });
      continue;
    }
    const n = entry.words!;
    const accentAware = n.marked.some(Boolean);
    const compiled: WordRule = { ...base, words: n.tokens, folded: n.tokens.join(' '), written: accentAware ? n.written : null };
    n.tokens.forEach((t, i) => {
      vocabulary.add(t);
      if (!accentAware) return;
      const forms = writtenForms.get(t) ?? new Set<string>();
      forms.add(n.written[i]!);
      writtenForms.set(t, forms);
    });
    if (n.tokens.length === 1) {
      push(keywords, n.tokens[0]!, compiled);
    } else {
      push(phrasesByFirst, n.tokens[0]!, compiled);
      const joined = n.tokens.join('');
      if (n.tokens.length <= 3 && joined.length >= 4 && !SYLLABLE.test(joined)) {
        push(compounds, joined, compiled);
        vocabulary.add(joined);
      }
    }
  }
  // Homographs: the known list, plus any folded word the rules themselves spell two ways ("lạm thu"
  // and "làm", "ổ gà" and "ở trường"). The known lists also discount words typed without marks; the
  // rules' own pairs only demand exact spelling when marks were typed (most syllables have twins,
  // few twins get confused).
  const ambiguousUnmarked = new Set([...FOLDED_HOMOGRAPHS, ...FOLDED_COLLISIONS]);
  const homographs = new Set(FOLDED_HOMOGRAPHS);
  for (const [folded, forms] of writtenForms) if (forms.size > 1) homographs.add(folded);

  const officials = OFFICIAL_WORDS.map((o) => normalizeForClassification(o).tokens);

  const typoTargets = new Map<number, string[]>();
  for (const v of vocabulary) if (v.length >= MIN_TYPO_LENGTH - 1) push(typoTargets, v.length, v);
  const typoCache = new Map<string, string | null>();
  /** The vocabulary word a mistyped word stands for, if exactly one is a single edit away. */
  function repair(t: string): string | null {
    const cached = typoCache.get(t);
    if (cached !== undefined) return cached;
    let found: string | null = null;
    let ambiguous = false;
    for (const len of [t.length, t.length - 1, t.length + 1]) {
      for (const v of typoTargets.get(len) ?? []) {
        if (withinOneEdit(t, v)) {
          if (found && found !== v) ambiguous = true;
          else found = v;
        }
      }
      // Same length first (a slip or swap is the commonest typo); stop at the first hit.
      if (found) break;
    }
    const result = ambiguous ? null : found;
    if (typoCache.size >= TYPO_CACHE_LIMIT) typoCache.clear();
    typoCache.set(t, result);
    return result;
  }

  function containsSequence(tokens: readonly string[], words: readonly string[]): boolean {
    outer: for (let i = 0; i + words.length <= tokens.length; i++) {
      for (let j = 0; j < words.length; j++) if (tokens[i + j] !== words[j]) continue outer;
      return true;
    }
    return false;
  }

  function classify(text: string): ClassificationResult {
    const n = normalizeForClassification(typeof text === 'string' ? text : '');
    const tokens = n.tokens.slice();
    const repaired: boolean[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.length >= MIN_TYPO_LENGTH && !vocabulary.has(t) && !/[0-9]/.test(t) && !SYLLABLE.test(t)) {
        const fixed = repair(t);
        if (fixed) {
          tokens[i] = fixed;
          repaired[i] = true;
        }
      }
    }

    // Typed with marks, a homograph must be spelled like the rule's word; typed without, it is a hint.
    const markedShare = n.marked.length ? n.marked.filter(Boolean).length / n.marked.length : 0;
    const exactAt = (i: number) => !repaired[i] && (n.marked[i]! || markedShare >= MARKED_MESSAGE_SHARE);
    /** The weight factor of rule `r` read at token `i` onwards: 0 when a homograph is spelled otherwise. */
    const factorAt = (r: WordRule, i: number): number => {
      if (!r.written) return 1;
      let anyExact = false;
      for (let j = 0; j < r.words.length; j++) {
        if (!exactAt(i + j)) continue;
        anyExact = true;
        if (homographs.has(r.words[j]!) && n.written[i + j] !== r.written[j]) return 0;
      }
      return anyExact || !ambiguousUnmarked.has(r.folded) ? 1 : UNMARKED_AMBIGUOUS_FACTOR;
    };

    const matches: Match[] = [];
    const seen = new Set<string>();
    const add = (c: Compiled, start: number, end: number, factor = 1) => {
      if (factor <= 0 || seen.has(c.label)) return;
      seen.add(c.label);
      matches.push({ code: c.code, weight: c.weight * factor, label: c.label, pattern: c.pattern, start, end });
    };
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      for (const k of keywords.get(t) ?? []) add(k, i, i + 1, factorAt(k, i));
      for (const p of phrasesByFirst.get(t) ?? []) {
        const words = p.words;
        if (i + words.length > tokens.length) continue;
        let j = 1;
        while (j < words.length && tokens[i + j] === words[j]) j++;
        if (j === words.length) add(p, i, i + words.length, factorAt(p, i));
      }
      // A compound is one typed word: its marks cannot be checked word by word.
      for (const p of compounds.get(t) ?? []) add(p, i, i + 1);
    }
    if (regexes.length > 0) {
      const folded = ` ${tokens.join(' ')} `;
      for (const r of regexes) if (r.re.test(folded)) add(r, -1, -1);
    }

    // Longest match wins across fields: drop a match inside a longer one of another field.
    const scores = new Map<string, number>();
    const matched: string[] = [];
    const cues: ClassificationResult['cues'] = [];
    let decisiveComplaint = false;
    for (const m of matches) {
      const inside =
        m.start >= 0 &&
        matches.some((o) => o.code !== m.code && o.start >= 0 && o.start <= m.start && o.end >= m.end && o.end - o.start > m.end - m.start);
      if (inside) continue;
      scores.set(m.code, (scores.get(m.code) ?? 0) + m.weight);
      matched.push(m.label);
      cues.push({ category: m.code, pattern: m.pattern, weight: Math.round(m.weight * 1000) / 1000 });
      if (m.code === COMPLAINT_CATEGORY && m.weight >= decisiveWeight) decisiveComplaint = true;
    }

    const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1]);
    const complaint = scores.get(COMPLAINT_CATEGORY) ?? 0;
    const others = ranked.filter(([code]) => code !== COMPLAINT_CATEGORY);
    // Complaints about officials are handled confidentially: a clear one wins over the topic it is about.
    if (decisiveComplaint || (complaint >= targetedScore && officials.some((o) => containsSequence(tokens, o)))) {
      // It wins even over a stronger topic; its confidence says how much of the evidence it holds.
      const rival = others[0]?.[1] ?? 0;
      const share = complaint / (complaint + rival);
      return { category: COMPLAINT_CATEGORY, score: complaint, confidence: Math.round(share * Math.min(1, complaint / 4) * 1000) / 1000, matched, cues };
    }

    const best = ranked[0];
    if (!best || best[1] < minScore) return { category: FALLBACK_CATEGORY, score: best?.[1] ?? 0, confidence: 0, matched, cues };
    const second = ranked[1]?.[1] ?? 0;
    if (best[1] - second < minLead * best[1]) return { category: FALLBACK_CATEGORY, score: best[1], confidence: 0, matched, cues };
    return { category: best[0], score: best[1], confidence: confidenceOf(best[1], second), matched, cues };
  }

  return { classify };
}

/** Lead over the runner-up, damped while the evidence is thin. */
function confidenceOf(best: number, second: number): number {
  if (best <= 0) return 0;
  const lead = (best - second) / best;
  const evidence = Math.min(1, best / 4);
  return Math.round(lead * evidence * 1000) / 1000;
}
