// Surveys on the workers' minute tick, driven by PostgreSQL (so a lost Redis loses nothing): an
// approved survey whose time came opens, its invitations written in the same transaction; an open
// one past its end closes; pending invitations are queued a batch per tick, spaced out, through
// the outbound path residents' messages take (sendDirect, with the channel's own pacing). A job id
// per invitation and the invitation's status make a repeat or a restored job send nothing twice.
import type { PrismaClient, Prisma } from '../db/generated/client.ts';
import type { RestoreJob } from '../tickets/ticket-deps.ts';
import { sendDirectJob } from '../tickets/ticket-jobs.ts';
import { resolveInvitees } from './survey-audience.ts';
import { invitationMessage } from './survey-chat.ts';

export interface SurveyTickDeps {
  prisma: PrismaClient;
  restore: RestoreJob;
  now: () => Date;
  /** The absolute address of a resident's web form. */
  link: (surveyId: string, residentId: string) => string;
  /** Invitations queued per tick (the tick is a minute). */
  batch?: number;
  /** Spacing between the queued invitations of one tick. */
  paceMs?: number;
  /** A queued invitation not sent after this long is queued again (its job was lost). */
  requeueAfterMs?: number;
}

export interface SurveyTickResult {
  surveysOpened: number;
  surveysClosed: number;
  invitationsQueued: number;
}

export async function surveyTick(deps: SurveyTickDeps): Promise<SurveyTickResult> {
  const { prisma } = deps;
  const now = deps.now();
  const closing = await prisma.survey.findMany({ where: { status: 'open', closesAt: { lte: now } }, select: { id: true } });
  for (const s of closing) {
    await prisma.$transaction(async (tx) => {
      await tx.survey.updateMany({ where: { id: s.id, status: 'open' }, data: { status: 'closed', closedAt: now } });
      await tx.surveyInvitation.updateMany({ where: { surveyId: s.id, status: 'pending' }, data: { status: 'skipped' } });
    });
  }

  let opened = 0;
  const due = await prisma.survey.findMany({ where: { status: 'approved', opensAt: { lte: now }, closesAt: { gt: now } }, select: { id: true }, take: 20 });
  for (const s of due) {
    const done = await prisma.$transaction(
      async (tx) => {
        const locked = await tx.$queryRaw<Array<{ status: string }>>`SELECT status::text AS status FROM "Survey" WHERE id = ${s.id}::uuid FOR UPDATE`;
        if (locked[0]?.status !== 'approved') return false;
        const survey = await tx.survey.findUniqueOrThrow({ where: { id: s.id } });
        const invitees = await resolveInvitees(tx, survey);
        await tx.surveyInvitation.createMany({ data: invitees.map((i) => ({ surveyId: s.id, ...i })), skipDuplicates: true });
        await tx.survey.update({ where: { id: s.id }, data: { status: 'open', openedAt: now } });
        await tx.auditLog.create({ data: { communeId: survey.communeId, actorKind: 'system', action: 'survey.open', entityType: 'Survey', entityId: s.id, data: { invitations: invitees.length } } });
        return true;
      },
      { timeout: 60_000 },
    );
    if (done) opened += 1;
  }

  const requeueBefore = new Date(now.getTime() - (deps.requeueAfterMs ?? 5 * 60_000));
  const pending = await prisma.surveyInvitation.findMany({
    where: { status: 'pending', survey: { status: 'open', closesAt: { gt: now } }, OR: [{ queuedAt: null }, { queuedAt: { lt: requeueBefore } }] },
    orderBy: { createdAt: 'asc' },
    take: deps.batch ?? 300,
    include: { survey: true },
  });
  let queued = 0;
  for (const [i, inv] of pending.entries()) {
    const m = await invitationMessage(prisma as unknown as Prisma.TransactionClient, inv.survey, inv.platform, deps.link(inv.surveyId, inv.residentId));
    if (m.textState) await waitForText(prisma, inv, m.textState);
    const delay = i * (deps.paceMs ?? 200);
    const data = { platform: inv.platform, accountId: inv.accountName, chatId: inv.platformChatId, text: m.text, ...(m.buttons.length ? { buttons: m.buttons } : {}), surveyInvitationId: inv.id };
    if (await deps.restore(sendDirectJob, data, { jobId: `survey-inv-${inv.id}`, ...(delay ? { delay } : {}) }, true)) queued += 1;
    await prisma.surveyInvitation.update({ where: { id: inv.id }, data: { queuedAt: now } });
  }
  return { surveysOpened: opened, surveysClosed: closing.length, invitationsQueued: queued };
}

/** A survey whose first question is typed: the resident's next message is its answer. */
async function waitForText(prisma: PrismaClient, inv: { residentId: string; platform: string; platformChatId: string }, state: { surveyId: string; position: number }) {
  const identities = await prisma.residentIdentity.findMany({ where: { residentId: inv.residentId, platformChatId: inv.platformChatId } });
  for (const i of identities) await prisma.residentIdentity.update({ where: { id: i.id }, data: { state: { ...((i.state ?? {}) as object), surveyText: state } as Prisma.InputJsonValue } });
}
