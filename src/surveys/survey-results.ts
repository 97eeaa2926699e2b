// A survey's results, by question and by village, and the satisfaction figures of a period that
// join the surveys' 1–5 scales with the ratings residents give after an answer (the ticket
// figures' own rated/satisfied, from commune-figures.ts), so the quarterly report, the annual
// satisfaction report and the results page all count the same way. Counts only: names never
// appear; typed answers are shown to staff without who wrote them.
import type { PrismaClient } from '../db/generated/client.ts';
import { communeFigures, periodBounds, UNKNOWN_VILLAGE, type Period } from '../reports/commune-figures.ts';
import { SCALE_LABELS } from './survey-status.ts';

export interface QuestionResult {
  position: number;
  kind: 'choice' | 'scale' | 'text';
  text: string;
  optional: boolean;
  answered: number;
  skipped: number;
  /** Choices (or the scale's five steps) with how many chose each. */
  options: Array<{ label: string; count: number }>;
  /** Scale only. */
  average: number | null;
  /** Short-text answers, newest first. */
  texts: string[];
}

export interface VillageResult {
  name: string;
  invited: number;
  responded: number;
  /** Responses with at least one scale answer, and those whose mean is 4 or more. */
  rated: number;
  satisfied: number;
  averageScore: number | null;
}

export interface SurveyResults {
  survey: { id: string; title: string; status: string; opensAt: Date; closesAt: Date };
  invited: number;
  sent: number;
  responded: number;
  byQuestion: QuestionResult[];
  byVillage: VillageResult[];
}

/** A response counts as satisfied when the mean of its scale answers is 4 ("hài lòng") or more. */
export const SATISFIED_FROM = 4;
export const SATISFIED_RULE_TEXT = `Một lượt khảo sát được tính là hài lòng khi điểm trung bình các câu thang điểm từ ${SATISFIED_FROM} trở lên.`;

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const mean = (xs: number[]) => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

export async function surveyResults(prisma: PrismaClient, surveyId: string): Promise<SurveyResults> {
  const survey = await prisma.survey.findUniqueOrThrow({ where: { id: surveyId }, include: { questions: { orderBy: { position: 'asc' } } } });
  const [invitations, responses, villages] = await Promise.all([
    prisma.surveyInvitation.findMany({ where: { surveyId }, select: { status: true, resident: { select: { villageId: true } } } }),
    prisma.surveyResponse.findMany({ where: { surveyId, answers: { some: {} } }, select: { villageId: true, answers: { select: { questionId: true, value: true, text: true, skipped: true, answeredAt: true } } } }),
    prisma.village.findMany({ where: { communeId: survey.communeId }, select: { id: true, name: true } }),
  ]);
  const villageName = (id: string | null) => villages.find((v) => v.id === id)?.name ?? UNKNOWN_VILLAGE;
  const answers = responses.flatMap((r) => r.answers);
  const scaleIds = new Set(survey.questions.filter((q) => q.kind === 'scale').map((q) => q.id));

  const byQuestion: QuestionResult[] = survey.questions.map((q) => {
    const mine = answers.filter((a) => a.questionId === q.id);
    const given = mine.filter((a) => !a.skipped);
    const labels = q.kind === 'choice' ? q.choices : q.kind === 'scale' ? SCALE_LABELS.map((l, i) => `${i + 1} – ${l}`) : [];
    return {
      position: q.position,
      kind: q.kind,
      text: q.text,
      optional: q.optional,
      answered: given.length,
      skipped: mine.length - given.length,
      options: labels.map((label, i) => ({ label, count: given.filter((a) => a.value === i + 1).length })),
      average: q.kind === 'scale' ? mean(given.map((a) => a.value!)) : null,
      texts: q.kind === 'text' ? given.sort((a, b) => b.answeredAt.getTime() - a.answeredAt.getTime()).map((a) => a.text ?? '') : [],
    };
  });

  const groups = new Map<string, VillageResult & { scores: number[] }>();
  const group = (name: string) => groups.get(name) ?? groups.set(name, { name, invited: 0, responded: 0, rated: 0, satisfied: 0, averageScore: null, scores: [] }).get(name)!;
  for (const i of invitations) group(villageName(i.resident.villageId)).invited += 1;
  for (const r of responses) {
    const g = group(villageName(r.villageId));
    g.responded += 1;
    const scores = r.answers.filter((a) => scaleIds.has(a.questionId) && !a.skipped).map((a) => a.value!);
    if (scores.length) {
      const m = mean(scores)!;
      g.rated += 1;
      if (m >= SATISFIED_FROM) g.satisfied += 1;
      g.scores.push(m);
    }
  }
  const byVillage = [...groups.values()].sort((a, b) => a.name.localeCompare(b.name, 'vi')).map(({ scores, ...g }) => ({ ...g, averageScore: mean(scores) }));
  return {
    survey: { id: survey.id, title: survey.title, status: survey.status, opensAt: survey.opensAt, closesAt: survey.closesAt },
    invited: invitations.length,
    sent: invitations.filter((i) => i.status === 'sent').length,
    responded: responses.length,
    byQuestion,
    byVillage,
  };
}

export interface SatisfactionRow {
  name: string;
  /** Survey responses with a scale answer, and those satisfied. */
  surveyRated: number;
  surveySatisfied: number;
  /** Ratings after an answer ("hài lòng" / "chưa hài lòng"), from the ticket figures. */
  ticketRated: number;
  ticketSatisfied: number;
  rated: number;
  satisfied: number;
  rate: number | null;
}

export interface SatisfactionFigures {
  period: Period;
  totals: SatisfactionRow;
  byVillage: SatisfactionRow[];
  surveys: Array<{ id: string; title: string; invited: number; responded: number; averageScore: number | null; byVillage: VillageResult[] }>;
}

function row(name: string, s: { rated: number; satisfied: number }, t: { rated: number; satisfied: number }): SatisfactionRow {
  const rated = s.rated + t.rated;
  const satisfied = s.satisfied + t.satisfied;
  return { name, surveyRated: s.rated, surveySatisfied: s.satisfied, ticketRated: t.rated, ticketSatisfied: t.satisfied, rated, satisfied, rate: rated ? round(satisfied / rated, 3) : null };
}

/** The commune's satisfaction in `period`: surveys that ran in it, and the ratings of its tickets. */
export async function satisfactionFigures(prisma: PrismaClient, communeId: string, period: Period): Promise<SatisfactionFigures> {
  const commune = await prisma.commune.findUniqueOrThrow({ where: { id: communeId }, select: { timezone: true } });
  const { start, end } = periodBounds(period, commune.timezone);
  const surveys = await prisma.survey.findMany({ where: { communeId, status: { in: ['open', 'closed'] }, opensAt: { lt: end }, closesAt: { gt: start } }, orderBy: { opensAt: 'asc' }, select: { id: true } });
  const results = await Promise.all(surveys.map((s) => surveyResults(prisma, s.id)));
  const tickets = await communeFigures(prisma, communeId, period, 'staff');
  const names = new Set([...results.flatMap((r) => r.byVillage.filter((v) => v.rated > 0).map((v) => v.name)), ...tickets.byVillage.filter((v) => v.rated > 0).map((v) => v.name)]);
  const surveyOf = (name?: string) => {
    const vs = results.flatMap((r) => r.byVillage.filter((v) => name === undefined || v.name === name));
    return { rated: vs.reduce((n, v) => n + v.rated, 0), satisfied: vs.reduce((n, v) => n + v.satisfied, 0) };
  };
  const ticketsOf = (name: string) => tickets.byVillage.find((v) => v.name === name) ?? { rated: 0, satisfied: 0 };
  return {
    period,
    totals: row('Toàn xã', surveyOf(), tickets.totals),
    byVillage: [...names].sort((a, b) => a.localeCompare(b, 'vi')).map((n) => row(n, surveyOf(n), ticketsOf(n))),
    surveys: results.map((r) => {
      const all = r.byVillage.flatMap((v) => (v.averageScore === null ? [] : Array(v.rated).fill(v.averageScore) as number[]));
      return { id: r.survey.id, title: r.survey.title, invited: r.invited, responded: r.responded, averageScore: mean(all), byVillage: r.byVillage };
    }),
  };
}
