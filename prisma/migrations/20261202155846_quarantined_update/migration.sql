-- CreateTable
CREATE TABLE "QuarantinedUpdate" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "channel" "Platform" NOT NULL,
    "accountKey" TEXT NOT NULL,
    "updateKey" TEXT NOT NULL,
    "raw" TEXT NOT NULL,
    "error" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "quarantinedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QuarantinedUpdate_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "QuarantinedUpdate_channel_accountKey_updateKey_key" ON "QuarantinedUpdate"("channel", "accountKey", "updateKey");

-- CreateIndex
CREATE INDEX "QuarantinedUpdate_quarantinedAt_idx" ON "QuarantinedUpdate"("quarantinedAt");
