// What crosses between the event loop and a validation thread (validation-pool.ts,
// validation-worker.ts): structured-clone data only. node-saml's profile carries functions
// (getAssertion…), so it travels as data and gets them back on arrival; its errors travel as their
// message (and IdP status), which is all acs-checks.ts reads to pick a stable code.
import { SamlStatusError, type Profile, type SamlConfig } from '@node-saml/node-saml';

/** node-saml options without the functions and the signing key (the thread brings its own request-ID cache). */
export type ThreadSamlOptions = Omit<SamlConfig, 'cacheProvider' | 'generateUniqueId' | 'privateKey'>;

export interface ValidationTask {
  /** Identifies the options (one node-saml instance per key and thread). */
  key: string;
  options: ThreadSamlOptions;
  container: { SAMLResponse: string };
  /** The AuthnRequest ID this attempt took from the store, with its stored value. */
  takenRequest?: { id: string; value: string };
}

interface ProfileData {
  fields: Record<string, unknown>;
  assertion: Record<string, unknown>;
  assertionXml: string;
  samlResponseXml: string;
}

export type ValidationOutcome =
  { ok: true; loggedOut: boolean; profile: ProfileData | null } | { ok: false; message: string; xmlStatus?: string };

export function profileToData(profile: Profile | null): ProfileData | null {
  if (profile === null) return null;
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(profile)) if (typeof value !== 'function') fields[name] = value;
  return {
    fields,
    assertion: profile.getAssertion?.() ?? {},
    assertionXml: profile.getAssertionXml?.() ?? '',
    samlResponseXml: profile.getSamlResponseXml?.() ?? '',
  };
}

export function profileFromData(data: ProfileData | null): Profile | null {
  if (data === null) return null;
  return {
    ...(data.fields as unknown as Profile),
    getAssertion: () => data.assertion,
    getAssertionXml: () => data.assertionXml,
    getSamlResponseXml: () => data.samlResponseXml,
  };
}

export function errorToOutcome(err: unknown): ValidationOutcome {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof SamlStatusError) return { ok: false, message, xmlStatus: String(err.xmlStatus) };
  return { ok: false, message };
}

export function errorFromOutcome(outcome: { message: string; xmlStatus?: string }): Error {
  return outcome.xmlStatus === undefined
    ? new Error(outcome.message)
    : new SamlStatusError(outcome.message, outcome.xmlStatus);
}
