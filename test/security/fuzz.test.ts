// Property-based fuzzing of what strangers can send: the ACS (anyone), the credentials API (a
// signed-in user) and the configuration loader (an operator's file and environment). Whatever comes
// in, the service answers in bounded time with a documented error code, never a 5xx, and never
// leaves a rejected promise or an uncaught exception behind.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { buildConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';
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
import {
  assertSameOriginRedirect,
  countOutcome,
  formBody,
  installCrashRecorder,
  judge,
  send,
  summary,
  tally,
  type FuzzRequest,
} from './support-fuzz-http.ts';
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
import { anyValue, environment, nearlyValidConfig, shapedConfig } from './support-config-fuzz.ts';

// FUZZ_SEED=<n> replays a run: fast-check prints the seed with any failure.
if (process.env.FUZZ_SEED !== undefined) fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED) });

const MIN_INPUTS_PER_ENDPOINT = 5_000;
const ACS = 'POST /saml/acs/:idp';
const API = 'POST /api/credentials';
const CONFIG = 'buildConfig(input, env)';
/** buildConfig is synchronous: it cannot be aborted, only timed. */
const CONFIG_BOUND_MS = 1_000;
/** A SAMLResponse is at most 100,000 characters; refusing one takes linear time, a few ms. */
const LARGE_INPUT_BOUND_MS = 1_000;

const tallies = { [ACS]: tally(), [API]: tally(), [CONFIG]: tally() };
const SESSION_DURATION = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';

describe('fuzzing', () => {
  let app: SecurityApp;
  let recorder: ReturnType<typeof installCrashRecorder>;
  let sessionCookie: string;
  let validXml: string[];

  before(async () => {
    recorder = installCrashRecorder();
    // IdP-initiated responses are accepted, so mutated responses reach the signature and attribute
    // checks instead of stopping at an unknown InResponseTo.
    app = await startSecurityApp({ idp: { allowIdpInitiated: true } });
    const user = app.newClient();
    await app.signIn(user);
    sessionCookie = user.header();
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
    recorder?.uninstall();
    for (const [endpoint, t] of Object.entries(tallies)) console.log(summary(endpoint, t));
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
    const answer = await send(app.baseUrl, req, tallies[ACS]);
    judge(req, answer, tallies[ACS], app.errorLogs);
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

  describe(`${API} (signed in)`, () => {
    const apiRequest = (body: string | Uint8Array | undefined, headers: Record<string, string>): FuzzRequest => ({
      path: '/api/credentials',
      json: true,
      headers: { cookie: sessionCookie, ...headers },
      body,
    });

    const checkApi = async (req: FuzzRequest): Promise<void> => {
      const answer = await send(app.baseUrl, req, tallies[API]);
      judge(req, answer, tallies[API], app.errorLogs);
      if (answer.status === 200) {
        const login = JSON.parse(answer.text) as Record<string, unknown>;
        assert.equal(typeof login.dbPassword, 'string', 'a success carries credentials');
        assert.equal(answer.headers.get('cache-control'), 'no-store', 'credentials are never cached');
      } else {
        assert.ok(answer.status >= 400, `unexpected ${answer.status} for ${JSON.stringify(req.body)}`);
      }
    };

    const accept = fc.constantFrom(
      'application/json',
      'text/html',
      '*/*',
      'text/html,application/xhtml+xml',
      'image/png',
    );
    // Mostly no Origin (scripts, curl), sometimes ours, now and then a foreign one.
    const origin = fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constant('SAME') },
      { weight: 1, arbitrary: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1') },
    );
    const jsonHeaders = (a: string, o: string | undefined): Record<string, string> => ({
      'content-type': 'application/json',
      accept: a,
      ...(o === undefined ? {} : { origin: o === 'SAME' ? app.baseUrl : o }),
    });

    it('answers arbitrary JSON values', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 5 }), accept, origin, async (value, a, o) => {
          await checkApi(apiRequest(JSON.stringify(value), jsonHeaders(a, o)));
        }),
        { numRuns: 1500 },
      );
    });

    it('answers objects with arbitrary cluster and role values', async () => {
      const huge = fc.string({ minLength: 3000, maxLength: 6000 });
      const value = fc.oneof(
        fc.constantFrom('analytics', TEST_ROLE_ARN, SECOND_ROLE_ARN, 'arn:aws:iam::123456789012:role/Marketing'),
        hostileString,
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.string(), { maxLength: 3 }),
        fc.object({ maxDepth: 3 }),
        huge,
      );
      const body = fc.record(
        { cluster: value, role: value, other: fc.jsonValue({ maxDepth: 2 }) },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(body, accept, origin, async (b, a, o) => {
          await checkApi(apiRequest(JSON.stringify(b), jsonHeaders(a, o)));
        }),
        { numRuns: 1500 },
      );
    });

    it('refuses wrong content types', async () => {
      const contentType = fc.option(
        fc.oneof(
          fc.constantFrom(
            'text/plain',
            'text/plain;charset=UTF-8',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/xml',
            'application/json-seq',
            'application/jsonx',
            'application/vnd.api+json',
            'application/json; charset=utf-16',
            'application/json; charset=latin1',
            'application/json; charset="',
            'APPLICATION/JSON',
            'application/json;;;',
            '*/*',
            ';',
            'json',
          ),
          fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
        ),
        { nil: undefined },
      );
      await fc.assert(
        fc.asyncProperty(
          contentType,
          fc.constantFrom('{"cluster":"analytics"}', 'cluster=analytics', '<cluster>analytics</cluster>'),
          accept,
          async (type, text, a) => {
            // A Uint8Array body leaves Content-Type unset when the property chose none.
            await checkApi(
              apiRequest(new TextEncoder().encode(text), {
                accept: a,
                ...(type === undefined ? {} : { 'content-type': type }),
              }),
            );
          },
        ),
        { numRuns: 1000 },
      );
    });

    it('refuses invalid JSON text and undecodable bodies', async () => {
      const text = fc.oneof(
        fc.string({ maxLength: 200 }),
        xmlish,
        fc.constantFrom(
          '{',
          '{"cluster":',
          'nul',
          '[1,]',
          '{"cluster":"analytics"',
          '\u0000',
          '{"a":1}{"b":2}',
          ' ',
          '',
          '"analytics"',
          'null',
          '1e999',
          '{"cluster":"\\ud800"}',
        ),
      );
      const body = fc.oneof(
        { weight: 4, arbitrary: text.map((t) => new TextEncoder().encode(t)) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
      );
      const contentEncoding = fc.option(
        fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip'),
        { nil: undefined },
      );
      await fc.assert(
        fc.asyncProperty(body, contentEncoding, async (b, enc) => {
          await checkApi(
            apiRequest(b, {
              'content-type': 'application/json',
              ...(enc === undefined ? {} : { 'content-encoding': enc }),
            }),
          );
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe(CONFIG, () => {
    const problemFormat = /^(?:\(root\)|[A-Za-z]\w*(?:\[\d+\])*(?:\.[A-Za-z]\w*(?:\[\d+\])*)*): \S/;

    const checkConfig = (input: unknown, env: Record<string, string | undefined>): void => {
      const count = tallies[CONFIG];
      count.inputs += 1;
      const started = performance.now();
      let outcome: 'config' | 'refused' = 'refused';
      try {
        assertDeepFrozen(buildConfig(input, env));
        outcome = 'config';
        countOutcome(count, 'frozen config');
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        if (!(err instanceof ConfigError)) {
          count.serverErrors += 1;
          const e = err as Error;
          assert.fail(
            `buildConfig threw ${e?.name}: ${e?.message} instead of a ConfigError for input ${inspect(input, { depth: 6 })} and env ${inspect(env)}`,
          );
        }
        assert.equal(err.code, 'CONFIG_INVALID');
        countOutcome(count, 'ConfigError');
        assert.ok(Array.isArray(err.problems) && err.problems.length > 0, 'a ConfigError names its problems');
        for (const problem of err.problems) {
          assert.equal(typeof problem, 'string');
          assert.match(problem, problemFormat, `"path: message" for ${inspect(input, { depth: 6 })}`);
        }
      }
      const ms = performance.now() - started;
      if (ms > CONFIG_BOUND_MS) {
        count.slow += 1;
        assert.fail(`buildConfig took ${Math.round(ms)} ms (${outcome}) for ${inspect(input, { depth: 6 })}`);
      }
    };

    it('returns a frozen config or throws ConfigError for anything at all', () => {
      fc.assert(fc.property(anyValue, environment, checkConfig), { numRuns: 2000 });
    });

    it('returns a frozen config or throws ConfigError for schema-shaped input with random field types', () => {
      fc.assert(fc.property(shapedConfig, environment, checkConfig), { numRuns: 1500 });
    });

    it('returns a frozen config or throws ConfigError for a valid config with a field or two changed', () => {
      const fewOverrides = fc.oneof({ weight: 2, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: environment });
      fc.assert(fc.property(nearlyValidConfig, fewOverrides, checkConfig), { numRuns: 1500 });
    });
  });

  it(`sends at least ${MIN_INPUTS_PER_ENDPOINT} inputs per endpoint, with no unhandled rejection or uncaught exception`, () => {
    assert.deepEqual(recorder.crashes, [], 'no unhandled rejection or uncaught exception while fuzzing');
    for (const [endpoint, t] of Object.entries(tallies)) {
      assert.ok(
        t.inputs >= MIN_INPUTS_PER_ENDPOINT,
        `${endpoint}: ${t.inputs} inputs, expected at least ${MIN_INPUTS_PER_ENDPOINT}`,
      );
      assert.equal(t.serverErrors, 0, `${endpoint}: server errors`);
      assert.equal(t.slow, 0, `${endpoint}: inputs over the time bound`);
    }
  });
});

function assertDeepFrozen(value: unknown, path = 'config'): void {
  if (typeof value !== 'object' || value === null) return;
  assert.ok(Object.isFrozen(value), `${path} is frozen`);
  for (const [key, child] of Object.entries(value)) assertDeepFrozen(child, `${path}.${key}`);
}
