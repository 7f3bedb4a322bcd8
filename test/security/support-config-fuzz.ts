// fast-check arbitraries for the configuration loader: anything at all, and records shaped like the
// schema whose fields are sometimes right and sometimes of a random type, with environment overrides.
import fc from 'fast-check';
import { ENV_OVERRIDES } from '../../src/config/load.ts';

const ROLE = 'arn:aws:iam::123456789012:role/RedshiftAnalyst';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

/** Any value at all, exotic containers included (Map, Set, Date, boxed values, typed arrays, holes). */
export const anyValue: fc.Arbitrary<unknown> = fc.anything({
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withTypedArray: true,
  withSparseArray: true,
});

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', ''),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  anyValue,
);

/** Mostly a plausible value, sometimes a value of any other type. */
function field<T>(plausible: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 1, arbitrary: wrongType });
}

/** A record whose keys are all optional, sometimes with an unknown extra key. */
function section(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const shaped = fc.record(fields, { requiredKeys: [] });
  const extra = fc
    .tuple(shaped, fc.string({ maxLength: 12 }), wrongType)
    .map(([obj, key, value]) => ({ ...(obj as object), [key]: value }));
  return fc.oneof(
    { weight: 6, arbitrary: shaped },
    { weight: 1, arbitrary: extra },
    { weight: 1, arbitrary: wrongType },
  );
}

const id = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/),
  fc.constantFrom('test', 'Test', '-x', '', 'a'.repeat(64)),
);
const url = fc.oneof(
  fc.webUrl(),
  fc.constantFrom('http://localhost:3000', 'not a url', 'javascript:alert(1)', 'file:///etc/passwd'),
);
const seconds = (min: number, max: number) => fc.integer({ min: min - 10, max: max + 10 });

const attributes = section({
  role: field(fc.string()),
  roleSessionName: field(fc.string()),
  dbUser: field(fc.string()),
  groups: field(fc.string()),
});

const idp = section({
  id: field(id),
  name: field(fc.string({ maxLength: 20 })),
  metadataFile: field(fc.constantFrom('/nonexistent/metadata.xml', '')),
  metadataXml: field(fc.constantFrom('<md:EntityDescriptor/>', '')),
  metadataUrl: field(url),
  entityId: field(fc.constantFrom('https://idp.example/metadata', '')),
  ssoUrl: field(url),
  certs: field(fc.array(fc.constantFrom(PEM, '', 'certs/idp.crt'), { maxLength: 3 })),
  sloUrl: field(url),
  wantLogoutSigned: field(fc.boolean()),
  allowIdpInitiated: field(fc.boolean()),
  wantAssertionsSigned: field(fc.boolean()),
  wantResponseSigned: field(fc.boolean()),
  allowSha1Signatures: field(fc.boolean()),
  clockSkewSeconds: field(seconds(0, 300)),
  maxSessionDurationSeconds: field(seconds(900, 43200)),
  attributes,
});

const cluster = section({
  id: field(id),
  name: field(fc.string({ maxLength: 20 })),
  type: field(fc.constantFrom('provisioned', 'serverless', 'other')),
  clusterIdentifier: field(fc.string({ maxLength: 70 })),
  workgroup: field(fc.stringMatching(/^[a-z0-9-]{0,70}$/)),
  region: field(fc.constantFrom('us-east-1', 'eu-west-2', 'moon-1')),
  database: field(fc.string({ maxLength: 70 })),
  host: field(fc.domain()),
  port: field(fc.integer({ min: -1, max: 70000 })),
  sslMode: field(fc.constantFrom('disable', 'require', 'verify-full', 'none')),
  durationSeconds: field(seconds(1, 3600)),
  autoCreate: field(fc.boolean()),
  dbGroups: field(fc.array(fc.constantFrom('analysts', 'Admins', ''), { maxLength: 3 })),
  roles: field(fc.array(fc.constantFrom(ROLE, 'arn:aws:iam::1:role/x', ''), { maxLength: 3 })),
  dbGroupsFilter: field(fc.constantFrom('bi_.*', '(a+)+', '(?=x)y', '(a)\\1', '[', '')),
});

/** A configuration file shaped like the schema, each field right or wrong at random. */
export const shapedConfig: fc.Arbitrary<unknown> = section({
  mode: field(fc.constantFrom('production', 'development')),
  log: section({ level: field(fc.constantFrom('info', 'debug', 'verbose')) }),
  server: section({
    baseUrl: field(url),
    host: field(fc.constantFrom('0.0.0.0', '127.0.0.1')),
    port: field(fc.integer({ min: -1, max: 70000 })),
    trustProxy: field(
      fc.oneof(
        fc.boolean(),
        fc.integer(),
        fc.constantFrom('loopback', '10.0.0.0/8', 'loopback, fd00::/8', ['::1'], '10.0.0.0/99', []),
      ),
    ),
    sessionSecret: field(fc.string({ minLength: 28, maxLength: 40 })),
    sessionTtlSeconds: field(seconds(300, 43200)),
    rateLimit: section({
      windowSeconds: field(seconds(1, 3600)),
      login: field(fc.integer()),
      acs: field(fc.integer()),
      api: field(fc.integer()),
    }),
  }),
  sp: section({
    entityId: field(fc.string()),
    audiences: field(fc.array(fc.string(), { maxLength: 3 })),
    signingKey: field(fc.constantFrom(PEM, '')),
    signingCert: field(fc.constantFrom(PEM, '')),
    decryptionKey: field(fc.constantFrom(PEM, '')),
    decryptionCert: field(fc.constantFrom(PEM, '')),
    clockSkewSeconds: field(seconds(0, 300)),
    requestTtlSeconds: field(seconds(60, 3600)),
    metadataFetch: section({
      timeoutMs: field(seconds(100, 60000)),
      maxBytes: field(fc.integer()),
      allowHttpLoopback: field(fc.boolean()),
      allowPrivateAddresses: field(fc.boolean()),
    }),
  }),
  idps: field(fc.array(idp, { maxLength: 3 })),
  clusters: field(fc.array(cluster, { maxLength: 3 })),
  aws: section({
    region: field(fc.string()),
    timeoutMs: field(seconds(500, 60000)),
    maxAttempts: field(seconds(1, 10)),
    endpoint: field(url),
  }),
  store: section({ url: field(fc.constantFrom('sqlite::memory:', 'postgres://db/x', 'mysql://x')) }),
  admin: section({ groupsAttribute: field(fc.string()), groups: field(fc.array(fc.string(), { maxLength: 3 })) }),
});

/** A small environment: the variables the loader reads (and one it ignores), with odd values. */
export const environment: fc.Arbitrary<Record<string, string | undefined>> = fc.dictionary(
  fc.constantFrom(...ENV_OVERRIDES.map((o) => o.name), 'REDSHIFT_SSO_UNKNOWN'),
  fc.option(
    fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('true', 'false', '0', '3000', '99999999999999999999', 'development', 'production'),
    ),
    { nil: undefined },
  ),
  { maxKeys: 4 },
);

const validIdp = fc.record(
  {
    id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/),
    name: fc.string({ minLength: 1, maxLength: 20 }),
    entityId: fc.constant('https://idp.example/metadata'),
    ssoUrl: fc.webUrl(),
    certs: fc.constant([PEM]),
    allowIdpInitiated: fc.boolean(),
    maxSessionDurationSeconds: fc.integer({ min: 900, max: 43200 }),
  },
  { requiredKeys: ['id', 'entityId', 'ssoUrl', 'certs'] },
);

const validCluster = fc.record(
  {
    id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/),
    name: fc.string({ minLength: 1, maxLength: 20 }),
    clusterIdentifier: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    database: fc.stringMatching(/^[a-z_]{1,20}$/),
    durationSeconds: fc.integer({ min: 900, max: 3600 }),
    sslMode: fc.constantFrom('disable', 'require', 'verify-full'),
    roles: fc.constant([ROLE]),
  },
  { requiredKeys: ['id', 'clusterIdentifier', 'roles'] },
);

/** A valid configuration file (before environment overrides). */
const validConfig = fc.record(
  {
    mode: fc.constantFrom('production', 'development'),
    log: fc.record({ level: fc.constantFrom('info', 'debug', 'silent') }),
    server: fc
      .record(
        {
          baseUrl: fc.webUrl(),
          sessionSecret: fc.string({ minLength: 32, maxLength: 64 }),
          port: fc.integer({ min: 0, max: 65535 }),
          trustProxy: fc.oneof(fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.constant('loopback')),
          rateLimit: fc.record(
            { windowSeconds: fc.integer({ min: 1, max: 3600 }), acs: fc.integer({ min: 1, max: 1000 }) },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: ['sessionSecret'] },
        // An https baseUrl means a TLS proxy in front, which the configuration must trust.
      )
      .map((server) =>
        /^https:/.test(server.baseUrl ?? '') && !server.trustProxy ? { ...server, trustProxy: 1 } : server,
      ),
    idps: fc.uniqueArray(validIdp, { selector: (idp) => idp.id, maxLength: 2 }),
    clusters: fc.uniqueArray(validCluster, { selector: (cluster) => cluster.id, maxLength: 2 }),
    store: fc.constant({ url: 'sqlite::memory:' }),
    admin: fc.record({ groups: fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 2 }) }),
  },
  { requiredKeys: ['server'] },
);

const PERTURBABLE: ReadonlyArray<ReadonlyArray<string | number>> = [
  ['mode'],
  ['log'],
  ['log', 'level'],
  ['server'],
  ['server', 'baseUrl'],
  ['server', 'sessionSecret'],
  ['server', 'port'],
  ['server', 'trustProxy'],
  ['server', 'rateLimit', 'acs'],
  ['sp', 'signingKey'],
  ['sp', 'decryptionKey'],
  ['sp', 'metadataFetch'],
  ['idps'],
  ['idps', 0],
  ['idps', 0, 'id'],
  ['idps', 0, 'certs'],
  ['idps', 0, 'metadataXml'],
  ['idps', 1, 'id'],
  ['idps', 0, 'attributes', 'role'],
  ['clusters'],
  ['clusters', 0, 'id'],
  ['clusters', 0, 'roles'],
  ['clusters', 0, 'type'],
  ['clusters', 0, 'durationSeconds'],
  ['clusters', 1],
  ['aws', 'endpoint'],
  ['aws', 'region'],
  ['store', 'url'],
  ['admin', 'groups'],
  ['__proto__'],
  ['constructor'],
  ['extra'],
];

/** A valid configuration with zero to two fields set to something else (the success path is reached too). */
export const nearlyValidConfig: fc.Arbitrary<unknown> = fc
  .tuple(validConfig, fc.array(fc.tuple(fc.constantFrom(...PERTURBABLE), wrongType), { maxLength: 2 }))
  .map(([config, perturbations]) => {
    const copy = structuredClone(config) as Record<string, unknown>;
    for (const [path, value] of perturbations) setPath(copy, path, value);
    return copy;
  });

/**
 * Sets `value` at `path`, creating containers on the way; own properties only (no prototype writes).
 * A container on the path that an earlier change made exotic (a typed array, a boxed string, a
 * Map, a frozen object) is replaced by a plain one: writing an index or key into those throws, and
 * the point is a config with a field changed, not a fuzz of the generator.
 */
export function setPath(root: Record<string, unknown>, path: ReadonlyArray<string | number>, value: unknown): void {
  let node: Record<string | number, unknown> = root;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
      return;
    }
    const next = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
    if (isPlainContainer(next)) {
      node = next;
    } else {
      const created = typeof path[i + 1] === 'number' ? [] : {};
      Object.defineProperty(node, key, { value: created, enumerable: true, writable: true, configurable: true });
      node = created as Record<string | number, unknown>;
    }
  });
}

/** A plain object or array that still takes new properties. */
function isPlainContainer(value: unknown): value is Record<string | number, unknown> {
  if (typeof value !== 'object' || value === null || !Object.isExtensible(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return Array.isArray(value) ? proto === Array.prototype : proto === Object.prototype || proto === null;
}
