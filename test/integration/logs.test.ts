// Secrets never reach a log line: runs a full sign-in, credentials by API and by page, and a set
// of refusals with every app log line captured, then searches the lines for each secret that
// passed through: DB passwords, the role sessions' keys, the SAMLResponse, cookies and tokens.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, SESSION_COOKIE, type AppHarness } from '../support/app-harness.ts';
import { aSamlResponseXml, fixtureKeys } from '../support/sign-response.ts';
import { elementText, hiddenFields } from '../support/http-flow.ts';

/** The first `width`-character slice of `secret` found in `text`, if any. */
function leakedSlice(secret: string, text: string, width: number): string | undefined {
  if (secret.length <= width) return text.includes(secret) ? secret : undefined;
  for (let i = 0; i + width <= secret.length; i++) {
    const slice = secret.slice(i, i + width);
    if (text.includes(slice)) return slice;
  }
  return undefined;
}

describe('log lines', () => {
  let h: AppHarness;
  let logText = '';
  const secrets: Array<{ what: string; value: string }> = [];
  const samlResponses: string[] = [];

  before(async () => {
    h = await startAppHarness();
    const keep = (what: string, value: string | undefined): void => {
      assert.ok(value !== undefined && value !== '', `${what} was captured`);
      secrets.push({ what, value });
    };

    // A good sign-in; the response is kept to search for later.
    const good = await h.validResponse();
    samlResponses.push(good);
    assert.equal((await h.postAcs(good)).status, 303);
    for (const [i, session] of (await h.roleSessionsOf()).entries()) {
      keep(`secretAccessKey #${i}`, session.secretAccessKey);
      keep(`sessionToken #${i}`, session.sessionToken);
    }
    assert.ok(secrets.length >= 2, 'the role session was opened');
    const cookie = h.client.cookie(SESSION_COOKIE);
    keep('session cookie', cookie);
    keep('session ID', h.sessionIdOf(cookie ?? ''));

    // Credentials through the API and through the page.
    const api = await h.client.postJson('/api/credentials', { cluster: 'analytics' });
    assert.equal(api.status, 200);
    const login = (await api.json()) as { dbPassword: string; connectionStrings: Record<string, string> };
    keep('dbPassword (API)', login.dbPassword);
    keep('connection URI (API)', login.connectionStrings.uri);
    const chooser = await (await h.client.get('/')).text();
    const fields = hiddenFields(chooser);
    keep('CSRF token', fields._csrf);
    assert.equal(
      (
        await h.client.postForm('/credentials', {
          _csrf: fields._csrf ?? '',
          role: fields.role ?? '',
          cluster: fields.cluster ?? '',
        })
      ).status,
      303,
    );
    const page = await h.client.get('/credentials');
    assert.equal(page.status, 200);
    keep('dbPassword (page)', elementText(await page.text(), 'db-password'));

    // Refusals: each goes through the error handler and is logged.
    const tamperedXml = aSamlResponseXml({
      destination: h.acsUrl,
      recipient: h.acsUrl,
      inResponseTo: await h.startLogin(),
    }).replace('>alice@example.com<', '>mallory@example.com<');
    const refused = [
      Buffer.from(tamperedXml, 'utf8').toString('base64'),
      await h.validResponse({ key: fixtureKeys.attacker }),
      await h.validResponse({
        now: new Date(Date.now() - 10 * 60_000),
        notOnOrAfter: new Date(Date.now() - 5 * 60_000),
      }),
      await h.validResponse({ inResponseTo: '_0000000000000000000000000000000000000000' }),
      await h.validResponse({ status: { code: 'Responder', message: 'user locked' } }),
    ];
    samlResponses.push(...refused);
    for (const response of refused) {
      const res = await h
        .newClient()
        .postForm('/saml/acs/test', { SAMLResponse: response, RelayState: '/' }, { accept: 'application/json' });
      assert.ok(res.status >= 400 && res.status < 500, `refused with a 4xx (${res.status})`);
    }
    const replay = await h
      .newClient()
      .postForm('/saml/acs/test', { SAMLResponse: good }, { accept: 'application/json' });
    assert.equal(replay.status, 401);
    h.emulator.failNext('GetClusterCredentials', { code: 'AccessDenied', message: 'Not authorized', status: 403 });
    assert.equal((await h.client.postJson('/api/credentials', { cluster: 'analytics' })).status, 403);
    assert.equal(
      (await h.client.postForm('/credentials', { _csrf: 'wrong', role: fields.role ?? '', cluster: 'analytics' }))
        .status,
      403,
    );

    logText = h.logs.join('\n');
  });

  after(async () => {
    await h.close();
  });

  it('captured the flow: an issued login and the refusals, each with a request ID', () => {
    const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.some((l) => l.msg === 'signed in'));
    assert.equal(lines.filter((l) => l.msg === 'issued db login').length, 2);
    const refusals = lines.filter((l) => l.msg === 'request refused');
    const codes = refusals.map((l) => l.code);
    for (const code of [
      'SAML_SIGNATURE_INVALID',
      'SAML_IN_RESPONSE_TO_UNKNOWN',
      'SAML_IDP_ERROR',
      'AWS_ACCESS_DENIED',
      'CSRF_TOKEN_INVALID',
    ]) {
      assert.ok(codes.includes(code), `a refusal line for ${code} (got ${codes.join(', ')})`);
    }
    for (const line of refusals) assert.match(String(line.requestId), /^[A-Za-z0-9._-]{8,64}$/);
    assert.deepEqual(
      lines.filter((l) => l.msg === 'request failed'),
      [],
      'no refusal was an unexpected failure',
    );
  });

  it('holds no DB password, AWS secret key, session token, cookie or CSRF token', () => {
    for (const { what, value } of secrets) {
      assert.equal(logText.includes(value), false, `${what} is not logged`);
      const percentEncoded = encodeURIComponent(value);
      assert.equal(logText.includes(percentEncoded), false, `${what} is not logged percent-encoded`);
    }
  });

  it('holds no SAMLResponse, nor any 40-character slice of one', () => {
    for (const [i, response] of samlResponses.entries()) {
      assert.equal(leakedSlice(response, logText, 40), undefined, `SAMLResponse #${i} leaks into the logs`);
    }
  });

  it('holds none of the decoded assertion XML: signatures, digests or the XML itself', () => {
    for (const response of samlResponses) {
      const xml = Buffer.from(response, 'base64').toString('utf8');
      for (const m of xml.matchAll(/<ds:(SignatureValue|DigestValue|X509Certificate)>([^<]+)</g)) {
        const value = (m[2] ?? '').replace(/\s+/g, '');
        assert.equal(leakedSlice(value, logText, 40), undefined, `${m[1]} leaks into the logs`);
      }
    }
    assert.doesNotMatch(logText, /<saml:Assertion|<samlp:Response|SAMLResponse=/);
  });
});
