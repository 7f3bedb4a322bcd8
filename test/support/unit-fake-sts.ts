// A recording StsApi for unit tests, like Teleport's mocks/aws_sts.go: `calls` holds every
// AssumeRoleWithSAML input, `maxInFlight` the most calls running at once, and `failWith`
// makes matching calls fail with an SDK-shaped error mapped exactly as the real adapter maps it.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { mapAwsError } from '../../src/aws/errors.ts';
import type { AssumeRoleWithSamlInput, AwsResult, RoleSession, StsApi } from '../../src/aws/ports.ts';
import { anSdkError } from './unit-builders.ts';

export interface FailureRule {
  /** Only calls for this role; any role when absent. */
  roleArn?: string;
  /** Only calls this predicate accepts. */
  when?: (input: AssumeRoleWithSamlInput) => boolean;
  /** An SDK error name, mapped by mapAwsError as the real adapter does... */
  sdkName?: string;
  message?: string;
  /** ...or an error thrown as is, for failures outside the adapter's mapping. */
  error?: unknown;
}

export interface FakeSts extends StsApi {
  readonly calls: AssumeRoleWithSamlInput[];
  readonly maxInFlight: number;
  /** Calls matching `options` fail with an SDK error `name`, mapped by mapAwsError. */
  failWith(
    name: string,
    options?: { roleArn?: string; message?: string; when?: (input: AssumeRoleWithSamlInput) => boolean },
  ): void;
  fail(rule: FailureRule): void;
  /** The session the fake returns for a call. */
  sessionFor(input: AssumeRoleWithSamlInput): RoleSession;
}

export function createFakeSts(options: { now?: () => Date; turnsPerCall?: number } = {}): FakeSts {
  const now = options.now ?? (() => new Date('2030-01-01T00:00:00.000Z'));
  const turns = options.turnsPerCall ?? 3;
  const calls: AssumeRoleWithSamlInput[] = [];
  const rules: FailureRule[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const sessionFor = (input: AssumeRoleWithSamlInput): RoleSession => {
    const name = input.roleArn.slice(input.roleArn.lastIndexOf('/') + 1);
    return {
      accessKeyId: `ASIA${name.toUpperCase()}`,
      secretAccessKey: `secret-for-${name}`,
      sessionToken: `token-for-${name}`,
      expiration: new Date(now().getTime() + input.durationSeconds * 1000),
      assumedRoleArn: `${input.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/session`,
    };
  };

  return {
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
    failWith(name, opts = {}) {
      rules.push({ ...opts, sdkName: name });
    },
    fail(rule) {
      rules.push(rule);
    },
    sessionFor,
    async assumeRoleWithSaml(input): Promise<AwsResult<RoleSession>> {
      calls.push({ ...input });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        for (let i = 0; i < turns; i++) await nextTurn();
        const rule = rules.find(
          (r) => (r.roleArn === undefined || r.roleArn === input.roleArn) && (r.when === undefined || r.when(input)),
        );
        if (rule?.sdkName !== undefined) {
          const sdkError = anSdkError(rule.sdkName, { message: rule.message, requestId: `req-${calls.length}` });
          throw mapAwsError(sdkError, {
            operation: 'AssumeRoleWithSAML',
            roleArn: input.roleArn,
            principalArn: input.principalArn,
          });
        }
        if (rule !== undefined) throw rule.error;
        return { value: sessionFor(input), requestId: `req-${calls.length}` };
      } finally {
        inFlight -= 1;
      }
    },
  };
}
