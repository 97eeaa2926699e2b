// How a bulletin reaches one chat, owned by each adapter: Telegram sends its voice note with the
// words as caption, Zalo sends words then a voice link, an Official Account spends its broadcast
// quota. The fan-out (broadcasts/fanout/deliver.ts) knows none of this: it hands the adapter the
// bulletin's parts and a sender that records every part exactly once.
import type { OutboundContent, SendResult } from './channel.ts';

/** Audio encodings the renderer makes (voice notes: opus for Telegram, m4a for Zalo). */
export type BulletinAudioFormat = 'opus' | 'm4a' | 'mp3';

/** One bulletin version, as the adapter may use it. Audio is rendered only when asked for. */
export interface BulletinParts {
  title: string;
  text: string;
  /** The recording as a file on this machine (to upload). */
  audioFile(format: BulletinAudioFormat): Promise<{ path: string }>;
  /** A long-lived link residents' phones can fetch; null when this server is not reachable from the internet. */
  audioLink(format: BulletinAudioFormat): Promise<{ url: string } | null>;
}

/**
 * Sends the parts of one delivery. A part is a short name ("t" text, "a" audio, "ta" both in one
 * message); the attempt is recorded before the platform call and the message id right after, so a
 * retry after a crash resumes at the first part not done and never repeats a recorded one.
 */
export interface BulletinSender {
  /** Whether an earlier attempt already sent this part. */
  done(part: string): boolean;
  /** Sends one part (skipped, with its recorded id, when done). */
  send(part: string, content: OutboundContent): Promise<SendResult>;
  /**
   * Throws when the worker is stopping. send() checks it itself; an adapter that sends many
   * messages on its own (one per follower) calls it before each, so none is left unrecorded at exit.
   */
  checkpoint(): void;
}

/**
 * What became of one delivery, in terms the fan-out records without knowing the platform.
 * sent: note says what the report shows beside it (a part left out on purpose, followers a quota
 * stopped); platformMessageIds are messages the adapter sent on its own (a broadcast to each
 * follower, kept by its own receipts) rather than through BulletinSender.
 * failed: nothing reached anyone and trying again cannot help (the month's quota is spent); reason
 * is what staff read. A failure a retry may mend is thrown as ChannelError instead.
 * skipped: not sent on purpose, and not a fault of the target (a subscriber the platform does not
 * let us write to now, such as a Zalo OA follower silent for more than 7 days); reason as above.
 */
export type BulletinOutcome =
  | { status: 'sent'; note?: string; platformMessageIds?: string[] }
  | { status: 'failed'; reason: string }
  | { status: 'skipped'; reason: string };

/**
 * Every Channel implements this. A new target kind plugs in by: mapping it to its platform in
 * broadcasts/fanout/target-channel.ts (TARGET_PLATFORM, exhaustive over the Prisma enum), and
 * having that platform's adapter handle the target in sendBulletin — e.g. a
 * followers broadcast spends its own quota and answers with an outcome. Failures are thrown as
 * ChannelError; what they do to the job is decided in one place (broadcasts/fanout/failed-send.ts).
 */
export interface BulletinDelivery {
  sendBulletin(target: BulletinTarget, bulletin: BulletinParts, out: BulletinSender): Promise<BulletinOutcome>;
}

/** BulletinTarget.kind of a subscriber's private chat (audience kind subscribers): sent as to any private chat, unless the platform limits when. */
export const SUBSCRIBER_TARGET_KIND = 'subscriber';

/** The target as the adapter needs it: kind is the Prisma TargetKind (zalo_oa_followers reaches no single chat). */
export interface BulletinTarget {
  deliveryId: string;
  kind: string;
  chatId: string | null;
  villageId: string | null;
  channelAccountId: string | null;
}

/** The words of a bulletin as a chat shows them: its title, then its text. */
export function bulletinWords(b: Pick<BulletinParts, 'title' | 'text'>): string {
  return `📢 ${b.title}\n\n${b.text}`.trim();
}

/** Words first, then a voice message the platform fetches from a link; words only when no link can work. */
export async function textThenVoiceLink(b: BulletinParts, out: BulletinSender, format: BulletinAudioFormat, platformName: string): Promise<BulletinOutcome> {
  if (!out.done('t')) await out.send('t', { text: bulletinWords(b) });
  if (out.done('a')) return { status: 'sent' };
  const link = await b.audioLink(format);
  // A link to this machine's private address would play on nobody's phone.
  if (!link) return { status: 'sent', note: `chưa đặt PUBLIC_BASE_URL nên nhóm ${platformName} chỉ nhận chữ, không nhận tin nhắn thoại` };
  await out.send('a', { voice: link });
  return { status: 'sent' };
}

/** One voice note carrying the words as its caption when they fit; words then voice otherwise. */
export async function captionedVoice(b: BulletinParts, out: BulletinSender, maxCaptionLength: number, format: BulletinAudioFormat): Promise<BulletinOutcome> {
  const words = bulletinWords(b);
  // An earlier attempt that already sent the words separately finishes the same way.
  if (words.length > maxCaptionLength || out.done('t')) {
    if (!out.done('t')) await out.send('t', { text: words });
    if (!out.done('a')) await out.send('a', { voice: await b.audioFile(format), text: b.title });
    return { status: 'sent' };
  }
  if (!out.done('ta')) await out.send('ta', { voice: await b.audioFile(format), text: words });
  return { status: 'sent' };
}

/** Words only (platforms with no group bulletins still answer the method honestly). */
export async function textOnly(b: BulletinParts, out: BulletinSender): Promise<BulletinOutcome> {
  if (!out.done('t')) await out.send('t', { text: bulletinWords(b) });
  return { status: 'sent' };
}
