// Whether a report is an emergency: answered within hours and announced as urgent to the cadres.
// A danger under way or about to happen ("đang cháy", "sạt lở", "cột điện sắp đổ", "điện giật",
// "đuối nước", "bị thương") is urgent by itself; a hazard word that is also everyday talk ("cháy"
// of a light bulb, "ngập" after every rain) is urgent only with an urgency cue ("gấp", "khẩn",
// "ngay", "cứu"). Text written with diacritics is read with them ("ngay" is not "ngày", "đổ" is
// not "đó"); text without any is read folded, leaving out the words folding makes ambiguous.
import { foldVietnamese, hasDiacritics, lowerWords } from '../../text/fold-vietnamese.ts';

interface Phrase {
  text: string;
  /** Folded, it is an everyday word too ("dang chay": đang chạy, "lua": lúa): not used folded. */
  foldedAmbiguous?: boolean;
}

const p = (text: string, foldedAmbiguous = false): Phrase => ({ text, foldedAmbiguous });

// Dangers to people or houses happening now or about to: urgent on their own.
const IMMINENT: Phrase[] = [
  p('đang cháy', true), p('cháy lan'), p('cháy nhà'), p('cháy rừng'), p('cháy cỏ'), p('hỏa hoạn'), p('hoả hoạn'), p('bốc cháy'), p('cháy lớn', true),
  p('sạt lở'), p('sạt núi'), p('lở đất'), p('lở núi'), p('lũ quét'), p('lũ ống'), p('nước lũ'), p('vỡ đê'), p('tràn đê'), p('vỡ đập'), p('nước đang lên'),
  p('sập nhà'), p('nhà sập'), p('sắp sập'), p('sắp đổ'), p('sắp gãy'), p('sắp rơi'), p('sắp vỡ'), p('bị sập'), p('đã sập'), p('cầu sập'), p('sập cầu'),
  p('điện giật'), p('giật điện'), p('dây điện đứt'), p('đứt dây điện'), p('dây điện rơi'), p('rò điện'), p('chập điện'),
  p('đuối nước'), p('chết đuối'), p('cuốn trôi'), p('nước cuốn'),
  p('bị thương'), p('chảy máu'), p('bất tỉnh'), p('tai nạn'), p('cấp cứu'), p('nguy hiểm tính mạng'), p('nguy kịch'), p('tử vong'), p('chết người'),
  p('rò rỉ gas'), p('rò gas'), p('nổ bình gas'), p('phát nổ'), p('vụ nổ'), p('khẩn cấp'), p('cứu với'), p('cứu người'), p('cứu tôi'), p('cứu em'),
];

// Hazards that are also everyday complaints: urgent only with an urgency cue.
const HAZARD: Phrase[] = [
  p('cháy', true), p('khói', true), p('lửa', true), p('ngập'), p('lũ', true), p('lụt'), p('sập', true), p('đổ', true), p('nứt'), p('lún'), p('sụt'),
  p('cột điện'), p('dây điện'), p('cây đổ', true), p('nghiêng'), p('bão', true), p('lốc', true), p('sét', true), p('sạt', true), p('tràn', true), p('đuối'),
];

const CUE: Phrase[] = [p('gấp'), p('khẩn'), p('ngay'), p('lập tức'), p('cứu'), p('nhanh lên'), p('không kịp'), p('sớm nhất'), p('càng sớm càng tốt'), p('hỏa tốc')];

// Folded "ngay" is usually "ngày" (a day): not a cue in these company.
const FOLDED_DAY = /\b(\d+|may|hai|ba|bon|nam|sau|bay|tam|chin|muoi|moi|hang|ca|vai|nhieu|hom|cung) ngay\b|\bngay (nay|mai|kia|qua|hom|dem|le|thu|\d+|nghi|tet|xua|truoc|sau|cong)\b/g;

export interface Urgency {
  urgent: boolean;
  /** The words that decided it (for the post and for explaining the choice). */
  cues: string[];
}

export function detectUrgency(text: string | null | undefined): Urgency {
  const raw = text ?? '';
  const withMarks = hasDiacritics(raw);
  let form: string;
  let find: (list: Phrase[]) => string[];
  if (withMarks) {
    form = ` ${lowerWords(raw)} `;
    find = (list) => list.filter((ph) => form.includes(` ${ph.text} `)).map((ph) => ph.text);
  } else {
    form = ` ${foldVietnamese(raw).replace(FOLDED_DAY, ' ')} `;
    find = (list) => list.filter((ph) => !ph.foldedAmbiguous && form.includes(` ${foldVietnamese(ph.text)} `)).map((ph) => ph.text);
  }
  if (form.trim() === '') return { urgent: false, cues: [] };
  const imminent = find(IMMINENT);
  if (imminent.length) return { urgent: true, cues: imminent };
  const hazards = find(HAZARD);
  const cues = find(CUE);
  if (hazards.length && cues.length) return { urgent: true, cues: [...hazards, ...cues] };
  return { urgent: false, cues: [] };
}
