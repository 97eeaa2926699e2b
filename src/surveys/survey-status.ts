// A survey's states, named once: what each reads as, which ones staff may still change, and which
// one residents may answer in. Transitions live in survey-workflow.ts (staff) and survey-tick.ts (time).
import type { SurveyStatus } from '../db/generated/enums.ts';

export const surveyStatusLabel: Record<SurveyStatus, string> = {
  draft: 'Bản nháp',
  submitted: 'Chờ duyệt',
  approved: 'Đã duyệt, chờ mở',
  rejected: 'Bị trả lại',
  open: 'Đang mở',
  closed: 'Đã kết thúc',
  cancelled: 'Đã hủy',
};

/** Questions, texts, dates and audience change only before approval (a change goes back to draft). */
export const EDITABLE_SURVEY: readonly SurveyStatus[] = ['draft', 'rejected', 'submitted'];
/** Sent for approval from these. */
export const SUBMITTABLE_SURVEY: readonly SurveyStatus[] = ['draft', 'rejected'];
/** Cancelled from these (a closed survey keeps its results). */
export const CANCELLABLE_SURVEY: readonly SurveyStatus[] = ['draft', 'rejected', 'submitted', 'approved', 'open'];
/** Results exist from here on. */
export const SURVEY_WITH_RESULTS: readonly SurveyStatus[] = ['open', 'closed'];

export const questionKindLabel = { choice: 'Chọn một', scale: 'Thang điểm 1–5', text: 'Trả lời ngắn' } as const;

/** The scale's words, 1 to 5, as residents read them under the buttons. */
export const SCALE_LABELS = ['Rất không hài lòng', 'Không hài lòng', 'Bình thường', 'Hài lòng', 'Rất hài lòng'] as const;

/** Limits of what a survey carries (a Telegram button label, Zalo's one- or two-digit numbers). */
export const SURVEY_LIMITS = { title: 200, intro: 2000, question: 300, choice: 60, choices: 9, questions: 20, textAnswer: 500 } as const;
