// Property-based fuzzing of what anyone can send to the ACS: whatever comes in, the service
// answers in bounded time with a documented error code, never a 5xx, redirects only to its own
// origin, and leaves no rejected promise or uncaught exception behind.
import { describe, it, before, after } from 'node:test';
import fc from 'fast-check';
import {
  aSamlResponse,
  aSamlResponseXml,
  AWS_ROLE,
  AWS_ROLE_SESSION_NAME,
  REDSHIFT_DB_GROUPS,
  REDSHIFT_DB_USER,
  TEST_PRINCIPAL_ARN,
  TEST_ROLE_ARN,
} from '../support/sign-response.ts';
import { SECOND_ROLE_ARN, startSecurityApp, TEST_IDP_ID, type SecurityApp } from './support-app.ts';
import { assertSameOriginRedirect, formBody, judge, send, type FuzzRequest } from './support-fuzz-http.ts';
import {
  applyMutations,
  encodeXml,
  encoding,
  hostileString,
  mutation,
  relayState,
  responseShell,
  xmlish,
} from './support-saml-fuzz.ts';
import { fuzzEndpoint } from './support-fuzz-suite.ts';

const ACS = 'POST /saml/acs/:idp';
/** A SAMLResponse is at most 100,000 characters; refusing one takes linear time, a few ms. */
const LARGE_INPUT_BOUND_MS = 1_000;
const SESSION_DURATION = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';

describe('fuzzing', () => {
  const fuzz = fuzzEndpoint(ACS);
  let app: SecurityApp;
  let validXml: string[];

  before(async () => {
    // IdP-initiated responses are accepted, so mutated responses reach the signature and attribute
    // checks instead of stopping at an unknown InResponseTo.
    app = await startSecurityApp({ idp: { allowIdpInitiated: true } });
    const base = { destination: app.acsUrl, recipient: app.acsUrl, inResponseTo: undefined };
    validXml = [
      aSamlResponseXml(base),
      aSamlResponseXml({ ...base, signResponse: true }),
      aSamlResponseXml({ ...base, signResponse: true, signAssertion: false }),
      aSamlResponseXml({
        ...base,
        extraAttributes: {
          [AWS_ROLE]: [`${TEST_ROLE_ARN},${TEST_PRINCIPAL_ARN}`, `${SECOND_ROLE_ARN},${TEST_PRINCIPAL_ARN}`],
        },
      }),
      aSamlResponseXml({ ...base, status: { code: 'Responder', message: 'denied' }, includeAssertion: true }),
      aSamlResponseXml({ ...base, signatureAlgorithm: 'sha1' }),
    ];
  });

  after(async () => {
    await app?.close();
  });

  const acsRequest = (
    samlResponse: string | undefined,
    relay: string | undefined,
    json: boolean,
    path = `/saml/acs/${TEST_IDP_ID}`,
  ): FuzzRequest => ({
    path,
    json,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: json ? 'application/json' : 'text/html,application/xhtml+xml',
    },
    body: formBody({ SAMLResponse: samlResponse, RelayState: relay }),
  });

  const checkAcs = async (req: FuzzRequest): Promise<void> => {
    const answer = await send(app.baseUrl, req, fuzz.tally);
    judge(req, answer, fuzz.tally, app.errorLogs);
    if (answer.status >= 300 && answer.status < 400)
      assertSameOriginRedirect(app.baseUrl, answer, `ACS with ${JSON.stringify(req.body).slice(0, 200)}`);
  };

  describe(ACS, () => {
    it('refuses arbitrary strings and raw form bodies', async () => {
      const rawBody = fc.oneof(
        { weight: 3, arbitrary: hostileString },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'SAMLResponse=a&SAMLResponse=b',
            'SAMLResponse[x]=a',
            'RelayState=/&RelayState=//evil.example&SAMLResponse=a',
            'SAMLResponse=%',
            'SAMLResponse=%E0%A4%A',
            '&&&=&=',
            'SAMLResponse',
          ),
        },
      );
      await fc.assert(
        fc.asyncProperty(
          hostileString,
          rawBody,
          relayState,
          fc.boolean(),
          fc.boolean(),
          async (text, body, relay, json, raw) => {
            const req = acsRequest(text, relay, json);
            await checkAcs(raw ? { ...req, body } : req);
          },
        ),
        { numRuns: 1000 },
      );
    });

    it('refuses base64 of arbitrary bytes', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 3000 }),
          encoding,
          relayState,
          fc.boolean(),
          async (bytes, how, relay, json) => {
            await checkAcs(acsRequest(encodeXml(Buffer.from(bytes), how), relay, json));
          },
        ),
        { numRuns: 800 },
      );
    });

    it('refuses base64 of XML-ish strings and Response shells', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(xmlish, responseShell(app.acsUrl)),
          encoding,
          relayState,
          fc.boolean(),
          async (xml, how, relay, json) => {
            await checkAcs(acsRequest(encodeXml(xml, how), relay, json));
          },
        ),
        { numRuns: 800 },
      );
    });

    it('refuses mutations of a valid signed response', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat(),
          fc.array(mutation, { minLength: 1, maxLength: 3 }),
          encoding,
          fc.option(fc.nat(), { nil: undefined }),
          relayState,
          fc.boolean(),
          async (which, mutations, how, base64Flip, relay, json) => {
            const xml = applyMutations(validXml[which % validXml.length] ?? '', mutations);
            let encoded = encodeXml(xml, how);
            if (base64Flip !== undefined && encoded.length > 0) {
              const at = base64Flip % encoded.length;
              encoded = `${encoded.slice(0, at)}${encoded[at] === 'A' ? 'B' : 'A'}${encoded.slice(at + 1)}`;
            }
            await checkAcs(acsRequest(encoded, relay, json));
          },
        ),
        { numRuns: 1500 },
      );
    });

    it('handles validly signed responses carrying hostile NameIDs and attribute values', async () => {
      const pair = (role: string) => `${role},${TEST_PRINCIPAL_ARN}`;
      const signed = fc.record({
        nameId: hostileString,
        roles: fc.array(fc.oneof(fc.constant(pair(TEST_ROLE_ARN)), fc.constant(pair(SECOND_ROLE_ARN)), hostileString), {
          maxLength: 4,
        }),
        sessionName: fc.oneof(fc.constant('alice'), hostileString),
        dbUser: fc.option(fc.oneof(fc.constant('alice'), hostileString), { nil: undefined }),
        dbGroups: fc.array(hostileString, { maxLength: 4 }),
        duration: fc.option(fc.oneof(fc.integer().map(String), hostileString), { nil: undefined }),
        extra: fc.dictionary(
          fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'toString')),
          fc.array(hostileString, { maxLength: 3 }),
          { maxKeys: 3 },
        ),
        signResponse: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(signed, relayState, fc.boolean(), async (s, relay, json) => {
          const attributes: Record<string, string | string[]> = {};
          // defineProperty: an attribute named __proto__ must become an own property, not a prototype.
          for (const [name, values] of Object.entries(s.extra))
            Object.defineProperty(attributes, name, {
              value: values,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          attributes[AWS_ROLE] = s.roles;
          attributes[AWS_ROLE_SESSION_NAME] = s.sessionName;
          attributes[REDSHIFT_DB_GROUPS] = s.dbGroups;
          if (s.dbUser !== undefined) attributes[REDSHIFT_DB_USER] = s.dbUser;
          if (s.duration !== undefined) attributes[SESSION_DURATION] = s.duration;
          const spec = {
            destination: app.acsUrl,
            recipient: app.acsUrl,
            inResponseTo: undefined,
            nameId: s.nameId,
            attributes,
            signResponse: s.signResponse,
          };
          let samlResponse: string;
          try {
            samlResponse = aSamlResponse(spec);
          } catch {
            // xml-crypto cannot sign text that is not XML (a NUL, say): send it unsigned instead.
            samlResponse = aSamlResponse({ ...spec, signResponse: false, signAssertion: false });
          }
          await checkAcs(acsRequest(samlResponse, relay, json));
        }),
        { numRuns: 400 },
      );
    });

    it('refuses arbitrary IdP path segments', async () => {
      const segment = fc.oneof(
        // Lone surrogates become U+FFFD first: encodeURIComponent throws on them.
        hostileString.map((s) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'))),
        fc.constantFrom(
          '%',
          '%zz',
          '%E0%A4%A',
          '%C0%AF',
          '%00',
          '..%2F..%2Fetc',
          'TEST',
          'test%20',
          '__proto__',
          'constructor',
          'hasOwnProperty',
          'a'.repeat(3000),
        ),
      );
      await fc.assert(
        fc.asyncProperty(
          segment,
          fc.oneof(hostileString, fc.constantFrom(...validXml.map((x) => encodeXml(x, 'base64')))),
          fc.boolean(),
          async (idp, samlResponse, json) => {
            await checkAcs(acsRequest(samlResponse, undefined, json, `/saml/acs/${idp}`));
          },
        ),
        { numRuns: 500 },
      );
    });

    it('refuses 100,000-character inputs in linear time (base64 alphabet, padding and line breaks)', async () => {
      const large = fc.record({
        head: fc.base64String({ maxLength: 40 }),
        filler: fc.constantFrom('\n', '\r\n', '\r', 'A', '=', '/', ' ', 'A\n'),
        length: fc.integer({ min: 20_000, max: 99_900 }),
        tail: fc.constantFrom('!', '', '=', '===', '-', '\n!'),
      });
      await fc.assert(
        fc.asyncProperty(large, fc.boolean(), async ({ head, filler, length, tail }, json) => {
          // Raw CR and LF survive application/x-www-form-urlencoded, so the body stays under its limit.
          const body = `SAMLResponse=${encodeURIComponent(head)}${filler.repeat(Math.floor(length / filler.length))}${encodeURIComponent(tail)}`;
          await checkAcs({ ...acsRequest(undefined, undefined, json), body, timeoutMs: LARGE_INPUT_BOUND_MS });
        }),
        // A failure here means seconds of blocked event loop per try: report the first, do not shrink.
        { numRuns: 100, endOnFailure: true },
      );
    });
  });

  fuzz.itReceivedEnoughInputs();
});
