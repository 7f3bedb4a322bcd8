// A strict SP and the IdP session's end (issue 8), end to end through the ACS: a SessionNotOnOrAfter
// already past is refused (with its code, no STS call, no session, audited); one still ahead bounds the
// role sessions' DurationSeconds and the web session's cookie.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { aShapeServiceProvider } from '../support/idp-shape-sp.ts';
import { aSamlResponseXml } from '../support/sign-response.ts';
import {
  ago,
  ahead,
  closeHarness,
  HOUR,
  MINUTE,
  post,
  runCases,
  SECOND,
  withBeforeSigning,
} from './support-acs-strict.ts';

afterEach(closeHarness);

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
    await closeHarness();
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
