// Zalo has no buttons under a message. Choices are written out as a numbered list ("Trả lời bằng
// số: 1. Tôi đồng ý  2. …") and a reply with the number becomes the same InboundAction a button
// press gives on Telegram, so the domain does not know the difference. In a private chat the
// latest list counts; in a group the list of the message being quoted.
import type { Redis } from 'ioredis';
import type { Button, InboundAction, InboundMessage } from '../channel.ts';

/** Where lists are remembered (Redis in production, so a restart keeps them). */
export interface ChoiceMemory {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

export function inMemoryChoices(): ChoiceMemory {
  const m = new Map<string, { value: string; until: number }>();
  return {
    get: async (k) => {
      const e = m.get(k);
      return e && e.until > Date.now() ? e.value : undefined;
    },
    set: async (k, value, ttl) => void m.set(k, { value, until: Date.now() + ttl * 1000 }),
    delete: async (k) => void m.delete(k),
  };
}

/** Lists kept in Redis: every process of the account sees them, and a restart keeps them. */
export function redisChoices(redis: Redis, prefix: string): ChoiceMemory {
  return {
    get: async (k) => (await redis.get(`${prefix}:${k}`)) ?? undefined,
    set: async (k, value, ttl) => void (await redis.set(`${prefix}:${k}`, value, 'EX', ttl)),
    delete: async (k) => void (await redis.del(`${prefix}:${k}`)),
  };
}

const TTL_S = 3 * 24 * 3600;
const NUMBER_RE = /^\s*(?:số\s*)?(\d{1,2})\s*[.)]?\s*$/i;

export function numberedText(text: string, buttons: Button[][]): string {
  const flat = buttons.flat();
  if (flat.length === 0) return text;
  const list = flat.map((b, i) => `${i + 1}. ${b.label}`).join('\n');
  return `${text}\n\n👉 Trả lời bằng số:\n${list}`;
}

export async function rememberChoices(memory: ChoiceMemory, accountId: string, chatId: string, messageId: string, buttons: Button[][]): Promise<void> {
  const flat = buttons.flat();
  if (flat.length === 0) return;
  await memory.set(`${accountId}:${chatId}:${messageId}`, JSON.stringify(flat.map((b) => b.data)), TTL_S);
  if (!chatId.startsWith('g:')) await memory.set(`${accountId}:${chatId}:latest`, messageId, TTL_S);
}

/**
 * What is left of a list once some choices are spent. The resident still reads the list as sent,
 * so every number keeps its meaning: the spent ones stop meaning anything, the others are not
 * renumbered ("7. 5★" stays 7 after "1. Hài lòng" was chosen).
 */
export async function keepChoices(memory: ChoiceMemory, accountId: string, chatId: string, messageId: string, buttons: Button[][]): Promise<void> {
  const key = `${accountId}:${chatId}:${messageId}`;
  const stored = await memory.get(key);
  if (!stored) return rememberChoices(memory, accountId, chatId, messageId, buttons);
  const left = new Set(buttons.flat().map((b) => b.data));
  await memory.set(key, JSON.stringify((JSON.parse(stored) as string[]).map((d) => (left.has(d) ? d : ''))), TTL_S);
}

export async function forgetChoices(memory: ChoiceMemory, accountId: string, chatId: string, messageId: string): Promise<void> {
  await memory.delete(`${accountId}:${chatId}:${messageId}`);
}

/** The action a numbered reply stands for, or undefined when it is an ordinary message. */
export async function choiceAction(memory: ChoiceMemory, m: InboundMessage): Promise<InboundAction | undefined> {
  const n = NUMBER_RE.exec(m.text ?? '')?.[1];
  if (!n || m.attachments.length) return undefined;
  const messageId = m.replyTo?.platformMessageId ?? (m.chatKind === 'private' ? await memory.get(`${m.accountId}:${m.chatId}:latest`) : undefined);
  if (!messageId) return undefined;
  const stored = await memory.get(`${m.accountId}:${m.chatId}:${messageId}`);
  const data = stored ? (JSON.parse(stored) as string[])[Number(n) - 1] : undefined;
  if (!data) return undefined;
  return {
    platform: m.platform,
    accountId: m.accountId,
    actionId: `${m.chatId}|${m.platformMessageId}`,
    chatId: m.chatId,
    chatKind: m.chatKind,
    userId: m.userId,
    ...(m.userName ? { userName: m.userName } : {}),
    messageId,
    data,
  };
}

/**
 * The button half of a Channel for every Zalo kind (personal account, OA, Bot). There is no toast
 * under a message on Zalo: a warning (no right, no longer possible) comes as a short message, a
 * plain "done" is dropped since the domain also says it in the chat. A sent Zalo message cannot
 * change; what changes is which numbers still mean something.
 */
export function numberedChoiceMethods(
  memory: ChoiceMemory,
  accountId: string,
  send: (chatId: string, content: { text: string }) => Promise<unknown>,
): { answerAction(actionId: string, text?: string, alert?: boolean): Promise<void>; editButtons(chatId: string, platformMessageId: string, buttons: Button[][] | null): Promise<void> } {
  return {
    async answerAction(actionId, text, alert) {
      if (!text || !alert) return;
      await send(actionId.split('|')[0]!, { text });
    },
    async editButtons(chatId, platformMessageId, buttons) {
      if (!buttons?.length) await forgetChoices(memory, accountId, chatId, platformMessageId);
      else await keepChoices(memory, accountId, chatId, platformMessageId, buttons);
    },
  };
}
