-- Two levels of local government since 1 July 2025: provinces and communes, no districts.
CREATE TYPE "ProvinceRole" AS ENUM ('viewer', 'editor', 'approver', 'admin');

CREATE TABLE "Province" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "declineWindowMinutes" INTEGER NOT NULL DEFAULT 120,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Province_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Province_code_key" ON "Province"("code");

ALTER TABLE "Commune" ADD COLUMN "provinceId" UUID;
ALTER TABLE "Staff" ADD COLUMN "provinceId" UUID,
    ADD COLUMN "provinceRoles" "ProvinceRole"[];
ALTER TABLE "ApiKey" ADD COLUMN "provinceId" UUID;

-- Existing data: each distinct province name becomes a Province; its communes join it.
INSERT INTO "Province" ("code", "name")
SELECT 'P' || row_number() OVER (ORDER BY p), p FROM (SELECT DISTINCT btrim("province") AS p FROM "Commune" WHERE coalesce(btrim("province"), '') <> '') n;
UPDATE "Commune" c SET "provinceId" = p."id" FROM "Province" p WHERE p."name" = btrim(c."province");

-- District/province oversight accounts (no commune, granted communes) become viewers of the province of
-- their granted communes; the grants stay so no one loses sight of a commune outside a province.
UPDATE "Staff" s SET "provinceId" = g."provinceId", "provinceRoles" = ARRAY['viewer']::"ProvinceRole"[]
FROM (SELECT og."staffId", min(c."provinceId"::text)::uuid AS "provinceId"
      FROM "OversightGrant" og JOIN "Commune" c ON c."id" = og."communeId"
      WHERE c."provinceId" IS NOT NULL GROUP BY og."staffId") g
WHERE s."id" = g."staffId" AND s."communeId" IS NULL;

-- Keys held by the higher level speak for the province of the commune they were issued to.
UPDATE "ApiKey" k SET "provinceId" = c."provinceId" FROM "Commune" c WHERE c."id" = k."communeId";

ALTER TABLE "Commune" DROP COLUMN "district", DROP COLUMN "province";

ALTER TABLE "Commune" ADD CONSTRAINT "Commune_provinceId_fkey" FOREIGN KEY ("provinceId") REFERENCES "Province"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Staff" ADD CONSTRAINT "Staff_provinceId_fkey" FOREIGN KEY ("provinceId") REFERENCES "Province"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_provinceId_fkey" FOREIGN KEY ("provinceId") REFERENCES "Province"("id") ON DELETE CASCADE ON UPDATE CASCADE;
