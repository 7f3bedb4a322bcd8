// The configuration schema of one IdP connection (`idps[]`), shared by the configuration file
// and the admin console (admin/idp-entry.ts), and the small schemas the cluster entries share.
import { z } from 'zod';

export const DEFAULT_AUDIENCES = ['urn:amazon:webservices', 'https://signin.aws.amazon.com/saml'];
/** STS redeems a response only within about 5 minutes of its IssueInstant; we accept no older ones. */
export const DEFAULT_MAX_RESPONSE_AGE_SECONDS = 300;

export const maxResponseAge = z.number().int().min(30).max(3600);
export const maxAuthnAge = z.number().int().min(60).max(31_536_000);

export const idSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'expected lowercase letters, digits and dashes (max 63), starting with a letter or digit',
  );

export const pemOrPath = z.string().min(1).describe('a PEM string, or the path of a PEM file');

export const roleArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    'expected an IAM role ARN (arn:aws:iam::123456789012:role/Name)',
  );

export const attributeNamesSchema = z
  .object({
    role: z
      .string()
      .default('https://aws.amazon.com/SAML/Attributes/Role')
      .describe('attribute with "roleArn,principalArn" pairs'),
    roleSessionName: z
      .string()
      .default('https://aws.amazon.com/SAML/Attributes/RoleSessionName')
      .describe('attribute with the STS RoleSessionName'),
    sessionDuration: z
      .string()
      .default('https://aws.amazon.com/SAML/Attributes/SessionDuration')
      .describe('attribute with the role session length in seconds'),
    dbUser: z
      .string()
      .default('https://redshift.amazon.com/SAML/Attributes/DbUser')
      .describe('attribute with the database user name'),
    dbGroups: z
      .string()
      .default('https://redshift.amazon.com/SAML/Attributes/DbGroups')
      .describe('attribute with the database groups to join'),
    autoCreate: z
      .string()
      .default('https://redshift.amazon.com/SAML/Attributes/AutoCreate')
      .describe('attribute saying whether to create the database user'),
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
    metadataUrl: z
      .string()
      .url()
      .optional()
      .describe('IdP metadata URL, fetched at start-up (https; see sp.metadataFetch)'),
    entityId: z.string().min(1).optional().describe("the IdP's entity ID (Issuer), when not taken from metadata"),
    ssoUrl: z.string().url().optional().describe("the IdP's SSO URL for HTTP-Redirect AuthnRequests"),
    certs: z.array(pemOrPath).optional().describe('trusted signing certificates (several during rollover)'),
    sloUrl: z.string().url().optional().describe("the IdP's Single Logout URL (HTTP-Redirect); default from metadata"),
    wantLogoutSigned: z
      .boolean()
      .default(true)
      .describe(
        'refuse Redirect-binding logout messages from the IdP that are not signed (anyone who knows a NameID could craft one)',
      ),
    enabled: z.boolean().default(true).describe('a disabled connection refuses sign-ins'),
    grantsAdmin: z
      .boolean()
      .default(true)
      .describe(
        'members of admin.groups signing in through this IdP become admins; the console saves false unless its checkbox is ticked',
      ),
    allowIdpInitiated: z.boolean().default(false).describe('accept responses without InResponseTo'),
    wantAssertionsSigned: z
      .boolean()
      .default(true)
      .describe('require a signature on the assertion itself; false lets a signed Response suffice'),
    wantResponseSigned: z.boolean().default(false).describe('also require a signature on the Response'),
    allowSha1Signatures: z
      .boolean()
      .default(false)
      .describe('accept RSA-SHA1 signatures and SHA-1 digests (refused by default)'),
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
