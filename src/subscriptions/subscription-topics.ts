// What residents can subscribe to besides a village: topics, as data (subscription-topics.json),
// named after the national fields (categories.json) where one fits. A subscription stores codes;
// an empty list means every topic. Codes stay short: they travel in Telegram's 64-byte button data.
import topics from '../catalog/subscription-topics.json' with { type: 'json' };

export interface SubscriptionTopic {
  code: string;
  name: string;
  /** Fields (Category codes) the topic corresponds to. */
  categories: string[];
}

export const SUBSCRIPTION_TOPICS: readonly SubscriptionTopic[] = topics;

export function isTopicCode(code: string): boolean {
  return SUBSCRIPTION_TOPICS.some((t) => t.code === code);
}

/** "Y tế, bảo hiểm y tế; Nông nghiệp, thủy lợi", or `all` for an empty list. */
export function topicNames(codes: readonly string[], all: string): string {
  if (codes.length === 0) return all;
  return SUBSCRIPTION_TOPICS.filter((t) => codes.includes(t.code))
    .map((t) => t.name)
    .join('; ');
}
