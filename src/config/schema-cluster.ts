// The configuration schema of one cluster entry (`clusters[]`), shared by the configuration file
// and the admin console (admin/cluster-admin.ts).
import { z } from 'zod';
import { isHostName } from './host-name.ts';
import { dbGroupsFilterProblem } from './db-groups-filter.ts';
import { idSchema, pemOrPath, roleArn } from './schema-idp.ts';

export const ODBC_DRIVER_DEFAULT = 'Amazon Redshift ODBC Driver (x64)';

export const clusterSchema = z
  .object({
    id: idSchema.describe('stable identifier, used as `cluster` in requests'),
    name: z.string().min(1).optional().describe('display name; default the id'),
    type: z
      .enum(['provisioned', 'serverless'])
      .default('provisioned')
      .describe('a provisioned cluster or a Redshift Serverless workgroup'),
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
      .regex(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        'expected the workgroup ID, the UUID at the end of its ARN',
      )
      .optional()
      .describe(
        "serverless workgroup ID (the end of its ARN): lets the session policy name this workgroup; without it, any workgroup of the role's account in that region",
      ),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region like us-east-1')
      .optional()
      .describe("the cluster's region; default aws.region"),
    database: z.string().min(1).max(64).default('dev').describe('DbName, and the database in connection strings'),
    host: z
      .string()
      .refine((h) => isHostName(h), 'expected a DNS name or an IP address (IPv6 without brackets)')
      .optional()
      .describe('endpoint host (DNS name or IP address); default from DescribeClusters / GetWorkgroup'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('endpoint port; default 5439 with host, else from AWS'),
    sslMode: z
      .enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full'])
      .default('verify-full')
      .describe('written into the connection strings'),
    durationSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(900)
      .describe('DB password lifetime (AWS allows 900-3600; shorter only in development, for the emulator)'),
    autoCreate: z.boolean().optional().describe('overrides the AutoCreate SAML attribute'),
    dbGroups: z
      .array(z.string().regex(/^[a-z0-9_+.@-]{1,127}$/))
      .optional()
      .describe('fixed DbGroups; default from SAML'),
    dbGroupsFilter: z
      .string()
      .max(500)
      .superRefine((p, ctx) => {
        const problem = dbGroupsFilterProblem(p);
        if (problem !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      })
      .optional()
      .describe(
        'keep only SAML DbGroups whose whole name matches this RE2 regular expression (linear time; no backreferences or lookaround)',
      ),
    credentialsApi: z
      .enum(['GetClusterCredentials', 'GetClusterCredentialsWithIAM'])
      .default('GetClusterCredentials')
      .describe(
        'GetClusterCredentialsWithIAM maps the DB user to the IAM role (IAMR:<role>); provisioned clusters only',
      ),
    roles: z.array(roleArn).min(1, 'expected at least one role ARN').describe('IAM roles that may use this cluster'),
    odbcDriver: z
      .string()
      .regex(/^[^{};=\r\n]{1,100}$/, 'expected a driver name without braces, semicolons or equals signs')
      .optional()
      .describe(
        `ODBC driver name in the ODBC string (1.x and 2.x drivers and each OS name it differently); default ${ODBC_DRIVER_DEFAULT}`,
      ),
    caBundle: pemOrPath
      .optional()
      .describe(
        'CA certificates (PEM or path) that sign the endpoint certificate; served at /ca/<id>.pem and referenced as sslrootcert',
      ),
    sessionPolicy: z
      .boolean()
      .default(true)
      .describe(
        "scope its roles' sessions to the credential call for the person's own DbUser; false sends no session policy for any role that may use this cluster",
      ),
  })
  .strict();
