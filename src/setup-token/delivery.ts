// Hands the one-time setup token to the operator without putting it in the log stream (stdout,
// `docker logs`, log shipping): printed on stderr when that is a terminal, otherwise written to a
// file only its owner can read. The log line says where it went, never what it is.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SetupTokenTarget {
  /** Normally process.stderr: used only when it is a terminal. */
  terminal: { isTTY?: boolean; write(text: string): unknown };
  filePath: string;
  setupUrl: string;
}

export type SetupTokenDelivery = { to: 'terminal' } | { to: 'file'; path: string };

/** Beside a SQLite store's file (the data directory), else data/setup-token. */
export function defaultSetupTokenPath(storeUrl: string): string {
  const path = storeUrl.startsWith('sqlite:') ? storeUrl.slice('sqlite:'.length) : '';
  return path === '' || path === ':memory:' ? join('data', 'setup-token') : join(dirname(path), 'setup-token');
}

/** Throws (with the file system's code) when the file cannot be written. */
export function deliverSetupToken(token: string, target: SetupTokenTarget): SetupTokenDelivery {
  if (target.terminal.isTTY === true) {
    target.terminal.write(
      `\n  No IdP connection exists yet. Open ${target.setupUrl} with this one-time setup token:\n\n    ${token}\n\n`,
    );
    return { to: 'terminal' };
  }
  mkdirSync(dirname(target.filePath), { recursive: true, mode: 0o700 });
  // A fresh file: an old one (or a link planted in its place) is replaced, never written through.
  rmSync(target.filePath, { force: true });
  writeFileSync(target.filePath, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { to: 'file', path: target.filePath };
}
