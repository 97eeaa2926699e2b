// A survey with its answers written straight into the database, in any state, for tests of what
// is shown of it (the public page, the report page): one resident, invitation and response per
// answer row, in the village given.
import type { PrismaClient, SurveyStatus } from '../../src/db/generated/client.ts';

export type FixtureQuestion = { kind: 'choice'; text: string; choices: string[]; optional?: boolean } | { kind: 'scale' | 'text'; text: string; optional?: boolean };

export interface FixtureSurvey {
  communeId: string;
  authorId: string;
  title: string;
  status: SurveyStatus;
  opensAt: Date;
  closesAt: Date;
  questions: FixtureQuestion[];
  /** One row per responding resident: the village, and per question a number, a text or null (skipped). */
  answers: Array<{ villageId: string | null; values: Array<number | string | null> }>;
  /** Invited residents who did not answer, per village. */
  silent?: Array<{ villageId: string | null; count: number }>;
}

export async function surveyWithAnswers(prisma: PrismaClient, f: FixtureSurvey): Promise<string> {
  const approved = ['approved', 'open', 'closed', 'cancelled'].includes(f.status);
  const survey = await prisma.survey.create({
    data: {
      communeId: f.communeId, title: f.title, status: f.status, opensAt: f.opensAt, closesAt: f.closesAt, authorId: f.authorId,
      ...(approved ? { approverId: f.authorId, approvedAt: f.opensAt } : {}),
      ...(f.status === 'closed' ? { openedAt: f.opensAt, closedAt: f.closesAt } : {}),
      questions: { create: f.questions.map((q, i) => ({ position: i + 1, kind: q.kind, text: q.text, choices: q.kind === 'choice' ? q.choices : [], optional: q.optional ?? false })) },
    },
    include: { questions: { orderBy: { position: 'asc' } } },
  });
  const invite = async (villageId: string | null) => {
    const r = await prisma.resident.create({ data: { communeId: f.communeId, villageId, consentGivenAt: f.opensAt, consentVersion: '2026-11' } });
    await prisma.surveyInvitation.create({ data: { surveyId: survey.id, residentId: r.id, platform: 'telegram', accountName: 'bot-xa', platformChatId: r.id, status: 'sent' } });
    return r;
  };
  for (const s of f.silent ?? []) for (let i = 0; i < s.count; i++) await invite(s.villageId);
  for (const a of f.answers) {
    const r = await invite(a.villageId);
    await prisma.surveyResponse.create({
      data: {
        surveyId: survey.id, residentId: r.id, villageId: a.villageId, via: 'telegram',
        answers: {
          create: survey.questions.map((q, i) => {
            const v = a.values[i];
            return { questionId: q.id, answeredAt: f.opensAt, skipped: v === null || v === undefined, value: typeof v === 'number' ? v : null, text: typeof v === 'string' ? v : null };
          }),
        },
      },
    });
  }
  return survey.id;
}

/** `n` answer rows in one village, each with the same values. */
export const many = (n: number, villageId: string | null, values: Array<number | string | null>) => Array.from({ length: n }, () => ({ villageId, values }));
