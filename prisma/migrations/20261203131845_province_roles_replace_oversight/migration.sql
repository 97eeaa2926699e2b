-- Province roles are the one rule for reading across communes: an oversight grant (read-only access
-- of an account to chosen communes, from the district era) is replaced by a province viewer role.
-- Accounts without a commune or province whose grants name communes of a province become viewers
-- of that province (the provinces migration did this for the grants it found; this catches later
-- ones). A grant nothing covers — the account is commune staff, or the commune is in no province
-- or in another province than the account's — is written to the commune's audit log, then dropped.
UPDATE "Staff" s SET "provinceId" = g."provinceId", "provinceRoles" = ARRAY['viewer']::"ProvinceRole"[]
FROM (SELECT og."staffId", min(c."provinceId"::text)::uuid AS "provinceId"
      FROM "OversightGrant" og JOIN "Commune" c ON c."id" = og."communeId"
      WHERE c."provinceId" IS NOT NULL GROUP BY og."staffId") g
WHERE s."id" = g."staffId" AND s."communeId" IS NULL AND s."provinceId" IS NULL;

-- A province account that had no role yet reads with the viewer role its grants gave it.
UPDATE "Staff" s SET "provinceRoles" = ARRAY['viewer']::"ProvinceRole"[]
WHERE s."communeId" IS NULL AND s."provinceId" IS NOT NULL AND coalesce(cardinality(s."provinceRoles"), 0) = 0
  AND EXISTS (SELECT 1 FROM "OversightGrant" og JOIN "Commune" c ON c."id" = og."communeId" WHERE og."staffId" = s."id" AND c."provinceId" = s."provinceId");

INSERT INTO "AuditLog" ("communeId", "actorKind", "action", "entityType", "entityId", "data")
SELECT og."communeId", 'system', 'oversight_grant.dropped', 'Staff', og."staffId"::text,
       jsonb_build_object('communeId', og."communeId", 'reason', CASE WHEN s."communeId" IS NOT NULL THEN 'commune_staff' WHEN c."provinceId" IS NULL THEN 'commune_without_province' ELSE 'other_province' END)
FROM "OversightGrant" og JOIN "Staff" s ON s."id" = og."staffId" JOIN "Commune" c ON c."id" = og."communeId"
WHERE s."communeId" IS NOT NULL OR c."provinceId" IS NULL OR c."provinceId" IS DISTINCT FROM s."provinceId";

DROP TABLE "OversightGrant";
