-- AlterEnum
ALTER TYPE "AudienceKind" ADD VALUE 'subscribers';

-- AlterTable
ALTER TABLE "BulletinAudience" ADD COLUMN     "topicCode" TEXT;

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "residentId" UUID,
ADD COLUMN     "residentIdentityId" UUID,
ADD COLUMN     "subscriptionId" UUID;

-- CreateTable
CREATE TABLE "Subscription" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "communeId" UUID NOT NULL,
    "residentId" UUID NOT NULL,
    "residentIdentityId" UUID NOT NULL,
    "villageId" UUID NOT NULL,
    "topics" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Subscription_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Subscription_communeId_villageId_idx" ON "Subscription"("communeId", "villageId");

-- CreateIndex
CREATE INDEX "Subscription_residentId_idx" ON "Subscription"("residentId");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_residentIdentityId_villageId_key" ON "Subscription"("residentIdentityId", "villageId");

-- CreateIndex
CREATE UNIQUE INDEX "Delivery_runId_bulletinVersionId_residentId_key" ON "Delivery"("runId", "bulletinVersionId", "residentId");

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_communeId_fkey" FOREIGN KEY ("communeId") REFERENCES "Commune"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_residentId_fkey" FOREIGN KEY ("residentId") REFERENCES "Resident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_residentIdentityId_fkey" FOREIGN KEY ("residentIdentityId") REFERENCES "ResidentIdentity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_villageId_fkey" FOREIGN KEY ("villageId") REFERENCES "Village"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_residentIdentityId_fkey" FOREIGN KEY ("residentIdentityId") REFERENCES "ResidentIdentity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_residentId_fkey" FOREIGN KEY ("residentId") REFERENCES "Resident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "Subscription"("id") ON DELETE SET NULL ON UPDATE CASCADE;
