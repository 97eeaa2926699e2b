// Residents write with or without diacritics; matching is done on the folded form.

/** Folds a string to ASCII letters: marks removed, đ → d (case and punctuation kept). */
export function foldDiacritics(s: string): string {
  // NFD splits every Vietnamese letter into base + combining marks; đ has no decomposition.
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

/** The matching form: folded, lower case, punctuation → spaces, single spaces. */
export function foldVietnamese(text: string): string {
  return foldDiacritics(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Lower case, punctuation → spaces, single spaces, diacritics kept (NFC: "ổ" is one character). */
export function lowerWords(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Written with Vietnamese diacritics: then "ngay" is not "ngày" and "đóng" is not "Đông". */
export function hasDiacritics(text: string): boolean {
  const t = text.normalize('NFC');
  return foldDiacritics(t) !== t;
}
