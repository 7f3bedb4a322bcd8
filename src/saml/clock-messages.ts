// One wording for clock problems wherever they are detected (node-saml, our own checks), and one
// refusal for them: which side of its window the assertion fell on decides the code.
import { AssertionRejected } from '../errors.ts';

export const CLOCK_MESSAGES = {
  expired:
    "The assertion has expired, or the identity provider's clock is behind this service's by more than the allowed skew. Sign in again; if it keeps happening, check both clocks (NTP).",
  early:
    "The assertion is not valid yet: the identity provider's clock is ahead of this service's by more than the allowed skew. Check both clocks (NTP).",
} as const;

export type ClockProblem = keyof typeof CLOCK_MESSAGES;

const CLOCK_CODES = { expired: 'SAML_EXPIRED', early: 'SAML_NOT_YET_VALID' } as const;

export function clockRefusal(
  problem: ClockProblem,
  context: { cause?: unknown; details?: Record<string, unknown> } = {},
): AssertionRejected {
  return new AssertionRejected({ code: CLOCK_CODES[problem], publicMessage: CLOCK_MESSAGES[problem], ...context });
}
