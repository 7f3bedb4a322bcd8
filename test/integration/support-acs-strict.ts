// The ACS cases of the strict-SP tests (acs-strict*.test.ts): a response the IdP really signed, with
// given times or an edit before or after signing, posted to a fresh app; each case is accepted, or
// refused with its code, without a session and audited. One app at a time: call closeHarness after each.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, SESSION_COOKIE, type AppHarness, type AppHarnessOptions } from '../support/app-harness.ts';
import { assertAcsRefused } from '../support/app-assertions.ts';
import {
  aSamlResponseXml,
  fixtureKeys,
  TEST_PRINCIPAL_ARN,
  type SamlResponseOverrides,
} from '../support/sign-response.ts';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const ago = (ms: number): Date => new Date(Date.now() - ms);
export const ahead = (ms: number): Date => new Date(Date.now() + ms);
const b64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');
/** The SP and the emulated IAM SAML provider both hold the fixture SP key, as for encrypted assertions in AWS. */
export const DECRYPTING: AppHarnessOptions = {
  sp: { decryptionKey: fixtureKeys.sp.privateKey, decryptionCert: fixtureKeys.sp.certificate },
  emulator: {
    samlProviders: [
      { arn: TEST_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate], decryptionKeys: [fixtureKeys.sp.privateKey] },
    ],
  },
};

/** Issued `ms` ago with every window still open (as a replayed or hoarded response would be). */
export function issuedAgo(ms: number, extra: SamlResponseOverrides = {}): () => SamlResponseOverrides {
  return () => ({
    now: ago(ms),
    authnInstant: ago(ms),
    notBefore: ago(ms + MINUTE),
    notOnOrAfter: ahead(5 * MINUTE),
    sessionNotOnOrAfter: ahead(8 * HOUR),
    ...extra,
  });
}

export interface Case {
  name: string;
  harness?: AppHarnessOptions;
  response?: () => SamlResponseOverrides;
  /** Rewrites the signed XML before it is posted. */
  then?: (xml: string) => string | Promise<string>;
  /** 'accepted', or the refusal code. */
  expect: string;
  status?: number;
}

let h: AppHarness | undefined;

/** Closes the app the last case started; each test file runs it after each test. */
export async function closeHarness(): Promise<void> {
  await h?.close();
  h = undefined;
}

export async function post(
  c: Pick<Case, 'harness' | 'response' | 'then'>,
): Promise<{ h: AppHarness; res: () => Promise<Response> }> {
  h = await startAppHarness(c.harness);
  const harness = h;
  const xml = aSamlResponseXml({
    destination: harness.acsUrl,
    recipient: harness.acsUrl,
    inResponseTo: await harness.startLogin(),
    ...c.response?.(),
  });
  const posted = c.then === undefined ? xml : await c.then(xml);
  return { h: harness, res: () => harness.postAcs(b64(posted), { json: true }) };
}

export function runCases(cases: readonly Case[]): void {
  for (const c of cases) {
    it(c.name, async () => {
      const { h: harness, res } = await post(c);
      if (c.expect === 'accepted') {
        const answer = await res();
        assert.equal(answer.status, 303, await answer.text());
        return;
      }
      await assertAcsRefused(harness, res, c.status ?? 401, c.expect);
      assert.equal(harness.client.cookie(SESSION_COOKIE), undefined, 'no session is started');
      const [audited] = await harness.service.store.queryAudit({ outcome: 'refused' });
      assert.equal(audited?.kind, 'login_refused');
      assert.equal(audited?.code, c.expect, 'the refusal is audited with its code');
    });
  }
}

/** Rewrites the (unsigned) Response element's IssueInstant. */
export const responseIssued = (at: () => Date) => (xml: string) =>
  mustChange(xml, xml.replace(/(<samlp:Response\b[^>]*\sIssueInstant=")[^"]+"/, `$1${at().toISOString()}"`));
export const withBeforeSigning = (edit: (xml: string) => string) => (): SamlResponseOverrides => ({
  beforeSigning: (xml) => mustChange(xml, edit(xml)),
});

export function mustChange(before: string, after: string): string {
  assert.notEqual(after, before, 'the edit changed the XML');
  return after;
}
