-- A province approver withdraws an approved province bulletin: the communes' copies not yet finished
-- are cancelled and their side of it marked withdrawn (communes cannot cancel a province copy).
ALTER TYPE "ProvinceBulletinStatus" ADD VALUE 'withdrawn';
ALTER TYPE "ProvinceDispatchStatus" ADD VALUE 'withdrawn';

ALTER TABLE "ProvinceBulletin" ADD COLUMN "withdrawnAt" TIMESTAMPTZ(3),
ADD COLUMN "withdrawnById" UUID;

ALTER TABLE "ProvinceBulletin" ADD CONSTRAINT "ProvinceBulletin_withdrawnById_fkey" FOREIGN KEY ("withdrawnById") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;
