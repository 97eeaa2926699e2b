// The OA API calls bulletins use: a broadcast ("tin truyền thông") to one follower, a message to
// a group the OA manages (GMF), an image uploaded once for both, and the follower tags that
// choose a village's followers. Shapes in zalo-oa-types.ts.
import type { ZaloOaClient } from './zalo-oa-client.ts';
import type { ZaloOaCsResult, ZaloOaGroupMessageRequest, ZaloOaPromotionRequest, ZaloOaTagRequest, ZaloOaUploadResult, ZaloOaUserList } from './zalo-oa-types.ts';
import { ZALO_OA_MAX_HEADER, ZALO_OA_MAX_TEXT, ZALO_OA_USER_PAGE } from './zalo-oa-types.ts';

export interface OaBulletinContent {
  title: string;
  text: string;
  /** Uploaded image (uploadOaImage). */
  imageAttachmentId?: string;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function promotionRequest(userId: string, c: OaBulletinContent): ZaloOaPromotionRequest {
  const elements: ZaloOaPromotionRequest['message']['attachment']['payload']['elements'] = [];
  if (c.imageAttachmentId) elements.push({ type: 'banner', attachment_id: c.imageAttachmentId });
  elements.push({ type: 'header', content: clip(c.title, ZALO_OA_MAX_HEADER) });
  // One broadcast per follower per day: the whole text goes in one message, cut at the limit.
  elements.push({ type: 'text', align: 'left', content: clip(c.text, ZALO_OA_MAX_TEXT) });
  return { recipient: { user_id: userId }, message: { attachment: { type: 'template', payload: { template_type: 'promotion', language: 'VI', elements } } } };
}

export async function sendOaPromotion(client: ZaloOaClient, userId: string, c: OaBulletinContent): Promise<string> {
  const r = await client.call<ZaloOaCsResult>('POST', '/v3.0/oa/message/promotion', promotionRequest(userId, c));
  return r.message_id;
}

/** A group message: the text (in parts at the limit), then the image; returns the message ids. */
export async function sendOaGroupBulletin(client: ZaloOaClient, groupId: string, c: OaBulletinContent): Promise<string[]> {
  const ids: string[] = [];
  const full = `${c.title}\n\n${c.text}`;
  for (let i = 0; i < full.length; i += ZALO_OA_MAX_TEXT) {
    const body: ZaloOaGroupMessageRequest = { recipient: { group_id: groupId }, message: { text: full.slice(i, i + ZALO_OA_MAX_TEXT) } };
    ids.push((await client.call<{ message_id: string }>('POST', '/v3.0/oa/group/message', body)).message_id);
  }
  if (c.imageAttachmentId) {
    const body: ZaloOaGroupMessageRequest = { recipient: { group_id: groupId }, message: { attachment: { type: 'template', payload: { template_type: 'media', elements: [{ media_type: 'image', attachment_id: c.imageAttachmentId }] } } } };
    ids.push((await client.call<{ message_id: string }>('POST', '/v3.0/oa/group/message', body)).message_id);
  }
  return ids;
}

export async function uploadOaImage(client: ZaloOaClient, bytes: Buffer, name: string, mime: 'image/jpeg' | 'image/png'): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: mime }), name);
  return (await client.call<ZaloOaUploadResult>('POST', '/v2.0/oa/upload/image', form)).attachment_id;
}

export async function tagOaFollower(client: ZaloOaClient, userId: string, tag: string): Promise<void> {
  const body: ZaloOaTagRequest = { user_id: userId, tag_name: tag };
  await client.call<unknown>('POST', '/v2.0/oa/tag/tagfollower', body);
}

/** Every follower with `tag`, page by page. */
export async function listOaFollowersByTag(client: ZaloOaClient, tag: string): Promise<string[]> {
  const out: string[] = [];
  for (let offset = 0; ; offset += ZALO_OA_USER_PAGE) {
    const page = await client.call<ZaloOaUserList>('GET', '/v3.0/oa/user/getlist', undefined, { data: JSON.stringify({ offset, count: ZALO_OA_USER_PAGE, tag_name: tag, is_follower: true }) });
    out.push(...page.users.map((u) => u.user_id));
    if (page.users.length < ZALO_OA_USER_PAGE || out.length >= page.total) return out;
  }
}
