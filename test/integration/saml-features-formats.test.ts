// NameID formats and attribute NameFormats, through the real ServiceProvider in-process: every NameID
// format reaches the identity as sent, and the attributes read alike whatever their NameFormat.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NAMEID_FORMAT } from '../../src/dev/saml-response.ts';
import { TEST_PRINCIPAL_ARN, TEST_ROLE_ARN } from '../support/sign-response.ts';
import { assertAccepted, run } from './support-saml-features.ts';

describe('NameID formats and attribute NameFormats', () => {
  for (const [label, format] of Object.entries(NAMEID_FORMAT)) {
    it(`accepts NameID format ${label} and carries NameID and format into the identity`, async () => {
      const nameId = label === 'emailAddress' ? 'alice@example.com' : `${label}-9f3c6d0e2b1a4c5d`;
      const login = assertAccepted(await run({ response: { nameId, nameIdFormat: format } }));
      assert.equal(login.identity.nameId, nameId);
      assert.equal(login.identity.nameIdFormat, format);
    });
  }

  for (const attributeNameFormat of ['uri', 'basic', 'unspecified'] as const) {
    it(`reads the attributes alike with NameFormat ${attributeNameFormat}`, async () => {
      const login = assertAccepted(await run({ response: { attributeNameFormat } }));
      const { roles, roleSessionName, dbUser, dbGroups } = login.identity;
      assert.deepEqual(
        { roles, roleSessionName, dbUser, dbGroups },
        {
          roles: [{ roleArn: TEST_ROLE_ARN, principalArn: TEST_PRINCIPAL_ARN }],
          roleSessionName: 'alice',
          dbUser: 'alice',
          dbGroups: ['analysts'],
        },
      );
    });
  }
});
