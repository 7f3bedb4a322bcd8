// The audit trail on PostgreSQL (see AuditLog and JobLocks in ports.ts): appends, filtered
// queries, keyset pages for exports (no cursor or transaction held while a page is written out),
// batched pruning, and session advisory locks so one instance at a time runs a job.
// The table and its (at, id) index come from migration 2 in postgres.ts.
import type pg from 'pg';
import type { AuditEvent, AuditFilter, AuditLog, JobLocks } from './ports.ts';
import { auditLimit } from './audit-filter.ts';

// The first key of every job lock ("RSSJ"); the second is the job name's hash.
export const JOB_LOCK_NAMESPACE = 0x5253534a;

/** at as text keeps PostgreSQL's microseconds, which a JS Date would round away. */
interface Cursor {
  at: string;
  id: string;
}

type StoredAuditEvent = Omit<AuditEvent, 'at' | 'expiresAt'> & { at: string; expiresAt?: string };
type Row = { id: string; at_key: string; event: StoredAuditEvent };

export function postgresAuditLog(pool: pg.Pool): AuditLog & JobLocks {
  const select = async (filter: AuditFilter, limit: number, after?: Cursor): Promise<Row[]> => {
    const { sql, params } = auditQuery(filter, limit, after);
    return (await pool.query<Row>(sql, params)).rows;
  };
  return {
    async appendAudit(event) {
      const columns = [event.code, event.idpId, event.nameId, event.roleArn, event.clusterId, event.dbUser].map(
        (v) => nulFree(v) ?? null,
      );
      const json = JSON.stringify(event, (_key, value: unknown) => nulFree(value));
      await pool.query(
        'INSERT INTO audit_log (at, kind, outcome, code, idp_id, name_id, role_arn, cluster_id, db_user, event) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        [event.at, event.kind, event.outcome, ...columns, json],
      );
    },
    async queryAudit(filter) {
      return (await select(filter, auditLimit(filter.limit))).map((row) => reviveAuditEvent(row.id, row.event));
    },
    async *auditPages(filter, pageSize) {
      let after: Cursor | undefined;
      for (;;) {
        const rows = await select(filter, pageSize, after);
        if (rows.length > 0) yield rows.map((row) => reviveAuditEvent(row.id, row.event));
        if (rows.length < pageSize) return;
        const last = rows[rows.length - 1] as Row;
        after = { at: last.at_key, id: last.id };
      }
    },
    async pruneAudit(cutoff, limit) {
      // Oldest first along the (at, id) index; each batch commits on its own, so sign-ins never
      // wait behind one long delete.
      const result = await pool.query(
        'DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 ORDER BY at, id LIMIT $2)',
        [cutoff, limit],
      );
      return result.rowCount ?? 0;
    },
    async runExclusive(name, job) {
      // A session lock on one connection, held for the whole job and gone with the connection if
      // this instance dies.
      const client = await pool.connect();
      let broken = false;
      try {
        const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS got', [
          JOB_LOCK_NAMESPACE,
          name,
        ]);
        if (rows[0]?.got !== true) return { ran: false };
        try {
          return { ran: true, value: await job(async () => undefined) };
        } finally {
          await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [JOB_LOCK_NAMESPACE, name]).catch(() => {
            broken = true;
          });
        }
      } finally {
        // A connection whose unlock failed may still hold the lock: it is closed, not reused.
        client.release(broken);
      }
    },
  };
}

function auditQuery(filter: AuditFilter, limit: number, after?: Cursor): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (condition: (p: string) => string, value: unknown): void => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  if (filter.user !== undefined) {
    // '!' as the escape character, so a backslash in the input needs no special case.
    const pattern = `%${filter.user.replace(/[!%_]/g, (c) => `!${c}`)}%`;
    add((p) => `(name_id ILIKE ${p} ESCAPE '!' OR db_user ILIKE ${p} ESCAPE '!')`, pattern);
  }
  if (filter.idpId !== undefined) add((p) => `idp_id = ${p}`, filter.idpId);
  if (filter.clusterId !== undefined) add((p) => `cluster_id = ${p}`, filter.clusterId);
  if (filter.outcome !== undefined) add((p) => `outcome = ${p}`, filter.outcome);
  if (filter.kind !== undefined) add((p) => `kind = ${p}`, filter.kind);
  if (filter.from !== undefined) add((p) => `at >= ${p}`, filter.from);
  if (filter.to !== undefined) add((p) => `at < ${p}`, filter.to);
  if (after !== undefined) {
    params.push(after.at, after.id);
    where.push(`(at, id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
  }
  params.push(limit);
  const conditions = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const order = `ORDER BY at DESC, id DESC LIMIT $${params.length}`;
  return { sql: `SELECT id, at::text AS at_key, event FROM audit_log ${conditions} ${order}`, params };
}

/**
 * PostgreSQL text and jsonb refuse U+0000, and a user agent or an admin's input may carry one; the
 * audit line must still be written, so NUL becomes U+FFFD (SQLite keeps it as is).
 */
function nulFree<T>(value: T): T | string {
  return typeof value === 'string' ? value.replaceAll('\u0000', '\uFFFD') : value;
}

/** pg parses jsonb but not the dates inside it; bigserial arrives as a string. */
function reviveAuditEvent(id: string, raw: StoredAuditEvent): AuditEvent {
  const { expiresAt, ...rest } = raw;
  return {
    ...rest,
    id: Number(id),
    at: new Date(raw.at),
    ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt) }),
  };
}
