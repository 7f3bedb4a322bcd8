// Verifies AWS Signature Version 4 on incoming requests against the sessions STS issued, so a client
// that signs wrongly (or with someone else's session) fails here as it would against AWS.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// Not checked: X-Amz-Date against the clock (AWS allows 15 minutes), since tests may inject `now`.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Caller } from './authorize.ts';
import type { StsSession } from './sts.ts';
import { AwsFault } from './wire.ts';

export interface SignedRequest {
  method: string;
  /** Path and query exactly as they arrived. */
  url: string;
  /** Node's `rawHeaders`: name, value, name, value… */
  rawHeaders: readonly string[];
  body: Buffer;
}

/** awsQuery services and awsJson services name the same failures differently. */
export type AuthDialect = 'query' | 'json';

const CODES = {
  query: {
    missing: 'MissingAuthenticationToken',
    unknown: 'InvalidClientTokenId',
    mismatch: 'SignatureDoesNotMatch',
    expired: 'ExpiredToken',
  },
  json: {
    missing: 'MissingAuthenticationTokenException',
    unknown: 'UnrecognizedClientException',
    mismatch: 'InvalidSignatureException',
    expired: 'ExpiredTokenException',
  },
} as const;

const MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export function verifySigV4(
  request: SignedRequest,
  service: string,
  dialect: AuthDialect,
  sessions: ReadonlyMap<string, StsSession>,
  now: Date,
): Caller {
  const codes = CODES[dialect];
  const headers = headerMap(request.rawHeaders);
  const authorization = parseAuthorization(headers.get('authorization'));
  if (!authorization) throw new AwsFault(codes.missing, 'Request is missing Authentication Token', 403);
  const session = sessions.get(authorization.accessKeyId);
  if (!session) throw new AwsFault(codes.unknown, 'The security token included in the request is invalid.', 403);

  const amzDate = headers.get('x-amz-date') ?? '';
  const [scopeDate, region, scopeService, terminator] = authorization.scope;
  if (
    scopeService !== service ||
    terminator !== 'aws4_request' ||
    region === undefined ||
    !amzDate.startsWith(scopeDate ?? '-')
  ) {
    throw new AwsFault(codes.mismatch, `Credential should be scoped to correct service: '${service}'.`, 403);
  }
  if (!authorization.signedHeaders.includes('host')) throw new AwsFault(codes.mismatch, MISMATCH_MESSAGE, 403);
  // The body is always hashed here: a client-supplied x-amz-content-sha256 must agree with it, never replace it.
  const payloadHash = sha256Hex(request.body);
  const claimedHash = headers.get('x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== payloadHash)
    throw new AwsFault(codes.mismatch, MISMATCH_MESSAGE, 403);

  const canonicalRequest = [
    request.method,
    canonicalPath(request.url),
    canonicalQuery(request.url),
    authorization.signedHeaders.map((name) => `${name}:${headers.get(name) ?? ''}\n`).join(''),
    authorization.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, authorization.scope.join('/'), sha256Hex(canonicalRequest)].join(
    '\n',
  );
  let key: Buffer = hmac(`AWS4${session.secretAccessKey}`, scopeDate ?? '');
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(authorization.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AwsFault(codes.mismatch, MISMATCH_MESSAGE, 403);
  }

  if (headers.get('x-amz-security-token') !== session.sessionToken) {
    throw new AwsFault(codes.unknown, 'The security token included in the request is invalid.', 403);
  }
  if (session.expiration <= now)
    throw new AwsFault(codes.expired, 'The security token included in the request is expired', 403);
  return { session, region };
}

interface Authorization {
  accessKeyId: string;
  scope: string[];
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string | undefined): Authorization | undefined {
  const match = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
    header ?? '',
  );
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  const [accessKeyId, ...scope] = match[1].split('/');
  if (!accessKeyId || scope.length !== 4) return undefined;
  return { accessKeyId, scope, signedHeaders: match[2].split(';'), signature: match[3] };
}

/** Lower-cased names; repeated headers joined with commas; values trimmed with inner runs of spaces collapsed. */
function headerMap(rawHeaders: readonly string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = (rawHeaders[i + 1] ?? '').trim().replace(/\s+/g, ' ');
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous},${value}`);
  }
  return headers;
}

/** Non-S3 services: each path segment URI-encoded (RFC 3986) once more than on the wire. */
function canonicalPath(url: string): string {
  const path = url.split('?')[0] || '/';
  return path
    .split('/')
    .map((segment) => encodeRfc3986(safeDecode(segment)))
    .join('/');
}

function canonicalQuery(url: string): string {
  const index = url.indexOf('?');
  if (index < 0) return '';
  return url
    .slice(index + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [name = '', value = ''] = pair.split(/=(.*)/s);
      return [encodeRfc3986(safeDecode(name)), encodeRfc3986(safeDecode(value))] as const;
    })
    .sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
