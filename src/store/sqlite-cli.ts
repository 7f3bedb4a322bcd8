// The CLI's tokens and its short-lived sign-in grants on SQLite (see CliTokenRecords and
// CliGrantRecords in ports.ts). Tables come from migration 5 in sqlite.ts.
import type Database from 'better-sqlite3';
import type { CliGrantRecords, CliTokenRecord, CliTokenRecords } from './ports.ts';
import { cliTokenFromRow, type CliTokenRow } from './cli-token-row.ts';

export const SQLITE_CLI_MIGRATION = `CREATE TABLE cli_tokens (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, idp_id TEXT NOT NULL, name_id TEXT NOT NULL,
     client TEXT NOT NULL, user_data TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER);
   CREATE INDEX cli_tokens_owner ON cli_tokens (idp_id, name_id);
   CREATE INDEX cli_tokens_expires ON cli_tokens (expires_at);
   CREATE TABLE cli_grants (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX cli_grants_expires ON cli_grants (expires_at);`;

export const SQLITE_CLI_SWEEPS = [
  'DELETE FROM cli_tokens WHERE expires_at <= ?',
  'DELETE FROM cli_grants WHERE expires_at <= ?',
];

type TokenRow = CliTokenRow<number>;

const toRecord = (row: TokenRow): CliTokenRecord => cliTokenFromRow(row, (t) => new Date(t));

export function sqliteCliRecords(db: Database.Database): CliTokenRecords & CliGrantRecords {
  const q = {
    save: db.prepare(
      'INSERT INTO cli_tokens (id, token_hash, idp_id, name_id, client, user_data, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    byHash: db.prepare<[string], TokenRow>('SELECT * FROM cli_tokens WHERE token_hash = ?'),
    byId: db.prepare<[string], TokenRow>('SELECT * FROM cli_tokens WHERE id = ?'),
    list: db.prepare<[string, string, number], TokenRow>(
      'SELECT * FROM cli_tokens WHERE idp_id = ? AND name_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id',
    ),
    revoke: db.prepare('UPDATE cli_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    touch: db.prepare('UPDATE cli_tokens SET last_used_at = ? WHERE id = ?'),
    putGrant: db.prepare(
      'INSERT INTO cli_grants (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
    ),
    getGrant: db.prepare<[string], { value: string }>('SELECT value FROM cli_grants WHERE key = ?'),
    takeGrant: db.prepare<[string], { value: string }>('DELETE FROM cli_grants WHERE key = ? RETURNING value'),
  };
  return {
    async saveCliToken(r) {
      q.save.run(r.id, r.tokenHash, r.idpId, r.nameId, r.client, r.user, r.createdAt.getTime(), r.expiresAt.getTime());
    },
    async findCliToken(tokenHash) {
      const row = q.byHash.get(tokenHash);
      return row === undefined ? null : toRecord(row);
    },
    async getCliTokenById(id) {
      const row = q.byId.get(id);
      return row === undefined ? null : toRecord(row);
    },
    async listCliTokens(idpId, nameId, now) {
      return q.list.all(idpId, nameId, now.getTime()).map(toRecord);
    },
    async revokeCliToken(id, at) {
      return q.revoke.run(at.getTime(), id).changes === 1;
    },
    async touchCliToken(id, at) {
      q.touch.run(at.getTime(), id);
    },
    async putCliGrant(key, value, expiresAt) {
      q.putGrant.run(key, value, expiresAt.getTime());
    },
    async getCliGrant(key) {
      return q.getGrant.get(key)?.value ?? null;
    },
    async takeCliGrant(key) {
      return q.takeGrant.get(key)?.value ?? null;
    },
  };
}
