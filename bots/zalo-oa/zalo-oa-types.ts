// The Zalo Official Account API (v3) as types: the webhook events the adapter reads, the
// consultation-message request and replies, the OAuth v4 token reply and the error codes it
// acts on. The fake OA server in test/support/zalo-oa-api is typed against these declarations.

/** Every OpenAPI reply: error 0 is success. */
export interface ZaloOaReply<T> {
  error: number;
  message: string;
  data?: T;
}

export interface ZaloOaAttachment {
  type: 'image' | 'file' | 'audio' | 'video' | 'sticker' | 'gif' | 'link' | 'location';
  payload: { url?: string; thumbnail?: string; name?: string; size?: string; type?: string; id?: string; coordinates?: { latitude: string; longitude: string } };
}

interface EventBase {
  app_id: string;
  /** Milliseconds since the epoch, as a string. */
  timestamp: string;
  user_id_by_app?: string;
}

export interface ZaloOaUserMessageEvent extends EventBase {
  event_name: 'user_send_text' | 'user_send_image' | 'user_send_file' | 'user_send_audio' | 'user_send_location' | 'user_send_sticker' | 'user_send_video' | 'user_send_gif' | 'user_send_link' | 'user_send_business_card';
  sender: { id: string };
  recipient: { id: string };
  message: { msg_id: string; text?: string; attachments?: ZaloOaAttachment[] };
}

export interface ZaloOaAnonymousEvent extends EventBase {
  event_name: 'anonymous_send_text' | 'anonymous_send_image' | 'anonymous_send_file' | 'anonymous_send_sticker';
  sender: { id: string };
  recipient: { id: string };
  conversation_id: string;
  message: { msg_id: string; text?: string; attachments?: ZaloOaAttachment[] };
}

export interface ZaloOaFollowEvent extends EventBase {
  event_name: 'follow' | 'unfollow';
  oa_id: string;
  follower: { id: string };
  source?: string;
}

export type ZaloOaEvent = ZaloOaUserMessageEvent | ZaloOaAnonymousEvent | ZaloOaFollowEvent;

/** POST /v3.0/oa/message/cs ("tin tư vấn"). */
export interface ZaloOaCsRequest {
  recipient: { user_id: string } | { anonymous_id: string; conversation_id: string };
  message:
    | { text: string }
    | { text?: string; attachment: { type: 'template'; payload: { template_type: 'media'; elements: Array<{ media_type: 'image'; url?: string; attachment_id?: string }> } } }
    | { attachment: { type: 'file'; payload: { token: string } } };
}

export interface ZaloOaCsResult {
  message_id: string;
  user_id: string;
  quota?: { quota_type: string; remain: string; total: string; expired_date?: string };
}

/** POST /v3.0/oa/message/promotion ("tin truyền thông", a broadcast to one follower; counts against the OA's quota). */
export interface ZaloOaPromotionRequest {
  recipient: { user_id: string };
  message: {
    attachment: {
      type: 'template';
      payload: {
        template_type: 'promotion';
        language: 'VI' | 'EN';
        elements: Array<{ type: 'banner'; attachment_id: string } | { type: 'header'; content: string } | { type: 'text'; align: 'left' | 'center' | 'right'; content: string }>;
      };
    };
  };
}

/** POST /v3.0/oa/group/message: a message to a group conversation the OA manages (GMF). */
export interface ZaloOaGroupMessageRequest {
  recipient: { group_id: string };
  message: { text: string } | { attachment: { type: 'template'; payload: { template_type: 'media'; elements: Array<{ media_type: 'image'; attachment_id: string }> } } };
}

/** POST /v2.0/oa/upload/image (multipart field "file"; JPG/PNG up to 1 MB). */
export interface ZaloOaUploadResult {
  attachment_id: string;
}

/** POST /v2.0/oa/tag/tagfollower. */
export interface ZaloOaTagRequest {
  user_id: string;
  tag_name: string;
}

/** GET /v3.0/oa/user/getlist?data={"offset","count","tag_name","is_follower"}: one page (count ≤ 50). */
export interface ZaloOaUserList {
  total: number;
  count: number;
  offset: number;
  users: Array<{ user_id: string }>;
}

/** GET /v2.0/oa/getoa. */
export interface ZaloOaInfo {
  oa_id: string;
  name: string;
  num_follower?: number;
  package_name?: string;
}

/** POST https://oauth.zaloapp.com/v4/oa/access_token (form body, header secret_key). */
export interface ZaloOaTokenReply {
  access_token?: string;
  refresh_token?: string;
  /** Seconds, as a string ("90000" = 25 h). */
  expires_in?: string;
  error?: number;
  error_name?: string;
  error_description?: string;
}

/** Documented limits. */
export const ZALO_OA_MAX_TEXT = 2000;
/** A promotion message's header element. */
export const ZALO_OA_MAX_HEADER = 100;
export const ZALO_OA_MAX_IMAGE_BYTES = 1024 * 1024;
export const ZALO_OA_USER_PAGE = 50;
/** Consultation messages are allowed this long after the resident's last message. */
export const ZALO_OA_WINDOW_MS = 7 * 24 * 3600_000;
/** …and free for this part of it. */
export const ZALO_OA_FREE_WINDOW_MS = 48 * 3600_000;

export const ZALO_OA_ERRORS = {
  rateLimited: -32,
  invalidParam: -201,
  overLimit: -210,
  outOfQuota: -211,
  notFollower: -213,
  invalidToken: -216,
  receiveQuota: -218,
  expiredToken: -220,
  userInactive: -227,
  noInteraction7Days: -230,
  noInteraction: -232,
  unsupportedType: -233,
  nightBroadcast: -234,
  restricted: -244,
} as const;

export const ZALO_OA_SIGNATURE_HEADER = 'x-zevent-signature';
