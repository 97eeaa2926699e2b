// The bulletins a commune has broadcast, as the public page lists them: only bulletins with a run
// that played (never a draft, a bulletin waiting for or refused approval, or one withdrawn), with
// the words and the audio of the revision that went out. Nothing about who wrote or approved it.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import { airedRunStatuses, withdrawnStatuses } from './bulletin-workflow.ts';

export const ARCHIVE_PAGE_SIZE = 10;

export interface ArchivedBulletin {
  id: string;
  title: string;
  airedAt: Date;
  text: string | null;
  /** Rendered audio of the revision that played; null if never rendered here (e.g. pulled elsewhere). */
  audioSha256: string | null;
  durationMs: number | null;
}

const aired = (communeId: string): Prisma.BulletinWhereInput => ({
  communeId,
  status: { notIn: withdrawnStatuses },
  runs: { some: { status: { in: airedRunStatuses } } },
});

async function describe(prisma: PrismaClient, rows: Array<{ id: string; title: string; runs: Array<{ revision: number; scheduledFor: Date; finishedAt: Date | null }> }>): Promise<ArchivedBulletin[]> {
  const versions = rows.length
    ? await prisma.bulletinVersion.findMany({ where: { OR: rows.map((b) => ({ bulletinId: b.id, revision: b.runs[0]!.revision })) }, orderBy: { language: 'asc' } })
    : [];
  return rows.map((b) => {
    const run = b.runs[0]!;
    const mine = versions.filter((v) => v.bulletinId === b.id && v.revision === run.revision);
    // Vietnamese first; a bulletin recorded only in Ba Na or Xơ Đăng still has its audio.
    const v = mine.find((x) => x.language === 'vi') ?? mine[0];
    return { id: b.id, title: b.title, airedAt: run.finishedAt ?? run.scheduledFor, text: v?.text ?? null, audioSha256: v?.renderedSha256 ?? null, durationMs: v?.renderedDurationMs ?? null };
  });
}

const lastAiredRun = { where: { status: { in: airedRunStatuses } }, orderBy: { scheduledFor: 'desc' as const }, take: 1, select: { revision: true, scheduledFor: true, finishedAt: true } };

export async function archivedBulletinsPage(prisma: PrismaClient, communeId: string, p: { page?: number; pageSize?: number } = {}) {
  const size = Math.min(Math.max(1, p.pageSize ?? ARCHIVE_PAGE_SIZE), 50);
  const total = await prisma.bulletin.count({ where: aired(communeId) });
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, Number.isFinite(p.page) ? Math.floor(p.page!) : 1), pages);
  // Newest bulletin first (by creation: the latest run of a recurring one would reshuffle pages).
  const rows = await prisma.bulletin.findMany({ where: aired(communeId), orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], skip: (page - 1) * size, take: size, select: { id: true, title: true, runs: lastAiredRun } });
  return { bulletins: await describe(prisma, rows), total, page, pages };
}

/** One archived bulletin of this commune, or undefined (unknown, another commune's, not aired). */
export async function archivedBulletin(prisma: PrismaClient, communeId: string, bulletinId: string): Promise<ArchivedBulletin | undefined> {
  const b = await prisma.bulletin.findFirst({ where: { id: bulletinId, ...aired(communeId) }, select: { id: true, title: true, runs: lastAiredRun } });
  return b ? (await describe(prisma, [b]))[0] : undefined;
}
