// An IdP connection as the SAML layer uses it: configuration plus what its metadata says, with
// certificates as PEM. Built once at start-up; invalid entries are configuration errors by path.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import type { AttributeNames, IdpConfig } from '../config/schema.ts';
import { DEFAULT_MAX_RESPONSE_AGE_SECONDS } from '../config/schema-idp.ts';
import { BINDINGS, MetadataError, assertCertificate, parseIdpMetadata } from './metadata.ts';

export interface IdpConnection {
  id: string;
  name: string;
  entityId: string;
  ssoUrl: string;
  ssoBinding: string;
  /** The IdP's Single Logout endpoint (HTTP-Redirect), when it has one. */
  sloUrl?: string;
  wantLogoutSigned: boolean;
  certs: string[];
  allowIdpInitiated: boolean;
  wantAssertionsSigned: boolean;
  wantResponseSigned: boolean;
  allowSha1Signatures: boolean;
  clockSkewSeconds: number;
  /** Oldest IssueInstant accepted, beyond the clock skew. */
  maxResponseAgeSeconds: number;
  /** Oldest AuthnInstant accepted, beyond the clock skew; no limit when absent. */
  maxAuthnAgeSeconds?: number;
  maxSessionDurationSeconds: number;
  /** Whether a sign-in through this IdP may carry admin rights (see admin.groups). */
  grantsAdmin: boolean;
  attributes: AttributeNames & { groups: string };
}

export interface ResolveContext {
  index: number;
  defaultClockSkewSeconds: number;
  /** sp.maxResponseAgeSeconds (default DEFAULT_MAX_RESPONSE_AGE_SECONDS). */
  defaultMaxResponseAgeSeconds?: number;
  /** sp.maxAuthnAgeSeconds. */
  defaultMaxAuthnAgeSeconds?: number;
  adminGroupsAttribute: string;
  readFile?: (path: string) => string;
  /** Metadata already fetched from the entry's metadataUrl (see admin/startup-metadata.ts). */
  fetchedMetadataXml?: string;
}

export function resolveIdpConnection(entry: IdpConfig, ctx: ResolveContext): IdpConnection {
  const at = (field: string): string => `idps[${ctx.index}].${field}`;
  const readFile = ctx.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  let metadata: { entityId?: string; ssoUrl?: string; ssoBinding?: string; sloUrl?: string; signingCerts: string[] } = {
    signingCerts: [],
  };
  if (entry.metadataUrl !== undefined && ctx.fetchedMetadataXml === undefined)
    throw new ConfigError([`${at('metadataUrl')}: metadata was not fetched`]);
  const metadataXml =
    entry.metadataXml ??
    ctx.fetchedMetadataXml ??
    (entry.metadataFile === undefined ? undefined : readOrFail(readFile, entry.metadataFile, at('metadataFile')));
  if (metadataXml !== undefined) {
    try {
      metadata = parseIdpMetadata(metadataXml);
    } catch (err) {
      if (err instanceof MetadataError)
        throw new ConfigError(
          [
            `${at(entry.metadataUrl !== undefined ? 'metadataUrl' : entry.metadataFile === undefined ? 'metadataXml' : 'metadataFile')}: ${err.message}`,
          ],
          err,
        );
      throw err;
    }
  }
  const certs = (entry.certs ?? []).map((value, i) => loadPem(value, readFile, at(`certs[${i}]`)));
  return {
    id: entry.id,
    name: entry.name ?? entry.id,
    // Explicit fields win over metadata, so an admin can pin a value the metadata gets wrong.
    entityId: entry.entityId ?? metadata.entityId ?? '',
    ssoUrl: entry.ssoUrl ?? metadata.ssoUrl ?? '',
    ssoBinding: entry.ssoUrl !== undefined ? BINDINGS.redirect : (metadata.ssoBinding ?? BINDINGS.redirect),
    sloUrl: entry.sloUrl ?? metadata.sloUrl,
    wantLogoutSigned: entry.wantLogoutSigned,
    certs: certs.length > 0 ? certs : metadata.signingCerts,
    allowIdpInitiated: entry.allowIdpInitiated,
    wantAssertionsSigned: entry.wantAssertionsSigned,
    wantResponseSigned: entry.wantResponseSigned,
    allowSha1Signatures: entry.allowSha1Signatures,
    clockSkewSeconds: entry.clockSkewSeconds ?? ctx.defaultClockSkewSeconds,
    maxResponseAgeSeconds:
      entry.maxResponseAgeSeconds ?? ctx.defaultMaxResponseAgeSeconds ?? DEFAULT_MAX_RESPONSE_AGE_SECONDS,
    maxAuthnAgeSeconds: entry.maxAuthnAgeSeconds ?? ctx.defaultMaxAuthnAgeSeconds,
    maxSessionDurationSeconds: entry.maxSessionDurationSeconds,
    grantsAdmin: entry.grantsAdmin,
    attributes: { ...entry.attributes, groups: entry.attributes.groups ?? ctx.adminGroupsAttribute },
  };
}

/** A PEM given inline or as a file path. */
export function loadPem(
  value: string,
  readFile: (path: string) => string,
  at: string,
  kind: 'certificate' | 'key' = 'certificate',
): string {
  const pem = value.includes('-----BEGIN') ? value : readOrFail(readFile, value, at);
  if (kind === 'certificate') {
    try {
      assertCertificate(pem, 'value');
    } catch {
      throw new ConfigError([`${at}: not a PEM X.509 certificate`]);
    }
  } else if (!/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) {
    throw new ConfigError([`${at}: not a PEM private key`]);
  }
  return pem;
}

function readOrFail(readFile: (path: string) => string, path: string, at: string): string {
  try {
    return readFile(path);
  } catch (err) {
    throw new ConfigError([`${at}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`], err);
  }
}
