// The audit trail the audit-console tests read: a fresh install where the setup token adds a cluster
// and an IdP, bob (an admin) signs in and changes the IdP, alice signs in and gets credentials (one
// refused), sign-ins with formula-like user agents and NameIDs are refused or accepted, a certificate is
// retired and a cluster added and removed; with the secrets that went in, and readers of both exports.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { startAppHarness, type AppHarness } from '../../support/app-harness.ts';
import { explicitIdpFields, clusterFields, ADMIN_GROUP } from '../../support/admin-forms.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { AWS_ROLE_SESSION_NAME, fixtureKeys, REDSHIFT_DB_USER } from '../../support/sign-response.ts';
import type { AuditEvent } from '../../../src/store/ports.ts';

export const IDP = 'corp';
export const CLUSTER = 'warehouse';
export const CSV_COLUMNS =
  'at,kind,outcome,code,idpId,nameId,roleArn,clusterId,dbUser,durationSeconds,expiresAt,clientIp,userAgent,awsRequestIds,requestId,actor';
export const FORMULA_NAME_ID = '=HYPERLINK("http://evil.example/x","open")';
export const FORMULA_AGENTS = ["=cmd|' /C calc'!A0", '+1+2', '-3+4', '@SUM(1+1)'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An exported line: an AuditEvent as JSON (times as text), with the console's change details. */
export type ExportedEvent = Omit<AuditEvent, 'at' | 'expiresAt' | 'details'> & {
  at: string;
  details?: {
    entry?: string;
    id?: string;
    before?: Record<string, unknown> | null;
    after?: Record<string, unknown> | null;
  };
};

/** RFC 4180 rows (quoted cells, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

export interface AuditTrail {
  h: AppHarness;
  /** The admin who made the console changes; the exports are read as bob. */
  bob: CookieClient;
  /** Between the setup token's changes and everything else. */
  tMid: Date;
  /** Every secret that went in: setup token, SAML responses, DB password, AWS keys and tokens. */
  secrets: string[];
  jsonl(query?: string): Promise<ExportedEvent[]>;
  csv(query?: string): Promise<{ text: string; rows: string[][] }>;
}

async function readJsonl(bob: CookieClient, query = ''): Promise<ExportedEvent[]> {
  const res = await bob.get(`/admin/audit.jsonl${query === '' ? '' : `?${query}`}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /ndjson/);
  const text = await res.text();
  return text === ''
    ? []
    : text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as ExportedEvent);
}

async function readCsv(bob: CookieClient, query = ''): Promise<{ text: string; rows: string[][] }> {
  const res = await bob.get(`/admin/audit.csv${query === '' ? '' : `?${query}`}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="[^"]+\.csv"$/);
  const text = await res.text();
  return { text, rows: parseCsv(text) };
}

/** Starts an app and records the trail above in it; the caller closes `h` (closed here if a step fails). */
export async function buildAuditTrail(): Promise<AuditTrail> {
  const h = await startAppHarness({ admin: true });
  try {
    return await recordTrail(h);
  } catch (err) {
    await h.close();
    throw err;
  }
}

async function recordTrail(h: AppHarness): Promise<AuditTrail> {
  const secrets: string[] = [];
  async function signIn(client: CookieClient, options: Parameters<AppHarness['signIn']>[2] = {}): Promise<Response> {
    const { res, samlResponse } = await h.signIn(client, IDP, options);
    secrets.push(samlResponse);
    return res;
  }

  const token = (await h.service.issueSetupToken()) ?? '';
  secrets.push(token);
  const setupAdmin = h.newClient();
  await h.signInWithSetupToken(setupAdmin, token);
  // The cluster first: saving the first IdP ends the setup-token session.
  assert.equal((await h.post(setupAdmin, '/admin/clusters', clusterFields(CLUSTER))).status, 303);
  await h.saveFirstIdp(setupAdmin, explicitIdpFields(IDP));
  await sleep(25);
  const tMid = new Date();
  await sleep(25);

  const bob = h.newClient();
  const bobAttributes = { [AWS_ROLE_SESSION_NAME]: 'bob', [REDSHIFT_DB_USER]: 'bob' };
  assert.equal(
    (await signIn(bob, { nameId: 'bob@example.com', groups: [ADMIN_GROUP], extraAttributes: bobAttributes })).status,
    303,
  );
  assert.equal(
    (await h.post(bob, `/admin/idps/${IDP}/certs`, { certificate: fixtureKeys.idpNext.certificate })).status,
    303,
  );
  assert.equal((await h.post(bob, `/admin/idps/${IDP}/settings`, { clockSkewSeconds: '60' })).status, 303);

  const alice = h.newClient();
  assert.equal((await signIn(alice, { userAgent: 'audit-browser/2.0' })).status, 303);
  const issued = await alice.postJson('/api/credentials', { cluster: CLUSTER }, { 'user-agent': 'audit-browser/2.0' });
  assert.equal(issued.status, 200);
  const body = (await issued.json()) as { dbPassword: string; connectionStrings: Record<string, string> };
  secrets.push(body.dbPassword);
  for (const s of await h.roleSessionsOf(alice)) secrets.push(s.secretAccessKey, s.sessionToken);
  assert.equal((await alice.postJson('/api/credentials', { cluster: 'nope' })).status, 404);

  for (const agent of FORMULA_AGENTS)
    assert.equal(
      (await signIn(h.newClient(), { key: fixtureKeys.attacker, json: true, userAgent: agent })).status,
      401,
    );
  assert.equal((await signIn(h.newClient(), { nameId: FORMULA_NAME_ID })).status, 303);

  const oldFingerprint = new X509Certificate(fixtureKeys.idp.certificate).fingerprint256;
  assert.equal((await h.post(bob, `/admin/idps/${IDP}/certs/remove`, { fingerprint: oldFingerprint })).status, 303);
  assert.equal((await signIn(h.newClient(), { json: true })).status, 401, 'the retired certificate is refused');
  assert.equal((await h.post(bob, '/admin/clusters', clusterFields('scratch'))).status, 303);
  assert.equal((await h.post(bob, '/admin/clusters/scratch/delete', {})).status, 303);
  return {
    h,
    bob,
    tMid,
    secrets,
    jsonl: (query) => readJsonl(bob, query),
    csv: (query) => readCsv(bob, query),
  };
}
