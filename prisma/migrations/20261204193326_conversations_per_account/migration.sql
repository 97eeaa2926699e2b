-- A person's conversation is with one bot or account, not with a platform: Telegram gives a user's
-- private chats with commune A's bot and commune B's bot the same chat id and numbers the messages
-- of each from 1, so keys without the account merged the two communes' conversations (the second
-- commune's messages were dropped as duplicates and the person stayed commune A's resident).
-- Existing identities were made with the account that received them, so they keep their residents.
DROP INDEX "ResidentIdentity_platform_platformUserId_key";
CREATE UNIQUE INDEX "ResidentIdentity_platform_account_user_key" ON "ResidentIdentity"("platform", "channelAccountId", "platformUserId");

DROP INDEX "TicketMessage_channel_platformChatId_platformMessageId_key";
CREATE UNIQUE INDEX "TicketMessage_account_chat_message_key" ON "TicketMessage"("channel", "channelAccountId", "platformChatId", "platformMessageId");

-- Deduplication of what arrives must hold for a row without an account too.
DROP INDEX "InboundMessage_channel_platformChatId_platformMessageId_key";
CREATE UNIQUE INDEX "InboundMessage_account_chat_message_key" ON "InboundMessage"("channel", "channelAccountId", "platformChatId", "platformMessageId") NULLS NOT DISTINCT;
