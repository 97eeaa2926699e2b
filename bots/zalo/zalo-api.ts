// The seam between Loa Xã and zca-js: the few methods of its API object we use. The real API
// satisfies it (checked below at compile time), and so must the tests' fake, so neither can drift
// from zca-js's own typings. Nothing outside bots/zalo imports zca-js.
import type { EventEmitter } from 'node:events';
import type { API, Credentials } from 'zca-js';

type Listener = API['listener'];
/** The listener's events and their arguments, as zca-js declares them. */
export type ZaloListenerEvents = Listener extends EventEmitter<infer E> ? E : never;

export interface ZaloListener {
  on<K extends keyof ZaloListenerEvents>(event: K, listener: (...args: ZaloListenerEvents[K]) => void): unknown;
  off<K extends keyof ZaloListenerEvents>(event: K, listener: (...args: ZaloListenerEvents[K]) => void): unknown;
  start: Listener['start'];
  stop: Listener['stop'];
  requestOldMessages: Listener['requestOldMessages'];
}

export interface ZaloApi extends Pick<API, 'sendMessage' | 'sendVoice' | 'getAllGroups' | 'getGroupInfo' | 'getOwnId' | 'getCookie'> {
  listener: ZaloListener;
}

/** How a session gets an API object: log in with saved credentials (the real one calls zca-js). */
export type ZaloLogin = (credentials: ZaloCredentials) => Promise<ZaloApi>;

/** What is saved (encrypted) to log in again without a QR code. */
export type ZaloCredentials = Pick<Credentials, 'imei' | 'userAgent' | 'cookie'> & { language?: string };

// Compile-time proof that zca-js's API object fits the seam.
export type RealApiFitsSeam = API extends ZaloApi ? true : never;
export const realApiFitsSeam: RealApiFitsSeam = true;
