// How long a text takes to read aloud, for the editor's live estimate: Vietnamese is read at about
// 150 syllables (space-separated words) a minute on commune loudspeakers, plus a short pause at
// each sentence end. The web admin's script uses the same two numbers, passed in the page.
export const WORDS_PER_MINUTE = 150;
export const SENTENCE_PAUSE_S = 0.4;

export function estimateSpeech(text: string): { chars: number; words: number; seconds: number } {
  const trimmed = text.trim();
  const words = trimmed ? trimmed.split(/\s+/).length : 0;
  const sentences = (trimmed.match(/[.!?…]+(\s|$)/g) ?? []).length;
  return { chars: [...trimmed].length, words, seconds: Math.round((words / WORDS_PER_MINUTE) * 60 + sentences * SENTENCE_PAUSE_S) };
}
