-- CreateTable
CREATE TABLE "ClassificationExample" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "communeId" UUID NOT NULL,
    "ticketId" UUID,
    "text" TEXT NOT NULL,
    "fromCategory" TEXT,
    "toCategory" TEXT NOT NULL,
    "staffId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClassificationExample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClassifierModel" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "communeId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "trainedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "exampleCount" INTEGER NOT NULL,
    "heldOutCount" INTEGER NOT NULL,
    "heldOutAccuracy" DOUBLE PRECISION NOT NULL,
    "modelAccuracy" DOUBLE PRECISION NOT NULL,
    "rulesAccuracy" DOUBLE PRECISION NOT NULL,
    "activeAccuracy" DOUBLE PRECISION,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "decision" TEXT NOT NULL,
    "weights" JSONB NOT NULL,
    "activatedAt" TIMESTAMPTZ(3),
    "retiredAt" TIMESTAMPTZ(3),

    CONSTRAINT "ClassifierModel_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ClassificationExample_communeId_createdAt_idx" ON "ClassificationExample"("communeId", "createdAt");

-- CreateIndex
CREATE INDEX "ClassificationExample_ticketId_idx" ON "ClassificationExample"("ticketId");

-- CreateIndex
CREATE INDEX "ClassifierModel_communeId_active_idx" ON "ClassifierModel"("communeId", "active");

-- CreateIndex
CREATE UNIQUE INDEX "ClassifierModel_communeId_version_key" ON "ClassifierModel"("communeId", "version");

-- AddForeignKey
ALTER TABLE "ClassificationExample" ADD CONSTRAINT "ClassificationExample_communeId_fkey" FOREIGN KEY ("communeId") REFERENCES "Commune"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClassifierModel" ADD CONSTRAINT "ClassifierModel_communeId_fkey" FOREIGN KEY ("communeId") REFERENCES "Commune"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- At most one active version per commune, whatever two trainers do at once (not expressible in
-- schema.prisma, hence by hand).
CREATE UNIQUE INDEX "ClassifierModel_one_active_per_commune" ON "ClassifierModel"("communeId") WHERE "active";
