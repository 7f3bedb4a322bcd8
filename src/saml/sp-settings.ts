// The SP's own settings from the configuration: entity ID, audiences and the signing and
// decryption key pairs, read from their PEM files (or inline PEM) here, once at start-up; and the
// configuration file's IdP entries resolved into connections, every problem reported at once.
import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.ts';
import { DEFAULT_AUDIENCES } from '../config/schema-idp.ts';
import { ConfigError } from '../errors.ts';
import { loadPem, resolveIdpConnection, type IdpConnection } from './idp-connection.ts';
import type { SpSettings } from './service-provider.ts';

export function spSettings(config: Config): SpSettings {
  const readFile = (p: string) => readFileSync(p, 'utf8');
  const baseUrl = config.server.baseUrl.replace(/\/+$/, '');
  const entityId = config.sp.entityId ?? `${baseUrl}/saml/metadata`;
  const pair = (key: string | undefined, cert: string | undefined, what: 'signing' | 'decryption') =>
    key === undefined || cert === undefined
      ? undefined
      : {
          privateKey: loadPem(key, readFile, `sp.${what}Key`, 'key'),
          certificate: loadPem(cert, readFile, `sp.${what}Cert`),
        };
  return {
    entityId,
    baseUrl,
    audiences: config.sp.audiences ?? [...DEFAULT_AUDIENCES, entityId],
    signing: pair(config.sp.signingKey, config.sp.signingCert, 'signing'),
    decryption: pair(config.sp.decryptionKey, config.sp.decryptionCert, 'decryption'),
    requestTtlSeconds: config.sp.requestTtlSeconds,
    validationThreads: config.server.validationThreads,
  };
}

export function idpResolveContext(config: Config, index: number) {
  return {
    index,
    defaultClockSkewSeconds: config.sp.clockSkewSeconds,
    defaultMaxResponseAgeSeconds: config.sp.maxResponseAgeSeconds,
    defaultMaxAuthnAgeSeconds: config.sp.maxAuthnAgeSeconds,
    adminGroupsAttribute: config.admin.groupsAttribute,
  };
}

export function resolveIdps(config: Config, fetched: ReadonlyMap<string, string> = new Map()): IdpConnection[] {
  const problems: string[] = [];
  const idps = config.idps.flatMap((entry, index) => {
    try {
      return entry.enabled
        ? [
            resolveIdpConnection(entry, {
              ...idpResolveContext(config, index),
              fetchedMetadataXml: fetched.get(entry.id),
            }),
          ]
        : [];
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
      return [];
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return idps;
}
