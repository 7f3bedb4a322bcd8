import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { instrumentSts } from '../../../src/aws/instrumented.ts';
import { createFakeSts } from '../../support/unit-fake-sts.ts';

const input = {
  roleArn: 'arn:aws:iam::123456789012:role/Analyst',
  principalArn: 'arn:aws:iam::123456789012:saml-provider/Corp',
  samlAssertion: 'PHNhbWw+',
  durationSeconds: 3600,
};

describe('instrumented AWS ports', () => {
  it('reports each call by AWS operation name with ok or the mapped error code, and passes results through', async () => {
    const seen: Array<[string, string]> = [];
    const sts = createFakeSts();
    const instrumented = instrumentSts(sts, (api, outcome, seconds) => {
      assert.ok(seconds >= 0);
      seen.push([api, outcome]);
    });
    const ok = await instrumented.assumeRoleWithSaml(input);
    assert.equal(ok.value.accessKeyId, sts.sessionFor(input).accessKeyId);
    const denied = { ...input, roleArn: 'arn:aws:iam::123456789012:role/Denied' };
    const broken = { ...input, roleArn: 'arn:aws:iam::123456789012:role/Broken' };
    sts.failWith('AccessDenied', { roleArn: denied.roleArn });
    sts.fail({ roleArn: broken.roleArn, error: new Error('not an AppError') });
    await assert.rejects(instrumented.assumeRoleWithSaml(denied), { code: 'AWS_ACCESS_DENIED' });
    await assert.rejects(instrumented.assumeRoleWithSaml(broken), /not an AppError/);
    assert.deepEqual(seen, [
      ['AssumeRoleWithSAML', 'ok'],
      ['AssumeRoleWithSAML', 'AWS_ACCESS_DENIED'],
      ['AssumeRoleWithSAML', 'error'],
    ]);
  });
});
