// The checks of the CLI's authorization-code sign-in: PKCE S256 (RFC 7636 §4.2, §4.6) and the
// loopback redirect URI of a native app (RFC 8252 §7.3: an IP literal, any port, plain http).
import { createHash, timingSafeEqual } from 'node:crypto';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function pkceChallengeS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function isPkceChallenge(value: unknown): value is string {
  return typeof value === 'string' && CHALLENGE.test(value);
}

export function pkceVerifierMatches(verifier: unknown, challenge: string): boolean {
  if (typeof verifier !== 'string' || !VERIFIER.test(verifier)) return false;
  const computed = Buffer.from(pkceChallengeS256(verifier));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

/**
 * The redirect URI as the CLI's loopback listener would receive it, or undefined when it is not
 * one: http, 127.0.0.1 or [::1] (not `localhost`, which a hosts file may point elsewhere), an
 * explicit port, a path, and nothing else.
 */
export function loopbackRedirectUri(value: unknown): { uri: string; port: number } | undefined {
  if (typeof value !== 'string' || value.length > 200) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || (url.hostname !== '127.0.0.1' && url.hostname !== '[::1]')) return undefined;
  if (
    url.port === '' ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    value.includes('#')
  )
    return undefined;
  // Compared byte for byte later, so only the canonical spelling is accepted now.
  if (url.href !== value) return undefined;
  return { uri: url.href, port: Number(url.port) };
}
