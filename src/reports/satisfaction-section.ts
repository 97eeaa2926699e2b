// The satisfaction section of a report as words and tables (surveys of the period and ratings
// after answers, by village), written once for the quarterly report page, its PDF and the annual
// PDF, so they read the same.
import { SATISFIED_RULE_TEXT, type SatisfactionFigures } from '../surveys/survey-results.ts';
import { formatVi } from '../text/format-vi.ts';

const { pct, num } = formatVi;
export const rateText = (x: number | null) => (x === null ? '—' : pct(x));
const score = (x: number | null) => (x === null ? '—' : num(x));

export interface TextTable {
  head: string[];
  rows: string[][];
}

export interface SatisfactionSection {
  summary: string[];
  /** Empty rows when no survey ran in the period. */
  surveys: TextTable;
  villages: TextTable;
  /** When a survey response counts as satisfied. */
  rule: string;
}

export function satisfactionSection(s: SatisfactionFigures): SatisfactionSection {
  const t = s.totals;
  return {
    summary: [
      `Số cuộc khảo sát: ${num(s.surveys.length)}; lượt trả lời: ${num(s.surveys.reduce((n, x) => n + x.responded, 0))} / ${num(s.surveys.reduce((n, x) => n + x.invited, 0))} lượt mời.`,
      `Đánh giá sau khi trả lời phản ánh: ${num(t.ticketRated)} lượt, hài lòng ${num(t.ticketSatisfied)}.`,
      `Tổng hợp: ${num(t.rated)} lượt đánh giá, hài lòng ${num(t.satisfied)} (${rateText(t.rate)}).`,
    ],
    surveys: { head: ['Khảo sát', 'Mời', 'Trả lời', 'Điểm TB (1–5)'], rows: s.surveys.map((x) => [x.title, num(x.invited), num(x.responded), score(x.averageScore)]) },
    villages: {
      head: ['Thôn', 'Khảo sát', 'Hài lòng', 'Đánh giá PA', 'Hài lòng', 'Tỉ lệ'],
      rows: [...s.byVillage, t].map((r) => [r.name, num(r.surveyRated), num(r.surveySatisfied), num(r.ticketRated), num(r.ticketSatisfied), rateText(r.rate)]),
    },
    rule: SATISFIED_RULE_TEXT,
  };
}
