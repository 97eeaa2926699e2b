// What a short message means before it can become a ticket: a greeting ("alo", "xã ơi"), thanks,
// a consent or acknowledgement word ("đồng ý", "dong y", "DY", "ok", "vâng"), or nothing but
// punctuation or emoji. Such a message is answered politely and never ticketed on its own; it
// joins the question that follows. Everything else is a question (or report).
import { foldVietnamese } from '../../text/fold-vietnamese.ts';

export type MessageKind = 'greeting' | 'thanks' | 'consent' | 'decline' | 'punctuation' | 'emoji' | 'question';

// Whole phrases, folded (no diacritics, lower case). A message is small talk only when every
// word of it is covered by these phrases and the filler below: "chào xã, cho em hỏi…" is not.
const PHRASES: Record<Exclude<MessageKind, 'question' | 'punctuation' | 'emoji'>, string[]> = {
  consent: [
    'dong y', 'dongy', 'dy', 'd y', 'dong y het', 'xin dong y', 'chap nhan', 'chap thuan', 'ok', 'oke', 'okay', 'okie', 'oki', 'okei', 'okela', 'ok la',
    'ocke', 'vang', 'vag', 'vg', 'da', 'dạ', 'u', 'uh', 'uk', 'um', 'uhm', 'co', 'duoc', 'dc', 'đc', 'yes', 'y', 'agree', 'dong y luon', 'nhat tri',
    'da ro', 'ro roi', 'hieu roi', 'biet roi', 'dong y a',
  ],
  decline: ['khong', 'ko', 'k', 'kg', 'hong', 'khong dong y', 'ko dong y', 'k dong y', 'no', 'khong can', 'thoi'],
  thanks: ['cam on', 'cam ơn', 'camon', 'cảm ơn', 'cam on nhieu', 'xin cam on', 'thanks', 'thank', 'thank you', 'thanks you', 'tks', 'thanks a lot', 'cmon', 'cam ong', 'cam on rat nhieu'],
  greeting: [
    'alo', 'a lo', 'allo', 'aloo', 'alooo', 'alô', 'hello', 'helo', 'hi', 'hey', 'xin chao', 'chao', 'chao buoi sang', 'chao buoi chieu', 'chao buoi toi',
    'co ai khong', 'co ai o do khong', 'co ai truc khong', 'ai truc khong', 'co ai k', 'test', 'thu', 'gui thu', 'nhan duoc khong', 'nhan dc k',
  ],
};

// Addressing words and particles that carry no request by themselves.
const FILLER = new Set([
  'a', 'oi', 'nhe', 'nha', 'nhieu', 'lam', 'luon', 'roi', 'vay', 'ha', 'nhi', 'day', 'do', 'ne', 'ah', 'aa', 'ak', 'nhaa',
  'xa', 'phuong', 'uy', 'ban', 'ubnd', 'ad', 'admin', 'bot', 'can', 'bo', 'cb', 'moi', 'nguoi', 'ca', 'nha', 'cac', 'anh', 'chi', 'em', 'chu', 'bac', 'ong',
  'ba', 'toi', 'tui', 'minh', 'con', 'chau', 'thay', 'rat', 'voi', 'the', 'thi', 'la', 'xin', 'kinh', 'gui', 'dong', 'chi',
]);

const CALLING = new Set(['oi', 'xa', 'ad', 'admin', 'ubnd', 'phuong']);
const EMOJI = /\p{Extended_Pictographic}/u;
const MAX_WORDS = 10;

interface Entry {
  words: string[];
  kind: keyof typeof PHRASES;
}

const ENTRIES: Entry[] = (Object.keys(PHRASES) as Array<keyof typeof PHRASES>)
  .flatMap((kind) => PHRASES[kind].map((p) => ({ words: foldVietnamese(p).split(' ').filter(Boolean), kind })))
  .filter((e) => e.words.length > 0)
  // Longest phrases first, so "cam on nhieu" wins over "cam on".
  .sort((a, b) => b.words.length - a.words.length);

// When several kinds are present ("ok cảm ơn", "alo đồng ý"), the one that changes something
// wins; a refusal is never read as consent.
const PRIORITY: Array<keyof typeof PHRASES> = ['decline', 'consent', 'thanks', 'greeting'];

/** What kind of message this is; only 'question' may become a ticket. */
export function understandMessage(text: string | undefined | null): MessageKind {
  const raw = (text ?? '').trim();
  if (!raw) return 'punctuation';
  const folded = foldVietnamese(raw);
  if (!folded) return EMOJI.test(raw) ? 'emoji' : 'punctuation';
  const words = folded.split(' ');
  if (words.length > MAX_WORDS) return 'question';
  const found = new Set<keyof typeof PHRASES>();
  let i = 0;
  while (i < words.length) {
    const entry = ENTRIES.find((e) => e.words.every((w, k) => words[i + k] === w));
    if (entry) {
      found.add(entry.kind);
      i += entry.words.length;
    } else if (FILLER.has(words[i]!)) {
      i += 1;
    } else {
      return 'question';
    }
  }
  // "xã ơi", "ad ơi": only addressing words, someone calling before they ask.
  if (found.size === 0) return words.some((w) => CALLING.has(w)) ? 'greeting' : 'question';
  return PRIORITY.find((k) => found.has(k))!;
}

/** Small talk: answered, kept, and never a ticket on its own. */
export function isSmallTalk(kind: MessageKind): boolean {
  return kind !== 'question';
}
