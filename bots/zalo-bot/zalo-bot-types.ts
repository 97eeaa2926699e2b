// The Zalo Bot Platform's HTTP API as types: every method the adapter calls, its parameters and
// its result, and the update shape. The fake server in test/support/zalo-bot-api is typed against
// these same declarations, so the adapter and the fake cannot drift apart silently.
// Base: https://bot-api.zaloplatforms.com/bot<token>/<method>, POST with a JSON body.

export interface ZaloBotOk<T> {
  ok: true;
  result: T;
}

export interface ZaloBotFailure {
  ok: false;
  error_code: number;
  description: string;
  /** Seen with 429; absent otherwise. */
  parameters?: { retry_after?: number };
}

export type ZaloBotResponse<T> = ZaloBotOk<T> | ZaloBotFailure;

export interface ZaloBotUser {
  id: string;
  display_name?: string;
  first_name?: string;
  is_bot?: boolean;
}

export interface ZaloBotMessage {
  message_id: string;
  /** Milliseconds since the epoch. */
  date: number;
  chat: { id: string; chat_type: 'PRIVATE' | 'GROUP' };
  from: ZaloBotUser;
  text?: string;
  /** The image's address on Zalo's servers (message.image.received). */
  photo_url?: string;
  caption?: string;
  sticker?: string;
  url?: string;
}

export type ZaloBotEventName =
  | 'message.text.received'
  | 'message.image.received'
  | 'message.sticker.received'
  // Sent for users whose privacy settings hide the content from bots ("protected users").
  | 'message.unsupported.received';

export interface ZaloBotUpdate {
  event_name: ZaloBotEventName;
  message: ZaloBotMessage;
}

export interface ZaloBotSent {
  message_id: string;
  date: number;
}

export interface ZaloBotWebhookInfo {
  url: string;
  updated_at: number;
}

/** Method name → [parameters, result]. */
export interface ZaloBotMethods {
  getMe: [Record<string, never>, { id: string; account_name: string; account_type: string; can_join_groups: boolean }];
  /** Long polling: one update per call; 408 when nothing came within `timeout` seconds. */
  getUpdates: [{ timeout?: string }, ZaloBotUpdate];
  setWebhook: [{ url: string; secret_token: string }, ZaloBotWebhookInfo];
  deleteWebhook: [Record<string, never>, ZaloBotWebhookInfo];
  getWebhookInfo: [Record<string, never>, ZaloBotWebhookInfo];
  sendMessage: [{ chat_id: string; text: string }, ZaloBotSent];
  sendPhoto: [{ chat_id: string; photo: string; caption?: string }, ZaloBotSent];
  sendSticker: [{ chat_id: string; sticker: string }, ZaloBotSent];
  sendChatAction: [{ chat_id: string; action: 'typing' | 'upload_photo' }, true];
}

export type ZaloBotMethod = keyof ZaloBotMethods;
export type ZaloBotParams<M extends ZaloBotMethod> = ZaloBotMethods[M][0];
export type ZaloBotResult<M extends ZaloBotMethod> = ZaloBotMethods[M][1];

/** Documented limits (text and caption: 1–2,000 characters; secret_token: 8–256 characters). */
export const ZALO_BOT_MAX_TEXT = 2000;
export const ZALO_BOT_SECRET_MIN = 8;
export const ZALO_BOT_SECRET_MAX = 256;
/** The webhook's secret travels in this header. */
export const ZALO_BOT_SECRET_HEADER = 'x-bot-api-secret-token';
