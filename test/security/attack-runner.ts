// Runs one corpus case against the apps and judges it: what the ACS answered (status and error
// code), whether a session, a signed-in identity, an error log line or an STS AssumeRoleWithSAML
// came of it, and (for probes) which identity the service read. Results feed the printed table.
import { performance } from 'node:perf_hooks';
import type { EmulatorCall } from '../../src/dev/aws-emulator.ts';
import { isErrorCode } from '../../src/error-catalogue.ts';
import { aSamlResponseXml, type SamlResponseOverrides } from '../support/sign-response.ts';
import { IDP_ID, type Client, type SecurityApp } from './security-harness.ts';
import { toBase64 } from './attack-xml.ts';

/** The NameID of every forged assertion: it must never be signed in, logged as signed in or echoed. */
export const EVIL_IDENTITY = 'admin@evil.example';

export interface AttackApps {
  /** SP-initiated only, assertion signature required, decryption key set. */
  sp: SecurityApp;
  /** IdP-initiated allowed, on a shared SQLite file behind a shared public URL. */
  idpInit: SecurityApp;
  /** A second instance of idpInit: same store file, same public URL. */
  peer: SecurityApp;
  /** wantAssertionsSigned: false, wantResponseSigned: true (a signed Response suffices). */
  respOnly: SecurityApp;
}
export type AppName = keyof AttackApps;

/** What /api/me answers for a signed-in client. */
export interface Me {
  nameId: string;
  dbUser: string;
  dbGroups: string[];
  roles: Array<{ roleArn: string; status: string }>;
}

export interface ProbeJudgement {
  ok: boolean;
  label: string;
}

export interface SecurityCase {
  name: string;
  /** control: must be accepted; attack: must be refused; probe: refused, or accepted with a safe reading. */
  kind: 'control' | 'attack' | 'probe';
  class: string;
  /** Acceptable refusal codes (any 4xx when absent) and statuses (any 4xx when absent). */
  codes?: readonly string[];
  statuses?: readonly number[];
  /** For probes that are accepted: is what the service read safe? */
  judge?: (me: Me, sts: EmulatorCall[]) => ProbeJudgement;
  run(ctx: CaseContext): Promise<Response>;
}

export interface CaseResult {
  name: string;
  kind: SecurityCase['kind'];
  class: string;
  expected: string;
  actual: string;
  verdict: string;
  /** The case met its expectation (safety and, for attacks, the code). */
  passed: boolean;
  /** Attacks: refused with 4xx, no session, no identity, no STS call. */
  refused: boolean;
  ms: number;
  problems: string[];
}

export class CaseContext {
  private readonly clients: Array<{ app: SecurityApp; client: Client }> = [];
  private marks = new Map<SecurityApp, { calls: number; logs: number }>();
  readonly notes: string[] = [];

  constructor(readonly apps: AttackApps) {
    this.beginAttack();
  }

  /** The attacker's browser on an app; its session is checked afterwards. */
  attacker(app: AppName = 'sp'): Client {
    const client = this.apps[app].newClient();
    this.clients.push({ app: this.apps[app], client });
    return client;
  }

  /** A legitimate browser for setup steps (not checked). */
  victim(app: AppName = 'sp'): Client {
    return this.apps[app].newClient();
  }

  /** Steps before this call are setup: STS calls and sign-ins they cause are not held against the case. */
  beginAttack(): void {
    this.marks = new Map(
      Object.values(this.apps).map((a) => [a, { calls: a.emulator.calls.length, logs: a.logs.length }]),
    );
  }

  /** A valid signed response (XML) for `app`; SP-initiated through `client` unless inResponseTo is given. */
  async responseXml(app: AppName, overrides: SamlResponseOverrides = {}, client?: Client): Promise<string> {
    const target = this.apps[app];
    const inResponseTo =
      'inResponseTo' in overrides ? overrides.inResponseTo : await target.startLogin(client ?? this.victim(app));
    return aSamlResponseXml({ destination: target.acsUrl, recipient: target.acsUrl, ...overrides, inResponseTo });
  }

  post(app: AppName, client: Client, samlResponse: string, idpId = IDP_ID): Promise<Response> {
    return client.postForm(`/saml/acs/${idpId}`, { SAMLResponse: samlResponse });
  }

  /** The attacker posts `xml` (base64) to the app's ACS. */
  postXml(app: AppName, xml: string, idpId = IDP_ID): Promise<Response> {
    return this.post(app, this.attacker(app), toBase64(xml), idpId);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  checkedClients(): ReadonlyArray<{ app: SecurityApp; client: Client }> {
    return this.clients;
  }

  stsCallsSinceAttack(): EmulatorCall[] {
    return [...this.marks]
      .flatMap(([app, mark]) => app.emulator.calls.slice(mark.calls))
      .filter((c) => c.action === 'AssumeRoleWithSAML');
  }

  logsSinceAttack(): string[] {
    return [...this.marks].flatMap(([app, mark]) => app.logs.slice(mark.logs));
  }
}

export function expectedText(c: SecurityCase): string {
  if (c.kind === 'control') return '303 signed in';
  const statuses = c.statuses?.join('|') ?? '4xx';
  const refusal = `${statuses} ${c.codes?.join('|') ?? '*'}`;
  return c.kind === 'probe' ? `${refusal} or safe read` : refusal;
}

interface Observation {
  res?: Response;
  status: number;
  code: string;
  sts: EmulatorCall[];
  signedInLogs: number;
  me?: Me;
  problems: string[];
}

export async function runCase(c: SecurityCase, apps: AttackApps): Promise<CaseResult> {
  const ctx = new CaseContext(apps);
  const started = performance.now();
  const seen = await observe(c, ctx);
  const ms = Math.round(performance.now() - started);
  const { verdict, passed, refused } = judgeOutcome(c, seen);
  const notes = [
    ...ctx.notes.filter((n) => !n.startsWith('!')),
    ...(c.kind !== 'control' && seen.sts.length > 0 ? [`STS called ${seen.sts.length}x`] : []),
  ];
  const actual = seen.res === undefined ? 'no answer' : `${seen.status} ${seen.code}`;
  return {
    name: c.name,
    kind: c.kind,
    class: c.class,
    expected: expectedText(c),
    actual: notes.length > 0 ? `${actual} (${notes.join('; ')})` : actual,
    verdict: !passed && seen.problems[0] !== undefined ? `${verdict} [${seen.problems[0].slice(0, 90)}]` : verdict,
    passed,
    refused,
    ms,
    problems: seen.problems,
  };
}

/** Runs the case and collects what came of it: the answer, STS calls, sign-ins, sessions, errors. */
async function observe(c: SecurityCase, ctx: CaseContext): Promise<Observation> {
  const problems: string[] = [];
  let res: Response | undefined;
  let code = '-';
  try {
    res = await c.run(ctx);
    const text = await res.text();
    code = errorCode(text);
    if (text.includes(EVIL_IDENTITY)) problems.push(`the answer names the attacker's identity ${EVIL_IDENTITY}`);
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    problems.push(/timeout|aborted/i.test(message) ? `HANG (${message})` : `ERROR ${message}`);
  }
  const status = res?.status ?? 0;
  const logs = ctx.logsSinceAttack();
  const errorLog = logs.find((l) => /"level":(50|60)/.test(l));
  if (status >= 500) problems.push(`SERVER ERROR ${status}`);
  if (errorLog !== undefined) problems.push(`error logged: ${errorLog.slice(0, 200)}`);
  problems.push(...ctx.notes.filter((n) => n.startsWith('!')));
  return {
    res,
    status,
    code,
    sts: ctx.stsCallsSinceAttack(),
    signedInLogs: logs.filter((l) => l.includes('"msg":"signed in"')).length,
    me: await signedInIdentity(ctx),
    problems,
  };
}

function judgeOutcome(c: SecurityCase, seen: Observation): { verdict: string; passed: boolean; refused: boolean } {
  const { status, me, sts, problems } = seen;
  // An expected code the catalogue does not list is a typo in the corpus, or an undocumented code.
  const uncatalogued = (c.codes ?? []).filter((code) => code !== '-' && !isErrorCode(code));
  if (uncatalogued.length > 0)
    problems.push(`expects codes missing from the error catalogue: ${uncatalogued.join(', ')}`);
  if (c.kind === 'control') {
    const okSts = sts.some((call) => call.ok);
    const passed = status === 303 && me?.nameId === 'alice@example.com' && okSts && problems.length === 0;
    return {
      passed,
      refused: false,
      verdict: passed
        ? 'accepted, STS called'
        : `NOT ACCEPTED${me === undefined ? ' (no session)' : ''}${okSts ? '' : ' (no STS)'}`,
    };
  }
  if (status >= 400 && status < 500) {
    const refused = me === undefined && seen.signedInLogs === 0 && (c.kind === 'probe' || sts.length === 0);
    if (me !== undefined) problems.push('SESSION after a refusal');
    if (c.kind === 'attack' && sts.length > 0) problems.push(`STS AssumeRoleWithSAML called ${sts.length}x`);
    if (seen.signedInLogs > 0) problems.push('"signed in" logged');
    const codeOk =
      (c.codes === undefined || c.codes.includes(seen.code)) &&
      (c.statuses === undefined || c.statuses.includes(status));
    if (!codeOk) problems.push(`unexpected refusal ${status} ${seen.code}`);
    return {
      passed: refused && codeOk && problems.length === 0,
      refused,
      verdict: refused ? (codeOk ? 'refused' : 'refused (other code)') : 'NOT SAFE',
    };
  }
  if (c.kind === 'probe' && (status === 303 || status === 200) && me !== undefined && c.judge !== undefined) {
    const judgement = c.judge(me, sts);
    return { passed: judgement.ok && problems.length === 0, refused: false, verdict: judgement.label };
  }
  const verdict =
    seen.res === undefined
      ? 'NO ANSWER'
      : status >= 500
        ? 'SERVER ERROR'
        : `ACCEPTED (${status})${me === undefined ? '' : ` as ${me.nameId}`}`;
  return { passed: false, refused: false, verdict };
}

function errorCode(text: string): string {
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '-';
  } catch {
    return '-';
  }
}

/** The identity of the first checked client that is signed in, if any. */
async function signedInIdentity(ctx: CaseContext): Promise<Me | undefined> {
  for (const { client } of ctx.checkedClients()) {
    const res = await client.get('/api/me');
    if (res.status === 200) return (await res.json()) as Me;
    await res.body?.cancel();
  }
  return undefined;
}

export function formatTable(results: readonly CaseResult[]): string {
  const rows = results.map((r, i) => [
    String(i + 1),
    r.kind,
    r.class,
    r.name,
    r.expected,
    r.actual,
    r.verdict,
    `${r.ms}`,
  ]);
  const header = ['n', 'kind', 'class', 'case', 'expected', 'actual', 'outcome', 'ms'];
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => (r[col] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, col) => cell.padEnd(widths[col] ?? 0))
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)].join('\n');
}
