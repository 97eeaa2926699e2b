-- AlterEnum
ALTER TYPE "TargetKind" ADD VALUE 'zalo-oa-followers';
ALTER TYPE "TargetKind" ADD VALUE 'zalo-oa-group';

-- CreateTable
CREATE TABLE "OaFollower" (
    "channelAccountId" UUID NOT NULL,
    "userId" TEXT NOT NULL,
    "following" BOOLEAN NOT NULL DEFAULT true,
    "followedAt" TIMESTAMPTZ(3),
    "unfollowedAt" TIMESTAMPTZ(3),
    "lastEventAt" TIMESTAMPTZ(3) NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "OaFollower_pkey" PRIMARY KEY ("channelAccountId","userId")
);

-- CreateTable
CREATE TABLE "OaTagVillage" (
    "channelAccountId" UUID NOT NULL,
    "tag" TEXT NOT NULL,
    "villageId" UUID NOT NULL,

    CONSTRAINT "OaTagVillage_pkey" PRIMARY KEY ("channelAccountId","tag")
);

-- CreateTable
CREATE TABLE "OaQuota" (
    "channelAccountId" UUID NOT NULL,
    "monthlyLimit" INTEGER NOT NULL,
    "perFollowerDaily" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OaQuota_pkey" PRIMARY KEY ("channelAccountId")
);

-- CreateTable
CREATE TABLE "OaQuotaMonth" (
    "channelAccountId" UUID NOT NULL,
    "month" TEXT NOT NULL,
    "used" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "OaQuotaMonth_pkey" PRIMARY KEY ("channelAccountId","month")
);

-- CreateTable
CREATE TABLE "OaBroadcastReceipt" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "channelAccountId" UUID NOT NULL,
    "userId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "seq" INTEGER NOT NULL DEFAULT 1,
    "deliveryId" UUID,
    "messageId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OaBroadcastReceipt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "OaBroadcastReceipt_channelAccountId_userId_day_seq_key" ON "OaBroadcastReceipt"("channelAccountId", "userId", "day", "seq");

-- CreateIndex
CREATE INDEX "OaBroadcastReceipt_channelAccountId_day_idx" ON "OaBroadcastReceipt"("channelAccountId", "day");

-- CreateIndex
CREATE INDEX "OaBroadcastReceipt_deliveryId_idx" ON "OaBroadcastReceipt"("deliveryId");

-- AddForeignKey
ALTER TABLE "OaFollower" ADD CONSTRAINT "OaFollower_channelAccountId_fkey" FOREIGN KEY ("channelAccountId") REFERENCES "ChannelAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OaTagVillage" ADD CONSTRAINT "OaTagVillage_channelAccountId_fkey" FOREIGN KEY ("channelAccountId") REFERENCES "ChannelAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OaTagVillage" ADD CONSTRAINT "OaTagVillage_villageId_fkey" FOREIGN KEY ("villageId") REFERENCES "Village"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OaQuota" ADD CONSTRAINT "OaQuota_channelAccountId_fkey" FOREIGN KEY ("channelAccountId") REFERENCES "ChannelAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OaQuotaMonth" ADD CONSTRAINT "OaQuotaMonth_channelAccountId_fkey" FOREIGN KEY ("channelAccountId") REFERENCES "ChannelAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OaBroadcastReceipt" ADD CONSTRAINT "OaBroadcastReceipt_channelAccountId_fkey" FOREIGN KEY ("channelAccountId") REFERENCES "ChannelAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;
