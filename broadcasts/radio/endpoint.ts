// One interface for every loudspeaker vendor. The fan-out hands an Endpoint an audio item (URL,
// checksum, duration, class) to play now or at a time; endpoints report back (heartbeat, playback
// started / finished / failed) through the callback the web server exposes.

/** Delivery.platformMessageId of an item waiting for a pull-mode cluster to fetch it. */
export const PULL_MARK = 'pull';

export type AudioClass = 'normal' | 'priority' | 'emergency';

export interface AudioItem {
  /** Our id for this playback (the Delivery id); endpoints echo it in their reports. */
  itemId: string;
  url: string;
  sha256: string;
  durationMs: number;
  class: AudioClass;
  title: string;
  /** Absent: play now (an emergency interrupts what is playing). */
  playAt?: string;
  volume?: number;
}

export interface EndpointReport {
  event: 'heartbeat' | 'started' | 'finished' | 'failed' | 'interrupted';
  itemId?: string;
  at: string;
  volume?: number;
  error?: string;
}

export interface Endpoint {
  readonly kind: string;
  play(item: AudioItem): Promise<{ accepted: true }>;
  stop(itemId?: string): Promise<void>;
  setVolume(volume: number): Promise<void>;
}

export type EndpointErrorKind = 'unreachable' | 'rejected' | 'unknown_endpoint' | 'bad_response';

export class EndpointError extends Error {
  override name = 'EndpointError';
  constructor(
    readonly kind: EndpointErrorKind,
    message: string,
  ) {
    super(message);
  }
  /** Retrying helps only when the endpoint could not be reached. */
  get permanent(): boolean {
    return this.kind === 'rejected' || this.kind === 'unknown_endpoint';
  }
}
