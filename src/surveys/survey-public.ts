// What the public page (/cong-khai) may show of a commune's surveys: approved ones only (open or
// closed; never a draft, a submitted, rejected or cancelled one), results of closed ones only (a
// running survey's figures could sway those still answering). Counts from surveyResults (one way of
// counting for the page, the report and the files), without what could name a resident:
//   - no typed answer, not even the question's count (free text can name its writer);
//   - no question and no village with fewer than PUBLIC_MIN_ANSWERS answers;
//   - when the villages held back add up to fewer than that, the smallest shown ones are held back
//     too, so the commune's total less the shown villages never gives away a small village.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import { SURVEY_WITH_RESULTS } from './survey-status.ts';
import { surveyResults, type SurveyResults } from './survey-results.ts';

/** The fewest answers a published figure may rest on. */
export const PUBLIC_MIN_ANSWERS = 5;

export const WITHHELD_TEXT = 'chưa đủ số trả lời để công bố';

export interface PublicQuestion {
  position: number;
  text: string;
  /** Null: fewer than PUBLIC_MIN_ANSWERS answers, nothing shown. */
  answered: number | null;
  options: Array<{ label: string; count: number; share: number }>;
  average: number | null;
}

export interface PublicVillage {
  name: string;
  /** False: held back (too few answers, or needed to keep a small village from being inferred). */
  shown: boolean;
  responded: number;
  /** Responses with a scale answer, and the share of them satisfied (mean of 4 or more). */
  rated: number;
  satisfiedShare: number | null;
  averageScore: number | null;
}

export interface PublicSurvey {
  id: string;
  title: string;
  opensAt: Date;
  closesAt: Date;
  invited: number;
  responded: number;
  questions: PublicQuestion[];
  villages: PublicVillage[];
}

/**
 * Which villages may be shown, given how many answers each rests on: those with at least `min`,
 * less the smallest shown ones while the held-back ones add up to between 1 and `min` − 1.
 */
export function shownVillages(counts: number[], min = PUBLIC_MIN_ANSWERS): boolean[] {
  const shown = counts.map((n) => n >= min);
  const heldBack = () => counts.reduce((s, n, i) => s + (shown[i] ? 0 : n), 0);
  while (heldBack() > 0 && heldBack() < min && shown.some(Boolean)) {
    let smallest = -1;
    for (let i = 0; i < counts.length; i++) if (shown[i] && (smallest < 0 || counts[i]! < counts[smallest]!)) smallest = i;
    shown[smallest] = false;
  }
  return shown;
}

/** A closed survey's results as the public may read them. */
export function publicResults(r: SurveyResults): PublicSurvey {
  const questions = r.byQuestion
    .filter((q) => q.kind !== 'text')
    .map((q): PublicQuestion => {
      if (q.answered < PUBLIC_MIN_ANSWERS) return { position: q.position, text: q.text, answered: null, options: [], average: null };
      return { position: q.position, text: q.text, answered: q.answered, options: q.options.map((o) => ({ ...o, share: o.count / q.answered })), average: q.average };
    });
  // With a scale question a village's figure is its satisfaction, resting on its rated responses.
  const scaled = r.byQuestion.some((q) => q.kind === 'scale');
  const basis = r.byVillage.map((v) => (scaled ? v.rated : v.responded));
  const shown = shownVillages(basis);
  const villages = r.byVillage.map((v, i): PublicVillage =>
    shown[i]
      ? { name: v.name, shown: true, responded: v.responded, rated: v.rated, satisfiedShare: v.rated ? v.satisfied / v.rated : null, averageScore: v.averageScore }
      : { name: v.name, shown: false, responded: 0, rated: 0, satisfiedShare: null, averageScore: null },
  );
  return { id: r.survey.id, title: r.survey.title, opensAt: r.survey.opensAt, closesAt: r.survey.closesAt, invited: r.invited, responded: r.responded, questions, villages };
}

export interface PublicSurveys {
  /** The newest closed survey, in full. */
  latest: PublicSurvey | null;
  /** Older closed ones (newest first), each with its own page. */
  earlier: Array<{ id: string; title: string; closesAt: Date; responded: number }>;
  /** Approved and still open: named, without figures. */
  running: Array<{ id: string; title: string; closesAt: Date }>;
}

// Open and closed are reached through approval only; approvedAt is checked as well all the same.
const APPROVED: Prisma.SurveyWhereInput = { status: { in: [...SURVEY_WITH_RESULTS] }, approvedAt: { not: null } };

/** The commune's surveys for its public page. */
export async function publicSurveys(prisma: PrismaClient, communeId: string, now: Date, earlierLimit = 5): Promise<PublicSurveys> {
  const surveys = await prisma.survey.findMany({ where: { communeId, ...APPROVED }, orderBy: { closesAt: 'desc' }, select: { id: true, title: true, status: true, closesAt: true } });
  // Open but past its end is closed already (the tick may not have marked it yet).
  const isClosed = (s: (typeof surveys)[number]) => s.status === 'closed' || s.closesAt.getTime() <= now.getTime();
  const closed = surveys.filter(isClosed);
  const running = surveys.filter((s) => !isClosed(s)).map(({ id, title, closesAt }) => ({ id, title, closesAt }));
  const latest = closed[0] ? publicResults(await surveyResults(prisma, closed[0].id)) : null;
  const older = closed.slice(1, 1 + earlierLimit);
  const counts = older.length ? await prisma.surveyResponse.groupBy({ by: ['surveyId'], where: { surveyId: { in: older.map((s) => s.id) }, answers: { some: {} } }, _count: { _all: true } }) : [];
  const earlier = older.map((s) => ({ id: s.id, title: s.title, closesAt: s.closesAt, responded: counts.find((c) => c.surveyId === s.id)?._count._all ?? 0 }));
  return { latest, earlier, running: running.reverse() };
}

/** One closed, approved survey of the commune for its own public page; null for anything else. */
export async function publicSurvey(prisma: PrismaClient, communeId: string, surveyId: string, now: Date): Promise<PublicSurvey | null> {
  const s = await prisma.survey.findFirst({ where: { id: surveyId, communeId, ...APPROVED }, select: { id: true, status: true, closesAt: true } });
  if (!s || (s.status !== 'closed' && s.closesAt.getTime() > now.getTime())) return null;
  return publicResults(await surveyResults(prisma, s.id));
}
