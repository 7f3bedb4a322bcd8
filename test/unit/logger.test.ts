// The logger never prints secrets kept under the redacted field names, at the top level or one
// level down (pino wildcards match one level), including a whole DbLogin with its connection strings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.ts';
import { buildConnectionStrings } from '../../src/credentials/connection-strings.ts';
import type { DbLogin } from '../../src/credentials/issue-db-login.ts';

function capture(level = 'info') {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { logger: createLogger({ level }, stream), output: () => chunks.join('') };
}

const SECRETS: Record<string, string> = {
  dbPassword: 'db-password-VALUE-1a2b',
  password: 'password-VALUE-3c4d',
  secretAccessKey: 'secret-access-key-VALUE-5e6f',
  sessionToken: 'session-token-VALUE-7a8b',
  SAMLResponse: 'PHNhbWxwOlJlc3BvbnNl-VALUE-9c0d',
  samlResponse: 'PHNhbWxwOlJlc3BvbnNl-VALUE-1e2f',
  privateKey: '-----BEGIN PRIVATE KEY-----VALUE-3a4b',
  sessionSecret: 'session-secret-VALUE-5c6d',
};

describe('createLogger', () => {
  const shapes: Array<{ name: string; wrap: (field: string, value: string) => Record<string, unknown> }> = [
    { name: 'at the top level', wrap: (field, value) => ({ [field]: value }) },
    { name: 'one level down', wrap: (field, value) => ({ login: { [field]: value } }) },
    {
      name: 'one level down under another name',
      wrap: (field, value) => ({ credentials: { [field]: value, kept: 'visible' } }),
    },
  ];
  for (const shape of shapes) {
    for (const [field, value] of Object.entries(SECRETS)) {
      it(`redacts ${field} ${shape.name}`, () => {
        const { logger, output } = capture();
        logger.info({ ...shape.wrap(field, value), roleArn: 'arn:aws:iam::123456789012:role/R' }, 'issued db login');
        const text = output();
        assert.ok(text.includes('issued db login'), 'the line was written');
        assert.ok(text.includes('arn:aws:iam::123456789012:role/R'), 'other fields are kept');
        assert.ok(text.includes('[redacted]'), text);
        assert.equal(text.includes(value), false, text);
      });
    }
  }

  it('redacts all the secrets logged together', () => {
    const { logger, output } = capture();
    logger.warn({ ...SECRETS, nested: { ...SECRETS } }, 'everything');
    const text = output();
    for (const value of Object.values(SECRETS)) assert.equal(text.includes(value), false, value);
  });

  it('never prints the password of a whole DbLogin, in any connection string', () => {
    const target = {
      dbUser: 'IAM:alice',
      dbPassword: 'Pw-VALUE-9f8e7d',
      host: 'analytics.example.com',
      port: 5439,
      database: 'dev',
      sslMode: 'verify-full' as const,
    };
    const login: DbLogin = {
      ...target,
      clusterId: 'analytics',
      roleArn: 'arn:aws:iam::123456789012:role/R',
      expiration: new Date('2030-01-01T00:15:00Z'),
      durationSeconds: 900,
      hasCaBundle: false,
      connectionStrings: buildConnectionStrings(target),
      awsRequestIds: ['req-1'],
    };
    for (const fields of [login as unknown as Record<string, unknown>, { login }]) {
      const { logger, output } = capture();
      logger.info(fields, 'issued db login');
      const text = output();
      assert.ok(text.includes('analytics.example.com'), 'the line was written');
      assert.equal(text.includes('Pw-VALUE-9f8e7d'), false, text);
    }
  });

  it('writes nothing below its level', () => {
    const { logger, output } = capture('warn');
    logger.info({ dbUser: 'alice' }, 'quiet');
    assert.equal(output(), '');
  });
});
