// One wording for clock problems wherever they are detected (node-saml, our own checks).
export const CLOCK_MESSAGES = {
  expired:
    "The assertion has expired, or the identity provider's clock is behind this service's by more than the allowed skew. Sign in again; if it keeps happening, check both clocks (NTP).",
  early:
    "The assertion is not valid yet: the identity provider's clock is ahead of this service's by more than the allowed skew. Check both clocks (NTP).",
} as const;
