-- "Dân hỏi – Lãnh đạo trả lời": the questions of a Q&A bulletin, each from one answered ticket.
CREATE TABLE "QaItem" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "bulletinId" UUID NOT NULL,
    "ticketId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "question" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "faqEntryId" UUID,
    "notifiedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QaItem_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "QaItem_ticketId_key" ON "QaItem"("ticketId");
CREATE INDEX "QaItem_bulletinId_idx" ON "QaItem"("bulletinId");

ALTER TABLE "QaItem" ADD CONSTRAINT "QaItem_bulletinId_fkey" FOREIGN KEY ("bulletinId") REFERENCES "Bulletin"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "QaItem" ADD CONSTRAINT "QaItem_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "QaItem" ADD CONSTRAINT "QaItem_faqEntryId_fkey" FOREIGN KEY ("faqEntryId") REFERENCES "FaqEntry"("id") ON DELETE SET NULL ON UPDATE CASCADE;
