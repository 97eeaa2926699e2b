-- CreateTable
CREATE TABLE "StaffLinkCode" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "staffId" UUID NOT NULL,
    "codeHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StaffLinkCode_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "StaffLinkCode_codeHash_idx" ON "StaffLinkCode"("codeHash");

-- CreateIndex
CREATE INDEX "StaffLinkCode_staffId_idx" ON "StaffLinkCode"("staffId");

-- AddForeignKey
ALTER TABLE "StaffLinkCode" ADD CONSTRAINT "StaffLinkCode_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;
