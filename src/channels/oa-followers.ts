// A Zalo OA's followers, from its follow/unfollow webhook events, and the villages staff give to
// follower tags. Zalo retries and replays events: each row keeps the time of the newest event
// applied, and an event no newer than it changes nothing.
import type { Prisma, PrismaClient } from '../db/generated/client.ts';

export async function recordOaFollow(prisma: PrismaClient, channelAccountId: string, userId: string, followed: boolean, at: Date): Promise<void> {
  await prisma.$executeRaw`
    INSERT INTO "OaFollower" ("channelAccountId", "userId", "following", "followedAt", "unfollowedAt", "lastEventAt")
    VALUES (${channelAccountId}::uuid, ${userId}, ${followed}, ${followed ? at : null}, ${followed ? null : at}, ${at})
    ON CONFLICT ("channelAccountId", "userId") DO UPDATE SET
      "following" = EXCLUDED."following",
      "followedAt" = COALESCE(EXCLUDED."followedAt", "OaFollower"."followedAt"),
      "unfollowedAt" = CASE WHEN EXCLUDED."following" THEN NULL ELSE EXCLUDED."unfollowedAt" END,
      "lastEventAt" = EXCLUDED."lastEventAt"
    WHERE "OaFollower"."lastEventAt" < EXCLUDED."lastEventAt"`;
}

/** The follower's tags as Zalo has them (after tagging through the API, or a sync). */
export async function setOaFollowerTags(prisma: PrismaClient, channelAccountId: string, userId: string, tags: string[]): Promise<void> {
  const clean = [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))];
  await prisma.oaFollower.update({ where: { channelAccountId_userId: { channelAccountId, userId } }, data: { tags: clean } });
}

/** Staff choose which village a tag stands for; `villageId` null removes the mapping. */
export async function setOaTagVillage(prisma: Prisma.TransactionClient, channelAccountId: string, tag: string, villageId: string | null): Promise<void> {
  const t = tag.trim();
  if (t === '') throw new RangeError('nhãn không được để trống');
  if (villageId === null) {
    await prisma.oaTagVillage.deleteMany({ where: { channelAccountId, tag: t } });
    return;
  }
  await prisma.oaTagVillage.upsert({ where: { channelAccountId_tag: { channelAccountId, tag: t } }, create: { channelAccountId, tag: t, villageId }, update: { villageId } });
}

/**
 * Who a "zalo-oa-followers" target reaches: those still following, and for a village target only
 * those with one of the village's tags (none mapped: nobody, never the whole OA by mistake).
 */
export async function oaFollowersFor(prisma: PrismaClient, channelAccountId: string, villageId: string | null): Promise<string[]> {
  if (villageId === null) {
    const all = await prisma.oaFollower.findMany({ where: { channelAccountId, following: true }, select: { userId: true }, orderBy: { userId: 'asc' } });
    return all.map((f) => f.userId);
  }
  const tags = (await prisma.oaTagVillage.findMany({ where: { channelAccountId, villageId }, select: { tag: true } })).map((t) => t.tag);
  if (tags.length === 0) return [];
  const found = await prisma.oaFollower.findMany({ where: { channelAccountId, following: true, tags: { hasSome: tags } }, select: { userId: true }, orderBy: { userId: 'asc' } });
  return found.map((f) => f.userId);
}
