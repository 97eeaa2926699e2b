// A resident's private chat with the commune bot: consent first, then commands, tracking, and
// questions that become tickets. Runs in the inbound message's transaction.
import type { Prisma } from '../db/generated/client.ts';
import type { InboundAction, InboundMessage } from '../../bots/channel.ts';
import { foldVietnamese } from '../text/fold-vietnamese.ts';
import { intake, setTicketVillage, type IntakeMessage, type IntakeResult } from './ticket-intake.ts';
import { understandMessage } from './understanding/small-talk.ts';
import { findVillageAnswer } from './understanding/village-mention.ts';
import { CONSENT_VERSION, residentTextsOf, type ResidentTexts } from './resident-texts.ts';
import { finalStatuses, statusLabel } from './ticket-status.ts';
import { parseTicketCode } from './ticket-code.ts';
import { formatDue } from './resident-texts.ts';
import type { TicketDeps } from './ticket-deps.ts';
import { answerActionJob, effect, removeButtonsJob, sendDirectJob, type DirectMessage, type Effect } from './ticket-jobs.ts';
import type { AccountInfo } from './channel-accounts.ts';
import { rateTicket } from './ticket-actions.ts';
import { refreshRatingButtons } from './rating-buttons.ts';
import { eraseResident } from './erase-resident.ts';
import { continueSubscribing, handleSubscriptionAction, isSubscriptionAction, startSubscribing, stopSubscriptions, type SubscriptionChat } from '../subscriptions/resident-subscriptions.ts';
import { isStopRequest, STOP_COMMANDS } from '../subscriptions/stop-words.ts';
import { handleSurveyAction, handleSurveyText, type SurveyTextState } from '../surveys/survey-chat.ts';

export interface Outcome {
  status: 'processed' | 'ignored';
  /** Why it was ignored, or what it became; kept on the inbound row. */
  note?: string;
  ticketMessageId?: string;
  effects: Effect[];
}

interface ConversationState {
  newTicket?: boolean;
  /** Asked which village this ticket is about; the next message may answer it (asked once). */
  villageFor?: string;
  /** Asked which village to subscribe to (/dangky); the next message may name it. */
  subscribing?: boolean;
  /** A survey's short-text question was asked; the next message answers it (src/surveys/survey-chat.ts). */
  surveyText?: SurveyTextState;
}

// Past the per-minute limit messages are still kept (joined to the open ticket), unanswered one
// by one; past this many times the limit, a flood is stored as received and left there.
const FLOOD_FACTOR = 5;
const SUPPORTED_ATTACHMENTS = new Set(['photo', 'file']);
// Messages held while waiting for consent are turned into a ticket once it is given.
const HELD_FOR_MS = 24 * 3600_000;

function direct(m: { platform: InboundMessage['platform']; accountId: string; chatId: string }, text: string, extra: Partial<DirectMessage> = {}, key?: string): Effect {
  return effect(sendDirectJob, { platform: m.platform, accountId: m.accountId, chatId: m.chatId, text, ...extra }, key);
}

/**
 * The person as this bot or account knows them. The same platform user writing to another
 * commune's bot is another resident (that commune asks its own consent); writing to a second
 * account of the same commune, they stay the commune's one resident.
 */
async function findOrCreateResident(tx: Prisma.TransactionClient, communeId: string, account: AccountInfo, platform: InboundMessage['platform'], userId: string, chatId: string) {
  const identity = await tx.residentIdentity.findFirst({ where: { platform, channelAccountId: account.id, platformUserId: userId }, include: { resident: true } });
  if (identity) return identity;
  const known = await tx.residentIdentity.findFirst({ where: { platform, platformUserId: userId, resident: { communeId } }, orderBy: { createdAt: 'asc' }, select: { residentId: true } });
  // Nothing personal is stored before consent: no name, no phone.
  const resident = known ? { id: known.residentId } : await tx.resident.create({ data: { communeId } });
  return tx.residentIdentity.create({
    data: { residentId: resident.id, platform, platformUserId: userId, platformChatId: chatId, channelAccountId: account.id },
    include: { resident: true },
  });
}

export async function handleResidentMessage(
  tx: Prisma.TransactionClient,
  deps: TicketDeps,
  inboundId: string,
  m: InboundMessage,
  account: AccountInfo,
  communeId: string,
): Promise<Outcome> {
  const identity = await findOrCreateResident(tx, communeId, account, m.platform, m.userId, m.chatId);
  const resident = identity.resident;
  // In the commune's form of address, for this channel family.
  const residentTexts = await residentTextsOf(tx, communeId, m.platform);
  const key = (n: number) => `direct-${inboundId}-${n}`;
  if (resident.blocked) return { status: 'ignored', note: 'blocked', effects: [] };

  // Rate limit: count this person's messages in the last minute (this one included).
  // Button presses do not count; messages stored after this one (a backlog) do not either.
  const recent = await tx.inboundMessage.count({
    where: {
      channel: m.platform,
      channelAccountId: account.id,
      platformUserId: m.userId,
      receivedAt: { gte: new Date(m.receivedAt.getTime() - 60_000), lte: m.receivedAt },
      NOT: { platformMessageId: { startsWith: 'action:' } },
    },
  });
  const limited = recent > deps.policy.messagesPerMinute;
  if (recent > deps.policy.messagesPerMinute * FLOOD_FACTOR) return { status: 'ignored', note: 'rate_limited', effects: [] };
  // One polite line when the limit is crossed; it waits for the end of the burst so that it comes
  // after the acknowledgements of what was sent before it (those are sent at the burst's end).
  const notice = recent === deps.policy.messagesPerMinute + 1 ? [effect(sendDirectJob, { platform: m.platform, accountId: m.accountId, chatId: m.chatId, text: residentTexts.rateLimited }, key(9), new Date(m.receivedAt.getTime() + deps.policy.burstWindowMs + 2000))] : [];
  const out = await understandAndHandle(tx, deps, m, identity, account, communeId, key, limited, residentTexts);
  return { ...out, effects: [...(limited && out.status === 'ignored' ? [] : out.effects), ...notice] };
}

type Identity = Awaited<ReturnType<typeof findOrCreateResident>>;

async function understandAndHandle(
  tx: Prisma.TransactionClient,
  deps: TicketDeps,
  m: InboundMessage,
  identity: Identity,
  account: AccountInfo,
  communeId: string,
  key: (n: number) => string,
  limited: boolean,
  residentTexts: ResidentTexts,
): Promise<Outcome> {
  const resident = identity.resident;
  const folded = foldVietnamese(m.text ?? '');
  const commune = await tx.commune.findUniqueOrThrow({ where: { id: communeId } });
  // Greetings, thanks, consent words, lone punctuation: answered, never a ticket on their own.
  const kind = m.command || m.attachments.length ? 'question' : understandMessage(m.text);
  const subChat: SubscriptionChat = { tx, chat: m, identityId: identity.id, residentId: resident.id, communeId, key };

  // "Stop" is obeyed before anything else, consent included: a subscriber is never asked twice.
  if (m.command ? STOP_COMMANDS.has(m.command.name.toLowerCase()) : !m.attachments.length && isStopRequest(m.text)) {
    const stopped = await stopSubscriptions(subChat, m.command ? 'command' : 'word', m.receivedAt);
    if (stopped) return stopped;
  }

  if (!resident.consentGivenAt) {
    if (kind === 'consent') return giveConsent(tx, deps, m, identity.id, resident.id, communeId, account, key);
    const isQuestion = !m.command && ((kind === 'question' && m.text?.trim()) || m.attachments.length > 0);
    const text = residentTexts.consent(commune.name) + (isQuestion ? `\n\n${residentTexts.consentHeld}` : '');
    return {
      status: 'ignored',
      note: isQuestion ? 'awaiting_consent' : 'consent_prompt',
      effects: [direct(m, text, { buttons: [[{ label: 'Tôi đồng ý', data: 'consent:yes' }]] }, key(0))],
    };
  }
  await tx.resident.update({ where: { id: resident.id }, data: { lastMessageAt: m.receivedAt } });
  if (identity.platformChatId !== m.chatId) await tx.residentIdentity.update({ where: { id: identity.id }, data: { platformChatId: m.chatId } });

  if (m.command?.name.toLowerCase() === 'dangky') return startSubscribing(subChat, m.command.args);
  if (m.command) return handleCommand(tx, m, identity.id, resident.id, commune.ticketCodePrefix, key);

  const code = parseTicketCode(m.text ?? '', commune.ticketCodePrefix);
  if (code && folded.replace(/\s/g, '').length <= code.length + 2) return track(tx, m, resident.id, code, key);

  const state = (identity.state ?? {}) as ConversationState;
  if (state.subscribing && !m.attachments.length) {
    const answered = await continueSubscribing(subChat, m.text ?? '');
    if (answered) return answered;
  }
  if (state.surveyText && m.attachments.length === 0) {
    const out = await handleSurveyText(tx, m, state.surveyText, resident.id, communeId, key(0));
    const { surveyText: _asked, ...rest } = state;
    const after = out?.textState ? { ...rest, surveyText: out.textState } : rest;
    await tx.residentIdentity.update({ where: { id: identity.id }, data: { state: after as Prisma.InputJsonValue } });
    if (out) return { status: out.note.startsWith('survey_answer') ? 'processed' : 'ignored', note: out.note, effects: out.effects };
  }
  if (state.villageFor) {
    // The answer to "which village?": asked once, so whatever comes next clears the question.
    const { villageFor, ...rest } = state;
    await tx.residentIdentity.update({ where: { id: identity.id }, data: { state: rest as Prisma.InputJsonValue } });
    const ticket = await tx.ticket.findUnique({ where: { id: villageFor } });
    const villages = await tx.village.findMany({ where: { communeId }, select: { id: true, name: true, aliases: true } });
    const answer = ticket && !ticket.villageId && kind === 'question' ? findVillageAnswer(m.text, villages) : undefined;
    if (ticket && answer) {
      const effects = await setTicketVillage(tx, ticket.id, answer.id, m.receivedAt);
      await tx.resident.update({ where: { id: resident.id }, data: { villageId: answer.id } });
      // The answer is the resident's words too: kept with the ticket like any follow-up.
      const joined = await intake(tx, deps, { ...intakeOf(m, resident, account, communeId), villageId: answer.id, quietFollowUp: true }, { commune, residentTexts });
      return { status: 'processed', note: 'village_answer', ticketMessageId: joined.ticketMessageId, effects: [...effects, ...joined.effects, direct(m, residentTexts.villageNoted(ticket.code, answer.name), {}, key(0))] };
    }
  }

  const text = (m.text ?? '').trim();
  const usable = m.attachments.filter((a) => SUPPORTED_ATTACHMENTS.has(a.kind));
  if (kind !== 'question') {
    // Kept (it joins the ticket of the question that follows) and answered politely.
    const reply = kind === 'greeting' ? residentTexts.greeting : kind === 'thanks' ? residentTexts.thanks : kind === 'consent' ? residentTexts.consentRepeat : kind === 'decline' ? residentTexts.declined : residentTexts.empty;
    return { status: 'ignored', note: 'small_talk', effects: limited ? [] : [direct(m, reply, {}, key(0))] };
  }
  if (!text && m.attachments.length === 0) return { status: 'ignored', note: 'empty', effects: [direct(m, residentTexts.empty, {}, key(0))] };
  if (!text && usable.length === 0) return { status: 'ignored', note: 'unsupported', effects: [direct(m, residentTexts.unsupported, {}, key(0))] };
  if (text.length > deps.policy.maxTextLength) {
    return { status: 'ignored', note: 'too_long', effects: [direct(m, residentTexts.tooLong(deps.policy.maxTextLength), {}, key(0))] };
  }
  const big = usable.find((a) => (a.size ?? 0) > deps.policy.maxPhotoBytes);
  if (big) {
    return { status: 'ignored', note: 'attachment_too_large', effects: [direct(m, residentTexts.photoTooLarge(Math.round(deps.policy.maxPhotoBytes / 1048576)), {}, key(0))] };
  }

  const result = await intake(tx, deps, { ...intakeOf(m, resident, account, communeId), forceNew: state.newTicket === true }, { commune, residentTexts });
  const effects = [...result.effects, ...(await maybeAskVillage(tx, m, identity.id, result, key, deps.policy.burstWindowMs, residentTexts))];
  if (state.newTicket) await tx.residentIdentity.update({ where: { id: identity.id }, data: { state: {} } });
  return { status: 'processed', note: result.created ? 'ticket_created' : 'ticket_follow_up', ticketMessageId: result.ticketMessageId, effects };
}

function intakeOf(m: InboundMessage, resident: { id: string; villageId: string | null }, account: AccountInfo, communeId: string): IntakeMessage {
  return {
    communeId,
    residentId: resident.id,
    villageId: resident.villageId,
    platform: m.platform,
    channelAccountId: account.id,
    accountName: m.accountId,
    chatId: m.chatId,
    platformMessageId: m.platformMessageId,
    text: (m.text ?? '').trim(),
    attachments: m.attachments.filter((a) => SUPPORTED_ATTACHMENTS.has(a.kind)),
    receivedAt: m.receivedAt,
    forceNew: false,
  };
}

/** A new ticket whose village no message named: ask once, if the commune has villages to name. */
async function maybeAskVillage(
  tx: Prisma.TransactionClient,
  m: Pick<InboundMessage, 'platform' | 'accountId' | 'chatId'>,
  identityId: string,
  result: IntakeResult,
  key: (n: number) => string,
  burstWindowMs: number,
  known?: ResidentTexts,
): Promise<Effect[]> {
  if (!result.created || !result.villageUnknown) return [];
  const ticket = result.ticket ?? (await tx.ticket.findUniqueOrThrow({ where: { id: result.ticketId } }));
  if (!(result.communeHasVillages ?? (await tx.village.count({ where: { communeId: ticket.communeId } })) > 0)) return [];
  const residentTexts = known ?? (await residentTextsOf(tx, ticket.communeId, m.platform));
  const identity = await tx.residentIdentity.findUniqueOrThrow({ where: { id: identityId } });
  await tx.residentIdentity.update({ where: { id: identityId }, data: { state: { ...((identity.state ?? {}) as object), villageFor: result.ticketId } } });
  // At the end of the burst, and only if no message of it named the village meanwhile.
  const at = new Date(ticket.createdAt.getTime() + Math.max(1500, burstWindowMs + 1000));
  return [effect(sendDirectJob, { platform: m.platform, accountId: m.accountId, chatId: m.chatId, text: residentTexts.askVillage(ticket.code), unlessVillageKnown: result.ticketId }, `${key(5)}-village`, at)];
}

async function giveConsent(
  tx: Prisma.TransactionClient,
  deps: TicketDeps,
  m: Pick<InboundMessage, 'platform' | 'accountId' | 'chatId' | 'userId' | 'userName'> & { receivedAt: Date },
  identityId: string,
  residentId: string,
  communeId: string,
  account: AccountInfo,
  key: (n: number) => string,
): Promise<Outcome> {
  const residentTexts = await residentTextsOf(tx, communeId, m.platform);
  await tx.resident.update({
    where: { id: residentId },
    data: { consentGivenAt: m.receivedAt, consentVersion: CONSENT_VERSION, displayName: m.userName ?? null, lastMessageAt: m.receivedAt },
  });
  await tx.residentIdentity.update({ where: { id: identityId }, data: { displayName: m.userName ?? null, platformChatId: m.chatId } });
  const effects: Effect[] = [direct(m, residentTexts.consentThanks, {}, key(0))];

  // The questions sent before consenting become a ticket now, in the order they came.
  const held = await tx.inboundMessage.findMany({
    // Held by this bot only: what the person asked another commune's bot is that commune's.
    where: { channel: m.platform, channelAccountId: account.id, platformUserId: m.userId, status: 'ignored', error: 'awaiting_consent', receivedAt: { gte: new Date(m.receivedAt.getTime() - HELD_FOR_MS) } },
    orderBy: { receivedAt: 'asc' },
  });
  for (const h of held) {
    const stored = h.payload as unknown as { kind: string; message: InboundMessage };
    const hm = stored.message;
    if (hm.attachments.length === 0 && understandMessage(hm.text) !== 'question') {
      // Held before small talk was told apart: it joins the next question instead.
      await tx.inboundMessage.update({ where: { id: h.id }, data: { error: 'small_talk' } });
      continue;
    }
    const result = await intake(tx, deps, {
      communeId,
      residentId,
      villageId: null,
      platform: m.platform,
      channelAccountId: account.id,
      accountName: m.accountId,
      chatId: m.chatId,
      platformMessageId: hm.platformMessageId,
      text: (hm.text ?? '').slice(0, deps.policy.maxTextLength),
      attachments: hm.attachments.filter((a) => SUPPORTED_ATTACHMENTS.has(a.kind)),
      receivedAt: h.receivedAt,
      forceNew: false,
    });
    await tx.inboundMessage.update({ where: { id: h.id }, data: { status: 'processed', error: null, ticketMessageId: result.ticketMessageId, processedAt: m.receivedAt } });
    effects.push(...result.effects, ...(await maybeAskVillage(tx, m, identityId, result, (n) => `${key(n)}-${h.id}`, deps.policy.burstWindowMs)));
  }
  return { status: 'processed', note: 'consent_given', effects };
}

async function handleCommand(
  tx: Prisma.TransactionClient,
  m: InboundMessage,
  identityId: string,
  residentId: string,
  prefix: string,
  key: (n: number) => string,
): Promise<Outcome> {
  const residentTexts = await residentTextsOf(tx, (await tx.resident.findUniqueOrThrow({ where: { id: residentId } })).communeId, m.platform);
  const name = m.command!.name.toLowerCase();
  switch (name) {
    case 'start':
    case 'huongdan':
    case 'help':
      return { status: 'processed', note: `command_${name}`, effects: [direct(m, residentTexts.help, {}, key(0))] };
    case 'hoi':
      return { status: 'processed', note: 'command_hoi', effects: [direct(m, residentTexts.ask, {}, key(0))] };
    case 'moi':
      await tx.residentIdentity.update({ where: { id: identityId }, data: { state: { newTicket: true } } });
      return { status: 'processed', note: 'command_moi', effects: [direct(m, residentTexts.newTicketNext, {}, key(0))] };
    case 'tracuu': {
      const code = parseTicketCode(m.command!.args, prefix);
      if (!code) return { status: 'processed', note: 'command_tracuu', effects: [direct(m, residentTexts.trackUsage, {}, key(0))] };
      return track(tx, m, residentId, code, key);
    }
    case 'dulieucuatoi':
      return { status: 'processed', note: 'command_dulieucuatoi', effects: [direct(m, await describeMyData(tx, residentId, m.platform), {}, key(0))] };
    case 'xoadulieu':
      // Nothing is erased before the resident confirms.
      return { status: 'processed', note: 'command_xoadulieu', effects: [direct(m, residentTexts.eraseConfirm, { buttons: [[{ label: 'Xoá dữ liệu của tôi', data: 'erase:yes' }], [{ label: 'Không xoá', data: 'erase:no' }]] }, key(0))] };
    default:
      return { status: 'ignored', note: 'unknown_command', effects: [direct(m, residentTexts.unknownCommand, {}, key(0))] };
  }
}

/** Status history of a ticket, to its owner only: a code of someone else's ticket is "not found". */
async function track(tx: Prisma.TransactionClient, m: InboundMessage, residentId: string, code: string, key: (n: number) => string): Promise<Outcome> {
  const { communeId } = await tx.resident.findUniqueOrThrow({ where: { id: residentId } });
  const residentTexts = await residentTextsOf(tx, communeId, m.platform);
  // Codes repeat across communes: the one asked is this commune's.
  const ticket = await tx.ticket.findFirst({
    where: { code, communeId, residentId },
    include: { category: true, events: { where: { type: 'status_changed' }, orderBy: { createdAt: 'asc' } } },
  });
  if (!ticket) return { status: 'processed', note: 'track_not_found', effects: [direct(m, residentTexts.trackNotFound(code), {}, key(0))] };
  const lines = [
    `Phản ánh ${ticket.code} — ${ticket.category?.name ?? 'Khác'}`,
    `Tình trạng: ${statusLabel[ticket.status]}`,
    ...(ticket.dueAt && !finalStatuses.includes(ticket.status) ? [`Hạn trả lời: ${formatDue(ticket.dueAt)}`] : []),
    '',
    `• ${formatDue(ticket.createdAt)}: Mới`,
    ...ticket.events.map((e) => `• ${formatDue(e.createdAt)}: ${e.toStatus ? statusLabel[e.toStatus] : ''}${e.reason ? ` — ${e.reason}` : ''}`),
  ];
  return { status: 'processed', note: 'track', effects: [direct(m, lines.join('\n'), {}, key(0))] };
}

async function describeMyData(tx: Prisma.TransactionClient, residentId: string, platform: string): Promise<string> {
  const residentTexts = await residentTextsOf(tx, (await tx.resident.findUniqueOrThrow({ where: { id: residentId } })).communeId, platform);
  const r = await tx.resident.findUniqueOrThrow({
    where: { id: residentId },
    include: { identities: true, village: true, tickets: { orderBy: { createdAt: 'asc' }, select: { code: true, status: true, createdAt: true } } },
  });
  const lines = [
    residentTexts.myDataHeader,
    `• Tên hiển thị: ${r.displayName ?? '(không có)'}`,
    `• Số điện thoại: ${r.phone ?? '(không có)'}`,
    `• Thôn: ${r.village?.name ?? '(chưa rõ)'}`,
    `• Đồng ý lưu dữ liệu lúc: ${r.consentGivenAt ? formatDue(r.consentGivenAt) : '(chưa)'}`,
    `• Tài khoản: ${r.identities.map((i) => i.platform).join(', ')}`,
    `• Phản ánh: ${r.tickets.length ? r.tickets.map((t) => `${t.code} (${statusLabel[t.status]})`).join(', ') : '(chưa có)'}`,
  ];
  return lines.join('\n');
}

/** Buttons a resident presses: consent, rating. */
export async function handleResidentAction(
  tx: Prisma.TransactionClient,
  deps: TicketDeps,
  inboundId: string,
  a: InboundAction,
  account: AccountInfo,
  communeId: string,
  receivedAt: Date,
): Promise<Outcome> {
  const residentTexts = await residentTextsOf(tx, communeId, a.platform);
  const answer = (text?: string) => effect(answerActionJob, { platform: a.platform, accountId: a.accountId, actionId: a.actionId, ...(text ? { text } : {}) }, `ack-${inboundId}`);
  const key = (n: number) => `direct-${inboundId}-${n}`;
  const identity = await findOrCreateResident(tx, communeId, account, a.platform, a.userId, a.chatId);
  if (identity.resident.blocked) return { status: 'ignored', note: 'blocked', effects: [answer()] };

  if (a.data === 'consent:yes') {
    if (identity.resident.consentGivenAt) return { status: 'ignored', note: 'consent_repeat', effects: [answer()] };
    const out = await giveConsent(tx, deps, { ...a, receivedAt }, identity.id, identity.residentId, communeId, account, key);
    return { ...out, effects: [answer(), ...out.effects] };
  }
  if (isSubscriptionAction(a.data)) {
    if (!identity.resident.consentGivenAt) {
      const commune = await tx.commune.findUniqueOrThrow({ where: { id: communeId }, select: { name: true } });
      return { status: 'ignored', note: 'consent_prompt', effects: [answer(), direct(a, residentTexts.consent(commune.name), { buttons: [[{ label: 'Tôi đồng ý', data: 'consent:yes' }]] }, key(0))] };
    }
    const out = await handleSubscriptionAction({ tx, chat: a, identityId: identity.id, residentId: identity.residentId, communeId, key }, a.data, receivedAt);
    if (out) return { ...out, effects: [answer(), ...out.effects] };
  }
  if (a.data === 'erase:yes' || a.data === 'erase:no') {
    const done = effect(removeButtonsJob, { platform: a.platform, accountId: a.accountId, chatId: a.chatId, messageId: a.messageId }, `erase-buttons-${inboundId}`);
    if (a.data === 'erase:no') return { status: 'processed', note: 'erase_declined', effects: [answer(), done, direct({ ...a }, residentTexts.eraseKept, {}, key(0))] };
    if (!identity.resident.consentGivenAt && identity.resident.erasedAt) return { status: 'ignored', note: 'erase_repeat', effects: [answer(), done] };
    const erased = await eraseResident(tx, identity.residentId, receivedAt);
    return { status: 'processed', note: 'erased', effects: [answer(), done, ...erased, direct({ ...a }, residentTexts.erased, {}, key(0))] };
  }
  const survey = identity.resident.consentGivenAt ? await handleSurveyAction(tx, a, identity.residentId, communeId, receivedAt, key(0)) : undefined;
  if (survey) {
    // The question the resident is now asked to type (or none): kept with their conversation.
    const { surveyText: _asked, ...rest } = (identity.state ?? {}) as ConversationState;
    await tx.residentIdentity.update({ where: { id: identity.id }, data: { state: (survey.textState ? { ...rest, surveyText: survey.textState } : rest) as Prisma.InputJsonValue } });
    return { status: survey.note.startsWith('survey_answer') ? 'processed' : 'ignored', note: survey.note, effects: [answer(), ...survey.effects] };
  }
  const rate = /^rate:([0-9a-f-]{36}):(ok|no|[1-5])$/.exec(a.data);
  if (rate) {
    const out = await rateTicket(tx, deps, { ticketId: rate[1]!, residentId: identity.residentId, value: rate[2]!, at: receivedAt });
    if (out.ok) {
      const buttons = refreshRatingButtons(a, rate[1]!, `rated-buttons-${inboundId}`);
      return { status: 'processed', note: 'rated', effects: [answer(residentTexts.rateThanks), ...out.effects, buttons, direct({ ...a }, out.reply, {}, key(0))] };
    }
    return { status: 'ignored', note: out.reason, effects: [answer(out.reply)] };
  }
  return { status: 'ignored', note: 'unknown_action', effects: [answer()] };
}
