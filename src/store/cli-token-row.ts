// The cli_tokens row as both stores read it; only how a time is stored differs (timestamptz in
// PostgreSQL, epoch milliseconds in SQLite).
import type { CliTokenRecord } from './ports.ts';

export interface CliTokenRow<Time> {
  id: string;
  token_hash: string;
  idp_id: string;
  name_id: string;
  client: string;
  user_data: string;
  created_at: Time;
  expires_at: Time;
  last_used_at: Time | null;
  revoked_at: Time | null;
}

export function cliTokenFromRow<Time>(row: CliTokenRow<Time>, toDate: (t: Time) => Date): CliTokenRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    idpId: row.idp_id,
    nameId: row.name_id,
    client: row.client,
    user: row.user_data,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    ...(row.last_used_at === null ? {} : { lastUsedAt: toDate(row.last_used_at) }),
    ...(row.revoked_at === null ? {} : { revokedAt: toDate(row.revoked_at) }),
  };
}
