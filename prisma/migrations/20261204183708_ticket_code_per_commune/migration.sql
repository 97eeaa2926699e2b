-- Ticket codes are unique per commune, not per installation: on a province installation every
-- commune's prefix may be "PA", and its first ticket of the year is PA-<year>-00001 like the
-- others'. Existing codes were unique installation-wide, so they stay unique per commune.
DROP INDEX "Ticket_code_key";
CREATE UNIQUE INDEX "Ticket_communeId_code_key" ON "Ticket"("communeId", "code");
