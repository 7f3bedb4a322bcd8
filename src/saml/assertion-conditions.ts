// Checks node-saml leaves to us, on the assertion it verified (never on unsigned XML):
// - a bearer SubjectConfirmationData whose Recipient is this ACS URL and whose window is open;
//   node-saml skips these times entirely when InResponseTo is not validated (IdP-initiated);
// - every AudienceRestriction names one of our accepted audiences (node-saml takes only one);
// - a NameID that is sent is not empty (node-saml then reports no NameID at all);
// - the assertion ID and the latest NotOnOrAfter, for the one-time-use cache.
import { AssertionRejected } from '../errors.ts';
import { clockRefusal, type ClockProblem } from './clock-messages.ts';
import { children, parseTime, textOf, type ParsedNode as Node } from './parsed-assertion.ts';

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

export interface ConditionContext {
  acsUrl: string;
  audiences: readonly string[];
  now: Date;
  skewMs: number;
}

export interface AssertionFacts {
  assertionId: string;
  expiresAt: Date;
}

export function checkAssertionConditions(
  parsed: Record<string, unknown> | undefined,
  ctx: ConditionContext,
): AssertionFacts {
  const assertion = (parsed?.Assertion ?? undefined) as Node | undefined;
  const assertionId = assertion?.$?.ID;
  if (assertion === undefined || assertionId === undefined || assertionId === '') {
    throw new AssertionRejected({ code: 'SAML_MALFORMED', status: 400, publicMessage: 'The assertion has no ID.' });
  }
  checkNameId(children(assertion, 'Subject')[0]);
  const now = ctx.now.getTime();
  const subjectExpiry = checkSubjectConfirmation(assertion, ctx, now);
  const conditions = children(assertion, 'Conditions')[0];
  checkAudiences(conditions, ctx.audiences);
  const conditionsExpiry = parseTime(conditions?.$?.NotOnOrAfter);
  const expiresAt = Math.max(subjectExpiry, conditionsExpiry ?? 0) + ctx.skewMs;
  return { assertionId, expiresAt: new Date(expiresAt) };
}

function checkSubjectConfirmation(assertion: Node, ctx: ConditionContext, now: number): number {
  const subject = children(assertion, 'Subject')[0];
  const bearer = children(subject, 'SubjectConfirmation')
    .filter((sc) => sc.$?.Method === BEARER)
    .map((sc) => children(sc, 'SubjectConfirmationData')[0])
    .filter((data): data is Node => data !== undefined);
  const forUs = bearer.filter((data) => data.$?.Recipient === ctx.acsUrl);
  if (forUs.length === 0) {
    throw new AssertionRejected({
      code: 'SAML_RECIPIENT_MISMATCH',
      publicMessage: "The assertion's Recipient is not this connection's ACS URL.",
      details: { expected: ctx.acsUrl, received: bearer.map((d) => d.$?.Recipient ?? null).slice(0, 3) },
    });
  }
  let clockProblem: ClockProblem | undefined;
  let latest: number | undefined;
  for (const data of forUs) {
    const notOnOrAfter = parseTime(data.$?.NotOnOrAfter);
    const notBefore = parseTime(data.$?.NotBefore);
    if (notOnOrAfter === undefined) continue; // AWS requires it; without it the confirmation never ends
    if (now >= notOnOrAfter + ctx.skewMs) clockProblem = 'expired';
    else if (notBefore !== undefined && now < notBefore - ctx.skewMs) clockProblem = 'early';
    else latest = Math.max(latest ?? 0, notOnOrAfter);
  }
  if (latest !== undefined) return latest;
  if (clockProblem !== undefined) throw clockRefusal(clockProblem);
  throw new AssertionRejected({
    code: 'SAML_SUBJECT_CONFIRMATION_INVALID',
    publicMessage: "The assertion's bearer confirmation has no NotOnOrAfter.",
  });
}

function checkAudiences(conditions: Node | undefined, accepted: readonly string[]): void {
  const restrictions = children(conditions, 'AudienceRestriction');
  const ok =
    restrictions.length > 0 &&
    restrictions.every((r) => children(r, 'Audience').some((a) => accepted.includes(textOf(a))));
  if (!ok) {
    throw new AssertionRejected({
      code: 'SAML_AUDIENCE_MISMATCH',
      publicMessage: `The assertion is meant for a different audience. Accepted: ${accepted.join(', ')}.`,
      details: { received: restrictions.flatMap((r) => children(r, 'Audience').map(textOf)).slice(0, 5) },
    });
  }
}

/** An empty NameID names nobody; AWS would refuse it only after we had asked STS. */
function checkNameId(subject: Node | undefined): void {
  // xml2js gives an element without attributes or text as a string, hence no children() here.
  const nameIds = Array.isArray(subject?.NameID) ? (subject.NameID as Array<Node | string>) : [];
  if (nameIds.some((n) => textOf(n) === '')) {
    throw new AssertionRejected({
      code: 'SAML_NAMEID_EMPTY',
      publicMessage: "The assertion's NameID is empty: the identity provider sent no user name.",
    });
  }
}
