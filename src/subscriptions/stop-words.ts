// "Stop" in any spelling a resident may type: /huy, "dừng", "dung", "STOP", "hủy", "huy dang ky",
// "thôi nhận tin"… Read like village names (src/tickets/understanding/village-mention.ts): with
// diacritics when the message has them, so "đúng" (right) and "dùng" never stop anything, and
// folded when it has none, so "dung" does. Only a whole message counts: "dừng xe ở đâu" is a question.
import { foldVietnamese, hasDiacritics, lowerWords } from '../text/fold-vietnamese.ts';

const MARKED = [
  'dừng', 'hủy', 'huỷ', 'ngừng', 'stop', 'unsubscribe', 'hủy đăng ký', 'huỷ đăng ký', 'hủy đăng kí', 'huỷ đăng kí', 'dừng đăng ký',
  'dừng nhận', 'dừng nhận tin', 'dừng nhận bản tin', 'ngừng nhận tin', 'ngừng nhận', 'ngừng gửi', 'dừng gửi', 'thôi nhận tin', 'thôi nhận',
  'không nhận tin nữa', 'không nhận nữa', 'hủy nhận tin', 'huỷ nhận tin', 'đừng gửi nữa', 'dừng lại',
];
const MARKED_SET = new Set(MARKED.map(lowerWords));
const FOLDED_SET = new Set(MARKED.map(foldVietnamese));
// A polite word around it changes nothing: "dừng ạ", "xin hủy", "stop nhé".
const FILLER = new Set(['a', 'ạ', 'nhé', 'nhe', 'nha', 'xin', 'cho', 'tôi', 'toi', 'em', 'con', 'làm', 'lam', 'ơn', 'on', 'giúp', 'giup', 'đi', 'di', 'luôn', 'luon']);

/** Commands that stop: /huy, /dung, /stop. */
export const STOP_COMMANDS = new Set(['huy', 'dung', 'stop', 'huydangky']);

export function isStopRequest(text: string | null | undefined): boolean {
  const raw = (text ?? '').trim();
  if (!raw || raw.length > 60) return false;
  const marked = hasDiacritics(raw);
  const words = (marked ? lowerWords(raw) : foldVietnamese(raw)).split(' ').filter((w) => !FILLER.has(w));
  return words.length > 0 && (marked ? MARKED_SET : FOLDED_SET).has(words.join(' '));
}
