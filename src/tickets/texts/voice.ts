// How the commune addresses residents: the form of address it chose in its settings ("Ông/Bà" by
// default, or "Quý vị", a neutral form for any age), and the channel family the text goes to —
// Telegram and the web chat have buttons to press, Zalo numbered choices to type.
import type { Platform } from '../../../bots/channel.ts';
import { telegramPhrases } from './telegram.ts';
import { zaloPhrases } from './zalo.ts';
import { webchatPhrases } from './webchat.ts';

/** Commune.settings.residentAddress. */
export const ADDRESS_FORMS = { 'ong-ba': { you: 'Ông/Bà', you_: 'ông/bà' }, 'quy-vi': { you: 'Quý vị', you_: 'quý vị' } } as const;
export type AddressForm = keyof typeof ADDRESS_FORMS;
export const DEFAULT_ADDRESS_FORM: AddressForm = 'ong-ba';

export type ChannelFamily = 'telegram' | 'zalo' | 'webchat';

/** What differs between channel families, one file each (telegram.ts, zalo.ts, webchat.ts). */
export interface FamilyPhrases {
  /** How to pick choice `n` (1-based) labelled `label`. */
  choose(label: string, n: number): string;
}

export interface Voice {
  /** At the start of a sentence ("Ông/Bà có…"). */
  you: string;
  /** Inside one ("…của ông/bà"). */
  you_: string;
  family: ChannelFamily;
  choose(label: string, n: number): string;
}

const phrases: Record<ChannelFamily, FamilyPhrases> = { telegram: telegramPhrases, zalo: zaloPhrases, webchat: webchatPhrases };

export function familyOf(platform: Platform | string): ChannelFamily {
  if (platform === 'telegram') return 'telegram';
  if (platform === 'webchat') return 'webchat';
  return 'zalo';
}

export function addressFormOf(settings: unknown): AddressForm {
  const v = (settings as { residentAddress?: unknown } | null)?.residentAddress;
  return typeof v === 'string' && v in ADDRESS_FORMS ? (v as AddressForm) : DEFAULT_ADDRESS_FORM;
}

export function voiceFor(commune: { settings: unknown } | null | undefined, platform: Platform | string = 'telegram'): Voice {
  const form = ADDRESS_FORMS[addressFormOf(commune?.settings)];
  const family = familyOf(platform);
  return { ...form, family, choose: phrases[family].choose };
}
