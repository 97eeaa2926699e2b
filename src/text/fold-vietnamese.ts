// Residents write with or without diacritics; matching is done on the folded form:
// lower case, no tone or vowel marks, đ → d, punctuation → spaces, single spaces.
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
