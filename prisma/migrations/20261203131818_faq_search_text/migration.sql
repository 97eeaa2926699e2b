-- FAQ entries searchable without diacritics: the folded words of question and answer.
ALTER TABLE "FaqEntry" ADD COLUMN "searchText" TEXT NOT NULL DEFAULT '';

-- Existing entries folded here as src/text/fold-vietnamese.ts folds them (NFC letters mapped by
-- hand: lower() of non-ASCII letters depends on the server's locale).
UPDATE "FaqEntry" SET "searchText" = ' ' || trim(regexp_replace(lower(translate(normalize("question" || ' ' || "answer", NFC),
  'àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ',
  'aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyydAAAAAAAAAAAAAAAAAEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYYD')),
  '[^a-z0-9]+', ' ', 'g')) || ' ';

CREATE INDEX "FaqEntry_communeId_publishedAt_idx" ON "FaqEntry"("communeId", "publishedAt");
