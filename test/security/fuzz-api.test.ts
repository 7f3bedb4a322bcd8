// Property-based fuzzing of the credentials API as a signed-in user can call it: any JSON, any
// cluster and role values, wrong content types, undecodable bodies. Every answer is a documented
// error or credentials that are never cached, never a 5xx, and nothing is left crashing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TEST_ROLE_ARN } from '../support/sign-response.ts';
import { SECOND_ROLE_ARN, startSecurityApp, type SecurityApp } from './support-app.ts';
import { judge, send, type FuzzRequest } from './support-fuzz-http.ts';
import { hostileString, xmlish } from './support-saml-fuzz.ts';
import { fuzzEndpoint } from './support-fuzz-suite.ts';

const API = 'POST /api/credentials';

describe('fuzzing', () => {
  const fuzz = fuzzEndpoint(API);
  let app: SecurityApp;
  let sessionCookie: string;

  before(async () => {
    app = await startSecurityApp();
    const user = app.newClient();
    await app.signIn(user);
    sessionCookie = user.header();
  });

  after(async () => {
    await app?.close();
  });

  describe(`${API} (signed in)`, () => {
    const apiRequest = (body: string | Uint8Array | undefined, headers: Record<string, string>): FuzzRequest => ({
      path: '/api/credentials',
      json: true,
      headers: { cookie: sessionCookie, ...headers },
      body,
    });

    const checkApi = async (req: FuzzRequest): Promise<void> => {
      const answer = await send(app.baseUrl, req, fuzz.tally);
      judge(req, answer, fuzz.tally, app.errorLogs);
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

  fuzz.itReceivedEnoughInputs();
});
