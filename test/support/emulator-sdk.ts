// The AWS emulator's tests through the real AWS SDK: the demo emulator they share, a role session for
// the demo role, and the check that a call failed as AWS fails it (exception name, HTTP status).
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { Writable } from 'node:stream';
import {
  AssumeRoleWithSAMLCommand,
  STSClient,
  type AssumeRoleWithSAMLCommandInput,
  type AssumeRoleWithSAMLCommandOutput,
} from '@aws-sdk/client-sts';
import { startAwsEmulator, type AwsEmulator, type AwsEmulatorOptions } from '../../src/dev/aws-emulator.ts';
import { createLogger } from '../../src/logger.ts';
import {
  DEMO_PROVIDER_ARN,
  DEMO_ROLE_ARN,
  generateSigningKey,
  signedSamlResponse,
  type SamlSigningKey,
} from './emulator-saml.ts';

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Asserts that the SDK call failed with this exception name and HTTP status (and message, if given). */
export async function rejectsWith(
  promise: Promise<unknown>,
  name: string,
  status: number,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    assert.equal(e.name, name);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (message !== undefined) assert.match(e.message ?? '', message);
    return true;
  });
}

/** The role session's keys from an AssumeRoleWithSAML answer; asserts STS gave all three. */
export function credentialsOf(output: AssumeRoleWithSAMLCommandOutput): SessionCredentials {
  const { AccessKeyId, SecretAccessKey, SessionToken } = output.Credentials ?? {};
  assert.ok(AccessKeyId && SecretAccessKey && SessionToken);
  return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken };
}

/** AssumeRoleWithSAML for the demo role with a response `key` signed, `input` over that; the STS
 *  client takes `sts` (no endpoint: the SDK's own lookup, AWS_ENDPOINT_URL_STS included). */
export async function assumeDemoRole(
  key: SamlSigningKey,
  input: Partial<AssumeRoleWithSAMLCommandInput> = {},
  sts: { endpoint?: string; region?: string } = {},
): Promise<SessionCredentials> {
  const client = new STSClient({
    region: sts.region ?? 'us-east-1',
    ...(sts.endpoint === undefined ? {} : { endpoint: sts.endpoint }),
  });
  const output = await client.send(
    new AssumeRoleWithSAMLCommand({
      RoleArn: DEMO_ROLE_ARN,
      PrincipalArn: DEMO_PROVIDER_ARN,
      SAMLAssertion: signedSamlResponse({ key }),
      ...input,
    }),
  );
  return credentialsOf(output);
}

export interface DemoEmulator {
  /** Trusted by the demo SAML provider. */
  key: SamlSigningKey;
  /** Trusted by nobody. */
  otherKey: SamlSigningKey;
  emulator: AwsEmulator;
  /** What the emulator was started with (start another one like it). */
  baseOptions: AwsEmulatorOptions;
}

/** The emulator most of its tests share: demo-cluster (5439), demo-wg (5440), the demo role up to
 *  7200 s; every log line it writes goes to `logLines`. */
export async function startDemoEmulator(logLines: string[] = []): Promise<DemoEmulator> {
  const [key, otherKey] = await Promise.all([generateSigningKey(), generateSigningKey()]);
  const baseOptions: AwsEmulatorOptions = {
    samlProviders: [{ arn: DEMO_PROVIDER_ARN, certs: [key.cert] }],
    clusters: [{ clusterIdentifier: 'demo-cluster', host: 'demo-cluster.example.test', port: 5439 }],
    workgroups: [{ workgroupName: 'demo-wg', host: 'demo-wg.example.test', port: 5440 }],
    roleMaxSessionDuration: { [DEMO_ROLE_ARN]: 7200 },
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const emulator = await startAwsEmulator({ ...baseOptions, logger: createLogger({ level: 'debug' }, sink) });
  return { key, otherKey, emulator, baseOptions };
}

/** The demo emulator for the calling describe: started before its tests (the fields are set then)
 *  and closed after them. */
export function demoEmulatorForSuite(logLines?: string[]): DemoEmulator {
  const demo = {} as DemoEmulator;
  before(async () => Object.assign(demo, await startDemoEmulator(logLines)));
  after(() => demo.emulator.close());
  return demo;
}
