// The buttons under "Ông/Bà có hài lòng…?": what they are, and what is left of them once pressed
// (a choice made is not offered again; Telegram's message is edited, the web chat's page updated,
// Zalo's numbers forgotten).
import type { Button } from '../../bots/channel.ts';
import { effect, refreshRatingButtonsJob, type Effect } from './ticket-jobs.ts';
import type { Platform } from '../../bots/channel.ts';

export function ratingButtons(ticketId: string): Button[][] {
  return [
    [
      { label: 'Hài lòng', data: `rate:${ticketId}:ok` },
      { label: 'Chưa hài lòng', data: `rate:${ticketId}:no` },
    ],
    ['1', '2', '3', '4', '5'].map((n) => ({ label: `${n}★`, data: `rate:${ticketId}:${n}` })),
  ];
}

/** After a press: stars once given go; "hài lòng / chưa hài lòng" once answered goes. */
export function ratingButtonsLeft(t: { id: string; status: string; rating: number | null }): Button[][] {
  const [satisfied, stars] = ratingButtons(t.id) as [Button[], Button[]];
  return [...(t.status === 'answered' ? [satisfied] : []), ...(t.rating === null ? [stars] : [])];
}

/** After a press, the job that edits that message's buttons to what is left. */
export function refreshRatingButtons(a: { platform: Platform; accountId: string; chatId: string; messageId: string }, ticketId: string, key: string): Effect {
  return effect(refreshRatingButtonsJob, { platform: a.platform, accountId: a.accountId, chatId: a.chatId, messageId: a.messageId, ticketId }, key);
}
