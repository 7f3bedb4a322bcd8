// The per-IdP settings an admin may change in the console, and the one check every console entry
// passes before it is stored: the configuration file's own schema (idpSchema), so the console
// and the file can never disagree on what is valid. Problems keep the schema path of the field
// they concern, so the form can show each one beside its field.
import type { ZodIssue } from 'zod';
import { BadRequest } from '../errors.ts';
import type { IdpConfig } from '../config/schema.ts';
import { attributeNamesSchema, idpSchema } from '../config/schema-idp.ts';

/** Attribute-name keys of an entry's `attributes`, in the order the console shows them. */
export const ATTRIBUTE_KEYS = Object.keys(attributeNamesSchema.removeDefault().shape) as Array<
  keyof IdpConfig['attributes']
>;

type SettingKey =
  | 'name'
  | 'sloUrl'
  | 'enabled'
  | 'grantsAdmin'
  | 'allowIdpInitiated'
  | 'wantAssertionsSigned'
  | 'wantResponseSigned'
  | 'allowSha1Signatures'
  | 'wantLogoutSigned'
  | 'clockSkewSeconds'
  | 'maxResponseAgeSeconds'
  | 'maxAuthnAgeSeconds'
  | 'maxSessionDurationSeconds';

/**
 * Settings to change. A key present with `undefined` removes the entry's value (the default
 * applies again); a key absent leaves it as it is. Numbers may arrive as the text the admin
 * typed when it is not a number: the schema then refuses it with a message for that field.
 */
export type IdpSettings = { [K in SettingKey]?: IdpConfig[K] | string } & {
  /** Attribute names to use; one absent (or the whole object replaced) keeps the AWS/Redshift default. */
  attributes?: Record<string, string>;
};

export interface FieldProblem {
  /** Schema path within the entry: `maxResponseAgeSeconds`, `attributes.role`; '' for the whole entry. */
  path: string;
  message: string;
}

/** An entry the schema refuses; `problems` name the fields. */
export class IdpInvalid extends BadRequest {
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[]) {
    const text = problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`));
    super({ code: 'IDP_INVALID', publicMessage: text.join('; ') });
    this.problems = problems;
  }
}

/** The entry with these settings applied: present keys replace, `undefined` ones are removed. */
export function withSettings(entry: Record<string, unknown>, settings: IdpSettings): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...entry, ...settings };
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined));
}

/** Throws IdpInvalid unless the configuration file would accept this entry. */
export function checkIdpEntry(entry: Record<string, unknown>): void {
  const parsed = idpSchema.safeParse(entry);
  if (!parsed.success) throw new IdpInvalid(parsed.error.issues.map(toFieldProblem));
}

function toFieldProblem(issue: ZodIssue): FieldProblem {
  const path = issue.path.join('.');
  // The console's inputs are text: "expected number, received string" means it was not a number.
  if (issue.code === 'invalid_type' && issue.expected === 'number') return { path, message: 'expected a whole number' };
  if (issue.code === 'unrecognized_keys') return { path, message: `unknown setting ${issue.keys.join(', ')}` };
  return { path, message: issue.message };
}
