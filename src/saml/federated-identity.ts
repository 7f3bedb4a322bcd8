// Turns the attributes of a validated assertion into a FederatedIdentity: role pairs, the
// RoleSessionName, DbUser, DbGroups and AutoCreate, by the rules AWS and the Redshift drivers use.
// A response without a usable role is refused here, naming the attribute that was missing.
import { AssertionRejected } from '../errors.ts';
import type { AttributeNames } from '../config/schema.ts';

export interface RolePair {
  roleArn: string;
  principalArn: string;
}

export interface FederatedIdentity {
  idpId: string;
  issuer: string;
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
  roles: RolePair[];
  roleSessionName: string;
  sessionDurationSeconds?: number;
  dbUser: string;
  dbGroups: string[];
  autoCreate: boolean;
  /** Values of the admin groups attribute, as sent. */
  groups: string[];
  /** Values we dropped and why; for logs and the chooser page. */
  ignored: string[];
}

export interface AssertionBasics {
  idpId: string;
  issuer: string;
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
}

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const PROVIDER_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):saml-provider\/[\w.-]{1,128}$/;
const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
// GetClusterCredentials DbUser: starts with a letter; letters, digits, _ + . @ -; 1-64; not PUBLIC.
const DB_USER = /^[A-Za-z][\w+.@-]{0,63}$/;
const DB_GROUP = /^[a-z0-9_+.@-]{1,127}$/;
const MAX_ROLE_VALUES = 100;

export function toFederatedIdentity(
  basics: AssertionBasics,
  attributes: Record<string, unknown>,
  names: AttributeNames & { groups: string },
): FederatedIdentity {
  const ignored: string[] = [];
  const roles = requireRoles(attributes, names.role, ignored);

  const roleSessionName = singleValue(attributes, names.roleSessionName);
  if (roleSessionName === undefined) {
    throw new AssertionRejected({
      code: 'SAML_ATTRIBUTE_MISSING',
      publicMessage: `The assertion has no "${names.roleSessionName}" attribute, which AWS requires.`,
      details: { attribute: names.roleSessionName },
    });
  }
  if (!ROLE_SESSION_NAME.test(roleSessionName)) {
    throw new AssertionRejected({
      code: 'SAML_ATTRIBUTE_INVALID',
      publicMessage: `"${names.roleSessionName}" must be 2-64 characters of letters, digits and + = , . @ _ -.`,
    });
  }

  const dbUser = singleValue(attributes, names.dbUser) ?? roleSessionName;
  if (!DB_USER.test(dbUser) || dbUser.toLowerCase() === 'public') {
    throw new AssertionRejected({
      code: 'SAML_ATTRIBUTE_INVALID',
      publicMessage: `The database user name must start with a letter and hold at most 64 letters, digits and _ + . @ - (from "${names.dbUser}", else "${names.roleSessionName}").`,
    });
  }

  return {
    ...basics,
    roles,
    roleSessionName,
    sessionDurationSeconds: parseSessionDuration(singleValue(attributes, names.sessionDuration), ignored),
    dbUser,
    dbGroups: parseDbGroups(attributeValues(attributes, names.dbGroups), ignored),
    autoCreate: (singleValue(attributes, names.autoCreate) ?? '').toLowerCase() === 'true',
    groups: attributeValues(attributes, names.groups),
    ignored,
  };
}

/** The role pairs of the assertion; refused when the attribute is missing, too long or unusable. */
function requireRoles(attributes: Record<string, unknown>, roleAttribute: string, ignored: string[]): RolePair[] {
  const roleValues = attributeValues(attributes, roleAttribute);
  if (roleValues.length === 0) {
    throw new AssertionRejected({
      code: 'SAML_ATTRIBUTE_MISSING',
      publicMessage: `The identity provider sent no role: the assertion has no "${roleAttribute}" attribute. Ask your IdP administrator to release it with "roleArn,providerArn" values.`,
      details: { attribute: roleAttribute },
    });
  }
  if (roleValues.length > MAX_ROLE_VALUES) {
    throw new AssertionRejected({
      code: 'SAML_ATTRIBUTE_INVALID',
      publicMessage: `The assertion carries ${roleValues.length} role values; at most ${MAX_ROLE_VALUES} are accepted.`,
    });
  }
  const roles = parseRolePairs(roleValues, ignored);
  if (roles.length === 0) {
    throw new AssertionRejected({
      code: 'SAML_NO_USABLE_ROLE',
      publicMessage: `No usable role in the "${roleAttribute}" attribute: each value must be "arn:aws:iam::ACCOUNT:role/NAME,arn:aws:iam::ACCOUNT:saml-provider/NAME".`,
      details: { ignored },
    });
  }
  return roles;
}

/** "role,provider" in either order, whitespace-tolerant; malformed values are skipped with a reason. */
export function parseRolePairs(values: string[], ignored: string[]): RolePair[] {
  const pairs = new Map<string, RolePair>();
  for (const value of values) {
    const parts = value
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const roleArn = parts.find((p) => ROLE_ARN.test(p));
    const principalArn = parts.find((p) => PROVIDER_ARN.test(p));
    if (parts.length !== 2 || roleArn === undefined || principalArn === undefined) {
      ignored.push(`role value is not a role ARN and a SAML provider ARN: ${truncate(value)}`);
      continue;
    }
    const [, rolePartition, roleAccount] = ROLE_ARN.exec(roleArn) ?? [];
    const [, providerPartition, providerAccount] = PROVIDER_ARN.exec(principalArn) ?? [];
    if (rolePartition !== providerPartition || roleAccount !== providerAccount) {
      ignored.push(`role and SAML provider are in different accounts: ${truncate(value)}`);
      continue;
    }
    pairs.set(`${roleArn},${principalArn}`, { roleArn, principalArn });
  }
  return [...pairs.values()];
}

function parseSessionDuration(value: string | undefined, ignored: string[]): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,6}$/.test(value.trim())) {
    ignored.push('SessionDuration is not a whole number of seconds');
    return undefined;
  }
  // AWS allows 900-43200; outside that the attribute can only shorten, never break, the login.
  return Math.min(43200, Math.max(900, Number(value.trim())));
}

function parseDbGroups(values: string[], ignored: string[]): string[] {
  const groups = new Set<string>();
  for (const value of values) {
    const group = value.trim().toLowerCase();
    if (DB_GROUP.test(group)) groups.add(group);
    else ignored.push(`DbGroups value is not a valid group name: ${truncate(value)}`);
  }
  return [...groups];
}

/** Attribute values as strings, whether the profile holds one value or an array. */
export function attributeValues(attributes: Record<string, unknown>, name: string): string[] {
  const raw = Object.prototype.hasOwnProperty.call(attributes, name) ? attributes[name] : undefined;
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return list.filter((v): v is string => typeof v === 'string');
}

function singleValue(attributes: Record<string, unknown>, name: string): string | undefined {
  const values = attributeValues(attributes, name)
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return values[0];
}

function truncate(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 80 ? `${printable.slice(0, 80)}…` : printable;
}
