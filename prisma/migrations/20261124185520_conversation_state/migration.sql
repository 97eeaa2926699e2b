-- AlterTable
ALTER TABLE "ResidentIdentity" ADD COLUMN     "state" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "TicketAdminPost" ADD COLUMN     "purpose" TEXT NOT NULL DEFAULT 'ticket';
