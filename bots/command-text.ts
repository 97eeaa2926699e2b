// Commands as residents and staff type them on every platform: "/tracuu PA-2026-00001",
// "/dangkynhom@LoaXaBot Thôn 1" (Telegram adds the bot's name in groups). Names are ASCII, as
// Telegram requires; anything else is ordinary text.
import type { InboundMessage } from './channel.ts';

export function parseCommand(text: string | undefined): InboundMessage['command'] {
  if (!text?.trimStart().startsWith('/')) return undefined;
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  return m ? { name: m[1]!.toLowerCase(), args: (m[2] ?? '').trim() } : undefined;
}
