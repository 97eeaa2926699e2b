// A resident's subscriptions from their private chat with the bot: `/dangky` (or `/dangky Thôn 3`),
// then a village and the topics by buttons (numbered choices on Zalo); `/huy`, "dừng", "stop"…
// deletes every subscription of the resident at once. Runs in the inbound message's transaction,
// after consent was given (subscriptions are personal data under it). Subscribing twice to the
// same village is one subscription (unique per chat and village).
import type { Prisma } from '../db/generated/client.ts';
import type { Platform } from '../../bots/channel.ts';
import { effect, sendDirectJob, type Effect } from '../tickets/ticket-jobs.ts';
import type { Outcome } from '../tickets/resident-conversation.ts';
import { residentTextsOf, type ResidentTexts } from '../tickets/resident-texts.ts';
import { findVillageAnswer } from '../tickets/understanding/village-mention.ts';
import { isTopicCode, SUBSCRIPTION_TOPICS, topicNames } from './subscription-topics.ts';
import { canSubscribeOn } from './subscriber-platforms.ts';

type Tx = Prisma.TransactionClient;

export interface SubscriptionChat {
  tx: Tx;
  /** Where the answer goes. */
  chat: { platform: Platform; accountId: string; chatId: string };
  identityId: string;
  residentId: string;
  /** The commune of the bot account the resident writes to. */
  communeId: string;
  key: (n: number) => string;
}

/** InboundAction.data of the buttons: a village, then a topic of it ("*": every topic). */
const VILLAGE_ACTION = /^sub:v:([0-9a-f-]{36})$/;
const TOPIC_ACTION = /^sub:t:([0-9a-f-]{36}):([A-Z_]{1,20}|\*)$/;
// A reply to "which village?" longer than this is a question, not a village name.
const MAX_VILLAGE_WORDS = 4;

export function isSubscriptionAction(data: string): boolean {
  return data.startsWith('sub:');
}

function reply(c: SubscriptionChat, text: string, buttons?: Array<Array<{ label: string; data: string }>>): Effect {
  return effect(sendDirectJob, { platform: c.chat.platform, accountId: c.chat.accountId, chatId: c.chat.chatId, text, ...(buttons ? { buttons } : {}) }, c.key(0));
}

async function villagesOf(tx: Tx, communeId: string) {
  return tx.village.findMany({ where: { communeId }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }], select: { id: true, name: true, aliases: true } });
}

async function setSubscribing(tx: Tx, identityId: string, on: boolean): Promise<void> {
  const identity = await tx.residentIdentity.findUniqueOrThrow({ where: { id: identityId }, select: { state: true } });
  const { subscribing: _was, ...rest } = (identity.state ?? {}) as { subscribing?: boolean };
  await tx.residentIdentity.update({ where: { id: identityId }, data: { state: (on ? { ...rest, subscribing: true } : rest) as Prisma.InputJsonValue } });
}

/** Why this chat cannot subscribe here, as the answer to give; undefined when it can. */
async function refusal(c: SubscriptionChat, t: ResidentTexts): Promise<Outcome | undefined> {
  if (!canSubscribeOn(c.chat.platform)) return { status: 'ignored', note: 'subscribe_unsupported_channel', effects: [reply(c, t.subscribeChannelUnsupported)] };
  // Consent was given to one commune: its bot is the only one that may keep this resident's wishes.
  const resident = await c.tx.resident.findUniqueOrThrow({ where: { id: c.residentId }, select: { communeId: true } });
  if (resident.communeId !== c.communeId) return { status: 'ignored', note: 'subscribe_other_commune', effects: [reply(c, t.subscribeVillageRefused)] };
  return undefined;
}

function villageButtons(villages: Array<{ id: string; name: string }>) {
  return villages.map((v) => [{ label: v.name, data: `sub:v:${v.id}` }]);
}

function topicButtons(villageId: string, t: ResidentTexts) {
  return [...SUBSCRIPTION_TOPICS.map((topic) => [{ label: topic.name, data: `sub:t:${villageId}:${topic.code}` }]), [{ label: t.subscribeAllTopics, data: `sub:t:${villageId}:*` }]];
}

/** `/dangky` with or without a village name. */
export async function startSubscribing(c: SubscriptionChat, args: string): Promise<Outcome> {
  const t = await residentTextsOf(c.tx, c.communeId, c.chat.platform);
  const refused = await refusal(c, t);
  if (refused) return refused;
  const villages = await villagesOf(c.tx, c.communeId);
  if (villages.length === 0) return { status: 'processed', note: 'subscribe_no_villages', effects: [reply(c, t.subscribeNoVillages)] };
  if (args.trim()) {
    const v = findVillageAnswer(args, villages);
    if (v) return { status: 'processed', note: 'subscribe_village', effects: [reply(c, t.subscribeChooseTopics(v.name), topicButtons(v.id, t))] };
    await setSubscribing(c.tx, c.identityId, true);
    return { status: 'processed', note: 'subscribe_unknown_village', effects: [reply(c, t.subscribeUnknownVillage(args.trim()), villageButtons(villages))] };
  }
  await setSubscribing(c.tx, c.identityId, true);
  const commune = await c.tx.commune.findUniqueOrThrow({ where: { id: c.communeId }, select: { name: true } });
  return { status: 'processed', note: 'subscribe_start', effects: [reply(c, t.subscribeChooseVillage(commune.name), villageButtons(villages))] };
}

/**
 * The message after "which village?" typed instead of pressed: a village name goes on to the
 * topics, a short unknown name gets the list again, anything longer is an ordinary message (the
 * question is cleared so it is never asked in a loop).
 */
export async function continueSubscribing(c: SubscriptionChat, text: string): Promise<Outcome | undefined> {
  const villages = await villagesOf(c.tx, c.communeId);
  const v = findVillageAnswer(text, villages);
  const t = await residentTextsOf(c.tx, c.communeId, c.chat.platform);
  if (v) {
    await setSubscribing(c.tx, c.identityId, false);
    return { status: 'processed', note: 'subscribe_village', effects: [reply(c, t.subscribeChooseTopics(v.name), topicButtons(v.id, t))] };
  }
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length > 0 && words.length <= MAX_VILLAGE_WORDS) {
    return { status: 'processed', note: 'subscribe_unknown_village', effects: [reply(c, t.subscribeUnknownVillage(text.trim()), villageButtons(villages))] };
  }
  await setSubscribing(c.tx, c.identityId, false);
  return undefined;
}

/** A pressed (or numbered) village or topic; undefined when the data is not a subscription's. */
export async function handleSubscriptionAction(c: SubscriptionChat, data: string, now: Date): Promise<Outcome | undefined> {
  const villageAction = VILLAGE_ACTION.exec(data);
  const topicAction = TOPIC_ACTION.exec(data);
  if (!villageAction && !topicAction) return undefined;
  const t = await residentTextsOf(c.tx, c.communeId, c.chat.platform);
  const refused = await refusal(c, t);
  if (refused) return refused;
  const villageId = (villageAction ?? topicAction)![1]!;
  // Button data can be forged or come from another commune's old message: the village must be this commune's.
  const village = await c.tx.village.findFirst({ where: { id: villageId, communeId: c.communeId } });
  if (!village) return { status: 'ignored', note: 'subscribe_village_refused', effects: [reply(c, t.subscribeVillageRefused)] };
  await setSubscribing(c.tx, c.identityId, false);
  if (villageAction) return { status: 'processed', note: 'subscribe_village', effects: [reply(c, t.subscribeChooseTopics(village.name), topicButtons(village.id, t))] };

  const code = topicAction![2]!;
  if (code !== '*' && !isTopicCode(code)) return { status: 'ignored', note: 'subscribe_topic_unknown', effects: [reply(c, t.subscribeChooseTopics(village.name), topicButtons(village.id, t))] };
  const where = { residentIdentityId_villageId: { residentIdentityId: c.identityId, villageId: village.id } };
  const existing = await c.tx.subscription.findUnique({ where });
  // Topics add up, press after press; "every topic" is the empty list.
  const topics = code === '*' ? [] : existing && existing.topics.length ? [...new Set([...existing.topics, code])] : [code];
  const sub = await c.tx.subscription.upsert({
    where,
    create: { communeId: c.communeId, residentId: c.residentId, residentIdentityId: c.identityId, villageId: village.id, topics },
    update: { topics },
  });
  await c.tx.auditLog.create({ data: { communeId: c.communeId, actorKind: 'resident', action: existing ? 'subscription.update' : 'subscription.create', entityType: 'Subscription', entityId: sub.id, data: { villageId: village.id, topics }, createdAt: now } });
  return { status: 'processed', note: existing ? 'subscription_updated' : 'subscribed', effects: [reply(c, t.subscribed(village.name, topicNames(topics, t.subscribeAllTopics.toLowerCase())))] };
}

/**
 * Stops every subscription of the resident, now: the rows go, so a queued delivery finds none
 * when its turn comes (broadcasts/fanout/subscriber-delivery.ts). A typed word from someone with
 * nothing to stop is left to the rest of the conversation (undefined); a command is answered.
 */
export async function stopSubscriptions(c: SubscriptionChat, via: 'command' | 'word', now: Date): Promise<Outcome | undefined> {
  const t = await residentTextsOf(c.tx, c.communeId, c.chat.platform);
  const identity = await c.tx.residentIdentity.findUniqueOrThrow({ where: { id: c.identityId }, select: { state: true } });
  const asked = Boolean((identity.state as { subscribing?: boolean } | null)?.subscribing);
  if (asked) await setSubscribing(c.tx, c.identityId, false);
  const gone = await c.tx.subscription.deleteMany({ where: { residentId: c.residentId } });
  if (gone.count === 0) {
    if (via === 'word' && !asked) return undefined;
    return { status: 'processed', note: 'unsubscribe_none', effects: [reply(c, t.notSubscribed)] };
  }
  await c.tx.auditLog.create({ data: { communeId: c.communeId, actorKind: 'resident', action: 'subscription.stop', entityType: 'Resident', entityId: c.residentId, data: { subscriptions: gone.count }, createdAt: now } });
  return { status: 'processed', note: 'unsubscribed', effects: [reply(c, t.unsubscribed)] };
}
