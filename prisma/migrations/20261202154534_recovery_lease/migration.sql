-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "possibleDuplicate" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "sendingPart" TEXT;

-- AlterTable
ALTER TABLE "TicketMessage" ADD COLUMN     "possibleDuplicate" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "sendingAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "ProcessLease" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "lastRunAt" TIMESTAMPTZ(3),
    "lastResult" JSONB,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProcessLease_pkey" PRIMARY KEY ("name")
);
