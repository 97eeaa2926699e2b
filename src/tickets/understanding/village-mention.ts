// Which of the commune's own villages a message names: "nhà em ở thôn 5", "xom bai", "tổ 3",
// "ấp Tân Lợi", or an alias the commune recorded ("đội 5", "xóm Bãi" for Thôn Bãi Sậy). Read
// with and without diacritics. A message naming two different villages names none: the
// resident is asked instead of guessed for.
import { foldVietnamese, hasDiacritics, lowerWords } from '../../text/fold-vietnamese.ts';

export interface VillageName {
  id: string;
  name: string;
  aliases: string[];
}

// The words residents put before a village's own name; "xóm Bãi" and "thôn Bãi" are the same place.
const MARKED_KINDS = ['tổ dân phố', 'khu phố', 'thôn', 'xóm', 'ấp', 'bản', 'tổ', 'khu', 'đội', 'buôn', 'khóm', 'sóc', 'phum', 'khối', 'tdp'];
const FOLDED_KINDS = MARKED_KINDS.map((k) => foldVietnamese(k));

type Form = (s: string) => string;

/** How a text and the names are compared: with diacritics when the text has them, else folded. */
function formFor(text: string): { form: Form; kinds: string[] } {
  return hasDiacritics(text) ? { form: lowerWords, kinds: MARKED_KINDS } : { form: foldVietnamese, kinds: FOLDED_KINDS };
}

/** The forms a village is recognised by: its name and aliases, with and without "thôn". */
function formsOf(v: VillageName, form: Form = foldVietnamese, kinds: string[] = FOLDED_KINDS): { exact: string[]; core: string[] } {
  const exact = new Set<string>();
  const core = new Set<string>();
  const kindRe = new RegExp(`^(${kinds.join('|')}) `);
  for (const n of [v.name, ...v.aliases]) {
    const f = form(n);
    if (!f) continue;
    exact.add(f);
    const m = kindRe.exec(f);
    if (m) core.add(f.slice(m[0].length));
  }
  return { exact: [...exact], core: [...core] };
}

function contains(hay: string, needle: string): boolean {
  return hay.includes(` ${needle} `);
}

// "đầu làng 2 tuần", "thôn 3 người": a number followed by a unit counts something, names nothing.
const UNITS = new Set(['tuan', 'ngay', 'thang', 'nam', 'gio', 'phut', 'lan', 'nguoi', 'ho', 'con', 'cai', 'chiec', 'km', 'm', 'met', 'trieu', 'nghin', 'ngan', 'tram', 'tan', 'kg', 'ca', 'hom', 'buoi', 'dem', 'tieng']);

/** The name occurs in the text, and if it ends in a number, that number is not a count of something. */
function named(hay: string, name: string): boolean {
  let at = hay.indexOf(` ${name} `);
  while (at >= 0) {
    const next = hay.slice(at + name.length + 2).split(' ', 1)[0] ?? '';
    if (!/\d$/.test(name) || !UNITS.has(foldVietnamese(next))) return true;
    at = hay.indexOf(` ${name} `, at + 1);
  }
  return false;
}

/** The village the text names, or undefined when it names none or more than one. */
export function findVillageMention(text: string | null | undefined, villages: VillageName[]): VillageName | undefined {
  const { form, kinds } = formFor(text ?? '');
  const hay = ` ${form(text ?? '')} `;
  if (hay.trim() === '') return undefined;
  const found = new Set<VillageName>();
  for (const v of villages) {
    const { exact, core } = formsOf(v, form, kinds);
    // A full name ("thon 5", an alias) anywhere; a bare core ("5", "bai") only after a kind word,
    // so "5 ngày" or "bãi rác" never name Thôn 5 or Xóm Bãi.
    if (exact.some((f) => named(hay, f)) || core.some((c) => kinds.some((k) => named(hay, `${k} ${c}`)))) found.add(v);
  }
  // "Thôn 1" inside "thôn 12": the longer name is the one meant.
  const exactOf = (v: VillageName) => formsOf(v, form, kinds).exact;
  const list = [...found].filter((v) => ![...found].some((o) => o !== v && exactOf(o).some((f) => exactOf(v).some((g) => f !== g && f.startsWith(`${g} `)))));
  return list.length === 1 ? list[0] : undefined;
}

/** A reply to "which village?": also a bare "5" or "Bãi" (the question gave the kind word). */
export function findVillageAnswer(text: string | null | undefined, villages: VillageName[]): VillageName | undefined {
  const named = findVillageMention(text, villages);
  if (named) return named;
  const { form, kinds } = formFor(text ?? '');
  const words = form(text ?? '');
  if (!words || words.split(' ').length > 4) return undefined;
  const hay = ` ${words} `;
  const list = villages.filter((v) => formsOf(v, form, kinds).core.some((c) => contains(hay, c)));
  return list.length === 1 ? list[0] : undefined;
}
