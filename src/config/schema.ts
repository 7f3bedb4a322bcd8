// The configuration schema: the single source of truth for every setting, its default and its
// meaning. `Config` is inferred from it; `load.ts` fills it from a file and the environment.
// Rules that relate several fields live in `rules.ts`, so they are reported even when a type is wrong.
import { z } from 'zod';
import { isHostName } from './host-name.ts';
import { MIN_SECRET_LENGTH, weakSecretProblem } from './secret-strength.ts';
import { dbGroupsFilterProblem } from './db-groups-filter.ts';
import { trustProxyListProblems } from './trust-proxy.ts';

const proxyAddresses = <T extends string | string[]>(schema: z.ZodType<T>) =>
  schema.superRefine((value, ctx) => {
    for (const message of trustProxyListProblems(value)) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  });

// curl's reading of a proxy given without a scheme ("proxy.corp:3128"): plain http to the proxy.
const proxyUrl = z
  .string()
  .transform((u) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(u) ? u : `http://${u}`))
  .pipe(
    z
      .string()
      .url('expected a proxy URL such as http://proxy.example.com:3128')
      .refine((u) => !URL.canParse(u) || /^https?:$/.test(new URL(u).protocol), 'expected an http:// or https:// proxy URL (SOCKS is not supported)'),
  );

/** A NO_PROXY list: comma- or space-separated text (as in the environment) or a list. */
const noProxyList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(/[\s,]+/)).map((e) => e.trim()).filter((e) => e !== ''));

export const ODBC_DRIVER_DEFAULT = 'Amazon Redshift ODBC Driver (x64)';

export const DEFAULT_AUDIENCES = ['urn:amazon:webservices', 'https://signin.aws.amazon.com/saml'];
/** STS redeems a response only within about 5 minutes of its IssueInstant; we accept no older ones. */
export const DEFAULT_MAX_RESPONSE_AGE_SECONDS = 300;

const maxResponseAge = z.number().int().min(30).max(3600);
const maxAuthnAge = z.number().int().min(60).max(31_536_000);

const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lowercase letters, digits and dashes (max 63), starting with a letter or digit');

const pemOrPath = z.string().min(1).describe('a PEM string, or the path of a PEM file');

const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'expected an IAM role ARN (arn:aws:iam::123456789012:role/Name)');

export const attributeNamesSchema = z
  .object({
    role: z.string().default('https://aws.amazon.com/SAML/Attributes/Role').describe('attribute with "roleArn,principalArn" pairs'),
    roleSessionName: z.string().default('https://aws.amazon.com/SAML/Attributes/RoleSessionName').describe('attribute with the STS RoleSessionName'),
    sessionDuration: z.string().default('https://aws.amazon.com/SAML/Attributes/SessionDuration').describe('attribute with the role session length in seconds'),
    dbUser: z.string().default('https://redshift.amazon.com/SAML/Attributes/DbUser').describe('attribute with the database user name'),
    dbGroups: z.string().default('https://redshift.amazon.com/SAML/Attributes/DbGroups').describe('attribute with the database groups to join'),
    autoCreate: z.string().default('https://redshift.amazon.com/SAML/Attributes/AutoCreate').describe('attribute saying whether to create the database user'),
    groups: z
      .string()
      .optional()
      .describe('attribute holding the groups checked against admin.groups; defaults to admin.groupsAttribute'),
  })
  .strict()
  .default({});

export const idpSchema = z
  .object({
    id: idSchema.describe('stable identifier used in URLs: /login/:id, /saml/acs/:id'),
    name: z.string().min(1).optional().describe('display name on the chooser page'),
    metadataFile: z.string().min(1).optional().describe('path of the IdP metadata XML'),
    metadataXml: z.string().min(1).optional().describe('IdP metadata XML, inline'),
    metadataUrl: z.string().url().optional().describe('IdP metadata URL, fetched at start-up (https; see sp.metadataFetch)'),
    entityId: z.string().min(1).optional().describe("the IdP's entity ID (Issuer), when not taken from metadata"),
    ssoUrl: z.string().url().optional().describe("the IdP's SSO URL for HTTP-Redirect AuthnRequests"),
    certs: z.array(pemOrPath).optional().describe('trusted signing certificates (several during rollover)'),
    sloUrl: z.string().url().optional().describe("the IdP's Single Logout URL (HTTP-Redirect); default from metadata"),
    wantLogoutSigned: z
      .boolean()
      .default(true)
      .describe('refuse Redirect-binding logout messages from the IdP that are not signed (anyone who knows a NameID could craft one)'),
    enabled: z.boolean().default(true).describe('a disabled connection refuses sign-ins'),
    grantsAdmin: z
      .boolean()
      .default(true)
      .describe('members of admin.groups signing in through this IdP become admins; the console saves false unless its checkbox is ticked'),
    allowIdpInitiated: z.boolean().default(false).describe('accept responses without InResponseTo'),
    wantAssertionsSigned: z
      .boolean()
      .default(true)
      .describe('require a signature on the assertion itself; false lets a signed Response suffice'),
    wantResponseSigned: z.boolean().default(false).describe('also require a signature on the Response'),
    allowSha1Signatures: z.boolean().default(false).describe('accept RSA-SHA1 signatures and SHA-1 digests (refused by default)'),
    clockSkewSeconds: z.number().int().min(0).max(300).optional().describe('overrides sp.clockSkewSeconds'),
    maxResponseAgeSeconds: maxResponseAge.optional().describe('overrides sp.maxResponseAgeSeconds'),
    maxAuthnAgeSeconds: maxAuthnAge.optional().describe('overrides sp.maxAuthnAgeSeconds'),
    maxSessionDurationSeconds: z
      .number()
      .int()
      .min(900)
      .max(43200)
      .default(3600)
      .describe('upper bound for the role session DurationSeconds'),
    attributes: attributeNamesSchema,
  })
  .strict();

export const clusterSchema = z
  .object({
    id: idSchema.describe('stable identifier, used as `cluster` in requests'),
    name: z.string().min(1).optional().describe('display name; default the id'),
    type: z.enum(['provisioned', 'serverless']).default('provisioned').describe('a provisioned cluster or a Redshift Serverless workgroup'),
    clusterIdentifier: z.string().min(1).max(63).optional().describe('provisioned clusters (case-sensitive)'),
    customDomainName: z
      .string()
      .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'expected a DNS name')
      .optional()
      .describe('custom domain (CNAME) of a provisioned cluster: sent as CustomDomainName and used as the host'),
    workgroup: z
      .string()
      .regex(/^[a-z0-9-]{3,64}$/, 'expected 3-64 lowercase letters, digits or dashes')
      .optional()
      .describe('serverless workgroup name'),
    workgroupId: z
      .string()
      .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'expected the workgroup ID, the UUID at the end of its ARN')
      .optional()
      .describe("serverless workgroup ID (the end of its ARN): lets the session policy name this workgroup; without it, any workgroup of the role's account in that region"),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region like us-east-1').optional().describe("the cluster's region; default aws.region"),
    database: z.string().min(1).max(64).default('dev').describe('DbName, and the database in connection strings'),
    host: z
      .string()
      .refine((h) => isHostName(h), 'expected a DNS name or an IP address (IPv6 without brackets)')
      .optional()
      .describe('endpoint host (DNS name or IP address); default from DescribeClusters / GetWorkgroup'),
    port: z.number().int().min(1).max(65535).optional().describe('endpoint port; default 5439 with host, else from AWS'),
    sslMode: z.enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']).default('verify-full').describe('written into the connection strings'),
    durationSeconds: z.number().int().min(1).max(3600).default(900).describe('DB password lifetime (AWS allows 900-3600; shorter only in development, for the emulator)'),
    autoCreate: z.boolean().optional().describe('overrides the AutoCreate SAML attribute'),
    dbGroups: z.array(z.string().regex(/^[a-z0-9_+.@-]{1,127}$/)).optional().describe('fixed DbGroups; default from SAML'),
    dbGroupsFilter: z
      .string()
      .max(500)
      .superRefine((p, ctx) => {
        const problem = dbGroupsFilterProblem(p);
        if (problem !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      })
      .optional()
      .describe('keep only SAML DbGroups whose whole name matches this RE2 regular expression (linear time; no backreferences or lookaround)'),
    credentialsApi: z
      .enum(['GetClusterCredentials', 'GetClusterCredentialsWithIAM'])
      .default('GetClusterCredentials')
      .describe('GetClusterCredentialsWithIAM maps the DB user to the IAM role (IAMR:<role>); provisioned clusters only'),
    roles: z.array(roleArn).min(1, 'expected at least one role ARN').describe('IAM roles that may use this cluster'),
    odbcDriver: z
      .string()
      .regex(/^[^{};=\r\n]{1,100}$/, 'expected a driver name without braces, semicolons or equals signs')
      .optional()
      .describe(`ODBC driver name in the ODBC string (1.x and 2.x drivers and each OS name it differently); default ${ODBC_DRIVER_DEFAULT}`),
    caBundle: pemOrPath
      .optional()
      .describe('CA certificates (PEM or path) that sign the endpoint certificate; served at /ca/<id>.pem and referenced as sslrootcert'),
    sessionPolicy: z
      .boolean()
      .default(true)
      .describe("scope its roles' sessions to the credential call for the person's own DbUser; false sends no session policy for any role that may use this cluster"),
  })
  .strict();

export const configSchema = z
  .object({
    mode: z.enum(['production', 'development']).default('production').describe('development allows aws.endpoint and short DB password lifetimes; refused when NODE_ENV=production'),
    log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('log level') }).strict().default({}),
    server: z
      .object({
        baseUrl: z.string().url().default('http://localhost:3000').describe('public URL; ACS URLs derive from it'),
        host: z.string().default('0.0.0.0').describe('listen address'),
        port: z.number().int().min(0).max(65535).default(3000).describe('listen port'),
        trustProxy: z
          .union([z.boolean(), z.number().int().min(0).max(100), proxyAddresses(z.string()), proxyAddresses(z.array(z.string()))])
          .default(false)
          .describe('which proxies in front may set X-Forwarded-For/-Proto: a hop count, proxy addresses (IP, CIDR, loopback, linklocal, uniquelocal; a list or comma-separated), or true for any (unsafe)'),
        sessionSecret: z
          .string()
          .min(MIN_SECRET_LENGTH, `expected at least ${MIN_SECRET_LENGTH} characters`)
          .superRefine((secret, ctx) => {
            const problem = secret.length < MIN_SECRET_LENGTH ? undefined : weakSecretProblem(secret);
            if (problem !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
          })
          .describe('signs cookies and derives the encryption key for role sessions; placeholders and predictable values are refused'),
        sessionTtlSeconds: z.number().int().min(300).max(43200).default(3600).describe('idle timeout: a session unused this long ends'),
        sessionMaxLifetimeSeconds: z
          .number()
          .int()
          .min(300)
          .max(43200)
          .default(43200)
          .describe('absolute session lifetime from sign-in; use never extends it (nor does the IdP, whose SessionNotOnOrAfter can only shorten it)'),
        shutdownTimeoutSeconds: z
          .number()
          .int()
          .min(1)
          .max(3600)
          .default(25)
          .describe('on SIGTERM/SIGINT, how long requests in flight may run before their connections are cut (exit status 1)'),
        workers: z
          .union([z.number().int().min(1).max(64), z.literal('auto')])
          .default(1)
          .describe('processes serving requests (node:cluster, sharing the port and the store): a number, or auto for one per core; 1 runs a single process'),
        rateLimit: z
          .object({
            windowSeconds: z.number().int().min(1).max(3600).default(60).describe('length of the fixed rate-limit window'),
            login: z.number().int().min(1).default(60).describe('sign-in starts per client IP and window'),
            acs: z.number().int().min(1).default(60).describe('SAML responses per client IP and window'),
            api: z.number().int().min(1).default(120).describe('API and credential requests per client IP and window'),
            ipv6Subnet: z.number().int().min(32).max(64).default(56).describe('IPv6 clients are counted per subnet of this prefix length'),
          })
          .strict()
          .default({}),
      })
      .strict(),
    sp: z
      .object({
        entityId: z.string().min(1).optional().describe('default: <baseUrl>/saml/metadata'),
        audiences: z.array(z.string().min(1)).optional().describe(`accepted Audience values; default ${DEFAULT_AUDIENCES.join(', ')} and sp.entityId`),
        signingKey: pemOrPath.optional().describe('signs AuthnRequests (SHA-256) when set'),
        signingCert: pemOrPath.optional(),
        decryptionKey: pemOrPath.optional(),
        decryptionCert: pemOrPath.optional(),
        clockSkewSeconds: z.number().int().min(0).max(300).default(60).describe('allowed clock difference with IdPs'),
        maxResponseAgeSeconds: maxResponseAge
          .default(DEFAULT_MAX_RESPONSE_AGE_SECONDS)
          .describe('refuse responses whose IssueInstant (Response or assertion) is older than this plus the clock skew'),
        maxAuthnAgeSeconds: maxAuthnAge
          .optional()
          .describe("refuse assertions whose AuthnInstant is older than this plus the clock skew; default: no limit (the IdP's SSO session decides)"),
        requestTtlSeconds: z.number().int().min(60).max(3600).default(600).describe('how long a sent AuthnRequest ID stays valid'),
        metadataFetch: z
          .object({
            timeoutMs: z.number().int().min(100).max(60000).default(5000).describe('time limit for a whole metadata download'),
            maxBytes: z.number().int().min(1024).max(10_000_000).default(1_000_000).describe('size limit of a metadata document'),
            allowHttpLoopback: z.boolean().default(false).describe('allow plain http:// metadata URLs on loopback addresses'),
            allowPrivateAddresses: z.boolean().default(false).describe('allow metadata hosts on private, loopback and link-local addresses'),
            refreshIntervalSeconds: z.number().int().min(60).max(86400).default(3600).describe('how often metadata URLs are fetched again'),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    idps: z.array(idpSchema).default([]).describe('IdP connections from the file (the admin console adds more)'),
    clusters: z.array(clusterSchema).default([]).describe('Redshift clusters and workgroups from the file (the admin console adds more)'),
    aws: z
      .object({
        region: z.string().default('us-east-1').describe('region for STS and the default for clusters'),
        timeoutMs: z.number().int().min(500).max(60000).default(10000).describe('per-attempt timeout of an AWS call'),
        maxAttempts: z.number().int().min(1).max(10).default(3).describe('SDK attempts per AWS call'),
        endpoint: z.string().url().optional().describe('development only: one endpoint for STS and Redshift (the demo emulator)'),
      })
      .strict()
      .default({}),
    outboundProxy: z
      .object({
        httpsUrl: proxyUrl.optional().describe('proxy for https:// targets: every AWS endpoint and IdP metadata URL (env HTTPS_PROXY / https_proxy)'),
        httpUrl: proxyUrl.optional().describe('proxy for plain http:// targets, such as a development emulator (env HTTP_PROXY / http_proxy)'),
        noProxy: noProxyList
          .default([])
          .describe('targets reached directly: *, host names (with their subdomains; a leading . or *. is optional), IP addresses, either with :port, CIDR ranges (env NO_PROXY / no_proxy)'),
      })
      .strict()
      .default({})
      .describe('outbound HTTP proxy for STS, Redshift, Redshift Serverless and metadata fetches; off when no URL is set'),
    store: z
      .object({
        url: z
          .string()
          .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'expected sqlite:PATH or postgres://…')
          .default('sqlite:data/redshift-sso.db')
          .describe('sqlite:PATH (one host) or postgres://… (shared by several instances); keep the password in the environment'),
      })
      .strict()
      .default({}),
    cli: z
      .object({
        codeTtlSeconds: z.number().int().min(10).max(60).default(60).describe('lifetime of the one-time code the browser hands the CLI'),
        deviceCodeTtlSeconds: z.number().int().min(60).max(1800).default(600).describe('how long a device sign-in waits for approval'),
        pollIntervalSeconds: z.number().int().min(1).max(60).default(5).describe('how often the CLI may poll during a device sign-in'),
      })
      .strict()
      .default({}),
    metrics: z
      .object({
        port: z.number().int().min(0).max(65535).optional().describe('serve GET /metrics on this separate port, bound to server.host; off when unset'),
        token: z.string().min(16, 'expected at least 16 characters').optional().describe('serve GET /metrics on the main port to requests with Authorization: Bearer <token>'),
      })
      .strict()
      .default({})
      .describe('Prometheus metrics: never served unless a port or a token is set'),
    admin: z
      .object({
        groupsAttribute: z
          .string()
          .default('https://redshift.amazon.com/SAML/Attributes/DbGroups')
          .describe("attribute holding group names; the default for every IdP's attributes.groups"),
        groups: z.array(z.string().min(1)).default([]).describe('members of any of these groups (case-insensitive) are admins, through an IdP with grantsAdmin'),
        setupTokenFile: z
          .string()
          .min(1)
          .optional()
          .describe('where the one-time setup token is written (mode 0600) when stderr is not a terminal; default setup-token beside the SQLite store, or data/setup-token'),
      })
      .strict()
      .default({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type IdpConfig = z.infer<typeof idpSchema>;
export type ClusterConfig = z.infer<typeof clusterSchema>;
export type AttributeNames = z.infer<typeof attributeNamesSchema>;
