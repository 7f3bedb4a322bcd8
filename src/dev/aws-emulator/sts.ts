// STS AssumeRoleWithSAML as the emulator implements it: the checks STS makes on the request and the
// signed assertion (facts §1.1), and the in-memory sessions later calls are signed with.
// Reading and verifying the XML is saml-assertion.ts's job.
import { createHash, randomBytes } from 'node:crypto';
import { invalidToken, readSignedAssertion, type SignedAssertion } from './saml-assertion.ts';
import { parseSessionPolicy, type SessionPolicyDocument } from './session-policy.ts';
import { AwsFault } from './wire.ts';

export interface EmulatorSamlProvider {
  arn: string;
  /** PEM certificates trusted for this IAM SAML provider. */
  certs: string[];
  /** When set, the assertion's Issuer must equal it, as the IdP entityID in IAM's metadata. */
  entityId?: string;
  /** PEM private keys added with IAM's AddPrivateKey: EncryptedAssertions are decrypted with them. */
  decryptionKeys?: string[];
  /** IAM's AssertionEncryptionMode; 'Required' refuses assertions sent in the clear. Default 'Allowed'. */
  assertionEncryptionMode?: 'Allowed' | 'Required';
}

export interface StsSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  roleArn: string;
  roleSessionName: string;
  expiration: Date;
  /** The inline session policy given to AssumeRoleWithSAML; the role's own permissions are not modelled. */
  policy?: SessionPolicyDocument;
}

export interface StsContext {
  providers: readonly EmulatorSamlProvider[];
  roleMaxSessionDuration: Readonly<Record<string, number>>;
  sessions: Map<string, StsSession>;
  now: () => Date;
}

const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';
const SESSION_NAME_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName';
const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
// STS: "Token must be redeemed within 5 minutes of issuance".
const REDEEM_WINDOW_MS = 5 * 60 * 1000;
const AWS_AUDIENCE = /^(urn:amazon:webservices|https:\/\/([a-z0-9-]+\.)?signin\.aws\.amazon\.com\/saml(#\d+)?)$/;
const NAME_ID_FORMAT_PREFIX = 'urn:oasis:names:tc:SAML:2.0:nameid-format:';
const DEFAULT_ROLE_MAX_SESSION_SECONDS = 3600;

export async function assumeRoleWithSaml(
  params: Record<string, unknown>,
  ctx: StsContext,
): Promise<Record<string, unknown>> {
  const roleArn = requiredParam(params, 'RoleArn');
  const principalArn = requiredParam(params, 'PrincipalArn');
  const samlAssertion = requiredParam(params, 'SAMLAssertion');
  const durationSeconds = parseDuration(params.DurationSeconds);
  const policy = params.Policy === undefined ? undefined : parseSessionPolicy(String(params.Policy));

  const provider = ctx.providers.find((candidate) => candidate.arn === principalArn);
  if (!provider) throw invalidToken(`SAML provider ${principalArn} does not exist`);
  const assertion = await readSignedAssertion(samlAssertion, {
    certs: provider.certs,
    decryptionKeys: provider.decryptionKeys ?? [],
    requireEncryption: provider.assertionEncryptionMode === 'Required',
  });
  const now = ctx.now();
  checkAssertion(assertion, provider, now);
  const roleSessionName = readRoleSessionName(assertion);
  if (!assertedRolePairs(assertion).some((pair) => pair.roleArn === roleArn && pair.principalArn === principalArn)) {
    throw new AwsFault('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithSAML', 403);
  }
  if (durationSeconds > (ctx.roleMaxSessionDuration[roleArn] ?? DEFAULT_ROLE_MAX_SESSION_SECONDS)) {
    throw new AwsFault(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  }

  // The session lasts DurationSeconds or until SessionNotOnOrAfter, whichever is shorter.
  const requestedEnd = new Date(now.getTime() + durationSeconds * 1000);
  const cap = assertion.sessionNotOnOrAfter;
  const session: StsSession = {
    accessKeyId: `ASIA${randomUpperAlnum(16)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(96).toString('base64')}`,
    roleArn,
    roleSessionName,
    expiration: cap !== undefined && cap < requestedEnd ? cap : requestedEnd,
    ...(policy === undefined ? {} : { policy }),
  };
  ctx.sessions.set(session.accessKeyId, session);
  return resultFor(session, assertion, principalArn);
}

function checkAssertion(assertion: SignedAssertion, provider: EmulatorSamlProvider, now: Date): void {
  if (provider.entityId !== undefined && assertion.issuer !== provider.entityId) {
    throw invalidToken('Issuer not present in specified provider');
  }
  if (!assertion.audiences.some((audience) => AWS_AUDIENCE.test(audience))) {
    throw invalidToken('Audience must be urn:amazon:webservices or https://signin.aws.amazon.com/saml');
  }
  const expired =
    now.getTime() - assertion.issueInstant.getTime() > REDEEM_WINDOW_MS ||
    assertion.notOnOrAfter <= now ||
    (assertion.conditionsNotOnOrAfter !== undefined && assertion.conditionsNotOnOrAfter <= now);
  if (expired) throw new AwsFault('ExpiredTokenException', 'Token must be redeemed within 5 minutes of issuance');
}

function readRoleSessionName(assertion: SignedAssertion): string {
  const values = assertion.attributes.get(SESSION_NAME_ATTRIBUTE) ?? [];
  const value = values[0];
  if (value === undefined || value === '') throw invalidToken('RoleSessionName is required in AuthnResponse');
  if (values.length !== 1 || !SESSION_NAME_PATTERN.test(value)) {
    throw invalidToken('RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}');
  }
  return value;
}

/** Role values are "role,provider" pairs in either order, with stray whitespace (facts §1.1.3). */
function assertedRolePairs(assertion: SignedAssertion): { roleArn: string; principalArn: string }[] {
  return (assertion.attributes.get(ROLE_ATTRIBUTE) ?? []).flatMap((value) => {
    const parts = value.split(',').map((part) => part.trim());
    const roleArn = parts.find((part) => part.includes(':role/'));
    const principalArn = parts.find((part) => part.includes(':saml-provider/'));
    return parts.length === 2 && roleArn && principalArn ? [{ roleArn, principalArn }] : [];
  });
}

function resultFor(session: StsSession, assertion: SignedAssertion, principalArn: string): Record<string, unknown> {
  const accountId = session.roleArn.split(':')[4] ?? '';
  const roleName = roleNameOf(session.roleArn);
  const providerName = principalArn.slice(principalArn.indexOf(':saml-provider/') + ':saml-provider/'.length);
  const format = assertion.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: session.expiration,
    },
    AssumedRoleUser: {
      AssumedRoleId: `${roleIdOf(session.roleArn)}:${session.roleSessionName}`,
      Arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${session.roleSessionName}`,
    },
    Subject: assertion.nameId,
    SubjectType: format.startsWith(NAME_ID_FORMAT_PREFIX) ? format.slice(NAME_ID_FORMAT_PREFIX.length) : format,
    Issuer: assertion.issuer,
    Audience: assertion.recipient,
    // STS: BASE64(SHA1(Issuer + AccountId + "/" + ProviderName)).
    NameQualifier: createHash('sha1').update(`${assertion.issuer}${accountId}/${providerName}`).digest('base64'),
  };
}

/** `arn:aws:iam::123456789012:role/path/Analyst` -> `Analyst`. */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

/** A stable fake unique role ID (AROA…), so AssumedRoleId looks like `aws:userid`. */
function roleIdOf(roleArn: string): string {
  const digest = createHash('sha256').update(roleArn).digest();
  return `AROA${[...digest.subarray(0, 17)].map((byte) => ALNUM[byte % ALNUM.length]).join('')}`;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomUpperAlnum(length: number): string {
  return [...randomBytes(length)].map((byte) => ALNUM[byte % ALNUM.length]).join('');
}

function requiredParam(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (typeof value !== 'string' || value === '') {
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    throw new AwsFault(
      'ValidationError',
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function parseDuration(value: unknown): number {
  if (value === undefined) return 3600;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 900 || seconds > 43200) {
    throw new AwsFault(
      'ValidationError',
      `1 validation error detected: Value '${String(value)}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
    );
  }
  return seconds;
}
