// Responses the IdP really signed that a strict SP still refuses (issue 8, items 1-4), end to end
// through the ACS: stale or future IssueInstants and AuthnInstants, an IdP session that has ended,
// an empty NameID, XInclude anywhere (encrypted assertions included). Each refusal has its code,
// reaches no STS call, starts no session and is audited. A SessionNotOnOrAfter still ahead bounds
// the role sessions' DurationSeconds.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, SESSION_COOKIE, type AppHarness, type AppHarnessOptions } from '../support/app-harness.ts';
import { assertAcsRefused } from '../support/app-assertions.ts';
import { encryptAssertionInResponse } from '../support/encrypt-assertion.ts';
import { aShapeServiceProvider } from '../support/idp-shape-sp.ts';
import {
  aSamlResponseXml,
  fixtureKeys,
  TEST_PRINCIPAL_ARN,
  type SamlResponseOverrides,
} from '../support/sign-response.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const ago = (ms: number): Date => new Date(Date.now() - ms);
const ahead = (ms: number): Date => new Date(Date.now() + ms);
const b64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');
/** The SP and the emulated IAM SAML provider both hold the fixture SP key, as for encrypted assertions in AWS. */
const DECRYPTING: AppHarnessOptions = {
  sp: { decryptionKey: fixtureKeys.sp.privateKey, decryptionCert: fixtureKeys.sp.certificate },
  emulator: {
    samlProviders: [
      { arn: TEST_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate], decryptionKeys: [fixtureKeys.sp.privateKey] },
    ],
  },
};

/** Issued `ms` ago with every window still open (as a replayed or hoarded response would be). */
function issuedAgo(ms: number, extra: SamlResponseOverrides = {}): () => SamlResponseOverrides {
  return () => ({
    now: ago(ms),
    authnInstant: ago(ms),
    notBefore: ago(ms + MINUTE),
    notOnOrAfter: ahead(5 * MINUTE),
    sessionNotOnOrAfter: ahead(8 * HOUR),
    ...extra,
  });
}

interface Case {
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
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function post(
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

function runCases(cases: readonly Case[]): void {
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
const responseIssued = (at: () => Date) => (xml: string) =>
  mustChange(xml, xml.replace(/(<samlp:Response\b[^>]*\sIssueInstant=")[^"]+"/, `$1${at().toISOString()}"`));
const withBeforeSigning = (edit: (xml: string) => string) => (): SamlResponseOverrides => ({
  beforeSigning: (xml) => mustChange(xml, edit(xml)),
});

function mustChange(before: string, after: string): string {
  assert.notEqual(after, before, 'the edit changed the XML');
  return after;
}

describe('POST /saml/acs/:idp refuses stale and future responses (maxResponseAgeSeconds)', () => {
  runCases([
    {
      name: 'refuses IssueInstant and AuthnInstant 48 hours old with NotOnOrAfter still ahead',
      response: issuedAgo(48 * HOUR),
      expect: 'SAML_RESPONSE_TOO_OLD',
    },
    {
      name: 'refuses a response issued 7 minutes ago (300 s plus 60 s skew by default)',
      response: issuedAgo(7 * MINUTE),
      expect: 'SAML_RESPONSE_TOO_OLD',
    },
    { name: 'accepts a response issued 4 minutes ago', response: issuedAgo(4 * MINUTE), expect: 'accepted' },
    {
      name: 'refuses a fresh assertion in a Response whose own IssueInstant is 2 hours old',
      then: responseIssued(() => ago(2 * HOUR)),
      expect: 'SAML_RESPONSE_TOO_OLD',
    },
    {
      name: "reads the assertion's IssueInstant from the signed assertion, not the Response",
      response: issuedAgo(2 * HOUR),
      then: responseIssued(() => new Date()),
      expect: 'SAML_RESPONSE_TOO_OLD',
    },
    {
      name: 'refuses an IssueInstant 5 minutes in the future even with NotBefore in the past',
      response: () => ({
        now: ahead(5 * MINUTE),
        authnInstant: new Date(),
        notBefore: ago(MINUTE),
        notOnOrAfter: ahead(10 * MINUTE),
      }),
      expect: 'SAML_NOT_YET_VALID',
    },
    {
      name: 'refuses a Response IssueInstant 5 minutes in the future',
      then: responseIssued(() => ahead(5 * MINUTE)),
      expect: 'SAML_NOT_YET_VALID',
    },
    {
      name: 'refuses an AuthnInstant 10 minutes in the future',
      response: () => ({ authnInstant: ahead(10 * MINUTE) }),
      expect: 'SAML_NOT_YET_VALID',
    },
    {
      name: 'refuses a Response without IssueInstant',
      then: (xml) => mustChange(xml, xml.replace(/(<samlp:Response\b[^>]*?)\sIssueInstant="[^"]+"/, '$1')),
      expect: 'SAML_MALFORMED',
      status: 400,
    },
    {
      name: 'sp.maxResponseAgeSeconds: 60 refuses a response 3 minutes old',
      harness: { sp: { maxResponseAgeSeconds: 60 } },
      response: issuedAgo(3 * MINUTE),
      expect: 'SAML_RESPONSE_TOO_OLD',
    },
    {
      name: 'idps[].maxResponseAgeSeconds: 60 refuses a response 3 minutes old',
      harness: { idp: { maxResponseAgeSeconds: 60 } },
      response: issuedAgo(3 * MINUTE),
      expect: 'SAML_RESPONSE_TOO_OLD',
    },
    {
      name: 'idps[].maxResponseAgeSeconds: 240 overrides sp.maxResponseAgeSeconds: 60',
      harness: { sp: { maxResponseAgeSeconds: 60 }, idp: { maxResponseAgeSeconds: 240 } },
      response: issuedAgo(3 * MINUTE),
      expect: 'accepted',
    },
    {
      name: 'accepts a fresh response for an authentication 48 hours old by default (the IdP session decides)',
      response: () => ({ authnInstant: ago(48 * HOUR) }),
      expect: 'accepted',
    },
    {
      name: 'idps[].maxAuthnAgeSeconds: 3600 refuses an authentication 2 hours old',
      harness: { idp: { maxAuthnAgeSeconds: 3600 } },
      response: () => ({ authnInstant: ago(2 * HOUR) }),
      expect: 'SAML_AUTHN_TOO_OLD',
    },
    {
      name: 'sp.maxAuthnAgeSeconds: 3600 refuses an authentication 2 hours old',
      harness: { sp: { maxAuthnAgeSeconds: 3600 } },
      response: () => ({ authnInstant: ago(2 * HOUR) }),
      expect: 'SAML_AUTHN_TOO_OLD',
    },
  ]);
});

describe('POST /saml/acs/:idp and SessionNotOnOrAfter', () => {
  runCases([
    {
      name: 'refuses a SessionNotOnOrAfter 2 minutes past',
      response: () => ({ sessionNotOnOrAfter: ago(2 * MINUTE) }),
      expect: 'SAML_SESSION_EXPIRED',
    },
    {
      name: 'refuses a past SessionNotOnOrAfter in a second AuthnStatement',
      response: withBeforeSigning((xml) =>
        xml.replace(
          /<saml:AuthnStatement\b[\s\S]*?<\/saml:AuthnStatement>/,
          (s) => `${s}${s.replace(/SessionNotOnOrAfter="[^"]+"/, `SessionNotOnOrAfter="${ago(HOUR).toISOString()}"`)}`,
        ),
      ),
      expect: 'SAML_SESSION_EXPIRED',
    },
    {
      name: 'accepts a SessionNotOnOrAfter 30 seconds past (within the clock skew)',
      response: () => ({ sessionNotOnOrAfter: ago(30 * SECOND) }),
      expect: 'accepted',
    },
  ]);

  async function signInWith(sessionNotOnOrAfter: Date | undefined) {
    const strip = withBeforeSigning((xml) => xml.replace(/ SessionNotOnOrAfter="[^"]+"/, ''));
    const { h: app, res } = await post({
      response: sessionNotOnOrAfter === undefined ? strip : () => ({ sessionNotOnOrAfter }),
    });
    const mark = app.emulator.calls.length;
    const answer = await res();
    assert.equal(answer.status, 303, await answer.text());
    const sts = app.callsSince(mark).filter((c) => c.action === 'AssumeRoleWithSAML');
    const cookieExpiry = Date.parse(/;\s*expires=([^;]+)/i.exec(answer.headers.get('set-cookie') ?? '')?.[1] ?? '');
    const me = (await (await app.client.get('/api/me', { accept: 'application/json' })).json()) as {
      roles: Array<{ expiresAt: string }>;
    };
    return {
      durations: sts.map((c) => Number(c.params.DurationSeconds)),
      expiries: me.roles.map((r) => Date.parse(r.expiresAt)),
      cookieExpiry,
    };
  }

  it('asks STS for no longer than the IdP session has left (20 minutes of 3600 s)', async () => {
    const end = ahead(20 * MINUTE);
    const { durations, expiries, cookieExpiry } = await signInWith(end);
    assert.equal(durations.length, 1);
    assert.ok(
      durations.every((d) => d <= 1200 && d >= 1190),
      `DurationSeconds ${durations.join(',')}`,
    );
    assert.ok(
      expiries.every((e) => e <= end.getTime()),
      'no role session outlives SessionNotOnOrAfter',
    );
    assert.ok(Number.isFinite(cookieExpiry) && cookieExpiry <= end.getTime(), 'nor does the web session (its cookie)');
  });

  it('asks for the STS minimum of 900 s with 10 minutes left, and the role session still ends by SessionNotOnOrAfter', async () => {
    const end = ahead(10 * MINUTE);
    const { durations, expiries } = await signInWith(end);
    assert.deepEqual(durations, [900]);
    assert.ok(
      expiries.length === 1 && expiries.every((e) => e <= end.getTime()),
      'STS ends the session at SessionNotOnOrAfter',
    );
  });

  it('keeps the configured duration when the session has longer left, or no SessionNotOnOrAfter', async () => {
    assert.deepEqual((await signInWith(ahead(8 * HOUR))).durations, [3600]);
    await h?.close();
    assert.deepEqual((await signInWith(undefined)).durations, [3600]);
  });

  it('reports SessionNotOnOrAfter on the validated login, and nothing when the IdP sent none', async () => {
    const shape = aShapeServiceProvider();
    try {
      const end = new Date(Math.floor(ahead(2 * HOUR).getTime() / SECOND) * SECOND);
      const xml = aSamlResponseXml({
        destination: shape.acsUrl,
        recipient: shape.acsUrl,
        inResponseTo: await shape.startLogin(),
        sessionNotOnOrAfter: end,
      });
      assert.equal((await shape.validateXml(xml)).sessionNotOnOrAfter?.toISOString(), end.toISOString());
      const none = aSamlResponseXml({
        destination: shape.acsUrl,
        recipient: shape.acsUrl,
        inResponseTo: await shape.startLogin(),
        beforeSigning: (x) => x.replace(/ SessionNotOnOrAfter="[^"]+"/, ''),
      });
      assert.equal((await shape.validateXml(none)).sessionNotOnOrAfter, undefined);
    } finally {
      await shape.close();
    }
  });
});

describe('POST /saml/acs/:idp refuses an empty NameID', () => {
  runCases([
    { name: 'refuses an empty NameID', response: () => ({ nameId: '' }), expect: 'SAML_NAMEID_EMPTY' },
    { name: 'refuses a NameID of spaces', response: () => ({ nameId: '   ' }), expect: 'SAML_NAMEID_EMPTY' },
    {
      name: 'refuses a NameID of tabs, line breaks and a no-break space',
      response: () => ({ nameId: '\t\n\u00a0 ' }),
      expect: 'SAML_NAMEID_EMPTY',
    },
    {
      name: 'refuses an empty NameID without a Format attribute',
      response: () => ({
        nameId: '',
        beforeSigning: (xml) => mustChange(xml, xml.replace(/<saml:NameID [^>]*>/, '<saml:NameID>')),
      }),
      expect: 'SAML_NAMEID_EMPTY',
    },
  ]);
});

const XI = 'http://www.w3.org/2001/XInclude';
const INCLUDE = `<xi:include xmlns:xi="${XI}" href="file:///etc/passwd" parse="text"/>`;
/** An attribute whose value is an include, inside the assertion the IdP signs. */
const includeInAttribute = (include: string) => (xml: string) =>
  xml.replace(
    '</saml:AttributeStatement>',
    `<saml:Attribute Name="note"><saml:AttributeValue>${include}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>`,
  );
const beforeStatus = (fragment: string) => (xml: string) =>
  mustChange(xml, xml.replace('<samlp:Status>', `${fragment}<samlp:Status>`));

describe('POST /saml/acs/:idp refuses XInclude anywhere', () => {
  const xinclude = { expect: 'SAML_XINCLUDE', status: 400 } as const;
  runCases([
    { name: 'refuses xi:include in the unsigned part of the Response', then: beforeStatus(INCLUDE), ...xinclude },
    {
      name: 'refuses xi:include inside the signed assertion',
      response: withBeforeSigning(includeInAttribute(INCLUDE)),
      ...xinclude,
    },
    {
      name: 'refuses an include in the XInclude default namespace',
      then: beforeStatus(`<include xmlns="${XI}" href="https://evil.example/x"/>`),
      ...xinclude,
    },
    {
      name: 'refuses an xi:fallback alone (any element of the namespace)',
      then: beforeStatus(`<xi:fallback xmlns:xi="${XI}"/>`),
      ...xinclude,
    },
    {
      name: 'refuses xi:include in the 2003 draft namespace',
      then: beforeStatus('<xi:include xmlns:xi="http://www.w3.org/2003/XInclude" href="file:///etc/passwd"/>'),
      ...xinclude,
    },
    {
      name: 'refuses xi:include inside an encrypted assertion',
      harness: DECRYPTING,
      response: withBeforeSigning(includeInAttribute(INCLUDE)),
      then: (xml) => encryptAssertionInResponse(xml, { certificate: fixtureKeys.sp.certificate }),
      ...xinclude,
    },
    {
      name: 'accepts an encrypted assertion without XInclude',
      harness: DECRYPTING,
      then: (xml) => encryptAssertionInResponse(xml, { certificate: fixtureKeys.sp.certificate }),
      expect: 'accepted',
    },
  ]);
});
