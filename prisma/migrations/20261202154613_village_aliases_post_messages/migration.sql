-- AlterTable
ALTER TABLE "Village" ADD COLUMN     "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "TicketAdminPost" ADD COLUMN     "ticketMessageIds" UUID[] DEFAULT ARRAY[]::UUID[];
