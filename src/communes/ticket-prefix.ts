// The prefix proposed for a new commune's ticket codes when onboarding gives none. Codes are read
// aloud to residents, so "TL-2026-00012" says which commune better than every commune's "PA"; the
// code is unique per commune whatever the prefix, so this is a courtesy, not what keeps it unique.
import { foldVietnamese } from '../text/fold-vietnamese.ts';

// What a name starts with that is not the commune's own name ("Xã Trần Phú" keeps its Trần).
const KIND = /^(xa|phuong|thi tran|dac khu) /;
const MAX = 6;

/**
 * The initials of the name without its kind ("Xã Tân Lập" → TL); when another commune of the
 * province has them, the next letters of the last word (Tân Long → TLO). Falls back to the initials.
 */
export function proposeTicketPrefix(name: string, taken: ReadonlySet<string>): string {
  const parts = foldVietnamese(name).replace(KIND, '').split(' ').map((w) => w.replace(/[^a-z]/g, '')).filter(Boolean);
  if (!parts.length) return 'PA';
  const initials = parts.map((w) => w[0]!).join('').toUpperCase().slice(0, MAX);
  if (!taken.has(initials)) return initials;
  const last = parts.at(-1)!.toUpperCase();
  for (let extra = 1; initials.length + extra <= MAX && extra < last.length; extra++) {
    const candidate = initials + last.slice(1, 1 + extra);
    if (!taken.has(candidate)) return candidate;
  }
  return initials;
}
