-- A Q&A bulletin moved or cancelled after its askers were told the time: what each was told, and
-- when the change has settled enough to tell them again (src/bulletins/qa-retell.ts).
ALTER TABLE "QaItem" ADD COLUMN "toldAirAt" TIMESTAMPTZ(3);
ALTER TABLE "QaItem" ADD COLUMN "toldCancelledAt" TIMESTAMPTZ(3);
ALTER TABLE "QaItem" ADD COLUMN "retellAt" TIMESTAMPTZ(3);
CREATE INDEX "QaItem_retellAt_idx" ON "QaItem"("retellAt");
