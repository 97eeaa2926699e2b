-- CreateTable
CREATE TABLE "BulletinChatPost" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "bulletinId" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "platformChatId" TEXT NOT NULL,
    "platformMessageId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "accountName" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BulletinChatPost_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BulletinChatPost_bulletinId_idx" ON "BulletinChatPost"("bulletinId");

-- CreateIndex
CREATE UNIQUE INDEX "BulletinChatPost_platform_platformChatId_platformMessageId_key" ON "BulletinChatPost"("platform", "platformChatId", "platformMessageId");

-- AddForeignKey
ALTER TABLE "BulletinChatPost" ADD CONSTRAINT "BulletinChatPost_bulletinId_fkey" FOREIGN KEY ("bulletinId") REFERENCES "Bulletin"("id") ON DELETE CASCADE ON UPDATE CASCADE;
