// Splits a long text into parts within a platform's limit, at paragraph, then line, then
// sentence, then word boundaries, so an answer is never cut mid-word.
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = -1;
    for (const sep of ['\n\n', '\n', '. ', ' ']) {
      const i = window.lastIndexOf(sep);
      // Boundaries too close to the start would make tiny parts; keep looking for a later one.
      if (i > max * 0.5) {
        cut = i + sep.length;
        break;
      }
    }
    if (cut <= 0) cut = max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length) parts.push(rest);
  return parts;
}
