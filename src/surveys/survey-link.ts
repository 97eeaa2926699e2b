// The web form's link: personal to one resident and one survey, signed with the installation's
// key, so changing either id (or the signature) is refused; it needs no expiry of its own, since
// the survey's close (or cancellation) ends what it can do. It stands for the resident on any of
// their devices (survey-form.ts says why a browser does not own it).
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SurveyLinkSigner {
  /** The path of the form for this resident. */
  path(surveyId: string, residentId: string): string;
  check(surveyId: string, residentId: string, signature: string | undefined): boolean;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createSurveyLinkSigner(installationKey: Buffer | string): SurveyLinkSigner {
  // Its own key, derived: a media link's signature never opens a survey, nor the reverse.
  const key = createHmac('sha256', installationKey).update('loaxa-survey-links').digest();
  const mac = (s: string, r: string) => createHmac('sha256', key).update(`${s}:${r}`).digest('base64url').slice(0, 32);
  return {
    path: (surveyId, residentId) => `/khao-sat/${surveyId}/${residentId}/${mac(surveyId, residentId)}`,
    check(surveyId, residentId, signature) {
      if (!UUID_RE.test(surveyId) || !UUID_RE.test(residentId) || !signature) return false;
      const expected = Buffer.from(mac(surveyId, residentId));
      const given = Buffer.from(signature);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
