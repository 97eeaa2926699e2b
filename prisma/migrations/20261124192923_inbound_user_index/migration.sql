-- CreateIndex
CREATE INDEX "InboundMessage_channel_platformUserId_receivedAt_idx" ON "InboundMessage"("channel", "platformUserId", "receivedAt");
