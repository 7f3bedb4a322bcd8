// Inline session policies as the emulator's STS takes them and its Redshift enforces them: the
// policy's checks at AssumeRoleWithSAML, then IAM's decision for one action on one resource (an
// explicit Deny wins, then any Allow, else the implicit deny), with IAM's `*` and `?` wildcards.
// Not modelled: Condition (an Allow with one never applies, a Deny with one always does, so the
// emulator errs towards refusing) and policy variables other than `${*}`, `${?}` and `${$}`.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import { AwsFault } from './wire.ts';

export interface PolicyStatement {
  effect: 'Allow' | 'Deny';
  /** Action patterns, or with `notAction` the ones the statement leaves out. */
  actions: string[];
  notAction: boolean;
  resources: string[];
  notResource: boolean;
  conditional: boolean;
}

export interface SessionPolicyDocument {
  statements: PolicyStatement[];
}

export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

// STS's model: 1-2048 characters of tab, newline, carriage return and U+0020-U+00FF.
const MAX_POLICY_CHARS = 2048;
const policyChar = (char: string): boolean =>
  char === '\t' || char === '\n' || char === '\r' || (char >= ' ' && char <= '\u00ff');

export function parseSessionPolicy(text: string): SessionPolicyDocument {
  if (text.length === 0 || text.length > MAX_POLICY_CHARS || ![...text].every(policyChar)) {
    const constraint =
      text.length > MAX_POLICY_CHARS
        ? `Member must have length less than or equal to ${MAX_POLICY_CHARS}`
        : 'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+';
    throw new AwsFault(
      'ValidationError',
      `1 validation error detected: Value at 'policy' failed to satisfy constraint: ${constraint}`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformed('Syntax errors in policy.');
  }
  if (!isRecord(document) || document.Statement === undefined) throw malformed('Missing required field Statement');
  if (document.Version !== undefined && document.Version !== '2012-10-17' && document.Version !== '2008-10-17')
    throw malformed('The policy must contain a valid version string');
  const raw = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return { statements: raw.map(parseStatement) };
}

function parseStatement(raw: unknown): PolicyStatement {
  if (!isRecord(raw)) throw malformed('Statement is not an object');
  if (raw.Principal !== undefined || raw.NotPrincipal !== undefined)
    throw malformed('Policy document should not specify a principal.');
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') throw malformed('Invalid effect');
  const action = oneOf(raw, 'Action', 'NotAction');
  const resource = oneOf(raw, 'Resource', 'NotResource');
  if (raw.Condition !== undefined && !isRecord(raw.Condition)) throw malformed('Condition is not an object');
  return {
    effect: raw.Effect,
    actions: action.values,
    notAction: action.negated,
    resources: resource.values,
    notResource: resource.negated,
    conditional: raw.Condition !== undefined && Object.keys(raw.Condition).length > 0,
  };
}

function oneOf(
  raw: Record<string, unknown>,
  name: string,
  negatedName: string,
): { values: string[]; negated: boolean } {
  if ((raw[name] === undefined) === (raw[negatedName] === undefined))
    throw malformed(`Statement must have exactly one of ${name} and ${negatedName}`);
  const negated = raw[name] === undefined;
  const value = negated ? raw[negatedName] : raw[name];
  const values = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(values) ||
    values.length === 0 ||
    !values.every((v): v is string => typeof v === 'string' && v !== '')
  ) {
    throw malformed(`${negated ? negatedName : name} must be a non-empty string or list of strings`);
  }
  return { values, negated };
}

/** IAM's decision for one action (`service:Operation`) on one resource ARN. */
export function decide(policy: SessionPolicyDocument, action: string, resource: string): PolicyDecision {
  const applicable = policy.statements.filter(
    (s) =>
      s.notAction !== s.actions.some((p) => actionMatches(p, action)) &&
      s.notResource !== s.resources.some((p) => arnMatches(p, resource)),
  );
  if (applicable.some((s) => s.effect === 'Deny')) return 'explicit-deny';
  return applicable.some((s) => s.effect === 'Allow' && !s.conditional) ? 'allow' : 'implicit-deny';
}

/** Action names compare without regard to case; wildcards may span the whole name. */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatches(pattern.toLowerCase(), action.toLowerCase());
}

/**
 * ARNs compare segment by segment (arn, partition, service, region, account, then the resource,
 * which may hold colons), case-sensitively; a wildcard never spans two segments. `*` alone is any ARN.
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const patternParts = arnSegments(pattern);
  const arnParts = arnSegments(arn);
  if (patternParts === undefined || arnParts === undefined) return false;
  return patternParts.every((part, i) => globMatches(part, arnParts[i] ?? ''));
}

function arnSegments(arn: string): string[] | undefined {
  const parts = arn.split(':');
  return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

type Token = { wild: '*' | '?' } | { char: string };

/** `*` any run, `?` one character, `${*}` `${?}` `${$}` the characters themselves. Linear in pattern times value. */
export function globMatches(pattern: string, value: string): boolean {
  const tokens = tokenize(pattern);
  let t = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    const token = tokens[t];
    if (token !== undefined && !isStar(token) && ('char' in token ? token.char === value[v] : true)) {
      t++;
      v++;
    } else if (token !== undefined && isStar(token)) {
      star = t++;
      resume = v;
    } else if (star >= 0) {
      t = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (t < tokens.length && isStar(tokens[t] as Token)) t++;
  return t === tokens.length;
}

function isStar(token: Token): boolean {
  return 'wild' in token && token.wild === '*';
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const escaped = /^\$\{([*?$])\}/.exec(pattern.slice(i, i + 4));
    if (escaped?.[1] !== undefined) {
      tokens.push({ char: escaped[1] });
      i += 3;
    } else {
      const char = pattern[i] as string;
      tokens.push(char === '*' || char === '?' ? { wild: char } : { char });
    }
  }
  return tokens;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(message: string): AwsFault {
  return new AwsFault('MalformedPolicyDocument', message);
}
