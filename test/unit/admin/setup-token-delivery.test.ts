// Where the setup token goes: stderr when that is a terminal, else a fresh file only its owner may
// read (replacing an old file or a planted link rather than writing through it); never anywhere
// else, and the default file sits beside the SQLite store.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSetupTokenPath, deliverSetupToken } from '../../../src/setup-token/delivery.ts';

const TOKEN = 'tok-4f9c2b7e1d0a8c6e5b3a9f7d';
const tmp = mkdtempSync(join(tmpdir(), 'redshift-sso-setup-token-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function terminal(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
}

describe('deliverSetupToken', () => {
  it('prints the token on a terminal stderr and writes no file', () => {
    const stderr = terminal(true);
    const filePath = join(tmp, 'tty', 'setup-token');
    assert.deepEqual(
      deliverSetupToken(TOKEN, { terminal: stderr, filePath, setupUrl: 'https://sso.example.com/admin/setup' }),
      { to: 'terminal' },
    );
    assert.match(stderr.written.join(''), new RegExp(`https://sso\\.example\\.com/admin/setup[\\s\\S]*${TOKEN}`));
    assert.equal(existsSync(filePath), false);
  });

  it('otherwise writes it to a new file of mode 0600, in a directory it creates, and prints nothing', () => {
    const stderr = terminal(false);
    const filePath = join(tmp, 'new-dir', 'setup-token');
    assert.deepEqual(deliverSetupToken(TOKEN, { terminal: stderr, filePath, setupUrl: 'x' }), {
      to: 'file',
      path: filePath,
    });
    assert.equal(readFileSync(filePath, 'utf8'), `${TOKEN}\n`);
    assert.equal(statSync(filePath).mode & 0o777, 0o600);
    assert.deepEqual(stderr.written, []);
  });

  it('replaces an old file, or a link planted where the file goes, instead of writing through it', () => {
    const filePath = join(tmp, 'setup-token');
    const target = join(tmp, 'elsewhere');
    writeFileSync(target, 'do not touch\n', { mode: 0o644 });
    symlinkSync(target, filePath);
    deliverSetupToken(TOKEN, { terminal: terminal(false), filePath, setupUrl: 'x' });
    assert.equal(readFileSync(target, 'utf8'), 'do not touch\n');
    assert.equal(lstatSync(filePath).isSymbolicLink(), false);
    assert.equal(statSync(filePath).mode & 0o777, 0o600);
    deliverSetupToken('second-token-value', { terminal: terminal(false), filePath, setupUrl: 'x' });
    assert.equal(readFileSync(filePath, 'utf8'), 'second-token-value\n');
  });

  it('throws with the file system’s code when the file cannot be written', () => {
    const blocker = join(tmp, 'a-file');
    writeFileSync(blocker, '');
    assert.throws(
      () =>
        deliverSetupToken(TOKEN, { terminal: terminal(false), filePath: join(blocker, 'setup-token'), setupUrl: 'x' }),
      (err: NodeJS.ErrnoException) => typeof err.code === 'string',
    );
  });
});

describe('defaultSetupTokenPath', () => {
  for (const [url, expected] of [
    ['sqlite:data/redshift-sso.db', join('data', 'setup-token')],
    ['sqlite:/var/lib/redshift-sso/store.db', '/var/lib/redshift-sso/setup-token'],
    ['sqlite::memory:', join('data', 'setup-token')],
    ['postgres://db.example/sso', join('data', 'setup-token')],
  ] as const) {
    it(`is ${expected} for ${url}`, () => assert.equal(defaultSetupTokenPath(url), expected));
  }
});
