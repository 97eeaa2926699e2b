// The commune's web chat page: choices are buttons on the page.
import type { FamilyPhrases } from './voice.ts';

export const webchatPhrases: FamilyPhrases = {
  choose: (label) => `bấm nút "${label}" ngay dưới tin nhắn`,
};
