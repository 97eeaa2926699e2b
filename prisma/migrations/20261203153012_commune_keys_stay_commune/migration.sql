-- A key issued before provinces existed was given to read one commune; the provinces migration made
-- it read every commune of the province, which widens what its holder sees. Those keys stay commune
-- keys; a province key is issued as one (createApiKey with province) after that migration.
UPDATE "ApiKey" SET "provinceId" = NULL
WHERE "provinceId" IS NOT NULL
  AND "createdAt" <= (SELECT "finished_at" FROM "_prisma_migrations" WHERE "migration_name" = '20261203090936_provinces');
