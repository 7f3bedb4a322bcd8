// The CLI's tokens and its short-lived sign-in grants on PostgreSQL (see CliTokenRecords and
// CliGrantRecords in ports.ts). Tables come from migration 6 in postgres.ts; single use of a grant
// rests on one DELETE … RETURNING, so two instances never both redeem it.
import type pg from 'pg';
import type { CliGrantRecords, CliTokenRecord, CliTokenRecords } from './ports.ts';
import { cliTokenFromRow, type CliTokenRow } from './cli-token-row.ts';

export const POSTGRES_CLI_MIGRATION = `CREATE TABLE cli_tokens (id text PRIMARY KEY, token_hash text NOT NULL UNIQUE, idp_id text NOT NULL, name_id text NOT NULL,
     client text NOT NULL, user_data text NOT NULL, created_at timestamptz NOT NULL, expires_at timestamptz NOT NULL,
     last_used_at timestamptz, revoked_at timestamptz);
   CREATE INDEX cli_tokens_owner ON cli_tokens (idp_id, name_id);
   CREATE INDEX cli_tokens_expires ON cli_tokens (expires_at);
   CREATE TABLE cli_grants (key text PRIMARY KEY, value text NOT NULL, expires_at timestamptz NOT NULL);
   CREATE INDEX cli_grants_expires ON cli_grants (expires_at);`;

/** Common table expressions for sweepExpired's single statement, counted as `t` and `g`. */
export const POSTGRES_CLI_SWEEP_CTES = `t AS (DELETE FROM cli_tokens WHERE expires_at <= $1 RETURNING 1),
              g AS (DELETE FROM cli_grants WHERE expires_at <= $1 RETURNING 1)`;

type TokenRow = CliTokenRow<Date>;

const toRecord = (row: TokenRow): CliTokenRecord => cliTokenFromRow(row, (t) => t);

export function postgresCliRecords(pool: pg.Pool): CliTokenRecords & CliGrantRecords {
  const rows = async <R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> =>
    (await pool.query<R>(sql, params)).rows;
  return {
    async saveCliToken(r) {
      await pool.query(
        'INSERT INTO cli_tokens (id, token_hash, idp_id, name_id, client, user_data, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [r.id, r.tokenHash, r.idpId, r.nameId, r.client, r.user, r.createdAt, r.expiresAt],
      );
    },
    async findCliToken(tokenHash) {
      const [row] = await rows<TokenRow>('SELECT * FROM cli_tokens WHERE token_hash = $1', [tokenHash]);
      return row === undefined ? null : toRecord(row);
    },
    async getCliTokenById(id) {
      const [row] = await rows<TokenRow>('SELECT * FROM cli_tokens WHERE id = $1', [id]);
      return row === undefined ? null : toRecord(row);
    },
    async listCliTokens(idpId, nameId, now) {
      const found = await rows<TokenRow>(
        'SELECT * FROM cli_tokens WHERE idp_id = $1 AND name_id = $2 AND revoked_at IS NULL AND expires_at > $3 ORDER BY created_at DESC, id',
        [idpId, nameId, now],
      );
      return found.map(toRecord);
    },
    async revokeCliToken(id, at) {
      return (
        (
          await rows('UPDATE cli_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id', [
            id,
            at,
          ])
        ).length === 1
      );
    },
    async touchCliToken(id, at) {
      await pool.query('UPDATE cli_tokens SET last_used_at = $2 WHERE id = $1', [id, at]);
    },
    async putCliGrant(key, value, expiresAt) {
      await pool.query(
        'INSERT INTO cli_grants (key, value, expires_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at',
        [key, value, expiresAt],
      );
    },
    async getCliGrant(key) {
      return (await rows<{ value: string }>('SELECT value FROM cli_grants WHERE key = $1', [key]))[0]?.value ?? null;
    },
    async takeCliGrant(key) {
      return (
        (await rows<{ value: string }>('DELETE FROM cli_grants WHERE key = $1 RETURNING value', [key]))[0]?.value ??
        null
      );
    },
  };
}
