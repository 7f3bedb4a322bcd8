// node-saml's refusals (plain Errors with messages, copied from @node-saml/node-saml/lib/saml.js)
// -> AssertionRejected with a stable code, status 401 and the original kept as cause.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionRejected } from '../../../src/errors.ts';
import { toAssertionRejected } from '../../../src/saml/errors.ts';

const cases: Array<{ message: string; code: string; type?: 'TypeError' }> = [
  { message: 'Invalid signature', code: 'SAML_SIGNATURE_INVALID' },
  { message: 'Invalid document signature', code: 'SAML_SIGNATURE_INVALID' },
  { message: 'Invalid signature from encrypted assertion', code: 'SAML_SIGNATURE_INVALID' },
  { message: 'Invalid signature: No response found', code: 'SAML_SIGNATURE_INVALID' },
  { message: 'Invalid signature: ID cannot refer to more than one element', code: 'SAML_SIGNATURE_INVALID' },
  { message: 'Cannot obtain assertion from signed data', code: 'SAML_SIGNATURE_INVALID' },
  { message: 'Invalid signature: multiple assertions', code: 'SAML_MULTIPLE_ASSERTIONS' },
  { message: 'InResponseTo is missing from response', code: 'SAML_UNSOLICITED' },
  { message: 'InResponseTo is not valid', code: 'SAML_IN_RESPONSE_TO_UNKNOWN' },
  { message: 'InResponseTo does not match subjectInResponseTo', code: 'SAML_IN_RESPONSE_TO_UNKNOWN' },
  { message: 'SubjectInResponseTo is not valid', code: 'SAML_IN_RESPONSE_TO_UNKNOWN' },
  { message: 'SAML assertion expired: clocks skewed too much', code: 'SAML_EXPIRED' },
  { message: 'SAML assertion expired: assertion too old', code: 'SAML_EXPIRED' },
  { message: 'SAML assertion not yet valid', code: 'SAML_NOT_YET_VALID' },
  {
    message:
      'Unknown SAML issuer. Expected: https://idp.test.example/metadata Received: https://other.example/metadata',
    code: 'SAML_ISSUER_MISMATCH',
  },
  // The received issuer is quoted from the response; words in it must not change the code.
  {
    message:
      'Unknown SAML issuer. Expected: https://idp.test.example/metadata Received: https://other.example/signature/decrypt',
    code: 'SAML_ISSUER_MISMATCH',
  },
  { message: 'Missing SAML issuer', code: 'SAML_ISSUER_MISMATCH' },
  // assertRequired throws a TypeError with this message.
  { message: 'No decryption key for encrypted SAML response', code: 'SAML_DECRYPTION_KEY_MISSING', type: 'TypeError' },
  {
    message: 'No decryption key found getting name ID for encrypted SAML response',
    code: 'SAML_DECRYPTION_KEY_MISSING',
    type: 'TypeError',
  },
  { message: 'Invalid EncryptedAssertion content', code: 'SAML_DECRYPTION_FAILED' },
  {
    message: 'SAML assertion audience mismatch. Expected: urn:amazon:webservices Received: https://elsewhere.example',
    code: 'SAML_AUDIENCE_MISMATCH',
  },
  { message: 'SAML assertion has no AudienceRestriction', code: 'SAML_AUDIENCE_MISMATCH' },
  { message: 'Missing SAML assertion', code: 'SAML_ASSERTION_MISSING' },
  { message: 'Unknown SAML response message', code: 'SAML_ASSERTION_MISSING' },
  { message: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1 is not supported', code: 'SAML_ALGORITHM_NOT_ALLOWED' },
  { message: 'Something node-saml says tomorrow', code: 'SAML_INVALID' },
  { message: '', code: 'SAML_INVALID' },
];

describe('toAssertionRejected', () => {
  for (const c of cases) {
    it(`maps ${JSON.stringify(c.message)} to ${c.code}`, () => {
      const original = c.type === 'TypeError' ? new TypeError(c.message) : new Error(c.message);
      const err = toAssertionRejected(original);
      assert.ok(err instanceof AssertionRejected);
      assert.equal(err.code, c.code);
      assert.equal(err.status, 401);
      assert.equal(err.expose, true);
      assert.equal(err.cause, original);
      assert.equal(err.details.reason, c.message);
    });
  }

  it("never puts node-saml's message (which may quote the response) in publicMessage", () => {
    const err = toAssertionRejected(
      new Error('Unknown SAML issuer. Expected: https://idp.test.example/metadata Received: <script>x</script>'),
    );
    assert.equal(err.publicMessage.includes('<script>'), false);
  });

  it('maps a thrown non-Error to SAML_INVALID and keeps it as cause', () => {
    const err = toAssertionRejected('a string');
    assert.equal(err.code, 'SAML_INVALID');
    assert.equal(err.status, 401);
    assert.equal(err.cause, 'a string');
  });

  it('returns an AssertionRejected unchanged', () => {
    const original = new AssertionRejected({ code: 'SAML_REPLAYED', publicMessage: 'used' });
    assert.equal(toAssertionRejected(original), original);
  });

  it('keeps at most 300 characters of the reason', () => {
    const err = toAssertionRejected(new Error(`Invalid signature ${'x'.repeat(1000)}`));
    assert.equal(String(err.details.reason).length, 300);
  });
});
