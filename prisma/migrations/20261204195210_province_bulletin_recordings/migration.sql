-- Recordings of a province bulletin, one per language, uploaded by the province editor before
-- approval; approval copies them into each commune's copy (BulletinVersion.audioSha256).
CREATE TABLE "ProvinceBulletinRecording" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "provinceBulletinId" UUID NOT NULL,
    "language" TEXT NOT NULL,
    "audioSha256" TEXT NOT NULL,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProvinceBulletinRecording_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "ProvinceBulletinRecording_provinceBulletinId_language_key" ON "ProvinceBulletinRecording"("provinceBulletinId", "language");

ALTER TABLE "ProvinceBulletinRecording" ADD CONSTRAINT "ProvinceBulletinRecording_provinceBulletinId_fkey" FOREIGN KEY ("provinceBulletinId") REFERENCES "ProvinceBulletin"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ProvinceBulletinRecording" ADD CONSTRAINT "ProvinceBulletinRecording_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;
