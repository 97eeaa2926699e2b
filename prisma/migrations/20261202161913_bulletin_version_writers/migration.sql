-- AlterTable
ALTER TABLE "BulletinVersion" ADD COLUMN "writerIds" UUID[];

-- Who wrote a version so far: at least its creator.
UPDATE "BulletinVersion" SET "writerIds" = CASE WHEN "createdById" IS NULL THEN '{}'::UUID[] ELSE ARRAY["createdById"] END;
