-- CreateEnum
CREATE TYPE "ProvinceBulletinStatus" AS ENUM ('submitted', 'approved', 'rejected');

-- CreateEnum
CREATE TYPE "ProvinceDispatchStatus" AS ENUM ('waiting', 'declined', 'scheduled', 'sent');

-- AlterTable
ALTER TABLE "Bulletin" ADD COLUMN "provinceBulletinId" UUID;

-- CreateTable
CREATE TABLE "ProvinceBulletin" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "provinceId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "class" "BulletinClass" NOT NULL DEFAULT 'normal',
    "language" TEXT NOT NULL DEFAULT 'vi',
    "text" TEXT NOT NULL,
    "status" "ProvinceBulletinStatus" NOT NULL DEFAULT 'submitted',
    "authorId" UUID NOT NULL,
    "approvedById" UUID,
    "approvedAt" TIMESTAMPTZ(3),
    "rejectComment" TEXT,
    "declineDeadline" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProvinceBulletin_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProvinceBulletinCommune" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "provinceBulletinId" UUID NOT NULL,
    "communeId" UUID NOT NULL,
    "villageIds" UUID[],
    "status" "ProvinceDispatchStatus" NOT NULL DEFAULT 'waiting',
    "bulletinId" UUID,
    "declinedById" UUID,
    "declinedAt" TIMESTAMPTZ(3),
    "declineReason" TEXT,
    "scheduledAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProvinceBulletinCommune_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ProvinceBulletin_provinceId_createdAt_idx" ON "ProvinceBulletin"("provinceId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ProvinceBulletinCommune_bulletinId_key" ON "ProvinceBulletinCommune"("bulletinId");

-- CreateIndex
CREATE INDEX "ProvinceBulletinCommune_status_idx" ON "ProvinceBulletinCommune"("status");

-- CreateIndex
CREATE UNIQUE INDEX "ProvinceBulletinCommune_provinceBulletinId_communeId_key" ON "ProvinceBulletinCommune"("provinceBulletinId", "communeId");

-- AddForeignKey
ALTER TABLE "Bulletin" ADD CONSTRAINT "Bulletin_provinceBulletinId_fkey" FOREIGN KEY ("provinceBulletinId") REFERENCES "ProvinceBulletin"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvinceBulletin" ADD CONSTRAINT "ProvinceBulletin_provinceId_fkey" FOREIGN KEY ("provinceId") REFERENCES "Province"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvinceBulletin" ADD CONSTRAINT "ProvinceBulletin_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvinceBulletin" ADD CONSTRAINT "ProvinceBulletin_approvedById_fkey" FOREIGN KEY ("approvedById") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvinceBulletinCommune" ADD CONSTRAINT "ProvinceBulletinCommune_provinceBulletinId_fkey" FOREIGN KEY ("provinceBulletinId") REFERENCES "ProvinceBulletin"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvinceBulletinCommune" ADD CONSTRAINT "ProvinceBulletinCommune_communeId_fkey" FOREIGN KEY ("communeId") REFERENCES "Commune"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvinceBulletinCommune" ADD CONSTRAINT "ProvinceBulletinCommune_bulletinId_fkey" FOREIGN KEY ("bulletinId") REFERENCES "Bulletin"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvinceBulletinCommune" ADD CONSTRAINT "ProvinceBulletinCommune_declinedById_fkey" FOREIGN KEY ("declinedById") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;
