import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetClusterCredentialsCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { GetCredentialsCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { startAwsEmulator, type AwsEmulator } from '../../../src/dev/aws-emulator.ts';
import { findPostgresBinaries, startPrivatePostgres, type PrivatePostgres } from '../../../src/dev/private-postgres.ts';
import { DEMO_PROVIDER_ARN, generateSigningKey } from '../../support/emulator-saml.ts';
import { assumeDemoRole } from '../../support/emulator-sdk.ts';

const REGION = 'us-east-1';

interface PsqlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs psql with only the URL to go on: no ~/.psqlrc, no PG* variables, never a password prompt. */
function psql(url: string, sql: string): Promise<PsqlResult> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG')));
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-w', '-tA', '-c', sql, url], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() }));
  });
}

describe('private PostgreSQL behind the AWS emulator', () => {
  let postgres: PrivatePostgres;
  let emulator: AwsEmulator;
  let redshift: RedshiftClient;
  let serverless: RedshiftServerlessClient;

  const loginUrl = (user: string, password: string): string =>
    `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${postgres.port}/postgres`;

  before(async () => {
    const [key, started] = await Promise.all([generateSigningKey(), startPrivatePostgres()]);
    postgres = started;
    emulator = await startAwsEmulator({
      samlProviders: [{ arn: DEMO_PROVIDER_ARN, certs: [key.cert] }],
      clusters: [{ clusterIdentifier: 'local', host: postgres.host, port: postgres.port }],
      workgroups: [{ workgroupName: 'local-wg', host: postgres.host, port: postgres.port }],
      minDbDurationSeconds: 2,
      postgresAdminUrl: postgres.url,
    });
    const credentials = await assumeDemoRole(key, {}, { endpoint: emulator.url, region: REGION });
    redshift = new RedshiftClient({ endpoint: emulator.url, region: REGION, credentials });
    serverless = new RedshiftServerlessClient({ endpoint: emulator.url, region: REGION, credentials });
  });

  after(async () => {
    await emulator?.close();
    await postgres?.stop();
  });

  it('finds the PostgreSQL server binaries', () => {
    const binaries = findPostgresBinaries();
    assert.match(binaries?.initdb ?? '', /\/usr\/lib\/postgresql\/[\d.]+\/bin\/initdb$/);
  });

  it('requires the superuser password', async () => {
    const admin = await psql(postgres.url, 'select current_user');
    assert.equal(admin.code, 0, admin.stderr);
    assert.equal(admin.stdout, 'postgres');
    const wrong = await psql(postgres.url.replace(/:[^:@]+@/, ':wrong@'), 'select 1');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /password authentication failed/);
  });

  it('lets the issued cluster user log in with the issued password, and no other', async () => {
    const issued = await redshift.send(
      new GetClusterCredentialsCommand({
        ClusterIdentifier: 'local',
        DbUser: 'alice',
        DbGroups: ['analysts'],
        DurationSeconds: 300,
      }),
    );
    assert.equal(issued.DbUser, 'IAM:alice');
    const password = issued.DbPassword ?? '';

    const ok = await psql(
      loginUrl('IAM:alice', password),
      "select current_user || ' ' || pg_has_role('analysts', 'MEMBER')",
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'IAM:alice true');

    const wrong = await psql(loginUrl('IAM:alice', `${password}x`), 'select current_user');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /password authentication failed for user "IAM:alice"/);
  });

  it('refuses the password once its expiration has passed', async () => {
    const issued = await redshift.send(
      new GetClusterCredentialsCommand({ ClusterIdentifier: 'local', DbUser: 'carol', DurationSeconds: 2 }),
    );
    const url = loginUrl(issued.DbUser ?? '', issued.DbPassword ?? '');
    const beforeExpiry = await psql(url, 'select current_user');
    assert.equal(beforeExpiry.stdout, 'IAM:carol', beforeExpiry.stderr);

    await sleep(Math.max(0, (issued.Expiration?.getTime() ?? 0) - Date.now()) + 2000);
    const afterExpiry = await psql(url, 'select current_user');
    assert.notEqual(afterExpiry.code, 0);
    assert.match(afterExpiry.stderr, /password authentication failed/);
  });

  it('lets the serverless IAMR user log in too', async () => {
    const issued = await serverless.send(
      new GetCredentialsCommand({ workgroupName: 'local-wg', durationSeconds: 300 }),
    );
    const result = await psql(loginUrl(issued.dbUser ?? '', issued.dbPassword ?? ''), 'select current_user');
    assert.equal(result.stdout, 'IAMR:Analyst', result.stderr);
  });
});
