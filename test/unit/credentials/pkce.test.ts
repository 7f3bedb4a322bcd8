// PKCE S256 against RFC 7636's own example, and which loopback redirect URIs count (RFC 8252 §7.3).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { loopbackRedirectUri, pkceChallengeS256, pkceVerifierMatches } from '../../../src/cli-auth/pkce.ts';

describe('PKCE S256', () => {
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk';
  it('is base64url(SHA-256(verifier)) as openssl computes it', () => {
    const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: verifier });
    assert.equal(
      pkceChallengeS256(verifier),
      digest.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
    );
  });
  it('matches only the right verifier of a valid length', () => {
    const challenge = pkceChallengeS256(verifier);
    assert.equal(pkceVerifierMatches('dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk', challenge), true);
    assert.equal(pkceVerifierMatches('dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXj', challenge), false);
    assert.equal(pkceVerifierMatches('short', pkceChallengeS256('short')), false);
    assert.equal(pkceVerifierMatches(undefined, challenge), false);
  });
});

describe('loopbackRedirectUri', () => {
  const table: Array<[string, number | undefined]> = [
    ['http://127.0.0.1:53682/callback', 53682],
    ['http://[::1]:8080/cb', 8080],
    ['http://localhost:53682/callback', undefined],
    ['https://127.0.0.1:53682/callback', undefined],
    ['http://127.0.0.1/callback', undefined],
    ['http://127.0.0.1:53682/callback?x=1', undefined],
    ['http://127.0.0.1:53682/callback#f', undefined],
    ['http://user@127.0.0.1:53682/callback', undefined],
    ['http://127.0.0.2:53682/callback', undefined],
    ['http://127.000.0.1:53682/callback', undefined],
    ['http://attacker.example:80/', undefined],
  ];
  for (const [uri, port] of table)
    it(`${uri} → ${port ?? 'refused'}`, () => assert.equal(loopbackRedirectUri(uri)?.port, port));
});
