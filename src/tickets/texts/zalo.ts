// Zalo (personal account, OA, Bot): no buttons; choices come as a numbered list to answer with
// the number (bots/zalo/numbered-choices.ts).
import type { FamilyPhrases } from './voice.ts';

export const zaloPhrases: FamilyPhrases = {
  choose: (label, n) => `gõ số ${n} ("${label}")`,
};
