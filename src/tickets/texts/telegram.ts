// Telegram: choices are buttons under the message.
import type { FamilyPhrases } from './voice.ts';

export const telegramPhrases: FamilyPhrases = {
  choose: (label) => `bấm nút "${label}"`,
};
